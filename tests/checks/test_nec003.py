"""NEC003: every use of received data (access, domestic share, onward transfer) is for the request's purpose
(Art. 14(2)(a)); purposes compared as codes."""

import pytest

PURPOSE = "Fraud investigation"


CASE = "CASE-FR-1"


def _ctx(make_requests, make_events, make_ctx, events, purpose=PURPOSE, instrument="cets224_art7", absent=None):
    requests = make_requests([{"instrument": instrument, "purpose": purpose, "case_reference": CASE}])
    return make_ctx(requests, custody_events=make_events(events), absent=absent)


@pytest.mark.parametrize("event", ["accessed", "shared_domestic", "transferred_onward"])
@pytest.mark.parametrize("purpose", ["Fraud investigation", " fraud-investigation.", "FRAUD   INVESTIGATION"])
def test_nec003_passes_for_the_request_purpose_whatever_case_space_or_punctuation(
        make_requests, make_events, make_ctx, run, event, purpose):
    result, findings = run("NEC003", _ctx(make_requests, make_events, make_ctx, [{"event": event, "purpose": purpose}]))
    assert (result.outcome, result.evaluated, result.passed, result.failed) == ("pass", 1, 1, 0)
    assert findings.empty


@pytest.mark.parametrize("event,label", [
    ("accessed", "Access"), ("shared_domestic", "Domestic share"), ("transferred_onward", "Onward transfer"),
])
def test_nec003_another_purpose_under_another_case_is_a_breach(make_requests, make_events, make_ctx, run, event,
                                                               label):
    events = [{"event": event, "purpose": PURPOSE, "reference": CASE},
              {"event": event, "purpose": "tax audit", "reference": "TAX-2025-7", "at": "2025-04-02T08:30:00Z"}]
    result, findings = run("NEC003", _ctx(make_requests, make_events, make_ctx, events))
    assert (result.outcome, result.evaluated, result.failed, result.advisory) == ("fail", 2, 1, 0)
    assert findings["record_id"].tolist() == ["E2"]
    assert (findings.loc[0, "severity"], findings.loc[0, "kind"]) == ("high", "breach")
    assert findings.loc[0, "message"] == (
        f"{label} E2 on 2025-04-02 08:30 UTC of data from request R1 (FR) records a purpose other than the "
        "request's under another case reference"
    )
    assert "tax audit" not in findings.loc[0, "message"]


@pytest.mark.parametrize("reference", [CASE, " case-fr-1 ", None])
def test_nec003_another_wording_under_the_same_case_is_advisory(make_requests, make_events, make_ctx, run, reference):
    """A differently worded purpose may be compatible (Art. 14(2)(a) forbids *incompatible* use):
    under the request's own case, or with no reference to compare, it is for a reviewer."""
    events = [{"event": "accessed", "purpose": "Fraud investigations", "reference": reference}]
    result, findings = run("NEC003", _ctx(make_requests, make_events, make_ctx, events))
    assert (result.outcome, result.failed, result.advisory) == ("advisory", 1, 1)
    assert findings.loc[0, "kind"] == "advisory"
    assert findings.loc[0, "message"].endswith("records a purpose other than the request's")


@pytest.mark.parametrize("event_purpose,request_purpose,why", [
    (None, PURPOSE, "the event records no purpose"),
    ("  ", PURPOSE, "the event records no purpose"),
    (PURPOSE, None, "the request records no purpose"),
    (PURPOSE, "-", "the request records no purpose"),
])
def test_nec003_empty_purpose_is_unknown(make_requests, make_events, make_ctx, run, event_purpose, request_purpose, why):
    events = [{"event": "accessed", "purpose": event_purpose}]
    result, findings = run("NEC003", _ctx(make_requests, make_events, make_ctx, events, purpose=request_purpose))
    assert (result.outcome, result.evaluated, result.unknown) == ("not_evaluated", 0, 1)
    assert why in result.reason
    assert findings.empty


def test_nec003_other_events_are_not_judged(make_requests, make_events, make_ctx, run):
    events = [{"event": e, "purpose": "tax audit"} for e in ("received", "retention_set", "deleted", "transfer_authorised")]
    result, findings = run("NEC003", _ctx(make_requests, make_events, make_ctx, events))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


@pytest.mark.parametrize("instrument", ["eu_epoc", "mla", "other"])
def test_nec003_uses_of_data_from_other_instruments_are_not_judged(make_requests, make_events, make_ctx, run,
                                                                   instrument):
    events = [{"event": "accessed", "purpose": "tax audit"}]
    result, findings = run("NEC003", _ctx(make_requests, make_events, make_ctx, events, instrument=instrument))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


@pytest.mark.parametrize("table,column", [("custody_events", "purpose"), ("requests", "purpose"),
                                          ("custody_events", "reference")])
def test_nec003_not_evaluated_when_a_purpose_column_is_absent(make_requests, make_events, make_ctx, run, table, column):
    events = [{"event": "accessed", "purpose": "tax audit"}]
    result, findings = run("NEC003", _ctx(make_requests, make_events, make_ctx, events, absent={table: [column]}))
    assert result.outcome == "not_evaluated"
    assert f"{table}.{column}" in result.reason
    assert findings.empty
