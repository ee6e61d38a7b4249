"""PRO002: Art. 7 orders into a Party that declared under Art. 7(2)(b) are supervised."""

NO_PROFILE_PARTY = "BR"  # not in the shipped Party profiles: every profile value unknown


def _orders(make_requests):
    return make_requests([
        {"authority_type": "police", "receiving_party": "US"},
        {"authority_type": "prosecutor", "receiving_party": "GB"},
    ])


def test_pro002_passes_when_police_order_goes_to_party_without_declaration(make_requests, make_parties, make_ctx, run):
    parties = make_parties([
        {"party": "US", "art7_supervision_required": "false"},
        {"party": "GB", "art7_supervision_required": "true"},
    ])
    result, findings = run("PRO002", make_ctx(_orders(make_requests), parties=parties))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)  # only the GB order is in scope
    assert findings.empty


def test_pro002_fails_when_same_police_order_goes_to_declaring_party(make_requests, make_parties, make_ctx, run):
    parties = make_parties([
        {"party": "US", "art7_supervision_required": "true"},
        {"party": "GB", "art7_supervision_required": "true"},
    ])
    result, findings = run("PRO002", make_ctx(_orders(make_requests), parties=parties))
    assert result.outcome == "fail"
    assert (result.evaluated, result.failed) == (2, 1)
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    msg = findings.loc[0, "message"]
    assert "Art. 7 order R1 (FR → US, provider examplemail) was issued by a police authority" in msg
    assert "but US requires it" in msg


def test_pro002_passes_when_police_order_is_validated_by_a_judge(make_requests, make_parties, make_ctx, run):
    requests = make_requests([{"authority_type": "police", "validating_authority_type": "judge"}])
    parties = make_parties([{"party": "US", "art7_supervision_required": "true"}])
    result, findings = run("PRO002", make_ctx(requests, parties=parties))
    assert result.outcome == "pass"
    assert (result.evaluated, result.failed) == (1, 0)


def test_pro002_fails_when_authority_type_is_unrecorded(make_requests, make_parties, make_ctx, run):
    requests = make_requests([{}])
    parties = make_parties([{"party": "US", "art7_supervision_required": "true"}])
    result, findings = run("PRO002", make_ctx(requests, parties=parties))
    assert result.outcome == "fail"
    assert "was issued by a unrecorded authority" in findings.loc[0, "message"]


def test_pro002_counts_unknown_declaration_as_unknown(make_requests, make_parties, make_ctx, run):
    requests = make_requests([
        {"authority_type": "police", "receiving_party": NO_PROFILE_PARTY},
        {"authority_type": "prosecutor", "receiving_party": "GB"},
    ])
    parties = make_parties([{"party": "GB", "art7_supervision_required": "true"}])
    result, findings = run("PRO002", make_ctx(requests, parties=parties))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed, result.unknown) == (1, 1, 0, 1)
    assert "art7_supervision_required" in result.reason
    assert findings.empty


def test_pro002_not_evaluated_when_only_unknown_declarations(make_requests, make_ctx, run):
    requests = make_requests([{"authority_type": "police", "receiving_party": NO_PROFILE_PARTY}])
    result, _ = run("PRO002", make_ctx(requests))
    assert result.outcome == "not_evaluated"
    assert result.reason.startswith("no record could be evaluated")
    assert result.unknown == 1


def test_pro002_not_evaluated_when_no_receiving_party_declared(make_requests, make_parties, make_ctx, run):
    parties = make_parties([
        {"party": "US", "art7_supervision_required": "false"},
        {"party": "GB", "art7_supervision_required": "false"},
    ])
    result, _ = run("PRO002", make_ctx(_orders(make_requests), parties=parties))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_pro002_not_evaluated_when_authority_type_column_absent(make_requests, make_ctx, run):
    result, _ = run("PRO002", make_ctx(make_requests([{}]), absent={"requests": ["authority_type"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.authority_type" in result.reason
