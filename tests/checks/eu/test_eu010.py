"""EU010: Art. 10(4) emergency answer within 8 hours of receipt (received 2026-09-01 15:00 UTC)."""


def _d(rid, at):
    return {"request_id": rid, "responded_at": at, "outcome": "disclosed", "data_disclosed": "subscriber"}


def test_eu010_boundary_hour_8_vs_9(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(emergency="true"), epoc(emergency="true"), epoc(emergency="true")],
                 disclosures=[_d("R1", "2026-09-01T23:00:00Z"), _d("R2", "2026-09-02T00:00:00Z"),
                              _d("R3", "2026-09-01T23:00:01Z")])
    result, findings = run("EU010", ctx)
    assert (result.evaluated, result.failed) == (3, 2)
    assert findings["request_id"].tolist() == ["R2", "R3"]
    assert findings.loc[0, "message"] == (
        "Emergency EPOC R2 (FR → IE, provider cloudbox) was answered 9.0 h after receipt (limit 8 h)")


def test_eu010_unanswered(epoc, eu_ctx, run):
    early = run("EU010", eu_ctx([epoc(emergency="true")], disclosures=[], as_of="2026-09-01T22:00:00Z"))[0]
    late = run("EU010", eu_ctx([epoc(emergency="true")], disclosures=[], as_of="2026-09-02T00:00:00Z"))
    assert early.outcome == "not_evaluated"
    assert late[0].failed == 1 and "is unanswered more than 8 h after receipt" in late[1].loc[0, "message"]


def test_eu010_same_delay_is_fine_without_emergency(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(emergency="false")], disclosures=[_d("R1", "2026-09-02T00:00:00Z")])
    assert run("EU010", ctx)[0].outcome == "not_evaluated"
    assert run("EU009", ctx)[0].failed == 0


def test_eu010_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(emergency="true")], disclosures=[_d("R1", "2026-09-03T00:00:00Z")], parties=not_bound("IE"))
    assert run("EU010", ctx)[0].outcome == "not_evaluated"


def test_eu010_not_evaluated_without_receipt(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(emergency="true", provider_received_at=None)], disclosures=[_d("R1", "2026-09-03T00:00:00Z")])
    result, _ = run("EU010", ctx)
    assert result.outcome == "not_evaluated" and "provider_received_at" in result.reason
