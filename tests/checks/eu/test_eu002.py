"""EU002: territorial scope (Art. 3(1)-(2)): bound issuing State, provider in another bound State."""


def test_eu002_passes_between_two_bound_states(epoc, eu_ctx, run):
    result, findings = run("EU002", eu_ctx([epoc()]))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


def test_eu002_flags_denmark_by_default_profile(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(receiving_party="DK"), epoc(issuing_party="DK")])
    result, findings = run("EU002", ctx)
    assert (result.outcome, result.failed) == ("fail", 2)
    assert findings.loc[0, "message"] == (
        "eu_epoc R1 (FR → DK, provider cloudbox) is outside the Regulation's territorial scope: "
        "DK (provider's State) is not bound by the Regulation")
    assert "DK (issuing State) is not bound" in findings.loc[1, "message"]


def test_eu002_profile_field_switches_it(epoc, not_bound, eu_ctx, run):
    on = run("EU002", eu_ctx([epoc()]))[0]
    off = run("EU002", eu_ctx([epoc()], parties=not_bound("IE")))[0]
    assert (on.failed, off.failed) == (0, 1)
    bound_dk = run("EU002", eu_ctx([epoc(receiving_party="DK")],
                                   parties=[{"party": "DK", "eu_2023_1543_bound": "true"}]))[0]
    assert (bound_dk.outcome, bound_dk.failed) == ("pass", 0)


def test_eu002_domestic_order_fails(epoc, eu_ctx, run):
    result, findings = run("EU002", eu_ctx([epoc(receiving_party="FR")]))
    assert result.failed == 1
    assert "a domestic order" in findings.loc[0, "message"]


def test_eu002_non_member_state_fails_by_default_list(epoc, eu_ctx, run):
    """BR is in no Party profile: the pack's default list decides (not a bound Member State)."""
    result, findings = run("EU002", eu_ctx([epoc(receiving_party="BR")]))
    assert result.failed == 1
    assert "BR (provider's State) is not bound" in findings.loc[0, "message"]


def test_eu002_not_evaluated_when_bound_unknown(epoc, eu_ctx, run):
    """No profile value and the default list switched off: not evaluated, never a pass."""
    ctx = eu_ctx([epoc(receiving_party="BR")], params={"eu_bound_member_states": ""})
    result, findings = run("EU002", ctx)
    assert result.outcome == "not_evaluated"
    assert "no eu_2023_1543_bound value" in result.reason
    assert findings.empty
    assert run("EU005", eu_ctx([epoc(receiving_party="BR", necessity_rationale=None)],
                               params={"eu_bound_member_states": ""}))[0].outcome == "not_evaluated"


def test_eu002_out_of_scope_order_only_reported_once(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(receiving_party="DK", data_requested="content", authority_type="police")])
    assert len(run("EU002", ctx)[1]) == 1
    assert run("EU004", ctx)[0].outcome == "not_evaluated"
    assert run("EU008", ctx)[0].outcome == "not_evaluated"
