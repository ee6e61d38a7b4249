"""SEC001: security incidents with a significant risk of harm are notified to the transferring authority
(the request's receiving Party or its designated incident_notice_authority) within the issuing Party
profile's incident_notice_hours (law: breach), or the pack's incident_notice_default_hours (72, policy:
advisory) when the profile sets none; never notified once the period has run = breach."""

import pytest

INCIDENT = "2025-03-10T12:00:00Z"
NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown


def _events(make_events, *notified, risk="true", exemption=None, to="US"):
    rows = [{"event": "received", "at": "2025-03-01T12:00:00Z"},
            {"event": "security_incident", "at": INCIDENT, "significant_risk": risk, "notice_exemption": exemption}]
    rows += [{"event": "incident_notified", "at": at, "counterparty": to} for at in notified]
    return make_events(rows)


def _ctx(make_requests, make_ctx, events, parties=None, requests=None, **kw):
    return make_ctx(requests if requests is not None else make_requests([{}]), custody_events=events,
                    parties=parties, **kw)


def _profile(make_parties, **fields):
    return make_parties([{"party": "FR", **fields.pop("fr", {})}, {"party": "US", **fields.pop("us", {})}])


def test_sec001_passes_when_notified_exactly_at_the_72_hour_default(make_requests, make_events, make_ctx, run):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, "2025-03-13T12:00:00Z")))
    assert (result.outcome, result.evaluated, result.passed, result.failed) == ("pass", 1, 1, 0)
    assert findings.empty


def test_sec001_late_only_against_the_pack_default_is_advisory(make_requests, make_events, make_ctx, run):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, "2025-03-13T13:00:00Z")))
    assert (result.outcome, result.failed, result.advisory) == ("advisory", 1, 1)
    assert findings[["request_id", "record_id", "kind"]].values.tolist() == [["R1", "E2", "advisory"]]
    assert findings.loc[0, "message"] == (
        "Security incident E2 on data from request R1 (FR) at 2025-03-10 12:00 UTC was notified to the "
        "transferring authority 73.0 h later (notice period 72 h, pack default)"
    )


def test_sec001_passes_when_notified_exactly_at_profile_hours(make_requests, make_events, make_parties, make_ctx, run):
    parties = _profile(make_parties, fr={"incident_notice_hours": "24"})
    result, _ = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, "2025-03-11T12:00:00Z"), parties))
    assert (result.outcome, result.evaluated) == ("pass", 1)


def test_sec001_late_against_profile_hours_is_a_breach(make_requests, make_events, make_parties, make_ctx, run):
    events = _events(make_events, "2025-03-11T13:00:00Z")
    default, _ = run("SEC001", _ctx(make_requests, make_ctx, events))
    assert default.outcome == "pass"  # 25 h is within the pack's 72 h
    parties = _profile(make_parties, fr={"incident_notice_hours": "24"})
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, events, parties))
    assert (result.outcome, result.failed, result.advisory) == ("fail", 1, 0)
    assert findings[["record_id", "kind"]].values.tolist() == [["E2", "breach"]]
    assert "was notified to the transferring authority 25.0 h later (notice period 24 h, Party profile)" in \
        findings.loc[0, "message"]


def test_sec001_profile_without_hours_falls_back_to_pack_default(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"issuing_party": NO_PROFILE_PARTY}])
    events = _events(make_events, "2025-03-13T13:00:00Z")
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, events, requests=requests))
    assert (result.outcome, result.unknown, result.advisory) == ("advisory", 0, 1)
    assert "(notice period 72 h, pack default)" in findings.loc[0, "message"]
    relaxed, _ = run("SEC001", _ctx(make_requests, make_ctx, events, requests=requests,
                                    params={"incident_notice_default_hours": 73}))
    assert relaxed.outcome == "pass"


@pytest.mark.parametrize("as_of,failed", [("2025-03-13T12:00:00Z", 0), ("2025-03-13T12:00:01Z", 1)])
def test_sec001_never_notified_is_a_breach_once_the_period_has_run(make_requests, make_events, make_ctx, run,
                                                                   as_of, failed):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events), as_of=as_of))
    assert (result.evaluated, result.failed, result.advisory) == (1, failed, 0)
    if failed:
        assert findings[["record_id", "kind"]].values.tolist() == [["E2", "breach"]]
        assert findings.loc[0, "message"] == (
            "Security incident E2 on data from request R1 (FR) at 2025-03-10 12:00 UTC has not been notified "
            "to the transferring authority (US) (notice period 72 h, pack default)"
        )


def test_sec001_notification_before_the_incident_does_not_count(make_requests, make_events, make_ctx, run):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, "2025-03-09T12:00:00Z")))
    assert (result.outcome, result.advisory) == ("fail", 0)
    assert "has not been notified to the transferring authority (US)" in findings.loc[0, "message"]


@pytest.mark.parametrize("to", ["US", " us ", "US-CERT", "us-cert"])
def test_sec001_notice_to_the_receiving_party_or_its_designated_authority_counts(
        make_requests, make_events, make_parties, make_ctx, run, to):
    parties = _profile(make_parties, us={"incident_notice_authority": "US-CERT"})
    events = _events(make_events, "2025-03-11T12:00:00Z", to=to)
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, events, parties))
    assert (result.outcome, result.passed) == ("pass", 1)
    assert findings.empty


