"""PRO003: request scope (identifiers, time range) within the pack's proportionality thresholds."""

import pytest

BASE = {"identifiers_count": "1", "data_time_from": "2025-01-01", "data_time_to": "2025-02-01",
        "offence_max_penalty_years": "5"}


@pytest.mark.parametrize("count,failed", [("10", 0), ("11", 1)])
def test_pro003_bulk_threshold_boundary(make_requests, make_ctx, run, count, failed):
    result, findings = run("PRO003", make_ctx(make_requests([{**BASE, "identifiers_count": count}])))
    assert (result.evaluated, result.failed) == (1, failed)
    if failed:
        assert findings.loc[0, "message"] == (
            "Request R1 (FR → US) exceeds the proportionality thresholds: 11 identifiers (bulk threshold 10)"
        )


@pytest.mark.parametrize("penalty,to,failed", [
    ("5", "2026-01-01", 0), ("5", "2026-01-02", 1),   # serious offence: 365 vs 366 days
    ("2", "2025-06-30", 0), ("2", "2025-07-01", 1),   # other offence: 180 vs 181 days
])
def test_pro003_time_range_by_offence_seriousness(make_requests, make_ctx, run, penalty, to, failed):
    requests = make_requests([{**BASE, "offence_max_penalty_years": penalty, "data_time_to": to}])
    assert run("PRO003", make_ctx(requests))[0].failed == failed


def test_pro003_reports_both_excesses_in_one_finding(make_requests, make_ctx, run):
    requests = make_requests([{**BASE, "identifiers_count": "500", "data_time_to": "2027-01-01"}])
    _, findings = run("PRO003", make_ctx(requests))
    assert len(findings) == 1
    assert findings.loc[0, "message"].endswith("500 identifiers (bulk threshold 10); 730 days of data (limit 365)")


def test_pro003_thresholds_can_be_changed_per_audit(make_requests, make_ctx, run):
    requests = make_requests([{**BASE, "identifiers_count": "11"}])
    assert run("PRO003", make_ctx(requests, params={"proportionality_bulk_identifiers": 20}))[0].outcome == "pass"


def test_pro003_unknown_penalty_or_scope_is_unknown(make_requests, make_ctx, run):
    requests = make_requests([{**BASE, "offence_max_penalty_years": None},
                              {"identifiers_count": None}, {"instrument": "mla", **BASE, "identifiers_count": "99"}])
    result, _ = run("PRO003", make_ctx(requests))
    assert (result.outcome, result.unknown) == ("not_evaluated", 2)


def test_pro003_not_evaluated_when_column_absent(make_requests, make_ctx, run):
    result, _ = run("PRO003", make_ctx(make_requests([BASE]), absent={"requests": ["identifiers_count"]}))
    assert result.outcome == "not_evaluated" and "requests.identifiers_count" in result.reason
