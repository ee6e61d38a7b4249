"""ONW003: no disclosure to a Party while transfers to it are suspended (Art. 14(15)); the suspension is the
issuing Party's profile period [transfers_suspended_from, transfers_suspended_until]."""

import pytest

FROM, UNTIL = "2025-03-01T00:00:00Z", "2025-03-31T12:00:00Z"


def _parties(make_parties, start=FROM, end=UNTIL, party="FR"):
    return make_parties([{"party": party, "transfers_suspended_from": start, "transfers_suspended_until": end}])


def _ctx(make_requests, make_disclosures, make_ctx, parties, disclosures, **req):
    return make_ctx(make_requests([req]), disclosures=make_disclosures(disclosures), parties=parties)


@pytest.mark.parametrize("responded,failed", [
    ("2025-02-28T23:59:59Z", 0),
    (FROM, 1),
    ("2025-03-15T10:00:00Z", 1),
    (UNTIL, 1),
    ("2025-03-31T12:00:01Z", 0),
])
def test_onw003_boundaries_of_the_suspension(make_requests, make_disclosures, make_parties, make_ctx, run,
                                             responded, failed):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, _parties(make_parties), [{"responded_at": responded}])
    result, findings = run("ONW003", ctx)
    assert (result.evaluated, result.failed) == (1, failed)
    assert result.outcome == ("fail" if failed else "pass")
    if failed:
        assert findings.loc[0, "record_id"] == "D1"
        assert findings.loc[0, "kind"] == "breach"


@pytest.mark.parametrize("responded,failed", [("2025-03-31T23:59:59Z", 1), ("2025-04-01T00:00:00Z", 0)])
def test_onw003_a_date_only_end_covers_that_whole_day(make_requests, make_disclosures, make_parties, make_ctx, run,
                                                      responded, failed):
    parties = _parties(make_parties, end="2025-03-31")
    ctx = _ctx(make_requests, make_disclosures, make_ctx, parties, [{"responded_at": responded}])
    result, _ = run("ONW003", ctx)
    assert (result.evaluated, result.failed) == (1, failed)


def test_onw003_message_names_the_disclosure_and_period(make_requests, make_disclosures, make_parties, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, _parties(make_parties),
               [{"responded_at": "2025-02-01T10:00:00Z"}, {"responded_at": "2025-03-15T10:00:00Z", "outcome": "partial"}])
    result, findings = run("ONW003", ctx)
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings.loc[0, "message"] == (
        "Disclosure D2 (partial) for request R1 went to FR on 2025-03-15 10:00 UTC, while transfers to FR "
        "were suspended (from 2025-03-01 to 2025-03-31)"
    )


def test_onw003_a_suspension_without_end_still_runs(make_requests, make_disclosures, make_parties, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, _parties(make_parties, end=None),
               [{"responded_at": "2026-06-01T10:00:00Z"}])
    result, findings = run("ONW003", ctx)
    assert (result.outcome, result.failed) == ("fail", 1)
    assert findings.loc[0, "message"].endswith("while transfers to FR were suspended (from 2025-03-01, ongoing)")


def test_onw003_only_disclosures_of_data_count(make_requests, make_disclosures, make_parties, make_ctx, run):
    rows = [{"responded_at": "2025-03-15T10:00:00Z", "outcome": o} for o in ("refused", "no_data", "withdrawn")]
    result, findings = run("ONW003", _ctx(make_requests, make_disclosures, make_ctx, _parties(make_parties), rows))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_onw003_parties_without_a_suspension_pass(make_requests, make_disclosures, make_parties, make_ctx, run):
    # FR is suspended, but the request comes from DE; and with no parties table no suspension is known
    ctx = _ctx(make_requests, make_disclosures, make_ctx, _parties(make_parties),
               [{"responded_at": "2025-03-15T10:00:00Z"}], issuing_party="DE")
    result, findings = run("ONW003", ctx)
    assert (result.outcome, result.evaluated, result.passed) == ("pass", 1, 1)
    ctx = _ctx(make_requests, make_disclosures, make_ctx, None, [{"responded_at": "2025-03-15T10:00:00Z"}])
    assert run("ONW003", ctx)[0].outcome == "pass"


def test_onw003_end_without_start_is_unknown(make_requests, make_disclosures, make_parties, make_ctx, run):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, _parties(make_parties, start=None),
               [{"responded_at": "2025-03-15T10:00:00Z"}])
    result, findings = run("ONW003", ctx)
    assert (result.outcome, result.evaluated, result.unknown) == ("not_evaluated", 0, 1)
    assert "transfers_suspended_until without transfers_suspended_from" in result.reason
    assert findings.empty


@pytest.mark.parametrize("instrument", ["eu_epoc", "eu_epoc_pr", "mla", "other"])
def test_onw003_disclosures_under_other_instruments_are_not_judged(make_requests, make_disclosures, make_parties,
                                                                   make_ctx, run, instrument):
    ctx = _ctx(make_requests, make_disclosures, make_ctx, _parties(make_parties),
               [{"responded_at": "2025-03-15T10:00:00Z"}], instrument=instrument)
    result, findings = run("ONW003", ctx)
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_onw003_every_protocol_instrument_is_judged(make_requests, make_disclosures, make_parties, make_ctx, run):
    requests = make_requests([{"instrument": i} for i in ("cets224_art6", "cets224_art8", "cets224_art9",
                                                          "cets224_art10")])
    disclosures = make_disclosures([{"request_id": f"R{n}", "responded_at": "2025-03-15T10:00:00Z"} for n in range(1, 5)])
    result, findings = run("ONW003", make_ctx(requests, disclosures=disclosures, parties=_parties(make_parties)))
    assert (result.outcome, result.failed) == ("fail", 4)
    assert findings["record_id"].tolist() == ["D1", "D2", "D3", "D4"]


def test_onw003_not_evaluated_when_disclosures_table_absent(make_requests, make_parties, make_ctx, run):
    result, findings = run("ONW003", make_ctx(make_requests([{}]), parties=_parties(make_parties)))
    assert (result.outcome, result.reason) == ("not_evaluated", "input table disclosures was not provided")
    assert findings.empty
