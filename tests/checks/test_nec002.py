"""NEC002: every Protocol request names its specific case and purpose (Art. 14(2)(a))."""

OK = {"case_reference": "CASE-FR-1234", "purpose": "criminal investigation"}


def test_nec002_passes_with_case_and_purpose(make_requests, make_ctx, run):
    result, findings = run("NEC002", make_ctx(make_requests([OK, {"instrument": "mla"}])))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


def test_nec002_fails_without_case_or_purpose(make_requests, make_ctx, run):
    requests = make_requests([OK, {**OK, "case_reference": " "}, {"instrument": "cets224_art9"}])
    result, findings = run("NEC002", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 3, 2)
    msgs = dict(zip(findings["request_id"], findings["message"], strict=True))
    assert msgs["R2"] == "Request R2 (FR → US) records no case reference"
    assert msgs["R3"] == "Request R3 (FR → US) records no case reference and purpose"


def test_nec002_not_evaluated_when_purpose_column_absent(make_requests, make_ctx, run):
    result, _ = run("NEC002", make_ctx(make_requests([OK]), absent={"requests": ["purpose"]}))
    assert result.outcome == "not_evaluated" and "requests.purpose" in result.reason
