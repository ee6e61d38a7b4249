"""ONW002: every domestic share names the recipient and the reference binding it to Art. 14."""


def test_onw002_passes_when_recipient_and_reference_recorded(make_requests, make_events, make_ctx, run):
    events = make_events([
        {"event": "shared_domestic", "counterparty": "Tax authority", "reference": "MoU-14-2024"},
        {"event": "accessed"},  # not a share
    ])
    result, findings = run("ONW002", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_onw002_fails_when_binding_reference_missing(make_requests, make_events, make_ctx, run):
    events = make_events([
        {"event": "shared_domestic", "counterparty": "Tax authority", "reference": "MoU-14-2024"},
        {"event": "shared_domestic", "counterparty": "Customs"},
    ])
    result, findings = run("ONW002", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert findings.loc[0, "record_id"] == "E2"
    assert findings.loc[0, "message"] == "Domestic share E2 of data from request R1 (FR) lacks the binding reference"


def test_onw002_fails_when_recipient_and_reference_missing(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "shared_domestic", "counterparty": " "}])
    _, findings = run("ONW002", make_ctx(make_requests([{}]), custody_events=events))
    assert findings.loc[0, "message"].endswith("lacks the recipient and the binding reference")


def test_onw002_fails_when_recipient_missing(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "shared_domestic", "reference": "MoU-14-2024"}])
    _, findings = run("ONW002", make_ctx(make_requests([{}]), custody_events=events))
    assert findings.loc[0, "message"].endswith("lacks the recipient")


def test_onw002_not_evaluated_without_domestic_shares(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "transferred_onward"}])
    result, _ = run("ONW002", make_ctx(make_requests([{}]), custody_events=events))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_onw002_not_evaluated_when_reference_column_absent(make_requests, make_events, make_ctx, run):
    events = make_events([{"event": "shared_domestic", "counterparty": "Customs"}])
    ctx = make_ctx(make_requests([{}]), custody_events=events, absent={"custody_events": ["reference"]})
    result, _ = run("ONW002", ctx)
    assert result.outcome == "not_evaluated"
    assert "custody_events.reference" in result.reason
