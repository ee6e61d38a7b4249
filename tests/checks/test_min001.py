"""MIN001: disclosures hand over only the data categories the request asked for."""


def test_min001_passes_when_disclosed_categories_are_within_request(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([{"instrument": "cets224_art8", "data_requested": "subscriber;traffic"}])
    disclosures = make_disclosures([
        {"data_disclosed": "subscriber"},
        {"data_disclosed": "subscriber;traffic"},
        {"data_disclosed": None},  # not recorded: outside the population
    ])
    result, findings = run("MIN001", make_ctx(requests, disclosures=disclosures))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (2, 2, 0)
    assert findings.empty


def test_min001_fails_when_traffic_data_disclosed_for_subscriber_request(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([{"data_requested": "subscriber"}])
    disclosures = make_disclosures([
        {"data_disclosed": "subscriber"},
        {"data_disclosed": "subscriber;traffic"},
    ])
    result, findings = run("MIN001", make_ctx(requests, disclosures=disclosures))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert findings.loc[0, "record_id"] == "D2"
    msg = findings.loc[0, "message"]
    assert "Disclosure D2 for request R1 (FR ← examplemail) handed over traffic" in msg
    assert "(requested: subscriber)" in msg


def test_min001_lists_every_extra_category(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([{"data_requested": "subscriber"}])
    disclosures = make_disclosures([{"data_disclosed": "content;subscriber;traffic"}])
    _, findings = run("MIN001", make_ctx(requests, disclosures=disclosures))
    assert "handed over traffic;content" in findings.loc[0, "message"]


def test_min001_matches_each_disclosure_to_its_own_request(make_requests, make_disclosures, make_ctx, run):
    requests = make_requests([{"data_requested": "subscriber"}, {"data_requested": "traffic"}])
    disclosures = make_disclosures([
        {"request_id": "R1", "data_disclosed": "subscriber"},
        {"request_id": "R2", "data_disclosed": "subscriber"},
    ])
    result, findings = run("MIN001", make_ctx(requests, disclosures=disclosures))
    assert result.outcome == "fail"
    assert findings[["request_id", "record_id"]].values.tolist() == [["R2", "D2"]]


def test_min001_not_evaluated_without_disclosures_table(make_requests, make_ctx, run):
    result, _ = run("MIN001", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "input table disclosures was not provided"


def test_min001_not_evaluated_when_data_disclosed_column_absent(make_requests, make_disclosures, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), disclosures=make_disclosures([{"data_disclosed": "traffic"}]),
                   absent={"disclosures": ["data_disclosed"]})
    result, _ = run("MIN001", ctx)
    assert result.outcome == "not_evaluated"
    assert "disclosures.data_disclosed" in result.reason


def test_min001_not_evaluated_when_no_disclosure_records_categories(make_requests, make_disclosures, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), disclosures=make_disclosures([{"outcome": "refused"}]))
    result, _ = run("MIN001", ctx)
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"
