"""NOT003: Art. 10 requests outside the central-authority channel go to an accepting Party with a same-day copy."""

import pytest

NO_PROFILE_PARTY = "BR"
SENT = "2025-03-01T10:00:00Z"
DIRECT = {"instrument": "cets224_art10", "channel": "network_24_7", "transmitted_at": SENT,
          "data_requested": "content", "emergency": "true"}


def _parties(make_parties, accepted="true"):
    return make_parties([{"party": "US", "art10_direct_channels_accepted": accepted}])


@pytest.mark.parametrize("copy_at,failed", [("2025-03-01T23:59:59Z", 0), ("2025-03-02T00:00:00Z", 1), (None, 1)])
def test_not003_copy_same_utc_day_boundary(make_requests, make_parties, make_ctx, run, copy_at, failed):
    requests = make_requests([{**DIRECT, "central_authority_copy_at": copy_at}])
    result, findings = run("NOT003", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert findings.loc[0, "message"] == (
            "Art. 10 request R1 (FR → US) was sent via network_24_7: no simultaneous copy to the central authority "
            "recorded"
        )


def test_not003_grace_days_allow_next_day_copy(make_requests, make_parties, make_ctx, run):
    requests = make_requests([{**DIRECT, "central_authority_copy_at": "2025-03-02T09:00:00Z"}])
    ctx = make_ctx(requests, parties=_parties(make_parties), params={"simultaneous_notification_grace_days": 1})
    assert run("NOT003", ctx)[0].outcome == "pass"


def test_not003_fails_when_party_has_not_declared(make_requests, make_parties, make_ctx, run):
    requests = make_requests([{**DIRECT, "central_authority_copy_at": SENT}])
    result, findings = run("NOT003", make_ctx(requests, parties=_parties(make_parties, "false")))
    assert result.failed == 1
    assert findings.loc[0, "message"].endswith("US has not declared under Art. 10(9) that it accepts this channel")


def test_not003_central_authority_channel_is_out_of_scope_and_unknown_profile_unknown(make_requests,
                                                                                      make_parties, make_ctx, run):
    requests = make_requests([{**DIRECT, "channel": "central_authority"},
                              {**DIRECT, "receiving_party": NO_PROFILE_PARTY, "central_authority_copy_at": SENT}])
    result, findings = run("NOT003", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.unknown) == ("not_evaluated", 0, 1)
    assert findings.empty


def test_not003_not_evaluated_when_copy_column_absent(make_requests, make_parties, make_ctx, run):
    ctx = make_ctx(make_requests([DIRECT]), parties=_parties(make_parties),
                   absent={"requests": ["central_authority_copy_at"]})
    result, _ = run("NOT003", ctx)
    assert result.outcome == "not_evaluated" and "requests.central_authority_copy_at" in result.reason
