"""COM009: an Art. 9 emergency request carries the contents of Art. 9(3)."""

import pytest

FULL = {"instrument": "cets224_art9", "data_requested": "traffic;content", "protocol_statement": "true",
        "offence": "threats to kill", "legal_basis": "Penal Code 222-17", "offence_max_penalty_years": "3",
        "data_description": "content of account x, last 48 hours", "emergency": "true",
        "emergency_justification": "named person threatened with death within 24 hours"}


def test_com009_passes_for_complete_request(make_requests, make_ctx, run):
    result, findings = run("COM009", make_ctx(make_requests([FULL, {"instrument": "cets224_art10"}])))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


@pytest.mark.parametrize("column,value,label", [
    ("protocol_statement", "false", "Protocol statement (9(3)(b))"),
    ("offence", None, "offence (9(3)(d))"),
    ("legal_basis", None, "legal provisions (9(3)(d))"),
    ("offence_max_penalty_years", None, "penalties (9(3)(d))"),
    ("data_description", None, "description of the data (9(3)(f))"),
])
def test_com009_fails_for_each_missing_element(make_requests, make_ctx, run, column, value, label):
    result, findings = run("COM009", make_ctx(make_requests([FULL, {**FULL, column: value}])))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings.loc[0, "message"] == f"Art. 9 emergency request R2 (FR → US) lacks: {label}"


def test_com009_leaves_missing_emergency_facts_to_nec001(make_requests, make_ctx, run):
    ctx = make_ctx(make_requests([{**FULL, "emergency_justification": None}]))
    result, findings = run("COM009", ctx)
    assert (result.outcome, result.failed) == ("pass", 0) and findings.empty
    result, findings = run("NEC001", ctx)
    assert result.outcome == "fail" and findings["request_id"].tolist() == ["R1"]


def test_com009_not_evaluated_without_art9_requests(make_requests, make_ctx, run):
    result, _ = run("COM009", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
