"""AUT001: every automated decision has a human review at or after it (Art. 14(6))."""

DECIDED = "2025-03-10T12:00:00Z"


def _ctx(make_requests, make_events, make_ctx, *reviews):
    rows = [{"event": "automated_decision", "at": DECIDED}]
    rows += [{"event": "human_review", "at": at, "request_id": rid} for rid, at in reviews]
    return make_ctx(make_requests([{}, {}]), custody_events=make_events(rows))


def test_aut001_review_at_the_same_time_passes(make_requests, make_events, make_ctx, run):
    result, findings = run("AUT001", _ctx(make_requests, make_events, make_ctx, ("R1", DECIDED)))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)


def test_aut001_review_one_second_before_fails(make_requests, make_events, make_ctx, run):
    result, findings = run("AUT001", _ctx(make_requests, make_events, make_ctx, ("R1", "2025-03-10T11:59:59Z")))
    assert result.failed == 1
    assert findings.loc[0, "record_id"] == "E1"
    assert findings.loc[0, "message"] == "Automated decision E1 on data from request R1 (FR) has no human review recorded"


def test_aut001_review_of_another_request_does_not_count(make_requests, make_events, make_ctx, run):
    result, _ = run("AUT001", _ctx(make_requests, make_events, make_ctx, ("R2", "2025-03-11T00:00:00Z")))
    assert result.failed == 1


def test_aut001_not_evaluated_without_automated_decisions(make_requests, make_events, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), custody_events=make_events([{"event": "accessed"}]))
    result, _ = run("AUT001", ctx)
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
