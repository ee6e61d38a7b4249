"""TIM002: the requested Party's order sets the return of Art. 8 data within 20 days of service
(subscriber information) or 45 days (traffic data): an ordered date beyond = breach. Without an ordered
date the provider's first response is evidence only: late = advisory."""

import pytest

SERVED = "2025-03-01T15:00:00Z"  # day 20 = 2025-03-21, day 45 = 2025-04-15


def _ctx(make_requests, make_disclosures, make_ctx, responded=(), data="subscriber", **kw):
    request = {"instrument": "cets224_art8", "data_requested": data, "served_at": SERVED}
    request.update({k: kw.pop(k) for k in ("ordered_return_by", "ordered_traffic_return_by") if k in kw})
    rows = [{"responded_at": r} for r in responded]
    return make_ctx(make_requests([request]), disclosures=make_disclosures(rows), **kw)


# ---- the ordered date (the duty) ---------------------------------------------------------------

@pytest.mark.parametrize("data,ordered,failed", [
    ("subscriber", "2025-03-21T23:59:00Z", 0), ("subscriber", "2025-03-22", 1),
    ("traffic", "2025-04-15", 0), ("traffic", "2025-04-16", 1),
    ("subscriber;traffic", "2025-03-21", 0), ("subscriber;traffic", "2025-03-22", 1),  # one date: 20 days
])
def test_tim002_ordered_return_date_boundaries(make_requests, make_disclosures, make_ctx, run, data, ordered, failed):
    # the provider answered late each time: the ordered date, not the reply, is the duty
    ctx = _ctx(make_requests, make_disclosures, make_ctx, ["2025-05-30"], data, ordered_return_by=ordered)
    result, findings = run("TIM002", ctx)
    assert (result.evaluated, result.failed, result.advisory) == (1, failed, 0)
    if failed:
        assert result.outcome == "fail" and findings.loc[0, "kind"] == "breach"
    else:
        assert result.outcome == "pass" and findings.empty


def test_tim002_breach_message_names_the_ordered_date(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, ["2025-03-05"], ordered_return_by="2025-03-22")
    _, findings = run("TIM002", ctx)
    assert findings.loc[0, "message"] == (
        "Art. 8 request R1 (FR → US, provider examplemail): the order sets the return of subscriber information "
        "for 2025-03-22, 21 days after service (limit 20)"
    )


@pytest.mark.parametrize("sub,traffic,failed", [
    ("2025-03-21", "2025-04-15", 0), ("2025-03-22", "2025-04-15", 1), ("2025-03-21", "2025-04-16", 1),
])
def test_tim002_mixed_request_with_separate_traffic_date(make_requests, make_disclosures, make_ctx, run,
                                                         sub, traffic, failed):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, ["2025-03-10"], "subscriber;traffic",
               ordered_return_by=sub, ordered_traffic_return_by=traffic)
    result, findings = run("TIM002", ctx)
    assert (result.failed, result.advisory) == (failed, 0)
    if traffic == "2025-04-16":
        assert findings.loc[0, "message"].endswith(
            "the order sets the return of traffic data for 2025-04-16, 46 days after service (limit 45)")


def test_tim002_traffic_only_request_may_use_the_traffic_date_column(make_requests, make_disclosures, make_ctx, run):
    ok = _ctx(make_requests, make_disclosures, make_ctx, [], "traffic", ordered_traffic_return_by="2025-04-15")
    assert run("TIM002", ok)[0].outcome == "pass"
    late = _ctx(make_requests, make_disclosures, make_ctx, [], "traffic", ordered_traffic_return_by="2025-04-16")
    assert run("TIM002", late)[0].failed == 1


def test_tim002_breach_and_advisory_parts_make_one_breach_finding(make_requests, make_disclosures, make_ctx, run):
    # traffic date ordered too late (breach); subscriber date not recorded and the reply came on day 25
    ctx = _ctx(make_requests, make_disclosures, make_ctx, ["2025-03-26"], "subscriber;traffic",
               ordered_traffic_return_by="2025-05-01")
    result, findings = run("TIM002", ctx)
    assert (result.outcome, result.failed, result.advisory) == ("fail", 1, 0)
    assert findings.loc[0, "message"].endswith(
        "no ordered return date recorded for subscriber information; the first response came 25 days after "
        "service (limit 20); the order sets the return of traffic data for 2025-05-01, 61 days after service "
        "(limit 45)")


# ---- no ordered date: the provider's first response as evidence (advisory) ---------------------

@pytest.mark.parametrize("responded,failed", [("2025-03-21T23:00:00Z", 0), ("2025-03-22T08:00:00Z", 1)])
def test_tim002_without_ordered_date_first_response_is_evidence(make_requests, make_disclosures, make_ctx, run,
                                                                responded, failed):
    result, findings = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, [responded]))
    assert (result.evaluated, result.failed, result.advisory) == (1, failed, failed)
    if failed:
        assert result.outcome == "advisory"
        assert findings.loc[0, "kind"] == "advisory"
        assert findings.loc[0, "message"] == (
            "Art. 8 request R1 (FR → US, provider examplemail): no ordered return date recorded for subscriber "
            "information; the first response came 21 days after service (limit 20)"
        )
    else:
        assert result.outcome == "pass"


