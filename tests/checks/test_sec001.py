"""SEC001: security incidents are notified within the Party profile's incident_notice_hours, or the
pack's incident_notice_default_hours (72) when the profile sets none."""

INCIDENT = "2025-03-10T12:00:00Z"
NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown


def _events(make_events, *notified):
    rows = [{"event": "received", "at": "2025-03-01T12:00:00Z"},
            {"event": "security_incident", "at": INCIDENT}]
    rows += [{"event": "incident_notified", "at": at} for at in notified]
    return make_events(rows)


def _ctx(make_requests, make_ctx, events, parties=None, **kw):
    return make_ctx(make_requests([{}]), custody_events=events, parties=parties, **kw)


def test_sec001_passes_when_notified_exactly_at_the_72_hour_default(make_requests, make_events, make_ctx, run):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, "2025-03-13T12:00:00Z")))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_sec001_fails_when_notified_one_hour_after_the_72_hour_default(make_requests, make_events, make_ctx, run):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, "2025-03-13T13:00:00Z")))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert findings.loc[0, "record_id"] == "E2"
    assert findings.loc[0, "message"] == (
        "Security incident E2 on data from request R1 (FR) at 2025-03-10 12:00 UTC was notified 73.0 h later "
        "(notice period 72 h, pack default)"
    )


def test_sec001_passes_when_notified_exactly_at_profile_hours(make_requests, make_events, make_parties, make_ctx, run):
    parties = make_parties([{"party": "FR", "incident_notice_hours": "24"}])
    result, _ = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, "2025-03-11T12:00:00Z"), parties))
    assert (result.outcome, result.evaluated) == ("pass", 1)


def test_sec001_fails_one_hour_after_profile_hours_that_default_would_allow(make_requests, make_events, make_parties, make_ctx, run):
    events = _events(make_events, "2025-03-11T13:00:00Z")
    default, _ = run("SEC001", _ctx(make_requests, make_ctx, events))
    assert default.outcome == "pass"  # 25 h is within the pack's 72 h
    parties = make_parties([{"party": "FR", "incident_notice_hours": "24"}])
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, events, parties))
    assert result.outcome == "fail"
    assert findings["record_id"].tolist() == ["E2"]
    assert "was notified 25.0 h later (notice period 24 h, Party profile)" in findings.loc[0, "message"]


def test_sec001_profile_without_hours_falls_back_to_pack_default(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"issuing_party": NO_PROFILE_PARTY}])
    events = _events(make_events, "2025-03-13T13:00:00Z")
    result, findings = run("SEC001", make_ctx(requests, custody_events=events))
    assert (result.outcome, result.unknown) == ("fail", 0)
    assert "(notice period 72 h, pack default)" in findings.loc[0, "message"]
    relaxed, _ = run("SEC001", make_ctx(requests, custody_events=events,
                                        params={"incident_notice_default_hours": 73}))
    assert relaxed.outcome == "pass"


def test_sec001_passes_unnotified_incident_still_inside_the_period(make_requests, make_events, make_ctx, run):
    result, _ = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events), as_of="2025-03-13"))
    assert (result.outcome, result.evaluated) == ("pass", 1)


def test_sec001_fails_unnotified_incident_after_the_period(make_requests, make_events, make_ctx, run):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events), as_of="2025-03-14"))
    assert result.outcome == "fail"
    assert findings["record_id"].tolist() == ["E2"]
    assert "Security incident E2 on data from request R1 (FR) at 2025-03-10 12:00 UTC has not been notified" in \
        findings.loc[0, "message"]


def test_sec001_notification_before_the_incident_does_not_count(make_requests, make_events, make_ctx, run):
    result, findings = run("SEC001", _ctx(make_requests, make_ctx, _events(make_events, "2025-03-09T12:00:00Z")))
    assert result.outcome == "fail"
    assert "has not been notified" in findings.loc[0, "message"]


def test_sec001_not_evaluated_without_incidents(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "received"}, {"event": "incident_notified"}])
    result, _ = run("SEC001", _ctx(make_requests, make_ctx, events))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_sec001_not_evaluated_without_custody_events_table(make_requests, make_ctx, run):
    result, _ = run("SEC001", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "input table custody_events was not provided"


def test_sec001_not_evaluated_when_event_column_absent(make_requests, make_events, make_ctx, run):
    ctx = _ctx(make_requests, make_ctx, _events(make_events), absent={"custody_events": ["event"]})
    result, _ = run("SEC001", ctx)
    assert result.outcome == "not_evaluated"
    assert "custody_events.event" in result.reason
