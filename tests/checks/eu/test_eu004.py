"""EU004: Art. 4(2) traffic/content EPOCs need a judge; a prosecutor alone fails."""

import pytest


@pytest.mark.parametrize(
    ("issuer", "validator", "failed"),
    [("judge", None, False), ("prosecutor", "judge", False), ("police", "judge", False),
     ("prosecutor", None, True), ("police", "prosecutor", True), ("prosecutor", "prosecutor", True)],
)
def test_eu004_judge_required(epoc, eu_ctx, run, issuer, validator, failed):
    row = epoc(data_requested="content", authority_type=issuer, validating_authority="V",
               validating_authority_type=validator)
    result, findings = run("EU004", eu_ctx([row]))
    assert (result.evaluated, result.failed) == (1, int(failed))


def test_eu004_same_prosecutor_order_passes_4_1_for_subscriber_data(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(data_requested="traffic", authority_type="prosecutor"),
                  epoc(data_requested="subscriber", authority_type="prosecutor")])
    r4, f4 = run("EU004", ctx)
    r3, _ = run("EU003", ctx)
    assert (r4.evaluated, r4.failed, r3.evaluated, r3.failed) == (1, 1, 1, 0)
    assert f4.loc[0, "message"] == (
        "EPOC R1 (FR → IE, provider cloudbox) for traffic data was issued by a prosecutor authority and "
        "validated by no one; Art. 4(2) needs a judge or court")


def test_eu004_authority_list_is_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(data_requested="traffic", authority_type="prosecutor")],
                 params={"eu_art4_2_authority_types": "judge;prosecutor"})
    assert run("EU004", ctx)[0].failed == 0


def test_eu004_profile_off(epoc, not_bound, eu_ctx, run):
    row = epoc(data_requested="traffic", authority_type="prosecutor")
    assert run("EU004", eu_ctx([row]))[0].failed == 1
    assert run("EU004", eu_ctx([row], parties=not_bound("IE")))[0].outcome == "not_evaluated"


def test_eu004_not_evaluated(epoc, eu_ctx, run):
    result, _ = run("EU004", eu_ctx([epoc(data_requested="traffic", authority_type=None)]))
    assert result.outcome == "not_evaluated"
    result, _ = run("EU004", eu_ctx([epoc(data_requested="traffic")], absent={"requests": ["authority_type"]}))
    assert result.outcome == "not_evaluated" and "requests.authority_type" in result.reason
