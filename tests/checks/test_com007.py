"""COM007: Art. 8 requests for subscriber information to a Party that declared under Art. 7(8)
follow an Art. 7 order or explain why (traffic-only requests are outside 7(8))."""

import pytest

NO_PROFILE_PARTY = "BR"


def _parties(make_parties, declared="true"):
    return make_parties([{"party": "US", "art8_prior_art7_required": declared}])


def _requests(make_requests, *art8):
    return make_requests([{"instrument": "cets224_art7"}, *({"instrument": "cets224_art8", **r} for r in art8)])


def test_com007_passes_after_art7_order_or_with_reason(make_requests, make_parties, make_ctx, run):
    # R1, the Art. 7 order, is outside the check's scope: it is found with ctx.linked_requests
    requests = _requests(make_requests, {"linked_request_id": "R1"},
                         {"no_prior_attempt_reason": "provider known not to answer direct orders"})
    result, findings = run("COM007", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.failed) == ("pass", 2, 0)
    assert findings.empty


def test_com007_fails_without_prior_order_or_reason(make_requests, make_parties, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art7"}, {"instrument": "cets224_art8"},
        {"instrument": "cets224_art8", "linked_request_id": "R9"},  # R9 does not exist
        {"instrument": "mla"},
        {"instrument": "cets224_art8", "linked_request_id": "R4"},  # R4 is mutual assistance, not Art. 7
    ])
    result, findings = run("COM007", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 3, 3)
    assert findings["request_id"].tolist() == ["R2", "R3", "R5"]
    assert findings.loc[0, "message"] == (
        "Art. 8 request R2 (FR → US) for subscriber information neither follows an Art. 7 order nor explains "
        "why; US declared under Art. 7(8)"
    )


@pytest.mark.parametrize("data,judged", [
    ("traffic", 0), ("subscriber;traffic", 1), ("subscriber", 1), ("ip_identification", 1),
])
def test_com007_only_requests_seeking_subscriber_information(make_requests, make_parties, make_ctx, run,
                                                             data, judged):
    result, findings = run("COM007", make_ctx(_requests(make_requests, {"data_requested": data}),
                                              parties=_parties(make_parties)))
    assert (result.evaluated, result.failed) == (judged, judged)
    if not judged:
        assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
        assert findings.empty


def test_com007_ip_identification_follows_the_pack_parameter(make_requests, make_parties, make_ctx, run):
    ctx = make_ctx(_requests(make_requests, {"data_requested": "ip_identification"}),
                   parties=_parties(make_parties), params={"art7_ip_identification_is_subscriber": False})
    result, _ = run("COM007", ctx)
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"


def test_com007_same_request_out_of_scope_without_declaration(make_requests, make_parties, make_ctx, run):
    result, findings = run("COM007", make_ctx(_requests(make_requests, {}), parties=_parties(make_parties, "false")))
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
    assert findings.empty


def test_com007_unknown_declaration_is_unknown(make_requests, make_parties, make_ctx, run):
    requests = _requests(make_requests, {"receiving_party": NO_PROFILE_PARTY}, {"linked_request_id": "R1"})
    result, _ = run("COM007", make_ctx(requests, parties=_parties(make_parties)))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "no art8_prior_art7_required value" in result.reason


def test_com007_not_evaluated_without_reason_column(make_requests, make_parties, make_ctx, run):
    ctx = make_ctx(_requests(make_requests, {}), parties=_parties(make_parties),
                   absent={"requests": ["no_prior_attempt_reason"]})
    result, _ = run("COM007", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.no_prior_attempt_reason" in result.reason
