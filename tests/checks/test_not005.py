"""NOT005: no disclosure under an Art. 7 order at or after the host Party's stop instruction (Art. 7(5)(c))."""

import pytest

INSTRUCTED = "2025-03-05T10:00:00Z"


def _ctx(make_requests, make_disclosures, make_ctx, disclosures, instructed=INSTRUCTED, **req):
    requests = make_requests([{"host_instruction_at": instructed, **req}])
    return make_ctx(requests, disclosures=make_disclosures(disclosures))


def test_not005_passes_for_a_disclosure_one_second_before_the_instruction(make_requests, make_disclosures,
                                                                         make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [{"responded_at": "2025-03-05T09:59:59Z"}])
    result, findings = run("NOT005", ctx)
    assert (result.outcome, result.evaluated, result.passed, result.failed) == ("pass", 1, 1, 0)
    assert findings.empty


@pytest.mark.parametrize("responded,outcome,shown", [
    (INSTRUCTED, "disclosed", "2025-03-05 10:00 UTC"),  # at the instruction: already barred
    ("2025-03-05T10:00:01Z", "partial", "2025-03-05 10:00 UTC"),
    ("2025-04-01T00:00:00Z", "disclosed", "2025-04-01"),
])
def test_not005_fails_for_a_disclosure_at_or_after_the_instruction(make_requests, make_disclosures, make_ctx, run,
                                                                   responded, outcome, shown):
    ctx = _ctx(make_requests, make_disclosures, make_ctx,
               [{"responded_at": "2025-03-04T10:00:00Z"}, {"responded_at": responded, "outcome": outcome}])
    result, findings = run("NOT005", ctx)
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings["record_id"].tolist() == ["D2"]
    assert findings.loc[0, "request_id"] == "R1"
    assert findings.loc[0, "severity"] == "high"
    assert findings.loc[0, "message"] == (
        f"Disclosure D2 ({outcome}) under Art. 7 order R1 (FR → examplemail) was made on {shown}, "
        "after US instructed the provider not to disclose on 2025-03-05 10:00 UTC"
    )


def test_not005_refusals_and_orders_without_instruction_are_not_judged(make_requests, make_disclosures,
                                                                      make_ctx, run):
    requests = make_requests([{"host_instruction_at": INSTRUCTED}, {}])
    disclosures = make_disclosures([
        {"request_id": "R1", "responded_at": "2025-03-06T10:00:00Z", "outcome": "refused"},
        {"request_id": "R1", "responded_at": "2025-03-06T10:00:00Z", "outcome": "no_data"},
        {"request_id": "R2", "responded_at": "2025-03-06T10:00:00Z", "outcome": "disclosed"},
    ])
    result, findings = run("NOT005", make_ctx(requests, disclosures=disclosures))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_not005_art8_and_eu_requests_with_an_instruction_are_not_judged(make_requests, make_disclosures,
                                                                       make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art8", "host_instruction_at": INSTRUCTED},
                              {"instrument": "eu_epoc", "host_instruction_at": INSTRUCTED}])
    disclosures = make_disclosures([{"request_id": "R1", "responded_at": "2025-03-06T10:00:00Z"},
                                    {"request_id": "R2", "responded_at": "2025-03-06T10:00:00Z"}])
    result, findings = run("NOT005", make_ctx(requests, disclosures=disclosures))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_not005_not_evaluated_when_instruction_column_absent(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([{"host_instruction_at": INSTRUCTED}])
    ctx = make_ctx(requests, disclosures=make_disclosures([{"responded_at": "2025-03-06T10:00:00Z"}]),
                   absent={"requests": ["host_instruction_at"]})
    result, findings = run("NOT005", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.host_instruction_at" in result.reason
    assert findings.empty
