"""REC001: every access, use or disclosure of received data records the actor and the reference."""

import pytest


def test_rec001_passes_when_actor_and_reference_recorded(make_requests, make_events, make_ctx, run):
    events = make_events([
        {"event": "received"},  # not a logged access: outside the population
        {"event": "accessed", "actor": "analyst-7", "reference": "case 2025/114"},
        {"event": "shared_domestic", "actor": "analyst-7", "reference": "MoU-14"},
        {"event": "transferred_onward", "actor": "liaison", "reference": "auth 55"},
    ])
    result, findings = run("REC001", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (3, 3, 0)
    assert findings.empty


def test_rec001_fails_for_access_without_actor(make_requests, make_events, make_ctx, run):
    events = make_events([
        {"event": "accessed", "actor": "analyst-7", "reference": "case 2025/114"},
        {"request_id": "R2", "event": "accessed", "reference": "case 2025/114"},
    ])
    result, findings = run("REC001", make_ctx(make_requests([{}, {"issuing_party": "DE"}]), custody_events=events))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R2"
    assert findings.loc[0, "record_id"] == "E2"
    assert findings.loc[0, "message"] == "Custody event E2 (accessed) on data from request R2 (DE) lacks the actor"


@pytest.mark.parametrize(("actor", "expected"), [("analyst-7", "lacks the reference"),
                                                 (None, "lacks the actor and the reference")])
def test_rec001_names_what_is_missing(make_requests, make_events, make_ctx, run, actor, expected):
    events = make_events([{"event": "transferred_onward", "actor": actor}])
    _, findings = run("REC001", make_ctx(make_requests([{}]), custody_events=events))
    assert findings.loc[0, "message"].endswith(f"(transferred_onward) on data from request R1 (FR) {expected}")


def test_rec001_not_evaluated_without_logged_events(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "received"}, {"event": "deleted"}])
    result, _ = run("REC001", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_rec001_not_evaluated_when_actor_column_absent(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "accessed"}])
    ctx = make_ctx(make_requests([{}]), custody_events=events, absent={"custody_events": ["actor"]})
    result, _ = run("REC001", ctx)
    assert result.outcome == "not_evaluated"
    assert "custody_events.actor" in result.reason