@pytest.mark.parametrize("responded,failed", [("2025-04-15T12:00:00Z", 0), ("2025-04-16T12:00:00Z", 1)])
def test_tim002_evidence_for_traffic_only_uses_45_days(make_requests, make_disclosures, make_ctx, run,
                                                       responded, failed):
    result, findings = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, [responded], "traffic"))
    assert (result.evaluated, result.failed, result.advisory) == (1, failed, failed)
    if failed:
        assert findings.loc[0, "message"].endswith(
            "no ordered return date recorded for traffic data; the first response came 46 days after service "
            "(limit 45)")


@pytest.mark.parametrize("responded,failed", [("2025-03-21T12:00:00Z", 0), ("2025-03-22T12:00:00Z", 1)])
def test_tim002_evidence_for_a_mixed_request_uses_20_days(make_requests, make_disclosures, make_ctx, run,
                                                          responded, failed):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [responded], "subscriber;traffic")
    result, findings = run("TIM002", ctx)
    assert (result.evaluated, result.failed, result.advisory) == (1, failed, failed)
    if failed:  # the traffic part (45 days) is in time: only the subscriber part is reported
        assert findings.loc[0, "message"].endswith(
            "no ordered return date recorded for subscriber information; the first response came 21 days after "
            "service (limit 20)")


def test_tim002_first_response_governs(make_requests, make_disclosures, make_ctx, run):
    responded = ["2025-04-30T12:00:00Z", "2025-03-10T12:00:00Z"]  # the second one is first in time
    result, _ = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, responded))
    assert result.outcome == "pass"


def test_tim002_no_response_and_no_ordered_date_is_unknown_until_day_20(make_requests, make_disclosures,
                                                                        make_ctx, run):
    result, _ = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, [], as_of="2025-03-21"))
    assert (result.outcome, result.unknown) == ("not_evaluated", 1)
    assert "no ordered return date recorded and no response yet" in result.reason


def test_tim002_no_response_on_day_21_is_advisory(make_requests, make_disclosures, make_ctx, run):
    result, findings = run("TIM002", _ctx(make_requests, make_disclosures, make_ctx, [], as_of="2025-03-22"))
    assert (result.outcome, result.advisory) == ("advisory", 1)
    assert findings["request_id"].tolist() == ["R1"]
    assert "no ordered return date recorded for subscriber information; no response 21 days after service " \
           "(limit 20)" in findings.loc[0, "message"]


def test_tim002_ordered_date_columns_absent_fall_back_to_evidence(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, ["2025-03-22T08:00:00Z"], ordered_return_by="2025-03-10",
               absent={"requests": ["ordered_return_by", "ordered_traffic_return_by"]})
    result, _ = run("TIM002", ctx)
    assert (result.outcome, result.advisory) == ("advisory", 1)


def test_tim002_without_disclosures_only_ordered_dates_are_judged(make_requests, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art8", "served_at": SERVED, "ordered_return_by": "2025-03-22"},
        {"instrument": "cets224_art8", "served_at": SERVED},
    ])
    result, findings = run("TIM002", make_ctx(requests))
    assert (result.outcome, result.failed, result.unknown) == ("fail", 1, 1)
    assert findings["request_id"].tolist() == ["R1"]
    assert "no disclosures to use as evidence" in result.reason


def test_tim002_pack_parameters_change_the_limits(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [], ordered_return_by="2025-03-22",
               params={"art8_subscriber_return_days": 21})
    result, _ = run("TIM002", ctx)
    assert result.outcome == "pass"


def test_tim002_ip_identification_follows_the_pack_parameter(make_requests, make_disclosures, make_ctx, run):
    # day 30: too late for subscriber information (20), in time for traffic data (45)
    as_sub = _ctx(make_requests, make_disclosures, make_ctx, [], "ip_identification", ordered_return_by="2025-03-31")
    assert run("TIM002", as_sub)[0].failed == 1
    as_traffic = _ctx(make_requests, make_disclosures, make_ctx, [], "ip_identification",
                      ordered_return_by="2025-03-31", params={"art7_ip_identification_is_subscriber": False})
    assert run("TIM002", as_traffic)[0].outcome == "pass"


def test_tim002_not_evaluated_for_unserved_or_other_requests(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art8", "ordered_return_by": "2025-06-01"},  # not served: TIM001's
        {"instrument": "cets224_art8", "served_at": SERVED, "data_requested": "content"},  # MIN004's
        {"instrument": "cets224_art7", "served_at": SERVED, "ordered_return_by": "2025-06-01"},
        {"instrument": "mla", "served_at": SERVED, "ordered_return_by": "2025-06-01"},
    ])
    result, findings = run("TIM002", make_ctx(requests, disclosures=make_disclosures([])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"
    assert findings.empty


def test_tim002_not_evaluated_when_served_at_column_absent(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [], absent={"requests": ["served_at"]})
    result, _ = run("TIM002", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.served_at" in result.reason
