"""TIM003: an Art. 7 order is escalated (Art. 8 / MLA) only after refusal or the Art. 7(7) period.
The finding is on the Art. 7 order; record_id is the escalating request."""

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
        assert findings[["request_id", "record_id", "request_instrument"]].values.tolist() == [
            ["R1", "R2", "cets224_art7"]]
        assert findings.loc[0, "message"] == (
            "Art. 7 order R1 (FR) was escalated by cets224_art8 request R2 on day 30 after the provider "
            "received it, before any refusal; allowed after day 30"
        )
    else:
        assert findings.empty


def test_tim003_longer_time_frame_in_the_order_governs(make_requests, make_disclosures, make_ctx, run):
    late = _ctx(make_requests, make_disclosures, make_ctx, "2025-04-15", timeframe="45")  # day 45
    result, findings = run("TIM003", late)
    assert result.failed == 1 and findings.loc[0, "message"].endswith("on day 45 after the provider received "
                                                                      "it, before any refusal; allowed after day 45")
    ok = _ctx(make_requests, make_disclosures, make_ctx, "2025-04-16", timeframe="45")  # day 46
    assert run("TIM003", ok)[0].outcome == "pass"
    shorter = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-31", timeframe="10")  # 30 d still applies
    assert run("TIM003", shorter)[0].failed == 1


def test_tim003_refusal_allows_early_escalation(make_requests, make_disclosures, make_ctx, run):
    refused = [{"request_id": "R1", "responded_at": "2025-03-04", "outcome": "refused"}]
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-05", disclosures=refused)
    assert run("TIM003", ctx)[0].outcome == "pass"
    same_time = [{"request_id": "R1", "responded_at": "2025-03-05T09:00:00Z", "outcome": "refused"}]
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-05T09:00:00Z", disclosures=same_time)
    assert run("TIM003", ctx)[0].outcome == "pass"
    refused_later = [{"request_id": "R1", "responded_at": "2025-03-06", "outcome": "refused"}]
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-05", disclosures=refused_later)
    assert run("TIM003", ctx)[0].failed == 1
    disclosed = [{"request_id": "R1", "responded_at": "2025-03-04", "outcome": "partial"}]
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-05", disclosures=disclosed)
    assert run("TIM003", ctx)[0].failed == 1


def test_tim003_mla_escalation_is_named_in_the_finding(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-10", instrument="mla")
    result, findings = run("TIM003", ctx)
    assert result.failed == 1
    assert findings.loc[0, "record_id"] == "R2"
    assert "was escalated by mla request R2 on day 9" in findings.loc[0, "message"]


def test_tim003_unlinked_or_other_instrument_follow_ups_are_not_escalations(make_requests, make_disclosures,
                                                                            make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-10", linked_request_id=None)
    result, _ = run("TIM003", ctx)
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
    ctx = _ctx(make_requests, make_disclosures, make_ctx, "2025-03-10", instrument="cets224_art10")
    result, _ = run("TIM003", ctx)
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"


def test_tim003_escalation_of_a_non_art7_request_is_not_judged(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art8", "provider_received_at": RECEIVED},
        {"instrument": "mla", "linked_request_id": "R1", "issued_at": "2025-03-05"},
    ])
    result, findings = run("TIM003", make_ctx(requests, disclosures=make_disclosures([{"request_id": "R2"}])))
    assert result.outcome == "not_evaluated" and findings.empty


def test_tim003_one_row_per_escalating_request(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([
        {"provider_received_at": RECEIVED},
        {"instrument": "cets224_art8", "linked_request_id": "R1", "issued_at": "2025-03-10"},  # day 9
        {"instrument": "mla", "linked_request_id": "R1", "issued_at": "2025-04-10"},  # day 40
    ])
    result, findings = run("TIM003", make_ctx(requests, disclosures=make_disclosures([{"request_id": "R2"}])))
    assert (result.evaluated, result.passed, result.failed) == (2, 1, 1)
    assert findings[["request_id", "record_id"]].values.tolist() == [["R1", "R2"]]


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
