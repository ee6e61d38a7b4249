"""COM001: an Art. 7 order states the Protocol and the offence (Art. 7(3)(b), (d)); 7(3)(f) is COM005's."""

COMPLETE = {"protocol_statement": "true", "offence": "fraud", "data_description": "name and address of account x"}


def test_com001_passes_for_complete_art7_order(make_requests, make_ctx, run):
    requests = make_requests([COMPLETE, {"instrument": "cets224_art8"}])  # Art. 8 is out of scope
    result, findings = run("COM001", make_ctx(requests))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_com001_fails_for_order_without_offence(make_requests, make_ctx, run):
    requests = make_requests([COMPLETE, {**COMPLETE, "offence": None}])
    result, findings = run("COM001", make_ctx(requests))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R2"
    assert findings.loc[0, "message"] == "Art. 7 order R2 (FR → examplemail) lacks: offence (7(3)(d))"


def test_com001_lists_every_missing_element(make_requests, make_ctx, run):
    requests = make_requests([{**COMPLETE, "protocol_statement": "false", "offence": " "}])
    _, findings = run("COM001", make_ctx(requests))
    assert findings.loc[0, "message"].endswith("lacks: Protocol statement (7(3)(b)); offence (7(3)(d))")


def test_com001_leaves_a_missing_description_to_com005(make_requests, make_ctx, run):
    requests = make_requests([{**COMPLETE, "data_description": " "}])
    result, findings = run("COM001", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


def test_com001_unknown_protocol_statement_is_unknown(make_requests, make_ctx, run):
    requests = make_requests([COMPLETE, {**COMPLETE, "protocol_statement": None}])
    result, findings = run("COM001", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "protocol_statement not recorded" in result.reason
    assert findings.empty


def test_com001_fails_when_statement_unknown_but_offence_missing(make_requests, make_ctx, run):
    requests = make_requests([{**COMPLETE, "protocol_statement": None, "offence": None}])
    result, findings = run("COM001", make_ctx(requests))
    assert result.outcome == "fail"
    assert findings.loc[0, "message"].endswith("lacks: offence (7(3)(d))")


def test_com001_not_evaluated_without_art7_orders(make_requests, make_ctx, run):
    result, _ = run("COM001", make_ctx(make_requests([{"instrument": "mla"}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_com001_not_evaluated_when_protocol_statement_column_absent(make_requests, make_ctx, run):
    result, _ = run("COM001", make_ctx(make_requests([COMPLETE]), absent={"requests": ["protocol_statement"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.protocol_statement" in result.reason
