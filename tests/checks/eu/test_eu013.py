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


def test_eu013_deadline_at_or_return_timeframe_records_the_deadline(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(deadline_at=None, return_timeframe_days="10"), epoc(deadline_at="2026-09-11"),
                  epoc(deadline_at=None, return_timeframe_days=None)])
    result, findings = run("EU013", ctx)
    assert (result.evaluated, result.failed) == (3, 1)
    assert findings["request_id"].tolist() == ["R3"]
    assert findings.loc[0, "message"].endswith("lacks: deadline (§C)")


def test_eu013_one_deadline_column_is_enough(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(deadline_at=None, return_timeframe_days="10"), epoc(deadline_at=None)],
                 absent={"requests": ["deadline_at"]})
    result, findings = run("EU013", ctx)
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings["request_id"].tolist() == ["R2"]
    ctx = eu_ctx([epoc(return_timeframe_days=None)], absent={"requests": ["return_timeframe_days"]})
    assert run("EU013", ctx)[0].failed == 0


def test_eu013_without_any_deadline_column_epocs_are_unknown(epoc, eu_ctx, run):
    absent = {"requests": ["deadline_at", "return_timeframe_days"]}
    ctx = eu_ctx([epoc(), epoc(case_reference=None), epoc(instrument="eu_epoc_pr")], absent=absent)
    result, findings = run("EU013", ctx)
    assert (result.evaluated, result.failed, result.unknown) == (2, 1, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert "neither requests.deadline_at nor requests.return_timeframe_days" in result.reason


def test_eu013_not_evaluated_without_columns(epoc, eu_ctx, run):
    result, _ = run("EU013", eu_ctx([epoc()], absent={"requests": ["contact_point"]}))
    assert result.outcome == "not_evaluated" and "requests.contact_point" in result.reason
