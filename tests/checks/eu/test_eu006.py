"""EU006: Art. 5(4) offence threshold (3 years) or listed offence for traffic/content EPOCs."""


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
        "of 2 year(s), below 3 years and not a listed offence")


def test_eu006_listed_offence_passes_below_threshold(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_t(offence="Illegal access", offence_max_penalty_years="2")),
                  epoc(**_t(offence="child-sexual-abuse", offence_max_penalty_years=None))])
    result, _ = run("EU006", ctx)
    assert (result.evaluated, result.failed) == (2, 0)


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


def test_eu006_leaves_sentence_enforcement_to_eu007(epoc, eu_ctx, run):
    row = epoc(**_t(offence_max_penalty_years="1"), sentence_months="6", sentence_in_absentia="false",
               person_absconded="true")
    assert run("EU006", eu_ctx([row]))[0].outcome == "not_evaluated"
    assert run("EU007", eu_ctx([row]))[0].evaluated == 1


def test_eu006_list_override_as_given_on_the_command_line(epoc, eu_ctx, run):
    """`--param eu_listed_offences=theft;fraud` arrives as a ';'-separated string."""
    from auditor.engine import packs

    values = packs.load("eu2023_1543").with_overrides({"eu_listed_offences": "Theft; fraud"}).values()
    ctx = eu_ctx([epoc(**_t(offence_max_penalty_years="1")), epoc(**_t(offence="illegal_access",
                                                                       offence_max_penalty_years="1"))],
                 params=values)
    result, findings = run("EU006", ctx)
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings["request_id"].tolist() == ["R2"]
