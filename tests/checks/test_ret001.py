"""RET001: received data are deleted, or their retention reviewed, by the date set."""

import pytest

UNTIL = "2025-06-01"


def _events(make_events, *extra):
    return make_events([
        {"event": "received", "at": "2025-03-10T12:00:00Z"},
        {"event": "retention_set", "at": "2025-03-10T12:05:00Z", "until": UNTIL},
        *extra,
    ])


@pytest.mark.parametrize("deleted_at", ["2025-05-20T08:00:00Z", "2025-06-01T00:00:00Z", "2025-06-01T23:59:59Z"])
def test_ret001_passes_when_deleted_on_or_before_the_until_day(make_requests, make_events, make_ctx, run, deleted_at):
    events = _events(make_events, {"event": "deleted", "at": deleted_at})
    result, findings = run("RET001", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_ret001_fails_when_deleted_the_day_after_until(make_requests, make_events, make_ctx, run):
    events = _events(make_events, {"event": "deleted", "at": "2025-06-02T00:00:00Z"})
    result, findings = run("RET001", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    msg = findings.loc[0, "message"]
    assert "Data received for request R1 (FR) had to be deleted or reviewed by 2025-06-01" in msg
    assert "deleted 1 day(s) late" in msg


def test_ret001_passes_when_not_yet_due_on_the_until_day(make_requests, make_events, make_ctx, run):
    result, _ = run("RET001", make_ctx(make_requests([{}]), custody_events=_events(make_events), as_of=UNTIL))
    assert result.outcome == "pass"
    assert (result.evaluated, result.failed) == (1, 0)


def test_ret001_fails_when_not_deleted_the_day_after_until(make_requests, make_events, make_ctx, run):
    result, findings = run("RET001", make_ctx(make_requests([{}]), custody_events=_events(make_events),
                                              as_of="2025-06-02"))
    assert result.outcome == "fail"
    assert findings["request_id"].tolist() == ["R1"]
    assert "not deleted or reviewed 1 day(s) after it" in findings.loc[0, "message"]


def test_ret001_passes_when_retention_reviewed_on_the_until_day(make_requests, make_events, make_ctx, run):
    events = _events(make_events, {"event": "retention_reviewed", "at": "2025-06-01T16:00:00Z"})
    result, _ = run("RET001", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "pass"


def test_ret001_fails_when_retention_reviewed_too_late(make_requests, make_events, make_ctx, run):
    events = _events(make_events, {"event": "retention_reviewed", "at": "2025-06-05T16:00:00Z"})
    result, findings = run("RET001", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "fail"
    assert findings["request_id"].tolist() == ["R1"]


def test_ret001_latest_retention_set_governs(make_requests, make_events, make_ctx, run):
    events = _events(make_events,
                     {"event": "retention_reviewed", "at": "2025-05-30T10:00:00Z"},
                     {"event": "retention_set", "at": "2025-05-30T10:01:00Z", "until": "2026-12-31"})
    result, _ = run("RET001", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "pass"
    assert result.evaluated == 1


def test_ret001_grace_days_extend_the_deadline(make_requests, make_events, make_ctx, run):
    events = _events(make_events, {"event": "deleted", "at": "2025-06-04T00:00:00Z"})
    late, _ = run("RET001", make_ctx(make_requests([{}]), custody_events=events))
    assert late.outcome == "fail"
    ok, _ = run("RET001", make_ctx(make_requests([{}]), custody_events=events, params={"retention_grace_days": 3}))
    assert ok.outcome == "pass"


def test_ret001_only_one_of_two_requests_fails(make_requests, make_events, make_ctx, run):
    events = make_events([
        {"request_id": "R1", "event": "retention_set", "at": "2025-03-10", "until": UNTIL},
        {"request_id": "R1", "event": "deleted", "at": "2025-05-01"},
        {"request_id": "R2", "event": "retention_set", "at": "2025-03-10", "until": UNTIL},
    ])
    result, findings = run("RET001", make_ctx(make_requests([{}, {}]), custody_events=events))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings["request_id"].tolist() == ["R2"]


def test_ret001_retention_set_without_until_is_unknown(make_requests, make_events, make_ctx, run):
    events = make_events([
        {"request_id": "R1", "event": "retention_set", "at": "2025-03-10"},
        {"request_id": "R2", "event": "retention_set", "at": "2025-03-10", "until": "2027-01-01"},
    ])
    result, findings = run("RET001", make_ctx(make_requests([{}, {}]), custody_events=events))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "without an until date" in result.reason
    assert findings.empty


def test_ret001_not_evaluated_without_retention_set_events(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "received"}, {"event": "deleted"}])
    result, _ = run("RET001", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_ret001_not_evaluated_when_until_column_absent(make_requests, make_events, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), custody_events=_events(make_events), absent={"custody_events": ["until"]})
    result, _ = run("RET001", ctx)
    assert result.outcome == "not_evaluated"
    assert "custody_events.until" in result.reason


def test_ret001_not_evaluated_without_custody_events_table(make_requests, make_ctx, run):
    result, _ = run("RET001", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "input table custody_events was not provided"
