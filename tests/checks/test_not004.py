"""NOT004: an Art. 7 order to a Party requiring simultaneous notification states it was made (Art. 7(4)(g))."""

NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown


def _parties(make_parties, required="true"):
    return make_parties([{"party": "US", "art7_notification_required": required}])


def _order(statement, **extra):
    return {"notification_statement": statement, "notification_sent_at": "2025-03-01T09:00:00Z", **extra}


def test_not004_passes_when_the_order_states_the_notification(make_requests, make_parties, make_ctx, run):
    result, findings = run("NOT004", make_ctx(make_requests([_order("true")]), parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.passed, result.failed) == ("pass", 1, 1, 0)
    assert findings.empty


def test_not004_fails_when_the_order_does_not_state_it(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("true"), _order("false")])
    result, findings = run("NOT004", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert findings.loc[0, "message"] == (
        "Art. 7 order R2 (FR → examplemail) does not state that US, which requires simultaneous "
        "notification, was notified"
    )
    assert findings.loc[0, "article"] == "Art. 7(4)(g)"


def test_not004_empty_statement_is_unknown(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("true"), _order(None)])
    result, findings = run("NOT004", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "notification_statement not recorded" in result.reason
    assert findings.empty


def test_not004_same_order_is_not_judged_when_the_host_requires_no_notification(make_requests, make_parties,
                                                                                make_ctx, run):
    result, findings = run("NOT004", make_ctx(make_requests([_order("false")]),
                                              parties=_parties(make_parties, "false")))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_not004_unknown_requirement_is_unknown(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("true"), _order("false", receiving_party=NO_PROFILE_PARTY)])
    result, findings = run("NOT004", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "no art7_notification_required value" in result.reason
    assert findings.empty


def test_not004_art8_and_eu_orders_without_the_statement_are_not_judged(make_requests, make_parties, make_ctx, run):
    requests = make_requests([_order("false", instrument="cets224_art8"), _order("false", instrument="eu_epoc")])
    result, findings = run("NOT004", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_not004_not_evaluated_when_statement_column_absent(make_requests, make_parties, make_ctx, run):
    ctx = make_ctx(make_requests([_order("false")]), parties=_parties(make_parties),
                   absent={"requests": ["notification_statement"]})
    result, findings = run("NOT004", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.notification_statement" in result.reason
    assert findings.empty
