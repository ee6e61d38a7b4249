"""COM005: an Art. 7 order describes the specific subscriber information sought (7(3)(f): breach);
identifiers and a time range are the auditor's reading of "specific" (advisory)."""

import pytest

ORDER = {"data_description": "name and address of account x", "identifiers_count": "1",
         "data_time_from": "2025-01-01", "data_time_to": "2025-02-01"}


def test_com005_passes_for_detailed_order(make_requests, make_ctx, run):
    # a range of one instant (from == to) is bounded; the Art. 8 request is another instrument's
    requests = make_requests([ORDER, {**ORDER, "data_time_to": "2025-01-01"}, {"instrument": "cets224_art8"}])
    result, findings = run("COM005", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed, result.advisory) == ("pass", 2, 0, 0)
    assert findings.empty


def test_com005_missing_description_is_a_breach(make_requests, make_ctx, run):
    requests = make_requests([ORDER, {**ORDER, "data_description": " "}, {**ORDER, "data_description": None}])
    result, findings = run("COM005", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed, result.advisory) == ("fail", 3, 2, 0)
    assert findings["request_id"].tolist() == ["R2", "R3"]
    assert findings["kind"].tolist() == ["breach", "breach"]
    assert findings.loc[0, "message"] == (
        "Art. 7 order R2 (FR → examplemail) lacks a detailed description: description of the data"
    )


@pytest.mark.parametrize("count,failed", [("1", 0), ("0", 1), (None, 1)])
def test_com005_identifiers_boundary_is_advisory(make_requests, make_ctx, run, count, failed):
    result, findings = run("COM005", make_ctx(make_requests([{**ORDER, "identifiers_count": count}])))
    assert (result.evaluated, result.failed, result.advisory) == (1, failed, failed)
    if failed:
        assert result.outcome == "advisory"
        assert findings.loc[0, "kind"] == "advisory"
        assert findings.loc[0, "message"] == (
            "Art. 7 order R1 (FR → examplemail) lacks a detailed description: identifiers (advisory)"
        )


@pytest.mark.parametrize("time_to,expected", [
    ("2025-01-01T00:00:00Z", None),  # ends when it starts: bounded
    ("2024-12-31T23:59:59Z", "a time range that ends before it starts (advisory)"),
    (None, "time range (advisory)"),
])
def test_com005_time_range_boundary_is_advisory(make_requests, make_ctx, run, time_to, expected):
    requests = make_requests([{**ORDER, "data_time_from": "2025-01-01T00:00:00Z", "data_time_to": time_to}])
    result, findings = run("COM005", make_ctx(requests))
    if expected is None:
        assert (result.outcome, result.failed) == ("pass", 0)
    else:
        assert (result.outcome, result.failed, result.advisory) == ("advisory", 1, 1)
        assert findings.loc[0, "message"].endswith(f"lacks a detailed description: {expected}")


def test_com005_one_breach_finding_when_description_and_policy_parts_fail(make_requests, make_ctx, run):
    requests = make_requests([{**ORDER, "data_description": None, "identifiers_count": "0", "data_time_to": None}])
    result, findings = run("COM005", make_ctx(requests))
    assert (result.outcome, result.failed, result.advisory) == ("fail", 1, 0)
    assert len(findings) == 1 and findings.loc[0, "kind"] == "breach"
    assert findings.loc[0, "message"].endswith(
        "lacks a detailed description: description of the data; identifiers; time range"
    )


def test_com005_orders_of_other_instruments_are_not_judged(make_requests, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art8"}, {"instrument": "mla"}, {"instrument": "eu_epoc"}])
    result, findings = run("COM005", make_ctx(requests))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_com005_not_evaluated_when_identifiers_column_absent(make_requests, make_ctx, run):
    result, _ = run("COM005", make_ctx(make_requests([ORDER]), absent={"requests": ["identifiers_count"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.identifiers_count" in result.reason
