"""RET003: without a domestic retention period, the next review is due within the review interval."""

import pytest

SET_AT = "2025-03-10T12:00:00Z"


def _events(make_events, until, request_id="R1"):
    return make_events([{"request_id": request_id, "event": "received", "at": SET_AT},
                        {"request_id": request_id, "event": "retention_set", "at": SET_AT, "until": until}])


@pytest.mark.parametrize("until,failed", [("2026-03-10", 0), ("2026-03-11", 1)])
def test_ret003_review_interval_boundary(make_requests, make_events, make_ctx, run, until, failed):
    # FR's shipped profile has no retention_max_days: periodic review applies
    result, findings = run("RET003", make_ctx(make_requests([{}]), custody_events=_events(make_events, until)))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert findings.loc[0, "message"] == (
            "Data received for request R1 (FR) are next reviewed after 366 days, beyond the 365-day review interval"
        )


def test_ret003_party_with_retention_period_is_left_to_ret002(make_requests, make_events, make_parties,
                                                              make_ctx, run):
    parties = make_parties([{"party": "FR", "retention_max_days": "365"}])
    ctx = make_ctx(make_requests([{}]), custody_events=_events(make_events, "2027-01-01"), parties=parties)
    result, findings = run("RET003", ctx)
    assert result.outcome == "not_evaluated" and findings.empty
    assert run("RET002", ctx)[0].failed == 1


def test_ret003_interval_is_a_policy_parameter(make_requests, make_events, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), custody_events=_events(make_events, "2026-03-11"),
                   params={"retention_review_interval_days": 400})
    assert run("RET003", ctx)[0].outcome == "pass"


def test_ret003_not_evaluated_without_custody_events(make_requests, make_ctx, run):
    result, _ = run("RET003", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated" and "custody_events" in result.reason
