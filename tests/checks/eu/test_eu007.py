"""EU007: Art. 5(3) sentence enforcement: >= 4 months, not in absentia, person absconded."""


def _s(months, absentia="false", absconded="true"):
    return {"sentence_months": months, "sentence_in_absentia": absentia, "person_absconded": absconded}


def test_eu007_boundary_4_months(epoc, eu_ctx, run):
    result, findings = run("EU007", eu_ctx([epoc(**_s("4")), epoc(**_s("3"))]))
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings.loc[0, "message"] == (
        "EPOC R2 (FR → IE, provider cloudbox) to enforce a sentence fails Art. 5(3): sentence under 4 months")


def test_eu007_in_absentia_and_not_absconded(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_s("12", absentia="true")), epoc(**_s("12", absconded="false")),
                  epoc(**_s("2", absentia="true", absconded="false"))])
    result, findings = run("EU007", ctx)
    assert result.failed == 3
    assert findings.loc[2, "message"].endswith(
        "sentence under 4 months; sentence given in absentia; the person has not absconded")


def test_eu007_only_sentence_orders(epoc, eu_ctx, run):
    result, _ = run("EU007", eu_ctx([epoc()]))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")


def test_eu007_profile_off(epoc, not_bound, eu_ctx, run):
    assert run("EU007", eu_ctx([epoc(**_s("2"))], parties=not_bound("IE")))[0].outcome == "not_evaluated"


def test_eu007_not_evaluated_without_columns_or_values(epoc, eu_ctx, run):
    result, _ = run("EU007", eu_ctx([epoc(**_s("2"))], absent={"requests": ["person_absconded"]}))
    assert result.outcome == "not_evaluated" and "requests.person_absconded" in result.reason
    result, _ = run("EU007", eu_ctx([epoc(**_s("6", absentia=None))]))
    assert result.outcome == "not_evaluated" and "not recorded" in result.reason
