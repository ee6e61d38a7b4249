"""NOT002: the person is notified, or a restriction deferring notice is recorded, once
notice_grace_days (90) have passed since the disclosure."""

RESPONDED = "2025-03-01T12:00:00Z"  # day 90 = 2025-05-30, day 91 = 2025-05-31
DAY_91 = "2025-05-31"


def _ctx(make_requests, make_disclosures, make_ctx, rows, **kw):
    rows = [{"responded_at": RESPONDED, **r} for r in rows]
    return make_ctx(make_requests([{}]), disclosures=make_disclosures(rows), **kw)


def test_not002_passes_when_person_notified(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [{"user_notified_at": "2025-04-01"}], as_of=DAY_91)
    result, findings = run("NOT002", ctx)
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_not002_passes_when_restriction_recorded(make_requests, make_disclosures, make_ctx, run):
    rows = [{"notification_blocked_by": "confidentiality_order"}, {"outcome": "partial", "notification_blocked_by": "law"}]
    result, _ = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, rows, as_of=DAY_91))
    assert (result.outcome, result.evaluated) == ("pass", 2)


def test_not002_passes_when_subject_notified_event_recorded(make_requests, make_disclosures, make_events, make_ctx, run):
    events = make_events([{"event": "subject_notified", "at": "2025-04-02"}])
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [{}], as_of=DAY_91, custody_events=events)
    result, _ = run("NOT002", ctx)
    assert (result.outcome, result.evaluated) == ("pass", 1)


def test_not002_fails_on_day_91_without_notice_or_restriction(make_requests, make_disclosures, make_ctx, run):
    rows = [{"user_notified_at": "2025-04-01"}, {"notification_blocked_by": "none"}]
    result, findings = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, rows, as_of=DAY_91))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert findings.loc[0, "record_id"] == "D2"
    assert findings.loc[0, "message"] == (
        "Disclosure D2 for request R1 (FR ← examplemail), 91 days old, has no notice to the person "
        "and no recorded restriction"
    )


def test_not002_disclosure_90_days_old_is_outside_population(make_requests, make_disclosures, make_ctx, run):
    result, findings = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, [{}], as_of="2025-05-30"))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"
    assert findings.empty


def test_not002_refusals_are_outside_population(make_requests, make_disclosures, make_ctx, run):
    rows = [{"outcome": "refused"}, {"outcome": "no_data"}]
    result, _ = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, rows, as_of=DAY_91))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_not002_grace_days_parameter_moves_the_threshold(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [{}], as_of=DAY_91, params={"notice_grace_days": 91})
    result, _ = run("NOT002", ctx)
    assert result.outcome == "not_evaluated"


def test_not002_not_evaluated_when_blocked_by_column_absent(make_requests, make_disclosures, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [{}], as_of=DAY_91,
               absent={"disclosures": ["notification_blocked_by"]})
    result, _ = run("NOT002", ctx)
    assert result.outcome == "not_evaluated"
    assert "disclosures.notification_blocked_by" in result.reason


def test_not002_not_evaluated_without_disclosures_table(make_requests, make_ctx, run):
    result, _ = run("NOT002", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "input table disclosures was not provided"
