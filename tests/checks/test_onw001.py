"""ONW001: every onward transfer has a prior authorisation for that recipient granted by the transferring
authority: granted_by_party = the request's receiving Party (Art. 14(10)(a))."""

import pytest

TRANSFER_AT = "2025-04-01T10:00:00Z"


def _events(make_events, auth_at=None, auth_to="Europol", to="Europol", request_id="R1", granted="US"):
    rows = [{"event": "received", "at": "2025-03-10T12:00:00Z"}]
    if auth_at:
        rows.append({"request_id": request_id, "event": "transfer_authorised", "at": auth_at, "counterparty": auth_to,
                     "granted_by_party": granted})
    rows.append({"event": "transferred_onward", "at": TRANSFER_AT, "counterparty": to})
    return make_events(rows)


def _run(run, make_requests, make_ctx, events, **kw):
    return run("ONW001", make_ctx(make_requests([{}, {}]), custody_events=events, **kw))


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


@pytest.mark.parametrize("granted,failed", [("US", 0), ("us", 0), ("FR", 1), ("DE", 1)])
def test_onw001_authorisation_must_come_from_the_transferring_party(make_requests, make_events, make_ctx, run,
                                                                     granted, failed):
    result, findings = _run(run, make_requests, make_ctx, _events(make_events, "2025-03-20T10:00:00Z",
                                                                  granted=granted))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert findings.loc[0, "message"] == (
            f"Onward transfer E3 of data from request R1 (FR) to Europol on 2025-04-01 10:00 UTC had a prior "
            f"authorisation only from {granted}, not from the transferring Party US"
        )


def test_onw001_one_authorisation_from_the_transferring_party_suffices(make_requests, make_events, make_ctx, run):
    events = make_events([
        {"event": "transfer_authorised", "at": "2025-03-20", "counterparty": "Europol", "granted_by_party": "FR"},
        {"event": "transfer_authorised", "at": "2025-03-21", "counterparty": "Europol", "granted_by_party": "US"},
        {"event": "transferred_onward", "at": TRANSFER_AT, "counterparty": "Europol"},
    ])
    result, _ = _run(run, make_requests, make_ctx, events)
    assert (result.outcome, result.passed) == ("pass", 1)


def test_onw001_unknown_authoriser_is_unknown(make_requests, make_events, make_ctx, run):
    result, findings = _run(run, make_requests, make_ctx, _events(make_events, "2025-03-20T10:00:00Z", granted=None))
    assert (result.outcome, result.unknown) == ("not_evaluated", 1)
    assert "without granted_by_party" in result.reason and findings.empty
    # an unknown authoriser of a later authorisation does not rescue the transfer
    result, _ = _run(run, make_requests, make_ctx, _events(make_events, "2025-04-02T10:00:00Z", granted=None))
    assert result.failed == 1


def test_onw001_granted_by_party_column_absent_is_unknown(make_requests, make_events, make_ctx, run):
    result, _ = _run(run, make_requests, make_ctx, _events(make_events, "2025-03-20T10:00:00Z", granted="FR"),
                     absent={"custody_events": ["granted_by_party"]})
    assert (result.outcome, result.unknown) == ("not_evaluated", 1)
    result, _ = _run(run, make_requests, make_ctx, _events(make_events), absent={"custody_events": ["granted_by_party"]})
    assert result.failed == 1  # no authorisation at all is a finding with or without the column


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


def test_onw001_transfers_of_other_instruments_are_not_judged(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"instrument": "mla"}, {"instrument": "eu_epoc"}])
    events = make_events([{"request_id": rid, "event": "transferred_onward", "counterparty": "Europol"}
                          for rid in ("R1", "R2")])
    result, findings = run("ONW001", make_ctx(requests, custody_events=events))
    assert result.outcome == "not_evaluated" and findings.empty


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
