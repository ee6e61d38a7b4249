"""COM005: an Art. 7 order describes the data in detail: description, identifiers and time range."""

ORDER = {"data_description": "name and address of account x", "identifiers_count": "1",
         "data_time_from": "2025-01-01", "data_time_to": "2025-02-01"}


def test_com005_passes_for_detailed_order(make_requests, make_ctx, run):
    requests = make_requests([ORDER, {**ORDER, "data_time_to": "2025-01-01"}, {"instrument": "cets224_art8"}])
    result, findings = run("COM005", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 2, 0)
    assert findings.empty


def test_com005_boundary_zero_identifiers_fails_one_passes(make_requests, make_ctx, run):
    requests = make_requests([{**ORDER, "identifiers_count": "1"}, {**ORDER, "identifiers_count": "0"}])
    result, findings = run("COM005", make_ctx(requests))
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert findings.loc[0, "message"] == (
        "Art. 7 order R2 (FR → examplemail) lacks a detailed description: identifiers"
    )


def test_com005_fails_for_missing_or_inverted_time_range(make_requests, make_ctx, run):
    requests = make_requests([{**ORDER, "data_time_to": None},
                              {**ORDER, "data_time_from": "2025-02-02"},
                              {**ORDER, "data_description": " "}])
    _, findings = run("COM005", make_ctx(requests))
    msgs = dict(zip(findings["request_id"], findings["message"], strict=True))
    assert msgs["R1"].endswith("time range")
    assert msgs["R2"].endswith("a time range that ends before it starts")
    assert msgs["R3"].endswith("description of the data")


def test_com005_not_evaluated_when_identifiers_column_absent(make_requests, make_ctx, run):
    result, _ = run("COM005", make_ctx(make_requests([ORDER]), absent={"requests": ["identifiers_count"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.identifiers_count" in result.reason
