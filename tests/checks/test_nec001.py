"""NEC001: an emergency request records the risk to life or safety it rests on."""


def test_nec001_passes_when_art9_request_records_a_justification(make_requests, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art9", "emergency_justification": "kidnapped child, ransom call"},
        {"instrument": "cets224_art7"},  # not an emergency: outside the population
    ])
    result, findings = run("NEC001", make_ctx(requests))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_nec001_fails_for_art10_request_without_justification(make_requests, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art9", "emergency_justification": "bomb threat"},
        {"instrument": "cets224_art10"},
    ])
    result, findings = run("NEC001", make_ctx(requests))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R2"
    assert "Request R2 (FR → US, cets224_art10) is handled as an emergency" in findings.loc[0, "message"]


def test_nec001_fails_for_art7_flagged_emergency_with_blank_justification(make_requests, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art7", "emergency": "true", "emergency_justification": "   "}])
    result, findings = run("NEC001", make_ctx(requests))
    assert result.outcome == "fail"
    assert findings["request_id"].tolist() == ["R1"]
    assert "Request R1 (FR → US, cets224_art7)" in findings.loc[0, "message"]


def test_nec001_ignores_requests_flagged_not_emergency(make_requests, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art7", "emergency": "false"}])
    result, findings = run("NEC001", make_ctx(requests))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"
    assert findings.empty


def test_nec001_not_evaluated_when_justification_column_absent(make_requests, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art9"}])
    ctx = make_ctx(requests, absent={"requests": ["emergency_justification"]})
    result, findings = run("NEC001", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.emergency_justification" in result.reason
    assert findings.empty
