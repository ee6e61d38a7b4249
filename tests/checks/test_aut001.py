"""AUT001: every automated decision with a significant adverse effect has a human review at or after it
(Art. 14(6)); decisions without that effect are outside the rule, an empty flag is unknown."""

import pytest

DECIDED = "2025-03-10T12:00:00Z"


def _ctx(make_requests, make_events, make_ctx, *reviews, significant="true"):
    rows = [{"event": "automated_decision", "at": DECIDED, "significant_adverse_effect": significant}]
    rows += [{"event": "human_review", "at": at, "request_id": rid} for rid, at in reviews]
    return make_ctx(make_requests([{}, {}]), custody_events=make_events(rows))


def test_aut001_review_at_the_same_time_passes(make_requests, make_events, make_ctx, run):
    result, findings = run("AUT001", _ctx(make_requests, make_events, make_ctx, ("R1", DECIDED)))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


def test_aut001_review_one_second_before_fails(make_requests, make_events, make_ctx, run):
    result, findings = run("AUT001", _ctx(make_requests, make_events, make_ctx, ("R1", "2025-03-10T11:59:59Z")))
    assert (result.outcome, result.failed) == ("fail", 1)
    assert findings.loc[0, "record_id"] == "E1"
    assert findings.loc[0, "message"] == (
        "Automated decision E1 with a significant adverse effect on data from request R1 (FR) has no human "
        "review recorded"
    )


def test_aut001_review_of_another_request_does_not_count(make_requests, make_events, make_ctx, run):
    result, _ = run("AUT001", _ctx(make_requests, make_events, make_ctx, ("R2", "2025-03-11T00:00:00Z")))
    assert result.failed == 1


def test_aut001_decision_without_significant_effect_is_outside_the_rule(make_requests, make_events, make_ctx, run):
    result, findings = run("AUT001", _ctx(make_requests, make_events, make_ctx, significant="false"))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


@pytest.mark.parametrize("significant", [None, ""])
def test_aut001_empty_flag_is_unknown(make_requests, make_events, make_ctx, run, significant):
    result, findings = run("AUT001", _ctx(make_requests, make_events, make_ctx, significant=significant))
    assert (result.outcome, result.evaluated, result.unknown) == ("not_evaluated", 0, 1)
    assert "significant_adverse_effect not recorded" in result.reason
    assert findings.empty


def test_aut001_decisions_on_other_instruments_are_not_judged(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"instrument": "mla"}, {"instrument": "eu_epoc"}])
    events = make_events([{"request_id": rid, "event": "automated_decision", "significant_adverse_effect": "true"}
                          for rid in ("R1", "R2")])
    result, findings = run("AUT001", make_ctx(requests, custody_events=events))
    assert result.outcome == "not_evaluated" and findings.empty


def test_aut001_not_evaluated_without_automated_decisions(make_requests, make_events, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), custody_events=make_events([{"event": "accessed"}]))
    result, _ = run("AUT001", ctx)
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"


def test_aut001_not_evaluated_when_flag_column_absent(make_requests, make_events, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), custody_events=make_events([{"event": "automated_decision"}]),
                   absent={"custody_events": ["significant_adverse_effect"]})
    result, _ = run("AUT001", ctx)
    assert result.outcome == "not_evaluated"
    assert "custody_events.significant_adverse_effect" in result.reason
