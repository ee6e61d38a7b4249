"""RES003: no subscriber-only Art. 9 request goes to a Party that declared under Art. 9(1)(b)."""

NO_PROFILE_PARTY = "BR"
SUB_ONLY = {"instrument": "cets224_art9", "data_requested": "subscriber", "emergency": "true"}


def _parties(make_parties, parties_in_force, refused="true", **extra):
    return make_parties(parties_in_force({"US": {"art9_subscriber_only_refused": refused}, **extra}))


def test_res003_fails_for_subscriber_only_request_to_declaring_party(make_requests, make_parties,
                                                                     parties_in_force, make_ctx, run):
    requests = make_requests([SUB_ONLY, {**SUB_ONLY, "data_requested": "subscriber;traffic"}])
    result, findings = run("RES003", make_ctx(requests, parties=_parties(make_parties, parties_in_force)))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 1, 1)
    assert findings.loc[0, "message"] == (
        "Art. 9 request R1 (FR → US) seeks only subscriber information, which US declared it will not execute "
        "(Art. 9(1)(b))"
    )


def test_res003_same_request_passes_without_declaration(make_requests, make_parties, parties_in_force,
                                                        make_ctx, run):
    ctx = make_ctx(make_requests([SUB_ONLY]), parties=_parties(make_parties, parties_in_force, "false"))
    assert run("RES003", ctx)[0].outcome == "pass"


def test_res003_unknown_declaration_is_unknown(make_requests, make_parties, parties_in_force, make_ctx, run):
    parties = _parties(make_parties, parties_in_force, **{NO_PROFILE_PARTY: {"cets224_ratified_at": "2022-06-01"}})
    requests = make_requests([{**SUB_ONLY, "receiving_party": NO_PROFILE_PARTY}])
    result, _ = run("RES003", make_ctx(requests, parties=parties))
    assert (result.outcome, result.unknown) == ("not_evaluated", 1)
    assert "no art9_subscriber_only_refused value" in result.reason


def test_res003_leaves_requests_outside_the_protocol_to_com003(make_requests, make_parties, parties_in_force,
                                                               make_ctx, run):
    ctx = make_ctx(make_requests([{**SUB_ONLY, "issued_at": "2022-12-01"}]),
                   parties=_parties(make_parties, parties_in_force))
    assert run("RES003", ctx)[0].outcome == "not_evaluated"
