"""COM002: no Art. 7 order goes to a provider in a Party that reserved Art. 7 (Art. 7(9)(a))."""

NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown


def test_com002_passes_when_receiving_party_has_no_reservation(make_requests, make_parties, make_ctx, run):
    parties = make_parties([{"party": "US", "art7_reserved": "false"}])
    result, findings = run("COM002", make_ctx(make_requests([{}]), parties=parties))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_com002_fails_when_same_order_goes_to_reserving_party(make_requests, make_parties, make_ctx, run):
    parties = make_parties([{"party": "US", "art7_reserved": "true"}])
    result, findings = run("COM002", make_ctx(make_requests([{}]), parties=parties))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert ("Art. 7 order R1 (FR → examplemail) was sent to a provider in US, which reserved Art. 7"
            in findings.loc[0, "message"])


def test_com002_fails_for_order_to_japan_from_shipped_profiles(make_requests, make_ctx, run):
    # the shipped profiles record Japan's Art. 19(1)/7(9)(a) reservation
    requests = make_requests([{"receiving_party": "JP", "provider": "jpmail"}, {"instrument": "cets224_art8",
                                                                                 "receiving_party": "JP"}])
    result, findings = run("COM002", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 1, 1)
    assert findings["request_id"].tolist() == ["R1"]
    assert "provider in JP" in findings.loc[0, "message"]


def test_com002_unknown_reservation_is_unknown(make_requests, make_parties, make_ctx, run):
    requests = make_requests([{}, {"receiving_party": NO_PROFILE_PARTY}])
    parties = make_parties([{"party": "US", "art7_reserved": "false"}])
    result, findings = run("COM002", make_ctx(requests, parties=parties))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "no art7_reserved value" in result.reason
    assert findings.empty


def test_com002_not_evaluated_without_art7_orders(make_requests, make_ctx, run):
    result, _ = run("COM002", make_ctx(make_requests([{"instrument": "cets224_art8", "receiving_party": "JP"}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_com002_not_evaluated_when_receiving_party_column_absent(make_requests, make_ctx, run):
    result, _ = run("COM002", make_ctx(make_requests([{}]), absent={"requests": ["receiving_party"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.receiving_party" in result.reason
