"""COM010: an Art. 9 emergency request goes from 24/7 point of contact to 24/7 point of contact (Art. 9(1)(a))."""

import pytest

ART9 = {"instrument": "cets224_art9", "data_requested": "content", "emergency": "true"}


def test_com010_passes_through_the_24_7_network(make_requests, make_ctx, run):
    result, findings = run("COM010", make_ctx(make_requests([{**ART9, "channel": "network_24_7"}])))
    assert (result.outcome, result.evaluated, result.passed, result.failed) == ("pass", 1, 1, 0)
    assert findings.empty


@pytest.mark.parametrize("channel", ["direct", "central_authority", "provider_portal", "eu_decentralised", "other"])
def test_com010_fails_for_every_other_channel(make_requests, make_ctx, run, channel):
    requests = make_requests([{**ART9, "channel": "network_24_7"}, {**ART9, "channel": channel}])
    result, findings = run("COM010", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 2, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert findings.loc[0, "message"] == (
        f"Art. 9 emergency request R2 (FR → US) was sent via {channel}, "
        "not from 24/7 point of contact to 24/7 point of contact"
    )
    assert findings.loc[0, "kind"] == "breach"


def test_com010_empty_channel_is_unknown(make_requests, make_ctx, run):
    requests = make_requests([{**ART9, "channel": "network_24_7"}, {**ART9, "channel": None}])
    result, findings = run("COM010", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "channel not recorded" in result.reason
    assert findings.empty


def test_com010_art10_and_eu_requests_sent_directly_are_not_judged(make_requests, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art10", "channel": "direct", "emergency": "true"},
        {"instrument": "eu_epoc", "channel": "direct", "emergency": "true"},
        {"instrument": "mla", "channel": "central_authority"},
    ])
    result, findings = run("COM010", make_ctx(requests))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_com010_not_evaluated_when_channel_column_absent(make_requests, make_ctx, run):
    ctx = make_ctx(make_requests([{**ART9, "channel": "direct"}]), absent={"requests": ["channel"]})
    result, findings = run("COM010", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.channel" in result.reason
    assert findings.empty
