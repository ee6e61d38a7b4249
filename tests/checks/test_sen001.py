"""SEN001: disclosures revealing sensitive data carry a safeguard reference (Art. 14(4))."""


def test_sen001_passes_with_safeguard_and_fails_without(make_requests, make_disclosures, make_ctx, run):
    disclosures = make_disclosures([
        {"sensitive_data": "true", "safeguard_reference": "RESTRICTED-REG-12"},
        {"sensitive_data": "true"},
        {"sensitive_data": "false"},
        {"sensitive_data": "true", "outcome": "refused"},
    ])
    result, findings = run("SEN001", make_ctx(make_requests([{}]), disclosures=disclosures))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert (findings.loc[0, "record_id"], findings.loc[0, "family"]) == ("D2", "sensitive_data")
    assert findings.loc[0, "message"] == "Disclosure D2 for request R1 (FR) contains sensitive data with no safeguard recorded"


def test_sen001_not_evaluated_without_sensitive_disclosures(make_requests, make_disclosures, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), disclosures=make_disclosures([{"sensitive_data": None}]))
    result, _ = run("SEN001", ctx)
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"


def test_sen001_not_evaluated_when_safeguard_column_absent(make_requests, make_disclosures, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), disclosures=make_disclosures([{"sensitive_data": "true"}]),
                   absent={"disclosures": ["safeguard_reference"]})
    result, _ = run("SEN001", ctx)
    assert result.outcome == "not_evaluated" and "disclosures.safeguard_reference" in result.reason
