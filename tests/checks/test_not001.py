"""NOT001: Art. 7 orders to a Party requiring notification (Art. 7(5)(a)) are notified the same UTC day."""

NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown
SENT = "2025-03-01T10:00:00Z"


def _parties(make_parties, required="true"):
    return make_parties([{"party": "US", "art7_notification_required": required}])


def _order(notified, **extra):
    return {"transmitted_at": SENT, "notification_sent_at": notified, **extra}


def test_not001_passes_when_notified_later_the_same_utc_day(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("2025-03-01T23:59:59Z")])
    result, findings = run("NOT001", make_ctx(requests, parties=_parties(make_parties)))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_not001_fails_when_notified_the_next_day(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("2025-03-01T11:00:00Z"), _order("2025-03-02T00:00:00Z")])
    result, findings = run("NOT001", make_ctx(requests, parties=_parties(make_parties)))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R2"
    assert findings.loc[0, "message"] == (
        "Art. 7 order R2 (FR → examplemail) was notified 1 day(s) after it was sent; "
        "US requires simultaneous notification"
    )


def test_not001_fails_when_no_notification_recorded(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order(None)])
    result, findings = run("NOT001", make_ctx(requests, parties=_parties(make_parties)))
    assert result.outcome == "fail"
    assert findings["request_id"].tolist() == ["R1"]
    assert "Art. 7 order R1 (FR → examplemail) has no notification of the provider's Party recorded" in \
        findings.loc[0, "message"]


def test_not001_same_late_order_is_out_of_scope_without_the_requirement(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("2025-03-05T00:00:00Z")])
    result, findings = run("NOT001", make_ctx(requests, parties=_parties(make_parties, "false")))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"
    assert findings.empty


def test_not001_uses_issue_time_when_transmission_not_recorded(make_requests, make_parties, make_ctx, run):
    requests = make_requests([
        {"issued_at": "2025-03-01T09:00:00Z", "notification_sent_at": "2025-03-01T18:00:00Z"},
        {"issued_at": "2025-03-01T09:00:00Z", "notification_sent_at": "2025-03-03T08:00:00Z"},
    ])
    result, findings = run("NOT001", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert "notified 2 day(s) after it was sent" in findings.loc[0, "message"]


def test_not001_grace_days_allow_next_day_notification(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("2025-03-02T09:00:00Z")])
    ctx = make_ctx(requests, parties=_parties(make_parties), params={"simultaneous_notification_grace_days": 1})
    result, _ = run("NOT001", ctx)
    assert result.outcome == "pass"


def test_not001_unknown_requirement_is_unknown(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("2025-03-01T12:00:00Z"), _order(None, receiving_party=NO_PROFILE_PARTY)])
    result, findings = run("NOT001", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "no art7_notification_required value" in result.reason
    assert findings.empty


def test_not001_not_evaluated_when_notification_column_absent(make_requests, make_parties, make_ctx, run):
    ctx = make_ctx(make_requests([_order(None)]), parties=_parties(make_parties),
                   absent={"requests": ["notification_sent_at"]})
    result, _ = run("NOT001", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.notification_sent_at" in result.reason
