"""RET002: the retention period set stays within the Party's domestic maximum."""

NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown


def _events(until, request_id="R1"):
    return [
        {"request_id": request_id, "event": "received", "at": "2025-03-10T12:00:00Z"},
        {"request_id": request_id, "event": "retention_set", "at": "2025-03-11T09:00:00Z", "until": until},
    ]


def _ctx(make_requests, make_events, make_parties, make_ctx, until, max_days="365", requests=None):
    parties = make_parties([{"party": "FR", "retention_max_days": max_days}])
    return make_ctx(make_requests(requests or [{}]), custody_events=make_events(_events(until)),
                    parties=parties)


def test_ret002_passes_when_kept_exactly_the_domestic_maximum(make_requests, make_events, make_parties, make_ctx, run):
    # 2025-03-10 + 365 days = 2026-03-10
    result, findings = run("RET002", _ctx(make_requests, make_events, make_parties, make_ctx, "2026-03-10"))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_ret002_fails_when_kept_one_day_beyond_the_maximum(make_requests, make_events, make_parties, make_ctx, run):
    result, findings = run("RET002", _ctx(make_requests, make_events, make_parties, make_ctx, "2026-03-11"))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert ("Data received for request R1 (FR) are set to be kept 366 days, beyond FR's domestic maximum "
            "of 365 days") in findings.loc[0, "message"]


def test_ret002_same_retention_passes_with_a_longer_domestic_maximum(make_requests, make_events, make_parties, make_ctx, run):
    result, _ = run("RET002", _ctx(make_requests, make_events, make_parties, make_ctx, "2026-03-11", max_days="730"))
    assert result.outcome == "pass"


def test_ret002_unknown_when_party_profile_sets_no_maximum(make_requests, make_events, make_parties, make_ctx, run):
    requests = make_requests([{}, {"issuing_party": NO_PROFILE_PARTY}])
    events = make_events(_events("2026-03-10") + _events("2030-01-01", "R2"))
    ctx = make_ctx(requests, custody_events=events, parties=make_parties([{"party": "FR", "retention_max_days": "365"}]))
    result, findings = run("RET002", ctx)
    assert (result.outcome, result.evaluated, result.passed, result.unknown) == ("pass", 1, 1, 1)
    assert "no retention_max_days" in result.reason
    assert findings.empty


def test_ret002_not_evaluated_when_no_party_sets_a_maximum(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"issuing_party": NO_PROFILE_PARTY}])
    ctx = make_ctx(requests, custody_events=make_events(_events("2030-01-01")))
    result, _ = run("RET002", ctx)
    assert result.outcome == "not_evaluated"
    assert result.reason.startswith("no record could be evaluated (no retention_max_days")


def test_ret002_latest_retention_set_governs(make_requests, make_events, make_parties, make_ctx, run):
    events = make_events(_events("2030-01-01") + [
        {"event": "retention_set", "at": "2025-04-01T09:00:00Z", "until": "2025-12-31"},
    ])
    ctx = make_ctx(make_requests([{}]), custody_events=events,
                   parties=make_parties([{"party": "FR", "retention_max_days": "365"}]))
    result, _ = run("RET002", ctx)
    assert (result.outcome, result.evaluated) == ("pass", 1)


def test_ret002_not_evaluated_without_received_event(make_requests, make_events, make_parties, make_ctx, run):
    events = make_events([{"event": "retention_set", "at": "2025-03-11", "until": "2030-01-01"}])
    ctx = make_ctx(make_requests([{}]), custody_events=events,
                   parties=make_parties([{"party": "FR", "retention_max_days": "365"}]))
    result, _ = run("RET002", ctx)
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_ret002_not_evaluated_when_until_column_absent(make_requests, make_events, make_parties, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), custody_events=make_events(_events("2030-01-01")),
                   absent={"custody_events": ["until"]})
    result, _ = run("RET002", ctx)
    assert result.outcome == "not_evaluated"
    assert "custody_events.until" in result.reason
