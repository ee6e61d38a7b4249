"""SEC002 (advisory): an incident with a significant risk of harm has a subject_notified event at or after
it, or a recorded notice_exemption, once incident_subject_notice_days (30) have passed."""

import pytest

INCIDENT = "2025-03-10T12:00:00Z"  # day 30 = 2025-04-09, day 31 = 2025-04-10
DAY_31 = "2025-04-10"


def _events(make_events, *notified, risk="true", exemption=None, request_id="R1"):
    rows = [{"event": "security_incident", "at": INCIDENT, "significant_risk": risk, "notice_exemption": exemption}]
    rows += [{"request_id": request_id, "event": "subject_notified", "at": at} for at in notified]
    return make_events(rows)


def _run(run, make_requests, make_ctx, events, as_of=DAY_31, **kw):
    return run("SEC002", make_ctx(make_requests([{}, {}]), custody_events=events, as_of=as_of, **kw))


@pytest.mark.parametrize("as_of,failed", [("2025-04-09", 0), (DAY_31, 1)])
def test_sec002_no_notice_is_advisory_after_day_30(make_requests, make_events, make_ctx, run, as_of, failed):
    result, findings = _run(run, make_requests, make_ctx, _events(make_events), as_of=as_of)
    if not failed:
        assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
        return
    assert (result.outcome, result.evaluated, result.failed, result.advisory) == ("advisory", 1, 1, 1)
    assert findings[["request_id", "record_id", "kind", "article"]].values.tolist() == [
        ["R1", "E1", "advisory", "Art. 14(7)(b)"]]
    assert findings.loc[0, "message"] == (
        "Security incident E1 on data from request R1 (FR) at 2025-03-10 12:00 UTC, with a significant risk of "
        "harm, has no notice to the person concerned and no recorded ground for omitting it 31 days later "
        "(policy period 30 days)"
    )


@pytest.mark.parametrize("notified_at,failed", [(INCIDENT, 0), ("2025-04-09T23:00:00Z", 0),
                                                ("2025-03-10T11:59:59Z", 1)])
def test_sec002_notice_at_or_after_the_incident_counts(make_requests, make_events, make_ctx, run,
                                                       notified_at, failed):
    result, _ = _run(run, make_requests, make_ctx, _events(make_events, notified_at))
    assert (result.evaluated, result.failed) == (1, failed)


def test_sec002_notice_on_another_request_does_not_count(make_requests, make_events, make_ctx, run):
    result, _ = _run(run, make_requests, make_ctx, _events(make_events, "2025-03-12", request_id="R2"))
    assert result.failed == 1


def test_sec002_recorded_ground_passes(make_requests, make_events, make_ctx, run):
    result, findings = _run(run, make_requests, make_ctx, _events(make_events, exemption="investigation"))
    assert (result.outcome, result.passed) == ("pass", 1) and findings.empty


def test_sec002_without_exemption_column_a_missing_notice_is_unknown(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "security_incident", "at": INCIDENT, "significant_risk": "true"},
                          {"request_id": "R2", "event": "security_incident", "at": INCIDENT, "significant_risk": "true"},
                          {"request_id": "R2", "event": "subject_notified", "at": "2025-03-20"}])
    result, _ = _run(run, make_requests, make_ctx, events, absent={"custody_events": ["notice_exemption"]})
    assert (result.outcome, result.passed, result.unknown) == ("pass", 1, 1)
    assert "notice_exemption column absent" in result.reason


@pytest.mark.parametrize("risk,expected", [("false", "no applicable records in scope"),
                                           (None, "significant_risk not recorded")])
def test_sec002_only_incidents_with_significant_risk(make_requests, make_events, make_ctx, run, risk, expected):
    result, findings = _run(run, make_requests, make_ctx, _events(make_events, risk=risk))
    assert result.outcome == "not_evaluated" and expected in result.reason
    assert findings.empty


def test_sec002_policy_period_is_a_pack_parameter(make_requests, make_events, make_ctx, run):
    result, _ = _run(run, make_requests, make_ctx, _events(make_events), params={"incident_subject_notice_days": 31})
    assert result.outcome == "not_evaluated"


def test_sec002_incidents_on_other_instruments_are_not_judged(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"instrument": "mla"}, {"instrument": "eu_epoc_pr"}])
    events = make_events([{"request_id": rid, "event": "security_incident", "at": INCIDENT, "significant_risk": "true"}
                          for rid in ("R1", "R2")])
    result, findings = run("SEC002", make_ctx(requests, custody_events=events, as_of=DAY_31))
    assert result.outcome == "not_evaluated" and findings.empty


def test_sec002_not_evaluated_when_significant_risk_column_absent(make_requests, make_events, make_ctx, run):
    result, _ = _run(run, make_requests, make_ctx, _events(make_events), absent={"custody_events": ["significant_risk"]})
    assert result.outcome == "not_evaluated" and "custody_events.significant_risk" in result.reason
