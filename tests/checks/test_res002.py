"""RES002: Art. 8 requests to a Party that declared under Art. 8(11) (Japan) go through the central
authority "or such other authority as mutually determined" (requests.agreed_authority)."""

import pytest

ART8_JP = {"instrument": "cets224_art8", "receiving_party": "JP", "provider": "jpmail"}


def _run(run, make_requests, make_parties, parties_in_force, make_ctx, rows, **kw):
    return run("RES002", make_ctx(make_requests(rows), parties=make_parties(parties_in_force()), **kw))


@pytest.mark.parametrize("channel,agreed,failed", [
    ("central_authority", None, 0), ("central_authority", "false", 0),
    ("direct", "true", 0), ("direct", "false", 1), (None, "true", 0),
])
def test_res002_central_authority_or_agreed_authority(make_requests, make_parties, parties_in_force, make_ctx, run,
                                                      channel, agreed, failed):
    rows = [{**ART8_JP, "channel": channel, "agreed_authority": agreed}]
    result, findings = _run(run, make_requests, make_parties, parties_in_force, make_ctx, rows)
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert result.outcome == "fail"
        assert findings.loc[0, "message"] == (
            "Art. 8 request R1 (FR → JP) was sent via direct by an authority not agreed with JP, which requires "
            "the central authority or a mutually determined authority (Art. 8(11))"
        )


def test_res002_fails_for_direct_request_to_japan_from_shipped_profile(make_requests, make_parties,
                                                                       parties_in_force, make_ctx, run):
    rows = [{**ART8_JP, "channel": "central_authority"}, {**ART8_JP, "channel": "direct", "agreed_authority": "false"}]
    result, findings = _run(run, make_requests, make_parties, parties_in_force, make_ctx, rows)
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings["request_id"].tolist() == ["R2"]


def test_res002_same_channel_out_of_scope_without_declaration(make_requests, make_parties, parties_in_force,
                                                              make_ctx, run):
    parties = make_parties(parties_in_force({"JP": {"art8_central_authority_required": "false"}}))
    rows = [{**ART8_JP, "channel": "direct", "agreed_authority": "false"}]
    result, findings = run("RES002", make_ctx(make_requests(rows), parties=parties))
    assert result.outcome == "not_evaluated" and findings.empty


def test_res002_other_instruments_are_not_judged(make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [{**ART8_JP, "instrument": inst, "channel": "direct", "agreed_authority": "false"}
            for inst in ("cets224_art7", "mla")]
    result, findings = _run(run, make_requests, make_parties, parties_in_force, make_ctx, rows)
    assert result.outcome == "not_evaluated" and findings.empty


def test_res002_empty_agreed_authority_is_unknown(make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [{**ART8_JP, "channel": "central_authority"}, {**ART8_JP, "channel": "direct"}]
    result, findings = _run(run, make_requests, make_parties, parties_in_force, make_ctx, rows)
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "agreed_authority not recorded" in result.reason
    assert findings.empty


def test_res002_unknown_channel_is_unknown(make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [{**ART8_JP, "channel": "central_authority"}, {**ART8_JP, "agreed_authority": "false"}]
    result, _ = _run(run, make_requests, make_parties, parties_in_force, make_ctx, rows)
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "channel not recorded" in result.reason


def test_res002_agreed_authority_column_absent_leaves_non_central_requests_unknown(
        make_requests, make_parties, parties_in_force, make_ctx, run):
    rows = [{**ART8_JP, "channel": "central_authority"}, {**ART8_JP, "channel": "direct", "agreed_authority": "false"}]
    result, findings = _run(run, make_requests, make_parties, parties_in_force, make_ctx, rows,
                            absent={"requests": ["agreed_authority"]})
    assert (result.outcome, result.passed, result.unknown) == ("pass", 1, 1)
    assert findings.empty


def test_res002_not_evaluated_when_channel_column_absent(make_requests, make_parties, parties_in_force,
                                                         make_ctx, run):
    ctx = make_ctx(make_requests([ART8_JP]), parties=make_parties(parties_in_force()),
                   absent={"requests": ["channel"]})
    result, _ = run("RES002", ctx)
    assert result.outcome == "not_evaluated" and "requests.channel" in result.reason
