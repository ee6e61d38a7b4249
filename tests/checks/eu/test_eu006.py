"""EU006: Art. 5(4)(a)-(c) for traffic/content EPOCs: maximum penalty >= 3 years, a listed offence
committed by means of an information system, or a terrorist offence."""


def _t(**kw):
    return {"data_requested": "traffic", "offence": "theft", **kw}


def test_eu006_boundary_3_years(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_t(offence_max_penalty_years="3")), epoc(**_t(offence_max_penalty_years="2.9")),
                  epoc(**_t(offence_max_penalty_years="2"))])
    result, findings = run("EU006", ctx)
    assert (result.evaluated, result.failed) == (3, 2)
    assert findings["request_id"].tolist() == ["R2", "R3"]
    assert findings.loc[1, "message"] == (
        "EPOC R3 (FR → IE, provider cloudbox) seeks traffic data for offence 'theft' with a maximum penalty "
        "of 2 year(s), below 3 years and not a listed or terrorist offence")


def test_eu006_listed_offence_needs_an_information_system(epoc, eu_ctx, run):
    ctx = eu_ctx([
        epoc(**_t(offence="Illegal access", offence_max_penalty_years="2", committed_via_information_system="true")),
        epoc(**_t(offence="fraud", offence_category="non_cash_payment_fraud", offence_max_penalty_years="1",
                  committed_via_information_system="true")),
        epoc(**_t(offence="fraud", offence_category="non_cash_payment_fraud", offence_max_penalty_years="1",
                  committed_via_information_system="false")),
        epoc(**_t(offence="child-sexual-abuse", offence_max_penalty_years="2",
                  committed_via_information_system=None)),
    ])
    result, findings = run("EU006", ctx)
    assert (result.evaluated, result.failed, result.unknown) == (3, 1, 1)
    assert findings["request_id"].tolist() == ["R3"]
    assert findings.loc[0, "message"] == (
        "EPOC R3 (FR → IE, provider cloudbox) seeks traffic data for offence 'fraud' with a maximum penalty "
        "of 1 year(s), below 3 years and the listed offence was not committed by means of an information system")
    assert "committed_via_information_system not recorded" in result.reason


def test_eu006_threshold_or_terrorism_make_the_information_system_irrelevant(epoc, eu_ctx, run):
    ctx = eu_ctx([
        epoc(**_t(offence="illegal_access", offence_max_penalty_years="5", committed_via_information_system=None)),
        epoc(**_t(offence="illegal_access", offence_max_penalty_years="5", committed_via_information_system="false")),
        epoc(**_t(offence="bomb threat", offence_category="terrorism", offence_max_penalty_years="1")),
        epoc(**_t(offence="terrorism", offence_max_penalty_years=None)),
    ])
    result, _ = run("EU006", ctx)
    assert (result.evaluated, result.failed, result.unknown) == (4, 0, 0)


def test_eu006_category_other_is_not_listed(epoc, eu_ctx, run):
    row = epoc(**_t(offence="harassment", offence_category="other", offence_max_penalty_years="2",
                    committed_via_information_system="true"))
    result, findings = run("EU006", eu_ctx([row]))
    assert result.failed == 1
    assert findings.loc[0, "message"].endswith("below 3 years and not a listed or terrorist offence")


def test_eu006_information_system_column_absent_means_unknown(epoc, eu_ctx, run):
    row = epoc(**_t(offence="illegal_access", offence_max_penalty_years="2", committed_via_information_system="true"))
    result, _ = run("EU006", eu_ctx([row], absent={"requests": ["committed_via_information_system"]}))
    assert (result.outcome, result.unknown) == ("not_evaluated", 1)


def test_eu006_category_column_absent_falls_back_to_offence_codes(epoc, eu_ctx, run):
    rows = [epoc(**_t(offence="bomb threat", offence_category="terrorism", offence_max_penalty_years="1"))]
    result, _ = run("EU006", eu_ctx(rows, absent={"requests": ["offence_category"]}))
    assert result.failed == 1
    rows = [epoc(**_t(offence="Terrorism", offence_max_penalty_years="1"))]
    assert run("EU006", eu_ctx(rows, absent={"requests": ["offence_category"]}))[0].failed == 0


def test_eu006_subscriber_orders_are_out_of_scope(epoc, eu_ctx, run):
    result, _ = run("EU006", eu_ctx([epoc(offence="theft", offence_max_penalty_years="1")]))
    assert result.outcome == "not_evaluated"


def test_eu006_threshold_is_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_t(offence_max_penalty_years="3"))], params={"eu_offence_threshold_years": 4})
    assert run("EU006", ctx)[0].failed == 1


def test_eu006_profile_off(epoc, not_bound, eu_ctx, run):
    row = epoc(**_t(offence_max_penalty_years="1"))
    assert run("EU006", eu_ctx([row], parties=not_bound("IE")))[0].outcome == "not_evaluated"


def test_eu006_not_evaluated_without_penalty(epoc, eu_ctx, run):
    result, _ = run("EU006", eu_ctx([epoc(**_t(offence_max_penalty_years=None))]))
    assert result.outcome == "not_evaluated" and "offence_max_penalty_years" in result.reason
    result, _ = run("EU006", eu_ctx([epoc(**_t())], absent={"requests": ["offence_max_penalty_years"]}))
    assert result.outcome == "not_evaluated" and "requests.offence_max_penalty_years" in result.reason


def test_eu006_leaves_sentence_execution_to_eu007(epoc, eu_ctx, run):
    row = epoc(**_t(offence_max_penalty_years="5"), sentence_months="6", sentence_in_absentia="false",
               person_absconded="true")
    assert run("EU006", eu_ctx([row]))[0].outcome == "not_evaluated"
    assert run("EU007", eu_ctx([row]))[0].evaluated == 1


def test_eu006_list_override_as_given_on_the_command_line(epoc, eu_ctx, run):
    """`--param eu_listed_offences=theft;fraud` arrives as a ';'-separated string."""
    from auditor.engine import packs

    values = packs.load("eu2023_1543").with_overrides({"eu_listed_offences": "Theft; fraud"}).values()
    ctx = eu_ctx([epoc(**_t(offence_max_penalty_years="1", committed_via_information_system="true")),
                  epoc(**_t(offence="illegal_access", offence_max_penalty_years="1",
                            committed_via_information_system="true"))],
                 params=values)
    result, findings = run("EU006", ctx)
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings["request_id"].tolist() == ["R2"]
