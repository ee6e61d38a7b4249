"""MIN003: an Art. 6 request seeks domain name registration information only (Art. 6(1))."""

ART6 = {"instrument": "cets224_art6", "provider": "nameco", "data_requested": "domain_registration"}


def test_min003_passes_for_domain_data_only(make_requests, make_ctx, run):
    result, findings = run("MIN003", make_ctx(make_requests([ART6, {"data_requested": "subscriber"}])))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


def test_min003_fails_for_any_other_category(make_requests, make_ctx, run):
    requests = make_requests([ART6, {**ART6, "data_requested": "domain_registration;subscriber;content"},
                              {**ART6, "data_requested": "traffic"}])
    result, findings = run("MIN003", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 3, 2)
    assert findings["message"].tolist() == [
        "Art. 6 request R2 (FR → nameco) seeks subscriber, content, outside Art. 6(1)",
        "Art. 6 request R3 (FR → nameco) seeks traffic, outside Art. 6(1)",
    ]
    assert set(findings["family"]) == {"minimisation"}


def test_min003_not_evaluated_without_art6_requests(make_requests, make_ctx, run):
    result, _ = run("MIN003", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
