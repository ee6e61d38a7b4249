"""TIM004: emergency requests (Arts. 9, 10) are decided within the rapid-decision threshold (policy hours)."""

import pytest

RECEIVED = "2025-03-01T10:00:00Z"


def _ctx(make_requests, make_disclosures, make_ctx, responded=None, outcome="disclosed", params=None, **req):
    requests = make_requests([{"instrument": "cets224_art9", "provider_received_at": RECEIVED, **req}])
    rows = [{"responded_at": responded, "outcome": outcome}] if responded else [{"request_id": "R9"}]
    return make_ctx(requests, disclosures=make_disclosures(rows), params=params)


@pytest.mark.parametrize("responded,failed", [("2025-03-03T10:00:00Z", 0), ("2025-03-03T11:00:00Z", 1)])
def test_tim004_boundary_48_hours(make_requests, make_disclosures, make_ctx, run, responded, failed):
    result, findings = run("TIM004", _ctx(make_requests, make_disclosures, make_ctx, responded))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert findings.loc[0, "message"] == (
            "Emergency request R1 (FR → US, cets224_art9): answered 49.0 hours after receipt, "
            "beyond the 48-hour rapid-decision threshold"
        )


@pytest.mark.parametrize("responded,failed", [("2025-03-01T18:00:00Z", 0), ("2025-03-01T19:00:00Z", 1)])
def test_tim004_policy_threshold_8_hours(make_requests, make_disclosures, make_ctx, run, responded, failed):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, responded, params={"emergency_decision_hours": 8})
    assert run("TIM004", ctx)[0].failed == failed


def test_tim004_refusal_is_a_decision_and_art10_counts(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-01T12:00:00Z", outcome="refused",
               instrument="cets224_art10")
    assert run("TIM004", ctx)[0].outcome == "pass"


def test_tim004_no_decision_by_audit_date_fails(make_requests, make_disclosures, make_ctx, run):
    result, findings = run("TIM004", _ctx(make_requests, make_disclosures, make_ctx, None))
    assert result.failed == 1
    assert "no decision recorded" in findings.loc[0, "message"]


def test_tim004_falls_back_to_transmission_and_is_unknown_without_either(make_requests, make_disclosures,
                                                                         make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-03T11:00:00Z", provider_received_at=None,
               transmitted_at="2025-03-02T10:00:00Z")
    assert run("TIM004", ctx)[0].outcome == "pass"  # 25 hours after transmission
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-03T11:00:00Z", provider_received_at=None)
    result, _ = run("TIM004", ctx)
    assert (result.outcome, result.unknown) == ("not_evaluated", 1)


def test_tim004_not_evaluated_without_emergency_requests(make_requests, make_disclosures, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), disclosures=make_disclosures([{}]))
    result, _ = run("TIM004", ctx)
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
