"""EU014: Annex III: refused / no_data answers give a listed reason."""


def _d(rid, outcome, ground):
    return {"request_id": rid, "responded_at": "2026-09-05T10:00:00Z", "outcome": outcome, "refusal_ground": ground}


def test_eu014_listed_reasons(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc(), epoc(), epoc(), epoc()], disclosures=[
        _d("R1", "no_data", "Data not stored"), _d("R2", "refused", "de-facto impossibility"),
        _d("R3", "refused", "conflict with fundamental domestic principles"), _d("R4", "no_data", None),
        {"request_id": "R5", "responded_at": "2026-09-05T10:00:00Z", "outcome": "disclosed"}])
    result, findings = run("EU014", ctx)
    assert (result.evaluated, result.failed) == (4, 2)
    assert findings["record_id"].tolist() == ["D3", "D4"]
    assert findings.loc[0, "message"] == (
        "refused response D3 to eu_epoc R3 (FR → IE, provider cloudbox) gives reason 'conflict with "
        "fundamental domestic principles', not an Annex III reason")
    assert "gives no reason" in findings.loc[1, "message"]


def test_eu014_reason_list_is_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc()], disclosures=[_d("R1", "refused", "third country law")],
                 params={"eu_annex3_reasons": "third_country_law;incomplete"})
    assert run("EU014", ctx)[0].failed == 0


def test_eu014_covers_preservation_orders(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(instrument="eu_epoc_pr")], disclosures=[_d("R1", "refused", "")])
    assert run("EU014", ctx)[0].failed == 1


def test_eu014_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc()], disclosures=[_d("R1", "refused", None)], parties=not_bound("IE"))
    assert run("EU014", ctx)[0].outcome == "not_evaluated"


def test_eu014_not_evaluated_without_disclosures(epoc, eu_ctx, run):
    result, _ = run("EU014", eu_ctx([epoc()]))
    assert result.outcome == "not_evaluated" and "disclosures" in result.reason


def test_eu014_every_shipped_annex_iii_reason_is_accepted(epoc, eu_ctx, run):
    reasons = ["Incomplete", "manifest errors", "insufficient information", "data not stored",
               "de facto impossibility", "not competent authority", "offence not Art. 5(4)",
               "service not covered", "Immunities / privileges", "third-country law conflict"]
    ctx = eu_ctx([epoc() for _ in reasons] + [epoc()],
                 disclosures=[_d(f"R{i}", "refused", r) for i, r in enumerate(reasons, start=1)]
                 + [_d(f"R{len(reasons) + 1}", "refused", "fundamental rights")])
    result, findings = run("EU014", ctx)
    assert (result.evaluated, result.failed) == (11, 1)
    assert findings.loc[0, "message"].endswith("gives reason 'fundamental rights', not an Annex III reason")
