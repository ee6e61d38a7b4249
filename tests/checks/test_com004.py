"""COM004: an Art. 6 domain name registration request carries the contents of Art. 6(3)."""

ART6 = {
    "instrument": "cets224_art6", "provider": "nameco", "data_requested": "domain_registration",
    "contact_point": "FR cybercrime contact", "data_description": "registrant name and e-mail of example.org",
    "protocol_statement": "true", "return_timeframe_days": "30",
}


def test_com004_passes_for_complete_request(make_requests, make_ctx, run):
    result, findings = run("COM004", make_ctx(make_requests([ART6, {"instrument": "cets224_art7"}])))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


def test_com004_fails_without_time_frame(make_requests, make_ctx, run):
    requests = make_requests([ART6, {**ART6, "return_timeframe_days": None}])
    result, findings = run("COM004", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert findings.loc[0, "message"] == "Art. 6 request R2 (FR → nameco) lacks: time frame (6(3)(d))"
    assert (findings.loc[0, "article"], findings.loc[0, "family"]) == ("Art. 6(3)", "completeness")


def test_com004_lists_every_missing_element(make_requests, make_ctx, run):
    requests = make_requests([{**ART6, "protocol_statement": "false", "contact_point": " ", "data_description": None}])
    _, findings = run("COM004", make_ctx(requests))
    assert findings.loc[0, "message"].endswith(
        "lacks: contact details (6(3)(a)); list of the data sought (6(3)(b)); Protocol statement (6(3)(c))"
    )


def test_com004_unknown_statement_is_unknown_unless_something_else_missing(make_requests, make_ctx, run):
    requests = make_requests([{**ART6, "protocol_statement": None},
                              {**ART6, "protocol_statement": None, "contact_point": None}])
    result, findings = run("COM004", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed, result.unknown) == ("fail", 1, 1, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert "protocol_statement not recorded" in result.reason


def test_com004_not_evaluated_without_time_frame_column(make_requests, make_ctx, run):
    ctx = make_ctx(make_requests([ART6]), absent={"requests": ["return_timeframe_days"]})
    result, _ = run("COM004", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.return_timeframe_days" in result.reason
