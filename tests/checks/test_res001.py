"""RES001: no Art. 8 request seeks traffic data from a Party that reserved Art. 8(13)."""

NO_PROFILE_PARTY = "BR"
TRAFFIC = {"instrument": "cets224_art8", "data_requested": "subscriber;traffic"}


def _parties(make_parties, parties_in_force, reserved="true", **extra):
    return make_parties(parties_in_force({"US": {"art8_traffic_reserved": reserved}, **extra}))


def test_res001_fails_for_traffic_request_to_reserving_party(make_requests, make_parties, parties_in_force,
                                                             make_ctx, run):
    requests = make_requests([TRAFFIC, {"instrument": "cets224_art8"}])  # R2: subscriber only, out of scope
    result, findings = run("RES001", make_ctx(requests, parties=_parties(make_parties, parties_in_force)))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 1, 1)
    assert findings.loc[0, "message"] == (
        "Art. 8 request R1 (FR → US) seeks traffic data, but US reserved Art. 8(13)"
    )
    assert (findings.loc[0, "family"], findings.loc[0, "article"]) == ("reservation", "Art. 8(13)")


def test_res001_same_request_passes_without_reservation(make_requests, make_parties, parties_in_force,
                                                        make_ctx, run):
    ctx = make_ctx(make_requests([TRAFFIC]), parties=_parties(make_parties, parties_in_force, "false"))
    result, findings = run("RES001", ctx)
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 1, 0)
    assert findings.empty


def test_res001_leaves_requests_outside_the_protocol_to_com003(make_requests, make_parties, parties_in_force,
                                                               make_ctx, run):
    ctx = make_ctx(make_requests([{**TRAFFIC, "issued_at": "2022-12-01"}]),
                   parties=_parties(make_parties, parties_in_force))
    result, findings = run("RES001", ctx)
    assert result.outcome == "not_evaluated" and findings.empty
    assert run("COM003", ctx)[0].failed == 1


def test_res001_unknown_reservation_is_unknown(make_requests, make_parties, parties_in_force, make_ctx, run):
    parties = _parties(make_parties, parties_in_force, **{NO_PROFILE_PARTY: {"cets224_ratified_at": "2022-06-01"}})
    requests = make_requests([TRAFFIC, {**TRAFFIC, "receiving_party": NO_PROFILE_PARTY}])
    result, _ = run("RES001", make_ctx(requests, parties=parties))
    assert (result.outcome, result.evaluated, result.unknown) == ("fail", 1, 1)
    assert "no art8_traffic_reserved value" in result.reason


def test_res001_not_evaluated_without_art8_traffic_requests(make_requests, make_parties, parties_in_force,
                                                            make_ctx, run):
    result, _ = run("RES001", make_ctx(make_requests([{}]), parties=_parties(make_parties, parties_in_force)))
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
