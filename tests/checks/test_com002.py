"""COM002: no Art. 7 order goes to a provider in a Party that reserved Art. 7 (Art. 7(9)(a)).
Reservations only bind between Parties for which the Protocol is in force, so these scenarios use
in-force ratifications; an order that also fails COM003 is left to COM003."""

NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown


def _parties(make_parties, parties_in_force, **extra):
    return make_parties(parties_in_force(extra))


def test_com002_passes_when_receiving_party_has_no_reservation(make_requests, make_parties, parties_in_force,
                                                               make_ctx, run):
    parties = _parties(make_parties, parties_in_force, US={"art7_reserved": "false"})
    result, findings = run("COM002", make_ctx(make_requests([{}]), parties=parties))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_com002_fails_when_same_order_goes_to_reserving_party(make_requests, make_parties, parties_in_force,
                                                              make_ctx, run):
    parties = _parties(make_parties, parties_in_force, US={"art7_reserved": "true"})
    result, findings = run("COM002", make_ctx(make_requests([{}]), parties=parties))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert ("Art. 7 order R1 (FR → examplemail) was sent to a provider in US, which reserved Art. 7"
            in findings.loc[0, "message"])


def test_com002_fails_for_order_to_japan_from_shipped_profiles(make_requests, make_parties, parties_in_force,
                                                               make_ctx, run):
    # the shipped profiles record Japan's Art. 19(1)/7(9)(a) reservation and its 2023 ratification
    requests = make_requests([{"receiving_party": "JP", "provider": "jpmail"}, {"instrument": "cets224_art8",
                                                                                 "receiving_party": "JP"}])
    result, findings = run("COM002", make_ctx(requests, parties=_parties(make_parties, parties_in_force)))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 1, 1)
    assert findings["request_id"].tolist() == ["R1"]
    assert "provider in JP" in findings.loc[0, "message"]


def test_com002_leaves_orders_outside_the_protocol_to_com003(make_requests, make_parties, parties_in_force,
                                                             make_ctx, run):
    # same order to Japan, but issued before the Protocol bound FR and JP: one finding, COM003's
    requests = make_requests([{"receiving_party": "JP", "provider": "jpmail", "issued_at": "2023-01-15"}])
    ctx = make_ctx(requests, parties=_parties(make_parties, parties_in_force))
    result, findings = run("COM002", ctx)
    assert result.outcome == "not_evaluated" and findings.empty
    result, findings = run("COM003", ctx)
    assert result.outcome == "fail" and findings["request_id"].tolist() == ["R1"]


def test_com002_unknown_reservation_is_unknown(make_requests, make_parties, parties_in_force, make_ctx, run):
    requests = make_requests([{}, {"receiving_party": NO_PROFILE_PARTY}])
    parties = _parties(make_parties, parties_in_force, US={"art7_reserved": "false"},
                       **{NO_PROFILE_PARTY: {"cets224_ratified_at": "2022-06-01"}})
    result, findings = run("COM002", make_ctx(requests, parties=parties))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "no art7_reserved value" in result.reason
    assert findings.empty


def test_com002_not_evaluated_without_party_profiles_in_force(make_requests, make_ctx, run):
    # shipped profiles alone: the Protocol is not in force (three ratifications), so nothing to evaluate
    result, findings = run("COM002", make_ctx(make_requests([{"receiving_party": "JP", "provider": "jpmail"}])))
    assert result.outcome == "not_evaluated" and findings.empty
