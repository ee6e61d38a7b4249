"""COM003: the Protocol is invoked only when in force for both Parties (Art. 16).

With the ratifications of ``parties_in_force`` (fifth one on 2022-10-15) the Protocol enters into
force on 2023-02-01 for FR, US, GB, ES and IT, and on 2025-07-01 for DE (ratified 2025-03-10).
"""


def test_com003_fixture_entry_into_force_dates(make_requests, make_parties, parties_in_force, make_ctx):
    ctx = make_ctx(make_requests([{}]), parties=make_parties(parties_in_force()))
    in_force = ctx.profiles["cets224_in_force_from"].dt.strftime("%Y-%m-%d")
    assert in_force[["FR", "US", "IT", "DE"]].tolist() == ["2023-02-01", "2023-02-01", "2023-02-01", "2025-07-01"]


def _ctx(make_requests, make_parties, parties_in_force, make_ctx, rows):
    return make_ctx(make_requests(rows), parties=make_parties(parties_in_force()))


def test_com003_passes_when_in_force_for_both_parties(make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [{"issued_at": "2025-03-01T09:00:00Z"}, {"instrument": "mla", "issued_at": "2020-01-01"}]
    result, findings = run("COM003", _ctx(make_requests, make_parties, parties_in_force, make_ctx, rows))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_com003_passes_on_the_day_of_entry_into_force(make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [{"issued_at": "2023-02-01T00:00:00Z"}]
    result, _ = run("COM003", _ctx(make_requests, make_parties, parties_in_force, make_ctx, rows))
    assert result.outcome == "pass"


def test_com003_fails_the_day_before_entry_into_force(make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [{"issued_at": "2023-01-31T09:00:00Z"}]
    result, findings = run("COM003", _ctx(make_requests, make_parties, parties_in_force, make_ctx, rows))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert findings.loc[0, "message"] == (
        "Request R1 (FR → US) invokes CETS 224 on 2023-01-31, when it was not in force for FR and US"
    )


def test_com003_later_ratifying_party_bound_from_its_own_date(make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [
        {"receiving_party": "DE", "issued_at": "2025-06-30T23:00:00Z"},
        {"receiving_party": "DE", "issued_at": "2025-07-01T08:00:00Z"},
    ]
    result, findings = run("COM003", _ctx(make_requests, make_parties, parties_in_force, make_ctx, rows))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings["request_id"].tolist() == ["R1"]
    assert "on 2025-06-30, when it was not in force for DE" in findings.loc[0, "message"]


def test_com003_fails_when_issuing_party_never_ratified(make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [{"issuing_party": "BR", "issued_at": "2025-09-01"}]
    _, findings = run("COM003", _ctx(make_requests, make_parties, parties_in_force, make_ctx, rows))
    assert findings["message"].tolist() == [
        "Request R1 (BR → US) invokes CETS 224 on 2025-09-01, when it was not in force for BR"
    ]


def test_com003_fails_everything_when_too_few_ratifications(make_requests, make_ctx, run):
    # the shipped profiles hold fewer than five ratifications: the Protocol is not in force
    result, findings = run("COM003", make_ctx(make_requests([{"issued_at": "2026-01-05"}])))
    assert result.outcome == "fail"
    assert "not in force for FR and US" in findings.loc[0, "message"]


def test_com003_not_evaluated_without_protocol_requests(make_requests, make_ctx, run):
    result, _ = run("COM003", make_ctx(make_requests([{"instrument": "eu_epoc"}, {"instrument": "mla"}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_com003_not_evaluated_when_issued_at_column_absent(make_requests, make_ctx, run):
    result, _ = run("COM003", make_ctx(make_requests([{}]), absent={"requests": ["issued_at"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.issued_at" in result.reason
