"""ONW001: every onward transfer has a prior authorisation for that recipient (Art. 14(10))."""

TRANSFER_AT = "2025-04-01T10:00:00Z"


def _events(make_events, auth_at=None, auth_to="Europol", to="Europol", request_id="R1"):
    rows = [{"event": "received", "at": "2025-03-10T12:00:00Z"}]
    if auth_at:
        rows.append({"request_id": request_id, "event": "transfer_authorised", "at": auth_at, "counterparty": auth_to})
    rows.append({"event": "transferred_onward", "at": TRANSFER_AT, "counterparty": to})
    return make_events(rows)


def _run(run, make_requests, make_ctx, events):
    return run("ONW001", make_ctx(make_requests([{}, {}]), custody_events=events))


def test_onw001_passes_when_authorised_at_the_same_timestamp(make_requests, make_events, make_ctx, run):
    result, findings = _run(run, make_requests, make_ctx, _events(make_events, TRANSFER_AT))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_onw001_passes_when_recipient_matches_ignoring_case_and_spaces(make_requests, make_events, make_ctx, run):
    events = _events(make_events, "2025-03-20T10:00:00Z", auth_to=" EUROPOL ")
    result, _ = _run(run, make_requests, make_ctx, events)
    assert result.outcome == "pass"


def test_onw001_fails_when_authorised_one_second_after_transfer(make_requests, make_events, make_ctx, run):
    result, findings = _run(run, make_requests, make_ctx, _events(make_events, "2025-04-01T10:00:01Z"))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert findings.loc[0, "record_id"] == "E3"
    assert findings.loc[0, "message"] == (
        "Onward transfer E3 of data from request R1 (FR) to Europol on 2025-04-01 10:00 UTC "
        "had an authorisation only later or for another recipient"
    )


def test_onw001_fails_when_authorisation_names_another_recipient(make_requests, make_events, make_ctx, run):
    events = _events(make_events, "2025-03-20T10:00:00Z", auth_to="Interpol")
    result, findings = _run(run, make_requests, make_ctx, events)
    assert result.outcome == "fail"
    assert findings["record_id"].tolist() == ["E3"]
    assert "to Europol on 2025-04-01 10:00 UTC had an authorisation only later or for another recipient" in \
        findings.loc[0, "message"]


def test_onw001_fails_without_any_authorisation(make_requests, make_events, make_ctx, run):
    result, findings = _run(run, make_requests, make_ctx, _events(make_events))
    assert result.outcome == "fail"
    assert findings["record_id"].tolist() == ["E2"]
    assert "Onward transfer E2 of data from request R1 (FR) to Europol" in findings.loc[0, "message"]
    assert findings.loc[0, "message"].endswith("had no prior authorisation")


def test_onw001_authorisation_for_another_request_does_not_count(make_requests, make_events, make_ctx, run):
    events = _events(make_events, "2025-03-20T10:00:00Z", request_id="R2")
    result, findings = _run(run, make_requests, make_ctx, events)
    assert result.outcome == "fail"
    assert findings.loc[0, "message"].endswith("had no prior authorisation")


def test_onw001_not_evaluated_without_onward_transfers(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "received"}, {"event": "transfer_authorised", "counterparty": "Europol"}])
    result, _ = _run(run, make_requests, make_ctx, events)
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_onw001_not_evaluated_when_counterparty_column_absent(make_requests, make_events, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), custody_events=_events(make_events, TRANSFER_AT),
                   absent={"custody_events": ["counterparty"]})
    result, _ = run("ONW001", ctx)
    assert result.outcome == "not_evaluated"
    assert "custody_events.counterparty" in result.reason
