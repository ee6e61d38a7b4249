"""EU009: Art. 10(2)-(3) answer within 10 days of receipt (received 2026-09-01 15:00 UTC)."""


def _d(rid, at, outcome="disclosed"):
    return {"request_id": rid, "responded_at": at, "outcome": outcome, "data_disclosed": "subscriber"}


def test_eu009_boundary_day_10_vs_11(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc()], disclosures=[_d("R1", "2026-09-11T23:59:00Z"), _d("R2", "2026-09-12T00:00:00Z")])
    result, findings = run("EU009", ctx)
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings.loc[0, "message"] == (
        "EPOC R2 (FR → IE, provider cloudbox) was answered on day 11 after receipt (limit 10 days)")


def test_eu009_unanswered_is_late_only_after_day_10(epoc, eu_ctx, run):
    not_due = run("EU009", eu_ctx([epoc()], disclosures=[], as_of="2026-09-11T23:00:00Z"))[0]
    due = run("EU009", eu_ctx([epoc()], disclosures=[], as_of="2026-09-12T00:00:00Z"))
    assert not_due.outcome == "not_evaluated"
    assert due[0].failed == 1
    assert "is unanswered 11 days after receipt" in due[1].loc[0, "message"]


def test_eu009_first_response_counts_and_withdrawn_is_out(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc()], disclosures=[
        _d("R1", "2026-09-05T10:00:00Z", "no_data"), _d("R1", "2026-09-20T10:00:00Z"),
        _d("R2", "2026-09-25T10:00:00Z", "withdrawn")])
    result, _ = run("EU009", ctx)
    assert (result.evaluated, result.failed) == (1, 0)


def test_eu009_emergencies_are_eu010s(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(emergency="true")], disclosures=[_d("R1", "2026-09-20T10:00:00Z")])
    assert run("EU009", ctx)[0].outcome == "not_evaluated"


def test_eu009_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc()], disclosures=[_d("R1", "2026-09-20T10:00:00Z")], parties=not_bound("IE"))
    assert run("EU009", ctx)[0].outcome == "not_evaluated"


def test_eu009_not_evaluated(epoc, eu_ctx, run):
    result, _ = run("EU009", eu_ctx([epoc(provider_received_at=None)], disclosures=[_d("R1", "2026-09-20T10:00:00Z")]))
    assert result.outcome == "not_evaluated" and "provider_received_at not recorded" in result.reason
    result, _ = run("EU009", eu_ctx([epoc()]))
    assert result.outcome == "not_evaluated" and "disclosures" in result.reason
