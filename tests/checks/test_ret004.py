"""RET004: for a Party with no retention_max_days, received data with neither a retention_set nor a
retention_reviewed event are deleted within retention_review_interval_days (365) of receipt."""

import pytest

RECEIVED = "2025-03-10T12:00:00Z"  # day 365 = 2026-03-10
NO_PROFILE_PARTY = "BR"


def _ctx(make_requests, make_events, make_ctx, *extra, as_of="2026-06-30", parties=None, requests=None, **kw):
    events = make_events([{"event": "received", "at": RECEIVED}, *extra])
    return make_ctx(requests if requests is not None else make_requests([{}]), custody_events=events,
                    parties=parties, as_of=as_of, **kw)


@pytest.mark.parametrize("as_of,failed", [("2026-03-10", 0), ("2026-03-11", 1)])
def test_ret004_held_without_date_or_review_boundary(make_requests, make_events, make_ctx, run, as_of, failed):
    # FR's shipped profile sets no retention_max_days
    result, findings = run("RET004", _ctx(make_requests, make_events, make_ctx, as_of=as_of))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert result.outcome == "fail"
        assert findings[["request_id", "kind", "article"]].values.tolist() == [["R1", "breach", "Art. 14(5)"]]
        assert findings.loc[0, "message"] == (
            "Data received for request R1 (FR) on 2025-03-10 12:00 UTC have been held 366 days with no retention "
            "date and no review (review interval 365 days)"
        )
    else:
        assert findings.empty


@pytest.mark.parametrize("deleted_at,failed", [("2026-03-10T23:00:00Z", 0), ("2026-03-11T00:00:00Z", 1)])
def test_ret004_deletion_boundary(make_requests, make_events, make_ctx, run, deleted_at, failed):
    result, findings = run("RET004", _ctx(make_requests, make_events, make_ctx, {"event": "deleted", "at": deleted_at}))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert "were held 366 days before deletion with no retention date and no review" in findings.loc[0, "message"]


@pytest.mark.parametrize("event", [{"event": "retention_set", "at": RECEIVED, "until": "2030-01-01"},
                                   {"event": "retention_reviewed", "at": "2027-01-01"}])
def test_ret004_a_retention_date_or_any_review_takes_the_data_out(make_requests, make_events, make_ctx, run, event):
    result, findings = run("RET004", _ctx(make_requests, make_events, make_ctx, event, as_of="2028-01-01"))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_ret004_party_with_retention_maximum_is_ret002s(make_requests, make_events, make_parties, make_ctx, run):
    parties = make_parties([{"party": "FR", "retention_max_days": "730"}])
    ctx = _ctx(make_requests, make_events, make_ctx, parties=parties)
    result, _ = run("RET004", ctx)
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert run("RET002", ctx)[0].outcome == "pass"  # 477 days held, within the 730-day maximum


def test_ret004_party_without_profile_has_no_maximum(make_requests, make_events, make_ctx, run):
    result, _ = run("RET004", _ctx(make_requests, make_events, make_ctx,
                                   requests=make_requests([{"issuing_party": NO_PROFILE_PARTY}])))
    assert result.failed == 1


def test_ret004_interval_is_a_pack_parameter(make_requests, make_events, make_ctx, run):
    ctx = _ctx(make_requests, make_events, make_ctx, params={"retention_review_interval_days": 500})
    assert run("RET004", ctx)[0].outcome == "pass"


def test_ret004_data_of_other_instruments_are_not_judged(make_requests, make_events, make_ctx, run):
    requests = make_requests([{"instrument": "mla"}, {"instrument": "eu_epoc"}])
    events = make_events([{"request_id": rid, "event": "received", "at": RECEIVED} for rid in ("R1", "R2")])
    result, findings = run("RET004", make_ctx(requests, custody_events=events, as_of="2030-01-01"))
    assert result.outcome == "not_evaluated" and findings.empty


def test_ret004_not_evaluated_without_custody_events(make_requests, make_ctx, run):
    result, _ = run("RET004", make_ctx(make_requests([{}])))
    assert result.outcome == "not_evaluated" and result.reason == "input table custody_events was not provided"
