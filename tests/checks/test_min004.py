"""MIN004: an Art. 8 request seeks subscriber information and traffic data only (Art. 8(1))."""

import pytest

ART8 = {"instrument": "cets224_art8"}


@pytest.mark.parametrize("cats,failed", [
    ("subscriber", 0), ("subscriber;traffic", 0), ("ip_identification;traffic", 0),
    ("subscriber;content", 1), ("domain_registration", 1),
])
def test_min004_categories(make_requests, make_ctx, run, cats, failed):
    result, findings = run("MIN004", make_ctx(make_requests([{**ART8, "data_requested": cats}])))
    assert (result.evaluated, result.failed) == (1, failed)


def test_min004_message_names_what_is_outside_art8(make_requests, make_ctx, run):
    requests = make_requests([{**ART8, "data_requested": "content;domain_registration"}])
    _, findings = run("MIN004", make_ctx(requests))
    assert findings.loc[0, "message"] == (
        "Art. 8 request R1 (FR → US) seeks content and domain registration data, outside Art. 8(1)"
    )


def test_min004_art7_and_mla_are_out_of_scope(make_requests, make_ctx, run):
    requests = make_requests([{"data_requested": "content"}, {"instrument": "mla", "data_requested": "content"}])
    result, _ = run("MIN004", make_ctx(requests))
    assert result.outcome == "not_evaluated" and result.reason == "no applicable records in scope"