def test_sec001_notice_to_someone_else_does_not_count(make_requests, make_events, make_parties, make_ctx, run):
    parties = _profile(make_parties, us={"incident_notice_authority": "US-CERT"})
    events = _events(make_events, "2025-03-11T12:00:00Z", to="FR-CNIL")
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, events, parties))
    assert (result.outcome, result.failed, result.advisory) == ("fail", 1, 0)
    assert findings.loc[0, "message"] == (
        "Security incident E2 on data from request R1 (FR) at 2025-03-10 12:00 UTC has not been notified to "
        "the transferring authority (US or US-CERT); notice went only to FR-CNIL, which does not count "
        "(notice period 72 h, pack default)"
    )


def test_sec001_notice_with_unknown_recipient_is_unknown_unless_a_valid_one_exists(
        make_requests, make_events, make_ctx, run):
    unknown_only = make_events([
        {"event": "security_incident", "at": INCIDENT, "significant_risk": "true"},
        {"event": "incident_notified", "at": "2025-03-11T12:00:00Z"},
    ])
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, unknown_only))
    assert (result.outcome, result.unknown) == ("not_evaluated", 1)
    assert "without a counterparty" in result.reason and findings.empty
    with_valid = make_events([
        {"event": "security_incident", "at": INCIDENT, "significant_risk": "true"},
        {"event": "incident_notified", "at": "2025-03-11T12:00:00Z"},
        {"event": "incident_notified", "at": "2025-03-12T12:00:00Z", "counterparty": "US"},
    ])
    result, _ = run("SEC001", _ctx(make_requests, make_ctx, with_valid))
    assert (result.outcome, result.passed, result.unknown) == ("pass", 1, 0)
    late_valid = make_events([
        {"event": "security_incident", "at": INCIDENT, "significant_risk": "true"},
        {"event": "incident_notified", "at": "2025-03-11T12:00:00Z"},  # within 72 h: may have been the notice
        {"event": "incident_notified", "at": "2025-03-20T12:00:00Z", "counterparty": "US"},
    ])
    result, _ = run("SEC001", _ctx(make_requests, make_ctx, late_valid))
    assert (result.unknown, result.failed) == (1, 0)


def test_sec001_recorded_ground_for_delay_or_omission_passes(make_requests, make_events, make_parties,
                                                            make_ctx, run):
    parties = _profile(make_parties, fr={"incident_notice_hours": "24"})
    events = _events(make_events, "2025-03-20T12:00:00Z", exemption="national security")
    assert run("SEC001", _ctx(make_requests, make_ctx, events, parties))[0].outcome == "pass"
    never = _events(make_events, exemption="public safety: notice delayed")
    assert run("SEC001", _ctx(make_requests, make_ctx, never, parties))[0].outcome == "pass"


def test_sec001_without_the_exemption_column_late_or_missing_is_unknown(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "security_incident", "at": INCIDENT, "significant_risk": "true"},
                          {"request_id": "R2", "event": "security_incident", "at": INCIDENT, "significant_risk": "true"},
                          {"request_id": "R2", "event": "incident_notified", "at": "2025-03-11", "counterparty": "US"}])
    ctx = _ctx(make_requests, make_ctx, events, requests=make_requests([{}, {}]),
               absent={"custody_events": ["notice_exemption"]})
    result, findings = run("SEC001", ctx)
    assert (result.outcome, result.passed, result.unknown) == ("pass", 1, 1)
    assert "notice_exemption column absent" in result.reason and findings.empty


@pytest.mark.parametrize("risk,expected", [("false", "no applicable records in scope"),
                                           (None, "significant_risk not recorded")])
def test_sec001_only_incidents_with_significant_risk(make_requests, make_events, make_ctx, run, risk, expected):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, risk=risk)))
    assert result.outcome == "not_evaluated" and expected in result.reason
    assert findings.empty


def test_sec001_incidents_on_other_instruments_are_not_judged(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"instrument": "mla"}, {"instrument": "eu_epoc"}])
    events = make_events([{"request_id": rid, "event": "security_incident", "at": INCIDENT, "significant_risk": "true"}
                          for rid in ("R1", "R2")])
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, events, requests=requests))
    assert result.outcome == "not_evaluated" and findings.empty


def test_sec001_not_evaluated_without_incidents(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "received"}, {"event": "incident_notified"}])
    result, _ = run("SEC001", _ctx(make_requests, make_ctx, events))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_sec001_not_evaluated_without_custody_events_table(make_requests, make_ctx, run):
    result, _ = run("SEC001", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "input table custody_events was not provided"


@pytest.mark.parametrize("column", ["significant_risk", "counterparty"])
def test_sec001_not_evaluated_when_a_required_column_is_absent(make_requests, make_events, make_ctx, run, column):
    ctx = _ctx(make_requests, make_ctx, _events(make_events), absent={"custody_events": [column]})
    result, _ = run("SEC001", ctx)
    assert result.outcome == "not_evaluated"
    assert f"custody_events.{column}" in result.reason
