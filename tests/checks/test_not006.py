"""NOT006: the host Party informs the issuer promptly of a stop instruction (Art. 7(5)(d)); late = advisory,
never informed once the policy period has run = breach, not yet due = not judged."""

import pytest

INSTRUCTED = "2025-03-05T10:00:00Z"  # host_instruction_notice_days = 3: informed by 2025-03-08


def _ctx(make_requests, make_ctx, informed, as_of="2026-06-30", params=None, **req):
    requests = make_requests([{"host_instruction_at": INSTRUCTED, "issuer_informed_at": informed, **req}])
    return make_ctx(requests, as_of=as_of, params=params)


@pytest.mark.parametrize("informed", ["2025-03-05T09:00:00Z", "2025-03-05T23:00:00Z", "2025-03-08T23:59:59Z"])
def test_not006_passes_when_informed_within_the_period(make_requests, make_ctx, run, informed):
    result, findings = run("NOT006", _ctx(make_requests, make_ctx, informed))
    assert (result.outcome, result.evaluated, result.passed, result.failed) == ("pass", 1, 1, 0)
    assert findings.empty


def test_not006_late_information_is_advisory(make_requests, make_ctx, run):
    result, findings = run("NOT006", _ctx(make_requests, make_ctx, "2025-03-09T00:00:00Z"))
    assert (result.outcome, result.evaluated, result.failed, result.advisory) == ("advisory", 1, 1, 1)
    assert findings.loc[0, "kind"] == "advisory"
    assert findings.loc[0, "message"] == (
        "Art. 7 order R1 (FR → US): the issuer was informed 4 day(s) after US instructed the provider not "
        "to disclose on 2025-03-05 10:00 UTC (prompt-information period 3 days)"
    )


def test_not006_never_informed_after_the_period_is_a_breach(make_requests, make_ctx, run):
    result, findings = run("NOT006", _ctx(make_requests, make_ctx, None, as_of="2025-03-09"))
    assert (result.outcome, result.evaluated, result.failed, result.advisory) == ("fail", 1, 1, 0)
    assert findings.loc[0, "kind"] == "breach"
    assert findings.loc[0, "message"] == (
        "Art. 7 order R1 (FR → US): the issuer has not been informed 4 day(s) after US instructed the "
        "provider not to disclose on 2025-03-05 10:00 UTC (prompt-information period 3 days)"
    )


def test_not006_not_yet_informed_inside_the_period_is_not_judged(make_requests, make_ctx, run):
    result, findings = run("NOT006", _ctx(make_requests, make_ctx, None, as_of="2025-03-08T23:00:00Z"))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert (result.evaluated, result.unknown) == (0, 0)
    assert findings.empty


def test_not006_period_is_the_policy_parameter(make_requests, make_ctx, run):
    params = {"host_instruction_notice_days": 0}
    assert run("NOT006", _ctx(make_requests, make_ctx, "2025-03-05T23:59:00Z", params=params))[0].outcome == "pass"
    result, findings = run("NOT006", _ctx(make_requests, make_ctx, "2025-03-06T00:00:00Z", params=params))
    assert (result.outcome, result.advisory) == ("advisory", 1)
    assert "informed 1 day(s) after" in findings.loc[0, "message"]


def test_not006_orders_without_instruction_and_other_instruments_are_not_judged(make_requests, make_ctx, run):
    requests = make_requests([
        {},  # Art. 7 order without a stop instruction
        {"instrument": "cets224_art8", "host_instruction_at": INSTRUCTED},
        {"instrument": "eu_epoc", "host_instruction_at": INSTRUCTED},
    ])
    result, findings = run("NOT006", make_ctx(requests))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_not006_not_evaluated_when_information_column_absent(make_requests, make_ctx, run):
    ctx = make_ctx(make_requests([{"host_instruction_at": INSTRUCTED}]), absent={"requests": ["issuer_informed_at"]})
    result, findings = run("NOT006", ctx)
    assert result.outcome == "not_evaluated"
    assert "requests.issuer_informed_at" in result.reason
    assert findings.empty
