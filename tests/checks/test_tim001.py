"""TIM001 (advisory): Art. 8 orders are served within art8_serve_days (45) of the receipt of all the
Art. 8(3)-(4) information (requests.all_information_received_at), not of transmission."""

import pytest

RECEIVED_ALL = "2025-03-01T10:00:00Z"  # + 45 calendar days = 2025-04-15


def _art8(make_requests, served_at=None, **extra):
    return make_requests([{"instrument": "cets224_art8", "data_requested": "traffic",
                           "all_information_received_at": RECEIVED_ALL, "served_at": served_at, **extra}])


@pytest.mark.parametrize("served_at", ["2025-03-20T10:00:00Z", "2025-04-15T23:59:59Z"])
def test_tim001_passes_when_served_by_day_45(make_requests, make_ctx, run, served_at):
    result, findings = run("TIM001", make_ctx(_art8(make_requests, served_at)))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_tim001_served_on_day_46_is_advisory(make_requests, make_ctx, run):
    result, findings = run("TIM001", make_ctx(_art8(make_requests, "2025-04-16T00:00:00Z")))
    assert (result.outcome, result.failed, result.advisory) == ("advisory", 1, 1)
    assert findings[["request_id", "kind"]].values.tolist() == [["R1", "advisory"]]
    assert findings.loc[0, "message"] == (
        "Art. 8 request R1 (FR → US, provider examplemail) was served 46 days after all the Art. 8(3)-(4) "
        "information was received (reasonable-efforts target 45 days)"
    )


def test_tim001_clock_runs_from_receipt_of_all_information_not_transmission(make_requests, make_ctx, run):
    # transmitted 60 days before service, but the last missing information came 45 days before it
    requests = _art8(make_requests, "2025-04-15T10:00:00Z", transmitted_at="2025-02-14T10:00:00Z")
    result, _ = run("TIM001", make_ctx(requests))
    assert (result.outcome, result.failed) == ("pass", 0)


def test_tim001_passes_when_unserved_but_still_on_day_45(make_requests, make_ctx, run):
    result, _ = run("TIM001", make_ctx(_art8(make_requests), as_of="2025-04-15"))
    assert (result.outcome, result.evaluated) == ("pass", 1)


def test_tim001_unserved_on_day_46_is_advisory(make_requests, make_ctx, run):
    result, findings = run("TIM001", make_ctx(_art8(make_requests), as_of="2025-04-16"))
    assert (result.outcome, result.advisory) == ("advisory", 1)
    assert findings["request_id"].tolist() == ["R1"]
    assert "has not been served 46 days after all the Art. 8(3)-(4) information was received" in \
        findings.loc[0, "message"]


def test_tim001_pack_parameter_changes_the_limit(make_requests, make_ctx, run):
    result, _ = run("TIM001", make_ctx(_art8(make_requests, "2025-04-16T00:00:00Z"), params={"art8_serve_days": 46}))
    assert result.outcome == "pass"


def test_tim001_unknown_without_receipt_of_all_information(make_requests, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art8", "transmitted_at": RECEIVED_ALL, "served_at": "2025-06-05"},
        {"instrument": "cets224_art8", "all_information_received_at": RECEIVED_ALL, "served_at": "2025-03-05"},
    ])
    result, findings = run("TIM001", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "all_information_received_at not recorded" in result.reason
    assert findings.empty


def test_tim001_not_evaluated_without_art8_requests(make_requests, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art7", "all_information_received_at": RECEIVED_ALL},
                              {"instrument": "mla", "all_information_received_at": RECEIVED_ALL}])
    result, _ = run("TIM001", make_ctx(requests))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


@pytest.mark.parametrize("column", ["served_at", "all_information_received_at"])
def test_tim001_not_evaluated_when_a_column_is_absent(make_requests, make_ctx, run, column):
    result, _ = run("TIM001", make_ctx(_art8(make_requests), absent={"requests": [column]}))
    assert result.outcome == "not_evaluated"
    assert f"requests.{column}" in result.reason
