"""RET002: the retention period set stays within the Party's domestic maximum, and data with no retention
date set are not held past it."""

import pytest

NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown


def _events(until, request_id="R1"):
    return [
        {"request_id": request_id, "event": "received", "at": "2025-03-10T12:00:00Z"},
        {"request_id": request_id, "event": "retention_set", "at": "2025-03-11T09:00:00Z", "until": until},
    ]


def _ctx(make_requests, make_events, make_parties, make_ctx, until, max_days="365", requests=None):
    parties = make_parties([{"party": "FR", "retention_max_days": max_days}])
    return make_ctx(make_requests(requests or [{}]), custody_events=make_events(_events(until)),
                    parties=parties)


def test_ret002_passes_when_kept_exactly_the_domestic_maximum(make_requests, make_events, make_parties, make_ctx, run):
    # 2025-03-10 + 365 days = 2026-03-10
    result, findings = run("RET002", _ctx(make_requests, make_events, make_parties, make_ctx, "2026-03-10"))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_ret002_fails_when_kept_one_day_beyond_the_maximum(make_requests, make_events, make_parties, make_ctx, run):
    result, findings = run("RET002", _ctx(make_requests, make_events, make_parties, make_ctx, "2026-03-11"))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert ("Data received for request R1 (FR) are set to be kept 366 days, beyond FR's domestic maximum "
            "of 365 days") in findings.loc[0, "message"]


def test_ret002_same_retention_passes_with_a_longer_domestic_maximum(make_requests, make_events, make_parties, make_ctx, run):
    result, _ = run("RET002", _ctx(make_requests, make_events, make_parties, make_ctx, "2026-03-11", max_days="730"))
    assert result.outcome == "pass"


def test_ret002_unknown_when_party_profile_sets_no_maximum(make_requests, make_events, make_parties, make_ctx, run):
    requests = make_requests([{}, {"issuing_party": NO_PROFILE_PARTY}])
    events = make_events(_events("2026-03-10") + _events("2030-01-01", "R2"))
    ctx = make_ctx(requests, custody_events=events, parties=make_parties([{"party": "FR", "retention_max_days": "365"}]))
    result, findings = run("RET002", ctx)
    assert (result.outcome, result.evaluated, result.passed, result.unknown) == ("pass", 1, 1, 1)
    assert "no retention_max_days" in result.reason
    assert findings.empty


def test_ret002_not_evaluated_when_no_party_sets_a_maximum(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"issuing_party": NO_PROFILE_PARTY}])
    ctx = make_ctx(requests, custody_events=make_events(_events("2030-01-01")))
    result, _ = run("RET002", ctx)
    assert result.outcome == "not_evaluated"
    assert result.reason.startswith("no record could be evaluated (no retention_max_days")


def test_ret002_latest_retention_set_governs(make_requests, make_events, make_parties, make_ctx, run):
    events = make_events(_events("2030-01-01") + [
        {"event": "retention_set", "at": "2025-04-01T09:00:00Z", "until": "2025-12-31"},
    ])
    ctx = make_ctx(make_requests([{}]), custody_events=events,
                   parties=make_parties([{"party": "FR", "retention_max_days": "365"}]))
    result, _ = run("RET002", ctx)
    assert (result.outcome, result.evaluated) == ("pass", 1)


def test_ret002_not_evaluated_without_received_event(make_requests, make_events, make_parties, make_ctx, run):
    events = make_events([{"event": "retention_set", "at": "2025-03-11", "until": "2030-01-01"}])
    ctx = make_ctx(make_requests([{}]), custody_events=events,
                   parties=make_parties([{"party": "FR", "retention_max_days": "365"}]))
    result, _ = run("RET002", ctx)
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_ret002_not_evaluated_when_until_column_absent(make_requests, make_events, make_parties, make_ctx, run):
    ctx = make_ctx(make_requests([{}]), custody_events=make_events(_events("2030-01-01")),
                   absent={"custody_events": ["until"]})
    result, _ = run("RET002", ctx)
    assert result.outcome == "not_evaluated"
    assert "custody_events.until" in result.reason


# ---- no retention date set: data held past the maximum -------------------------------------------

RECEIVED = "2025-03-10T12:00:00Z"  # + 365 days = 2026-03-10


def _held(make_requests, make_events, make_parties, make_ctx, *extra, max_days="365", as_of="2026-06-30",
          issuing_party="FR"):
    events = make_events([{"event": "received", "at": RECEIVED}, *extra])
    parties = make_parties([{"party": "FR", "retention_max_days": max_days}])
    return make_ctx(make_requests([{"issuing_party": issuing_party}]), custody_events=events, parties=parties,
                    as_of=as_of)


@pytest.mark.parametrize("as_of,failed", [("2026-03-10", 0), ("2026-03-11", 1)])
def test_ret002_held_without_retention_date_past_the_maximum(make_requests, make_events, make_parties, make_ctx,
                                                             run, as_of, failed):
    result, findings = run("RET002", _held(make_requests, make_events, make_parties, make_ctx, as_of=as_of))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert findings[["request_id", "kind"]].values.tolist() == [["R1", "breach"]]
        assert findings.loc[0, "message"] == (
            "Data received for request R1 (FR) have been held 1 days beyond FR's 365-day domestic maximum, "
            "with no retention date set"
        )


@pytest.mark.parametrize("deleted_at,failed", [("2026-03-10T23:00:00Z", 0), ("2026-03-11T01:00:00Z", 1)])
def test_ret002_deleted_without_retention_date_boundary(make_requests, make_events, make_parties, make_ctx, run,
                                                        deleted_at, failed):
    ctx = _held(make_requests, make_events, make_parties, make_ctx, {"event": "deleted", "at": deleted_at})
    result, findings = run("RET002", ctx)
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert findings.loc[0, "message"].endswith(
            "were held 1 days beyond FR's 365-day domestic maximum before deletion, with no retention date set")


def test_ret002_no_retention_date_and_no_maximum_is_left_to_ret004(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"issuing_party": NO_PROFILE_PARTY}])
    ctx = make_ctx(requests, custody_events=make_events([{"event": "received", "at": RECEIVED}]), as_of="2030-01-01")
    result, findings = run("RET002", ctx)
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_ret002_retention_date_within_the_maximum_that_passed_is_ret001s(make_requests, make_events, make_parties,
                                                                        make_ctx, run):
    # date set within the maximum, never deleted, held long past it: RET001 reports it, RET002 does not
    ctx = _held(make_requests, make_events, make_parties, make_ctx,
                {"event": "retention_set", "at": RECEIVED, "until": "2025-12-31"}, as_of="2027-06-30")
    result, findings = run("RET002", ctx)
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0) and findings.empty
    assert run("RET001", ctx)[0].failed == 1


def test_ret002_data_of_other_instruments_are_not_judged(make_requests, make_events, make_parties, make_ctx, run):
    requests = make_requests([{"instrument": "mla"}, {"instrument": "eu_epoc"}])
    events = make_events([{"request_id": rid, "event": "received", "at": RECEIVED} for rid in ("R1", "R2")])
    parties = make_parties([{"party": "FR", "retention_max_days": "30"}])
    result, findings = run("RET002", make_ctx(requests, custody_events=events, parties=parties, as_of="2030-01-01"))
    assert result.outcome == "not_evaluated" and findings.empty
