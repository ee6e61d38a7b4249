"""EU018: Art. 17(1)-(2) reasoned objection within 10 days of receipt. Received 2026-09-01 15:00 UTC:
day 10 = 2026-09-11, day 11 = 2026-09-12."""


def test_eu018_boundary_day_10_vs_11(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(reasoned_objection_at="2026-09-11T23:59:00Z"),
                  epoc(reasoned_objection_at="2026-09-12T00:00:00Z"),
                  epoc(reasoned_objection_at="2026-09-01T16:00:00Z")])
    result, findings = run("EU018", ctx)
    assert (result.evaluated, result.failed) == (3, 1)
    assert findings.loc[0, "message"] == (
        "EPOC R2 (FR → IE, provider cloudbox): reasoned objection raised on day 11 after receipt (limit 10 days)")
    assert (findings.loc[0, "article"], findings.loc[0, "kind"]) == ("Art. 17(1)-(2)", "breach")


def test_eu018_only_orders_with_an_objection(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc(instrument="eu_epoc_pr", deadline_at=None, reasoned_objection_at="2026-10-30")])
    result, _ = run("EU018", ctx)
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")


def test_eu018_limit_is_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(reasoned_objection_at="2026-09-11T10:00:00Z")], params={"eu_reasoned_objection_days": 5})
    assert run("EU018", ctx)[0].failed == 1


def test_eu018_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(reasoned_objection_at="2026-10-30")], parties=not_bound("IE"))
    assert run("EU018", ctx)[0].outcome == "not_evaluated"


def test_eu018_not_evaluated(epoc, eu_ctx, run):
    result, _ = run("EU018", eu_ctx([epoc(provider_received_at=None, reasoned_objection_at="2026-10-30")]))
    assert result.outcome == "not_evaluated" and "provider_received_at not recorded" in result.reason
    result, _ = run("EU018", eu_ctx([epoc()], absent={"requests": ["reasoned_objection_at"]}))
    assert result.outcome == "not_evaluated" and "requests.reasoned_objection_at" in result.reason
