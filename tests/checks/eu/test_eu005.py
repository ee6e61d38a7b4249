"""EU005: Art. 5(2) necessity and proportionality grounds recorded."""


def test_eu005_flags_missing_or_blank_rationale(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc(necessity_rationale=None), epoc(necessity_rationale="   ")])
    result, findings = run("EU005", ctx)
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 3, 2)
    assert findings["request_id"].tolist() == ["R2", "R3"]
    assert findings.loc[0, "message"] == (
        "EPOC R2 (FR → IE, provider cloudbox) records no necessity and proportionality grounds")
    assert set(findings["family"]) == {"necessity"}


def test_eu005_profile_off(epoc, not_bound, eu_ctx, run):
    result, _ = run("EU005", eu_ctx([epoc(necessity_rationale=None)], parties=not_bound("IE", "FR")))
    assert result.outcome == "not_evaluated"


def test_eu005_not_evaluated_without_column(epoc, eu_ctx, run):
    result, _ = run("EU005", eu_ctx([epoc()], absent={"requests": ["necessity_rationale"]}))
    assert result.outcome == "not_evaluated" and "necessity_rationale" in result.reason
