"""COM006: an Art. 7 order comes with the supplementary information of Art. 7(4)."""

import pytest

FULL = {"legal_basis": "CPP art. 60-1", "offence_max_penalty_years": "5", "contact_point": "OFAC",
        "return_timeframe_days": "30"}


def test_com006_passes_with_supplementary_information(make_requests, make_ctx, run):
    requests = make_requests([FULL, {"instrument": "cets224_art8"}])
    result, findings = run("COM006", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


@pytest.mark.parametrize("column,label", [
    ("legal_basis", "legal grounds (7(4)(a))"),
    ("offence_max_penalty_years", "penalties (7(4)(b))"),
    ("contact_point", "contact authority (7(4)(c))"),
    ("return_timeframe_days", "time frame (7(4)(d))"),
])
def test_com006_fails_for_each_missing_element(make_requests, make_ctx, run, column, label):
    requests = make_requests([FULL, {**FULL, column: None}])
    result, findings = run("COM006", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings.loc[0, "message"] == (
        f"Art. 7 order R2 (FR → examplemail) lacks supplementary information: {label}"
    )


def test_com006_not_evaluated_when_contact_column_absent(make_requests, make_ctx, run):
    result, _ = run("COM006", make_ctx(make_requests([FULL]), absent={"requests": ["contact_point"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.contact_point" in result.reason
