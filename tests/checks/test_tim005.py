"""TIM005: a refusal of an Art. 8 request is notified as soon as practicable (Art. 8(8); policy days, advisory)."""

import pytest

DECIDED = "2025-03-01T15:00:00Z"  # art8_refusal_notice_days = 7: notified by 2025-03-08


def _ctx(make_requests, make_disclosures, make_ctx, rows, params=None, instrument="cets224_art8"):
    requests = make_requests([{"instrument": instrument, "data_requested": "subscriber;traffic"}])
    return make_ctx(requests, disclosures=make_disclosures(rows), params=params)


def _refusal(responded, decided=DECIDED, **extra):
    return {"outcome": "refused", "decided_at": decided, "responded_at": responded, **extra}


@pytest.mark.parametrize("responded,failed", [
    ("2025-03-01T15:00:00Z", 0),
    ("2025-03-08T23:59:59Z", 0),
    ("2025-03-09T00:00:00Z", 1),
])
def test_tim005_boundary_7_days(make_requests, make_disclosures, make_ctx, run, responded, failed):
    result, findings = run("TIM005", _ctx(make_requests, make_disclosures, make_ctx, [_refusal(responded)]))
    assert (result.evaluated, result.failed, result.advisory) == (1, failed, failed)
    assert result.outcome == ("advisory" if failed else "pass")
    if failed:
        assert findings.loc[0, "record_id"] == "D1"
        assert findings.loc[0, "kind"] == "advisory"
        assert findings.loc[0, "message"] == (
            "Refusal D1 of Art. 8 request R1 (FR → US) was notified 8 day(s) after it was decided on "
            "2025-03-01 15:00 UTC, beyond the 7-day as-soon-as-practicable period"
        )
    else:
        assert findings.empty


def test_tim005_period_is_the_policy_parameter(make_requests, make_disclosures, make_ctx, run):
    params = {"art8_refusal_notice_days": 1}
    ctx = _ctx(make_requests, make_disclosures, make_ctx,
               [_refusal("2025-03-02T09:00:00Z"), _refusal("2025-03-03T09:00:00Z")], params=params)
    result, findings = run("TIM005", ctx)
    assert (result.outcome, result.evaluated, result.failed) == ("advisory", 2, 1)
    assert findings["record_id"].tolist() == ["D2"]
    assert "notified 2 day(s) after" in findings.loc[0, "message"]


def test_tim005_empty_decision_date_is_unknown(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx,
               [_refusal("2025-03-02T09:00:00Z"), _refusal("2025-04-30T09:00:00Z", decided=None)])
    result, findings = run("TIM005", ctx)
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "decided_at not recorded" in result.reason
    assert findings.empty


def test_tim005_only_refusals_are_judged(make_requests, make_disclosures, make_ctx, run):
    rows = [{"outcome": o, "decided_at": DECIDED, "responded_at": "2025-04-30T09:00:00Z"}
            for o in ("disclosed", "partial", "no_data", "withdrawn")]
    result, findings = run("TIM005", _ctx(make_requests, make_disclosures, make_ctx, rows))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


@pytest.mark.parametrize("instrument", ["cets224_art7", "cets224_art9", "eu_epoc", "mla"])
def test_tim005_late_refusals_under_other_instruments_are_not_judged(make_requests, make_disclosures, make_ctx,
                                                                     run, instrument):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [_refusal("2025-04-30T09:00:00Z")], instrument=instrument)
    result, findings = run("TIM005", ctx)
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_tim005_not_evaluated_when_decision_column_absent(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art8"}])
    ctx = make_ctx(requests, disclosures=make_disclosures([_refusal("2025-04-30T09:00:00Z")]),
                   absent={"disclosures": ["decided_at"]})
    result, findings = run("TIM005", ctx)
    assert result.outcome == "not_evaluated"
    assert "disclosures.decided_at" in result.reason
    assert findings.empty
