"""EU011: Art. 11(1) EPOC-PR: 60 days unless confirmed, one 30-day extension within the 60 days.
Received 2026-09-01 15:00 UTC: day 60 = 2026-10-31, day 61 = 2026-11-01, day 90 = 2026-11-30."""

PR = {"instrument": "eu_epoc_pr", "deadline_at": None}


def _prod(pr_id, issued):
    return {"request_id": f"P-{pr_id}", "linked_request_id": pr_id, "issued_at": issued,
            "transmitted_at": issued, "provider_received_at": issued}


def test_eu011_confirmation_boundary_day_60_vs_61(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR), epoc(**PR), epoc(**_prod("R1", "2026-10-31T12:00:00Z")),
                  epoc(**_prod("R2", "2026-11-01T09:00:00Z"))])
    result, findings = run("EU011", ctx)
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings.loc[0, "message"] == (
        "EPOC-PR R2 (FR → IE, provider cloudbox): production confirmed on day 61, after the preservation "
        "period of 60 days")


def test_eu011_extension_in_time_gives_90_days(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_extended_at="2026-10-31T10:00:00Z"),
                  epoc(**PR, preservation_extended_at="2026-10-31T10:00:00Z"),
                  epoc(**_prod("R1", "2026-11-30T10:00:00Z")), epoc(**_prod("R2", "2026-12-01T10:00:00Z"))])
    result, findings = run("EU011", ctx)
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings.loc[0, "request_id"] == "R2"
    assert "after the preservation period of 90 days" in findings.loc[0, "message"]


def test_eu011_late_extension(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_extended_at="2026-11-01T10:00:00Z")])
    result, findings = run("EU011", ctx)
    assert result.failed == 1
    assert findings.loc[0, "message"].endswith("extension asked on day 61 (after day 60)")


def test_eu011_release_after_the_period_without_confirmation(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_released_at="2026-10-31T10:00:00Z"),
                  epoc(**PR, preservation_released_at="2026-11-01T10:00:00Z"),
                  epoc(**PR, preservation_released_at="2027-01-15T10:00:00Z"),
                  epoc(**_prod("R3", "2026-10-20T10:00:00Z"))], as_of="2027-02-01")
    result, findings = run("EU011", ctx)
    assert (result.evaluated, result.failed) == (3, 1)
    assert findings.loc[0, "request_id"] == "R2"
    assert "preserved until day 61 without timely confirmation (period 60 days)" in findings.loc[0, "message"]


def test_eu011_one_finding_per_order_even_with_several_problems(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_extended_at="2026-11-05T10:00:00Z",
                       preservation_released_at="2026-12-20T10:00:00Z")])
    result, findings = run("EU011", ctx)
    assert (result.failed, len(findings)) == (1, 1)


def test_eu011_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_extended_at="2026-11-05T10:00:00Z")], parties=not_bound("IE"))
    assert run("EU011", ctx)[0].outcome == "not_evaluated"


def test_eu011_not_evaluated(epoc, eu_ctx, run):
    result, _ = run("EU011", eu_ctx([epoc(**PR, provider_received_at=None)]))
    assert result.outcome == "not_evaluated" and "provider_received_at" in result.reason
    result, _ = run("EU011", eu_ctx([epoc(**PR)], absent={"requests": ["preservation_extended_at"]}))
    assert result.outcome == "not_evaluated" and "preservation_extended_at" in result.reason
