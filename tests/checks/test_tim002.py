"""TIM002: Art. 8 data are returned within 20 days of service (subscriber) or 45 days (traffic)."""

import pytest

SERVED = "2025-03-01T15:00:00Z"  # day 20 = 2025-03-21, day 45 = 2025-04-15


def _art8(make_requests, data="subscriber"):
    return make_requests([{"instrument": "cets224_art8", "data_requested": data, "served_at": SERVED}])


def _ctx(make_requests, make_disclosures, make_ctx, responded, data="subscriber", **kw):
    rows = [{"responded_at": r} for r in responded]
    return make_ctx(_art8(make_requests, data), disclosures=make_disclosures(rows), **kw)


def test_tim002_passes_on_day_20_for_subscriber_only(make_requests, make_disclosures, make_ctx, run):
    result, findings = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, ["2025-03-21T23:00:00Z"]))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_tim002_fails_on_day_21_for_subscriber_only(make_requests, make_disclosures, make_ctx, run):
    result, findings = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, ["2025-03-22T08:00:00Z"]))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert ("Art. 8 request R1 (FR → US, provider examplemail): first response 21 days after service "
            "(limit 20)") in findings.loc[0, "message"]


@pytest.mark.parametrize("data", ["traffic", "subscriber;traffic"])
def test_tim002_passes_on_day_45_when_traffic_requested(make_requests, make_disclosures, make_ctx, run, data):
    result, _ = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, ["2025-04-15T12:00:00Z"], data))
    assert result.outcome == "pass"
    assert result.evaluated == 1


def test_tim002_fails_on_day_46_when_traffic_requested(make_requests, make_disclosures, make_ctx, run):
    result, findings = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx,
                                          ["2025-04-16T12:00:00Z"], "subscriber;traffic"))
    assert result.outcome == "fail"
    assert findings["request_id"].tolist() == ["R1"]
    assert "first response 46 days after service (limit 45)" in findings.loc[0, "message"]


def test_tim002_first_response_governs(make_requests, make_disclosures, make_ctx, run):
    responded = ["2025-04-30T12:00:00Z", "2025-03-10T12:00:00Z"]  # the second one is first in time
    result, _ = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, responded))
    assert result.outcome == "pass"


def test_tim002_passes_without_response_while_still_on_day_20(make_requests, make_disclosures, make_ctx, run):
    result, _ = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, [], as_of="2025-03-21"))
    assert result.outcome == "pass"
    assert result.evaluated == 1


def test_tim002_fails_without_response_on_day_21(make_requests, make_disclosures, make_ctx, run):
    result, findings = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, [], as_of="2025-03-22"))
    assert result.outcome == "fail"
    assert findings["request_id"].tolist() == ["R1"]
    assert "no response 21 days after service (limit 20)" in findings.loc[0, "message"]


def test_tim002_pack_parameters_change_the_limits(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, ["2025-03-22T08:00:00Z"],
               params={"art8_subscriber_return_days": 21})
    result, _ = run("TIM002", ctx)
    assert result.outcome == "pass"


def test_tim002_not_evaluated_for_unserved_art8_requests(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art8"}, {"instrument": "cets224_art7", "served_at": SERVED}])
    result, _ = run("TIM002", make_ctx(requests, disclosures=make_disclosures([])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_tim002_not_evaluated_without_disclosures_table(make_requests, make_ctx, run):
    result, _ = run("TIM002", make_ctx(_art8(make_requests)))
    assert result.outcome == "not_evaluated"
    assert result.reason == "input table disclosures was not provided"


def test_tim002_not_evaluated_when_served_at_column_absent(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [], absent={"requests": ["served_at"]})
    result, _ = run("TIM002", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.served_at" in result.reason
