"""EU001: EPOC/EPOC-PR issued before the Regulation applies (Art. 34(2), 18 Aug 2026)."""


def test_eu001_boundary_17_vs_18_august(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(issued_at="2026-08-17T23:59:59Z"), epoc(issued_at="2026-08-18T00:00:00Z"),
                  epoc(instrument="eu_epoc_pr", issued_at="2026-03-01T10:00:00Z")])
    result, findings = run("EU001", ctx)
    assert (result.outcome, result.evaluated, result.failed) == ("fail", 3, 2)
    assert findings["request_id"].tolist() == ["R1", "R3"]
    assert findings.loc[0, "message"] == (
        "eu_epoc R1 (FR → IE, provider cloudbox) was issued on 2026-08-17 23:59 UTC, "
        "before Regulation (EU) 2023/1543 applies (2026-08-18)")
    assert (findings["instrument"] == "EU 2023/1543").all() and (findings["article"] == "Art. 34(2)").all()


def test_eu001_date_is_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(issued_at="2026-08-20T10:00:00Z")], params={"eu_applies_from": "2026-09-01"})
    result, findings = run("EU001", ctx)
    assert (result.outcome, result.failed) == ("fail", 1)


def test_eu001_flags_pre_application_orders_whatever_the_profile(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(issued_at="2026-05-01T10:00:00Z")], parties=not_bound("IE"))
    result, _ = run("EU001", ctx)
    assert (result.outcome, result.failed) == ("fail", 1)


def test_eu001_not_evaluated_without_eu_orders(epoc, eu_ctx, run):
    result, findings = run("EU001", eu_ctx([epoc(instrument="mla")]))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    assert findings.empty


def test_eu001_pre_application_order_is_not_double_counted(epoc, eu_ctx, run):
    """A pre-application traffic EPOC by a prosecutor with no notification: only EU001 reports it."""
    row = epoc(issued_at="2026-05-01T10:00:00Z", data_requested="traffic", authority_type="prosecutor",
               necessity_rationale=None)
    ctx = eu_ctx([row])
    counts = {c: len(run(c, ctx)[1]) for c in ("EU001", "EU002", "EU004", "EU005", "EU008")}
    assert counts == {"EU001": 1, "EU002": 0, "EU004": 0, "EU005": 0, "EU008": 0}
