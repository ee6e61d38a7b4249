"""TIM001: Art. 8 orders are served on the provider within art8_serve_days (45) of transmission."""

import pytest

TRANSMITTED = "2025-03-01T10:00:00Z"  # + 45 calendar days = 2025-04-15


def _art8(make_requests, served_at=None, **extra):
    return make_requests([{"instrument": "cets224_art8", "data_requested": "traffic",
                           "transmitted_at": TRANSMITTED, "served_at": served_at, **extra}])


@pytest.mark.parametrize("served_at", ["2025-03-20T10:00:00Z", "2025-04-15T23:59:59Z"])
def test_tim001_passes_when_served_by_day_45(make_requests, make_ctx, run, served_at):
    result, findings = run("TIM001", make_ctx(_art8(make_requests, served_at)))
    assert result.outcome == "pass"
    assert (result.evaluated, result.passed, result.failed) == (1, 1, 0)
    assert findings.empty


def test_tim001_fails_when_served_on_day_46(make_requests, make_ctx, run):
    result, findings = run("TIM001", make_ctx(_art8(make_requests, "2025-04-16T00:00:00Z")))
    assert result.outcome == "fail"
    assert len(findings) == 1
    assert findings.loc[0, "request_id"] == "R1"
    assert ("Art. 8 request R1 (FR → US, provider examplemail) was served 46 days after transmission "
            "(limit 45)") in findings.loc[0, "message"]


def test_tim001_passes_when_unserved_but_still_on_day_45(make_requests, make_ctx, run):
    result, _ = run("TIM001", make_ctx(_art8(make_requests), as_of="2025-04-15"))
    assert result.outcome == "pass"
    assert result.evaluated == 1


def test_tim001_fails_when_unserved_on_day_46(make_requests, make_ctx, run):
    result, findings = run("TIM001", make_ctx(_art8(make_requests), as_of="2025-04-16"))
    assert result.outcome == "fail"
    assert findings["request_id"].tolist() == ["R1"]
    assert "has not been served 46 days after transmission (limit 45)" in findings.loc[0, "message"]


def test_tim001_pack_parameter_changes_the_limit(make_requests, make_ctx, run):
    result, _ = run("TIM001", make_ctx(_art8(make_requests, "2025-04-16T00:00:00Z"), params={"art8_serve_days": 46}))
    assert result.outcome == "pass"


def test_tim001_unknown_without_transmission_time(make_requests, make_ctx, run):
    requests = make_requests([
        {"instrument": "cets224_art8", "served_at": "2025-03-05"},
        {"instrument": "cets224_art8", "transmitted_at": TRANSMITTED, "served_at": "2025-03-05"},
    ])
    result, _ = run("TIM001", make_ctx(requests))
    assert (result.outcome, result.evaluated, result.unknown) == ("pass", 1, 1)
    assert "transmitted_at not recorded" in result.reason


def test_tim001_not_evaluated_without_art8_requests(make_requests, make_ctx, run):
    result, _ = run("TIM001", make_ctx(make_requests([{"instrument": "cets224_art7", "transmitted_at": TRANSMITTED}])))
    assert result.outcome == "not_evaluated"
    assert result.reason == "no applicable records in scope"


def test_tim001_not_evaluated_when_served_at_column_absent(make_requests, make_ctx, run):
    result, _ = run("TIM001", make_ctx(_art8(make_requests), absent={"requests": ["served_at"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.served_at" in result.reason
