"""EU007: Art. 5(3)-(4) sentence execution: >= 4 months, not in absentia, person absconded, and for
traffic / content data an offence of Art. 5(4)(a)-(c) (5(4)(d))."""


def _s(months, absentia="false", absconded="true", **kw):
    return {"sentence_months": months, "sentence_in_absentia": absentia, "person_absconded": absconded, **kw}


def test_eu007_boundary_4_months(epoc, eu_ctx, run):
    result, findings = run("EU007", eu_ctx([epoc(**_s("4")), epoc(**_s("3"))]))
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings.loc[0, "message"] == (
        "EPOC R2 (FR → IE, provider cloudbox) to execute a sentence fails Art. 5(3)-(4): sentence under 4 months")
    assert findings.loc[0, "article"] == "Art. 5(3)-(4)"


def test_eu007_in_absentia_and_not_absconded(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_s("12", absentia="true")), epoc(**_s("12", absconded="false")),
                  epoc(**_s("2", absentia="true", absconded="false"))])
    result, findings = run("EU007", ctx)
    assert result.failed == 3
    assert findings.loc[2, "message"].endswith(
        "sentence under 4 months; sentence given in absentia; the person has not absconded")


def test_eu007_traffic_needs_an_art5_4_offence(epoc, eu_ctx, run):
    t = {"data_requested": "content", "offence": "theft"}
    ctx = eu_ctx([
        epoc(**_s("6", **t, offence_max_penalty_years="3")),  # (a) at the threshold
        epoc(**_s("6", **t, offence_max_penalty_years="2")),  # below, not listed
        epoc(**_s("6", **t, offence_max_penalty_years="1", offence_category="terrorism")),  # (c)
        epoc(**_s("6", **t, offence_max_penalty_years="1", offence_category="child_sexual_abuse",
                  committed_via_information_system="true")),  # (b)
        epoc(**_s("6", **t, offence_max_penalty_years="1", offence_category="child_sexual_abuse",
                  committed_via_information_system="false")),  # not (b)
        epoc(**_s("6", **t, offence_max_penalty_years="1", offence_category="child_sexual_abuse")),  # unknown
        epoc(**_s("6", offence="theft", offence_max_penalty_years="1")),  # subscriber data: 5(3) only
    ])
    result, findings = run("EU007", ctx)
    assert (result.evaluated, result.failed, result.unknown) == (6, 2, 1)
    assert findings["request_id"].tolist() == ["R2", "R5"]
    assert findings.loc[0, "message"].endswith(
        "fails Art. 5(3)-(4): for traffic or content data the sentence is not for an Art. 5(4)(a)-(c) offence "
        "(maximum penalty 2 year(s), and not a listed or terrorist offence)")
    assert findings.loc[1, "message"].endswith(
        "(maximum penalty 1 year(s), and the listed offence was not committed by means of an information system)")
    assert "committed_via_information_system not recorded" in result.reason


def test_eu007_sentence_problem_decides_even_when_the_offence_is_unknown(epoc, eu_ctx, run):
    row = epoc(**_s("3", data_requested="traffic", offence="theft", offence_max_penalty_years=None))
    result, findings = run("EU007", eu_ctx([row]))
    assert (result.failed, result.unknown) == (1, 0)
    assert findings.loc[0, "message"].endswith("fails Art. 5(3)-(4): sentence under 4 months")
    row = epoc(**_s("6", data_requested="traffic", offence="theft", offence_max_penalty_years=None))
    result, _ = run("EU007", eu_ctx([row]))
    assert result.unknown == 1 and "offence_max_penalty_years not recorded" in result.reason


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
