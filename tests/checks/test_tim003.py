"""TIM003: an Art. 7 order is escalated (Art. 8 / MLA) only after refusal or the Art. 7(7) period."""

import pytest

RECEIVED = "2025-03-01T10:00:00Z"  # day 0: the provider receives the Art. 7 order R1


def _ctx(make_requests, make_disclosures, make_ctx, escalated_at, timeframe=None, disclosures=(), **extra):
    requests = make_requests([
        {"provider_received_at": RECEIVED, "return_timeframe_days": timeframe},
        {"instrument": "cets224_art8", "linked_request_id": "R1", "issued_at": escalated_at, **extra},
    ])
    rows = list(disclosures) or [{"request_id": "R2", "responded_at": "2025-06-01"}]
    return make_ctx(requests, disclosures=make_disclosures(rows))


@pytest.mark.parametrize("escalated_at,failed", [("2025-03-31T08:00:00Z", 1), ("2025-04-01T08:00:00Z", 0)])
def test_tim003_boundary_day_30_fails_day_31_passes(make_requests, make_disclosures, make_ctx, run,
                                                     escalated_at, failed):
    result, findings = run("TIM003", _ctx(make_requests, make_disclosures, make_ctx, escalated_at))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert findings.loc[0, "message"] == (
            "cets224_art8 request R2 (FR) escalated Art. 7 order R1 on day 30 after the provider received it, "
            "before any refusal; allowed after day 30"
        )


def test_tim003_longer_time_frame_in_the_order_governs(make_requests, make_disclosures, make_ctx, run):
    late = _ctx(make_requests, make_disclosures, make_ctx, "2025-04-15", timeframe="45")  # day 45
    assert run("TIM003", late)[0].failed == 1
    ok = _ctx(make_requests, make_disclosures, make_ctx, "2025-04-16", timeframe="45")  # day 46
    assert run("TIM003", ok)[0].outcome == "pass"
    shorter = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-31", timeframe="10")  # 30 d still applies
    assert run("TIM003", shorter)[0].failed == 1


def test_tim003_refusal_allows_early_escalation(make_requests, make_disclosures, make_ctx, run):
    refused = [{"request_id": "R1", "responded_at": "2025-03-04", "outcome": "refused"}]
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-05", disclosures=refused)
    assert run("TIM003", ctx)[0].outcome == "pass"
    refused_later = [{"request_id": "R1", "responded_at": "2025-03-06", "outcome": "refused"}]
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-05", disclosures=refused_later)
    assert run("TIM003", ctx)[0].failed == 1


def test_tim003_mla_escalation_counts_and_unlinked_is_out_of_scope(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-10", instrument="mla")
    assert run("TIM003", ctx)[0].failed == 1
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-10", linked_request_id=None)
    result, _ = run("TIM003", ctx)
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"


def test_tim003_unknown_receipt_is_unknown(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([{}, {"instrument": "cets224_art8", "linked_request_id": "R1"}])
    ctx = make_ctx(requests, disclosures=make_disclosures([{"request_id": "R2"}]))
    result, _ = run("TIM003", ctx)
    assert (result.outcome, result.unknown) == ("not_evaluated", 1)
    assert "provider_received_at not recorded" in result.reason


def test_tim003_not_evaluated_without_disclosures(make_requests, make_ctx, run):
    requests = make_requests([{"provider_received_at": RECEIVED},
                              {"instrument": "cets224_art8", "linked_request_id": "R1"}])
    result, _ = run("TIM003", make_ctx(requests))
    assert result.outcome == "not_evaluated" and "disclosures" in result.reason
