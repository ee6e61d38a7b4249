"""COM008: an Art. 8 request carries the order's contents and supporting information (Art. 8(3))."""

import pytest

FULL = {"instrument": "cets224_art8", "protocol_statement": "true", "offence": "ransomware extortion",
        "data_description": "subscriber data of account x", "legal_basis": "StPO 100j", "contact_point": "BKA"}


def test_com008_passes_for_complete_request(make_requests, make_ctx, run):
    result, findings = run("COM008", make_ctx(make_requests([FULL, {"instrument": "cets224_art7"}])))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


@pytest.mark.parametrize("column,value,label", [
    ("protocol_statement", "false", "Protocol statement (8(3)(a)(ii))"),
    ("offence", None, "offence (8(3)(a)(iv))"),
    ("data_description", " ", "description of the data (8(3)(a)(vi))"),
    ("legal_basis", None, "legal grounds (8(3)(b)(i))"),
    ("contact_point", None, "contact point (8(3)(b)(vi))"),
])
def test_com008_fails_for_each_missing_element(make_requests, make_ctx, run, column, value, label):
    result, findings = run("COM008", make_ctx(make_requests([FULL, {**FULL, column: value}])))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings.loc[0, "message"] == f"Art. 8 request R2 (FR → US) lacks: {label}"


def test_com008_unknown_statement_is_unknown(make_requests, make_ctx, run):
    result, findings = run("COM008", make_ctx(make_requests([FULL, {**FULL, "protocol_statement": None}])))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert findings.empty


def test_com008_not_evaluated_without_legal_basis_column(make_requests, make_ctx, run):
    result, _ = run("COM008", make_ctx(make_requests([FULL]), absent={"requests": ["legal_basis"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.legal_basis" in result.reason
