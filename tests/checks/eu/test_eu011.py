"""EU011: Art. 11(1) EPOC-PR: the one 30-day extension is asked within the first 60 days.
Received 2026-09-01 15:00 UTC: day 60 = 2026-10-31, day 61 = 2026-11-01."""

PR = {"instrument": "eu_epoc_pr", "deadline_at": None}


def test_eu011_extension_boundary_day_60_vs_61(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_extended_at="2026-10-31T23:59:00Z"),
                  epoc(**PR, preservation_extended_at="2026-11-01T00:00:00Z")])
    result, findings = run("EU011", ctx)
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings.loc[0, "message"] == (
        "EPOC-PR R2 (FR → IE, provider cloudbox): extension asked on day 61 after receipt (after day 60)")
    assert findings.loc[0, "kind"] == "breach"


def test_eu011_ending_a_preservation_is_not_a_finding(epoc, eu_ctx, run):
    """No extension: nothing to judge, whatever happened after day 60 (late confirmation, release)."""
    ctx = eu_ctx([epoc(**PR, preservation_released_at="2027-01-15T10:00:00Z"),
                  epoc(**PR),
                  epoc(request_id="P-R2", linked_request_id="R2", issued_at="2026-11-20T10:00:00Z",
                       transmitted_at="2026-11-20T10:00:00Z", provider_received_at="2026-11-20T10:00:00Z")],
                 as_of="2027-02-01")
    result, findings = run("EU011", ctx)
    assert (result.outcome, result.reason, len(findings)) == ("not_evaluated", "no applicable records in scope", 0)


def test_eu011_timely_extension_with_a_late_release_passes(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_extended_at="2026-10-20T10:00:00Z",
                       preservation_released_at="2027-01-20T10:00:00Z")], as_of="2027-02-01")
    result, _ = run("EU011", ctx)
    assert (result.evaluated, result.failed) == (1, 0)


def test_eu011_period_is_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_extended_at="2026-10-20T10:00:00Z")], params={"eu_preservation_days": 30})
    assert run("EU011", ctx)[0].failed == 1


def test_eu011_epocs_are_not_judged(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(preservation_extended_at="2026-12-20T10:00:00Z")])
    assert run("EU011", ctx)[0].outcome == "not_evaluated"


def test_eu011_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, preservation_extended_at="2026-11-05T10:00:00Z")], parties=not_bound("IE"))
    assert run("EU011", ctx)[0].outcome == "not_evaluated"


def test_eu011_not_evaluated(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, provider_received_at=None, preservation_extended_at="2026-11-05T10:00:00Z")])
    result, _ = run("EU011", ctx)
    assert result.outcome == "not_evaluated" and "provider_received_at" in result.reason
    result, _ = run("EU011", eu_ctx([epoc(**PR)], absent={"requests": ["preservation_extended_at"]}))
    assert result.outcome == "not_evaluated" and "preservation_extended_at" in result.reason
