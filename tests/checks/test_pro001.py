"""PRO001: every Protocol request records its necessity and proportionality reasoning."""


def test_pro001_passes_when_every_protocol_request_has_a_rationale(make_requests, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art7", "necessity_rationale": "sole lead to the suspect"},
        {"instrument": "cets224_art8", "necessity_rationale": "traffic needed to place the suspect"},
        {"instrument": "mla"},  # not a Protocol request
    ])
    result, findings = run("PRO001", make_ctx(requests))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (2, 2, 0)
    assert findings.empty


def test_pro001_fails_for_art8_request_without_rationale(make_requests, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art7", "necessity_rationale": "sole lead"},
        {"instrument": "cets224_art8", "receiving_party": "DE", "necessity_rationale": ""},
    ])
    result, findings = run("PRO001", make_ctx(requests))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R2"
    assert "Request R2 (FR → DE, cets224_art8) records no necessity" in findings.loc[0, "message"]


def test_pro001_not_evaluated_for_non_protocol_requests_only(make_requests, make_ctx, run):
    requests = make_requests([{"instrument": "mla"}, {"instrument": "eu_epoc"}])
    result, findings = run("PRO001", make_ctx(requests))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"
    assert findings.empty


def test_pro001_not_evaluated_when_rationale_column_absent(make_requests, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art7"}])
    result, _ = run("PRO001", make_ctx(requests, absent={"requests": ["necessity_rationale"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.necessity_rationale" in result.reason
