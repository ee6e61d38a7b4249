"""RES002: Art. 8 requests to a Party that declared under Art. 8(11) (Japan) go through the central authority."""

ART8_JP = {"instrument": "cets224_art8", "receiving_party": "JP", "provider": "jpmail"}


def test_res002_fails_for_direct_request_to_japan_from_shipped_profile(make_requests, make_parties,
                                                                       parties_in_force, make_ctx, run):
    requests = make_requests([{**ART8_JP, "channel": "central_authority"}, {**ART8_JP, "channel": "direct"}])
    result, findings = run("RES002", make_ctx(requests, parties=make_parties(parties_in_force())))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings.loc[0, "message"] == (
        "Art. 8 request R2 (FR → JP) was sent via direct, but JP requires the central authority (Art. 8(11))"
    )


def test_res002_same_channel_out_of_scope_without_declaration(make_requests, make_parties, parties_in_force,
                                                              make_ctx, run):
    parties = make_parties(parties_in_force({"JP": {"art8_central_authority_required": "false"}}))
    result, findings = run("RES002", make_ctx(make_requests([{**ART8_JP, "channel": "direct"}]), parties=parties))
    assert result.outcome == "not_evaluated" and findings.empty


def test_res002_unknown_channel_is_unknown(make_requests, make_parties, parties_in_force, make_ctx, run):
    requests = make_requests([{**ART8_JP, "channel": "central_authority"}, ART8_JP])
    result, _ = run("RES002", make_ctx(requests, parties=make_parties(parties_in_force())))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "channel not recorded" in result.reason


def test_res002_not_evaluated_when_channel_column_absent(make_requests, make_parties, parties_in_force,
                                                         make_ctx, run):
    ctx = make_ctx(make_requests([ART8_JP]), parties=make_parties(parties_in_force()),
                   absent={"requests": ["channel"]})
    result, _ = run("RES002", ctx)
    assert result.outcome == "not_evaluated" and "requests.channel" in result.reason
