"""EU012: Art. 13 person informed within eu_person_notice_days (30) or a deferral recorded."""

RESP = "2026-09-05T10:00:00Z"


def _d(rid, **kw):
    return {"request_id": rid, "responded_at": RESP, "outcome": "disclosed", "data_disclosed": "subscriber", **kw}


def test_eu012_boundary_day_30_vs_31(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc()], disclosures=[_d("R1", user_notified_at="2026-10-05T10:00:00Z"),
                                                _d("R2", user_notified_at="2026-10-06T10:00:00Z")])
    result, findings = run("EU012", ctx)
    assert (result.evaluated, result.failed) == (2, 1)
    assert findings.loc[0, "record_id"] == "D2"
    assert findings.loc[0, "message"] == (
        "Data obtained by EPOC R2 (FR → IE, provider cloudbox) were notified to the person 31 days after "
        "the response (limit 30)")
    assert findings.loc[0, "kind"] == "advisory"  # late against the policy number
    assert (result.outcome, result.advisory) == ("advisory", 1)


def test_eu012_deferral_or_event_counts(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc(), epoc()],
                 disclosures=[_d("R1", notification_blocked_by="confidentiality_order"),
                              _d("R2", notification_blocked_by="none"), _d("R3")],
                 events=[{"request_id": "R3", "event": "subject_notified", "at": "2026-10-01T10:00:00Z"}])
    result, findings = run("EU012", ctx)
    assert (result.evaluated, result.failed) == (3, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert "have not been notified to the person 117 days after the response" in findings.loc[0, "message"]
    assert findings.loc[0, "kind"] == "breach"  # no notice and no deferral at all
    assert (result.outcome, result.advisory) == ("fail", 0)


def test_eu012_no_notice_is_a_breach_from_day_31(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc()], disclosures=[_d("R1")], as_of="2026-10-05T23:00:00Z")
    assert run("EU012", ctx)[0].outcome == "not_evaluated"  # day 30: not yet due
    result, findings = run("EU012", eu_ctx([epoc()], disclosures=[_d("R1")], as_of="2026-10-06"))
    assert (result.failed, findings.loc[0, "kind"]) == (1, "breach")
    assert findings.loc[0, "message"].endswith("have not been notified to the person 31 days after the "
                                               "response, and no deferral is recorded")


def test_eu012_rationale_says_which_part_is_advisory():
    from auditor.engine.registry import get

    check = get("EU012")
    assert check.kind == "mixed" and "advisory" in check.rationale


def test_eu012_custody_events_without_notices(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc()], disclosures=[_d("R1")], events=[{"request_id": "R1", "event": "accessed"}])
    result, findings = run("EU012", ctx)
    assert (result.outcome, result.failed) == ("fail", 1)


def test_eu012_not_yet_due_and_refusals_are_out(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(), epoc()], disclosures=[_d("R1"), _d("R2", outcome="refused", data_disclosed=None)],
                 as_of="2026-10-05")
    assert run("EU012", ctx)[0].outcome == "not_evaluated"


def test_eu012_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc()], disclosures=[_d("R1")], parties=not_bound("IE"))
    assert run("EU012", ctx)[0].outcome == "not_evaluated"


def test_eu012_not_evaluated_without_notice_columns(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc()], disclosures=[_d("R1")], absent={"disclosures": ["user_notified_at"]})
    result, _ = run("EU012", ctx)
    assert result.outcome == "not_evaluated" and "disclosures.user_notified_at" in result.reason
