"""NOT002: once notice_grace_days (90) have passed since the disclosure, the person is notified, a
restriction deferring notice is recorded, or the issuing Party publishes a general notice
(Art. 14(11)(a): "general notices, or ... personal notice")."""

import pytest

RESPONDED = "2025-03-01T12:00:00Z"  # day 90 = 2025-05-30, day 91 = 2025-05-31
DAY_91 = "2025-05-31"


def _ctx(make_requests, make_disclosures, make_ctx, rows, general=None, make_parties=None, **kw):
    rows = [{"responded_at": RESPONDED, **r} for r in rows]
    parties = None
    if general is not None:
        parties = make_parties([{"party": "FR", "general_notice_published": general}])
    return make_ctx(make_requests([{}]), disclosures=make_disclosures(rows), parties=parties, **kw)


def test_not002_passes_when_person_notified(make_requests, make_disclosures, make_parties, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [{"user_notified_at": "2025-04-01"}],
               general="false", make_parties=make_parties, as_of=DAY_91)
    result, findings = run("NOT002", ctx)
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_not002_passes_when_restriction_recorded(make_requests, make_disclosures, make_parties, make_ctx, run):
    rows = [{"notification_blocked_by": "confidentiality_order"}, {"outcome": "partial", "notification_blocked_by": "law"}]
    result, _ = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, rows, general="false",
                                   make_parties=make_parties, as_of=DAY_91))
    assert (result.outcome, result.evaluated) == ("pass", 2)


def test_not002_passes_when_subject_notified_event_recorded(make_requests, make_disclosures, make_events,
                                                            make_parties, make_ctx, run):
    events = make_events([{"event": "subject_notified", "at": "2025-04-02"}])
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [{}], general="false", make_parties=make_parties,
               as_of=DAY_91, custody_events=events)
    result, _ = run("NOT002", ctx)
    assert (result.outcome, result.evaluated) == ("pass", 1)


@pytest.mark.parametrize("general,outcome,failed", [("true", "pass", 0), ("false", "fail", 1)])
def test_not002_general_notice_of_the_issuing_party_decides(make_requests, make_disclosures, make_parties,
                                                            make_ctx, run, general, outcome, failed):
    rows = [{"notification_blocked_by": "none"}, {}]
    result, findings = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, rows, general=general,
                                          make_parties=make_parties, as_of=DAY_91))
    assert (result.outcome, result.evaluated, result.failed) == (outcome, 2, 2 * failed)
    if failed:
        assert findings["record_id"].tolist() == ["D1", "D2"]
        assert findings.loc[0, "kind"] == "breach"
        assert findings.loc[0, "message"] == (
            "Disclosure D1 for request R1 (FR ← examplemail), 91 days old, has no notice to the person "
            "and no recorded restriction, and FR publishes no general notice"
        )


def test_not002_unknown_when_the_profile_does_not_say(make_requests, make_disclosures, make_ctx, run):
    # FR's shipped profile does not record general_notice_published
    rows = [{"user_notified_at": "2025-04-01"}, {"notification_blocked_by": "none"}]
    result, findings = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, rows, as_of=DAY_91))
    assert (result.outcome, result.evaluated, result.passed, result.unknown) == ("pass", 1, 1, 1)
    assert "general_notice_published" in result.reason
    assert findings.empty


def test_not002_disclosure_90_days_old_is_outside_population(make_requests, make_disclosures, make_parties,
                                                             make_ctx, run):
    result, findings = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, [{}], general="false",
                                          make_parties=make_parties, as_of="2025-05-30"))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"
    assert findings.empty


def test_not002_refusals_are_outside_population(make_requests, make_disclosures, make_ctx, run):
    rows = [{"outcome": "refused"}, {"outcome": "no_data"}]
    result, _ = run("NOT002", _ctx(make_requests, make_disclosures, make_ctx, rows, as_of=DAY_91))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_not002_disclosures_of_other_instruments_are_not_judged(make_requests, make_disclosures, make_parties,
                                                                make_ctx, run):
    requests = make_requests([{"instrument": "mla"}, {"instrument": "eu_epoc"}])
    disclosures = make_disclosures([{"request_id": "R1", "responded_at": RESPONDED},
                                    {"request_id": "R2", "responded_at": RESPONDED}])
    parties = make_parties([{"party": "FR", "general_notice_published": "false"}])
    result, findings = run("NOT002", make_ctx(requests, disclosures=disclosures, parties=parties, as_of=DAY_91))
    assert result.outcome == "not_evaluated" and findings.empty


def test_not002_grace_days_parameter_moves_the_threshold(make_requests, make_disclosures, make_parties,
                                                         make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, [{}], general="false", make_parties=make_parties,
               as_of=DAY_91, params={"notice_grace_days": 91})
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
