"""MIN002: Art. 7 orders seek subscriber information only."""


def test_min002_passes_for_subscriber_and_ip_identification_orders(make_requests, make_ctx, run):
    requests = make_requests([
        {"data_requested": "subscriber"},
        {"data_requested": "ip_identification;subscriber"},
        {"instrument": "cets224_art8", "data_requested": "traffic"},  # not Art. 7
    ])
    result, findings = run("MIN002", make_ctx(requests))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (2, 2, 0)
    assert findings.empty


def test_min002_fails_for_art7_order_seeking_traffic_data(make_requests, make_ctx, run):
    requests = make_requests([
        {"data_requested": "subscriber"},
        {"data_requested": "subscriber;traffic", "provider": "chatapp"},
    ])
    result, findings = run("MIN002", make_ctx(requests))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R2"
    assert "Art. 7 order R2 (FR → chatapp) asks for traffic, which Art. 7 does not cover" in findings.loc[0, "message"]


def test_min002_lists_content_and_domain_registration(make_requests, make_ctx, run):
    requests = make_requests([{"data_requested": "content;domain_registration"}])
    _, findings = run("MIN002", make_ctx(requests))
    assert "asks for content, domain_registration" in findings.loc[0, "message"]


def test_min002_fails_ip_identification_when_pack_excludes_it(make_requests, make_ctx, run):
    requests = make_requests([{"data_requested": "ip_identification"}])
    ok, _ = run("MIN002", make_ctx(requests))
    assert ok.outcome == "pass"
    result, findings = run("MIN002", make_ctx(requests, params={"art7_ip_identification_is_subscriber": False}))
    assert result.outcome == "fail"
    assert findings["request_id"].tolist() == ["R1"]
    assert "asks for ip_identification" in findings.loc[0, "message"]


def test_min002_not_evaluated_without_art7_orders(make_requests, make_ctx, run):
    result, _ = run("MIN002", make_ctx(make_requests([{"instrument": "cets224_art8", "data_requested": "traffic"}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_min002_not_evaluated_when_data_requested_column_absent(make_requests, make_ctx, run):
    result, _ = run("MIN002", make_ctx(make_requests([{}]), absent={"requests": ["data_requested"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.data_requested" in result.reason
