"""EU013: Annex I/II particulars: file reference, validator name, deadline (EPOC), contact."""


def test_eu013_each_missing_particular(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc(case_reference=None), epoc(validating_authority_type="judge"),
                  epoc(deadline_at=None), epoc(contact_point=" "),
                  epoc(instrument="eu_epoc_pr", deadline_at=None)])
    result, findings = run("EU013", ctx)
    assert (result.evaluated, result.failed) == (6, 4)
    assert findings["request_id"].tolist() == ["R2", "R3", "R4", "R5"]
    assert findings.loc[0, "message"] == "eu_epoc R2 (FR → IE, provider cloudbox) lacks: file reference (§A)"
    assert findings.loc[1, "message"].endswith("lacks: validating authority's name (§A)")
    assert findings.loc[2, "message"].endswith("lacks: deadline (§C)")
    assert findings.loc[3, "message"].endswith("lacks: contact authority (§L)")
    assert set(findings["article"]) == {"Annex I §§A, C, L"}


def test_eu013_several_gaps_one_finding(epoc, eu_ctx, run):
    result, findings = run("EU013", eu_ctx([epoc(case_reference=None, contact_point=None)]))
    assert len(findings) == 1
    assert findings.loc[0, "message"].endswith("lacks: file reference (§A); contact authority (§L)")


def test_eu013_profile_off(epoc, not_bound, eu_ctx, run):
    assert run("EU013", eu_ctx([epoc(case_reference=None)], parties=not_bound("IE")))[0].outcome == "not_evaluated"


def test_eu013_not_evaluated_without_columns(epoc, eu_ctx, run):
    result, _ = run("EU013", eu_ctx([epoc()], absent={"requests": ["deadline_at"]}))
    assert result.outcome == "not_evaluated" and "requests.deadline_at" in result.reason
