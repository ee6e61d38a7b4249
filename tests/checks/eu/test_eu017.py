"""EU017: Art. 10(4) data produced under an emergency EPOC deleted after the enforcing authority's
objection within 96 h of the notification. Notified 2026-09-01 10:00 UTC: 96 h = 2026-09-05 10:00 UTC.
Objection 2026-09-05: with eu_objection_deletion_days = 2, a deletion is due by 2026-09-07."""

NOTIFIED = "2026-09-01T10:00:00Z"
OBJECTED = "2026-09-05T10:00:00Z"


def _e(objection=OBJECTED, **kw):
    return {"data_requested": "traffic", "emergency": "true", "notification_sent_at": NOTIFIED,
            "enforcing_objection_at": objection, **kw}


def _d(rid, outcome="disclosed"):
    return {"request_id": rid, "responded_at": "2026-09-01T20:00:00Z", "outcome": outcome}


def _del(rid, at):
    return {"request_id": rid, "event": "deleted", "at": at}


def test_eu017_deletion_deadline_policy_boundary(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_e()), epoc(**_e()), epoc(**_e())], disclosures=[_d("R1"), _d("R2"), _d("R3", "partial")],
                 events=[_del("R1", "2026-09-07T23:00:00Z"), _del("R2", "2026-09-08T08:00:00Z")])
    result, findings = run("EU017", ctx)
    assert (result.evaluated, result.failed, result.advisory) == (3, 2, 1)
    assert findings["request_id"].tolist() == ["R2", "R3"]
    assert findings["kind"].tolist() == ["advisory", "breach"]
    assert findings.loc[0, "message"] == (
        "Data produced under emergency EPOC R2 (FR → IE, provider cloudbox), objected to by the enforcing "
        "authority on 2026-09-05 10:00 UTC, were deleted 3 days after the objection (policy: 2 days)")
    assert findings.loc[1, "message"].endswith("have no 'deleted' custody event 117 days after the objection")


def test_eu017_no_deletion_is_judged_once_the_grace_has_run(epoc, eu_ctx, run):
    rows, disc = [epoc(**_e())], [_d("R1")]
    assert run("EU017", eu_ctx(rows, disclosures=disc, events=[], as_of="2026-09-07T23:59:00Z"))[0].outcome \
        == "not_evaluated"
    result, findings = run("EU017", eu_ctx(rows, disclosures=disc, events=[], as_of="2026-09-08"))
    assert (result.failed, findings.loc[0, "kind"]) == (1, "breach")


def test_eu017_deletion_before_the_objection_does_not_count(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_e())], disclosures=[_d("R1")],
                 events=[_del("R1", "2026-09-04T10:00:00Z"), {"request_id": "R1", "event": "accessed",
                                                             "at": "2026-09-06T10:00:00Z"}])
    assert run("EU017", ctx)[0].failed == 1


def test_eu017_objection_window_boundary_96_hours(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_e("2026-09-05T10:00:00Z")), epoc(**_e("2026-09-05T10:00:01Z"))],
                 disclosures=[_d("R1"), _d("R2")], events=[])
    result, findings = run("EU017", ctx)
    assert (result.evaluated, result.failed) == (1, 1)
    assert findings["request_id"].tolist() == ["R1"]


def test_eu017_out_of_scope_near_misses(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_e(emergency="false")),  # not an emergency
                  epoc(**_e()),  # objection but nothing produced (refused)
                  epoc(**_e(enforcing_objection_at=None))],  # no objection
                 disclosures=[_d("R1"), _d("R2", "refused"), _d("R3")], events=[])
    result, _ = run("EU017", ctx)
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")


def test_eu017_unknown_without_notification_time(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_e(notification_sent_at=None))], disclosures=[_d("R1")], events=[])
    result, _ = run("EU017", ctx)
    assert result.unknown == 1 and "notification_sent_at not recorded" in result.reason


def test_eu017_grace_is_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_e())], disclosures=[_d("R1")], events=[_del("R1", "2026-09-08T08:00:00Z")],
                 params={"eu_objection_deletion_days": 5})
    assert run("EU017", ctx)[0].failed == 0


def test_eu017_rationale_says_which_part_is_advisory():
    from auditor.engine.registry import get

    check = get("EU017")
    assert check.kind == "mixed" and "advisory" in check.rationale


def test_eu017_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(**_e())], disclosures=[_d("R1")], events=[], parties=not_bound("IE"))
    assert run("EU017", ctx)[0].outcome == "not_evaluated"


def test_eu017_not_evaluated_without_inputs(epoc, eu_ctx, run):
    result, _ = run("EU017", eu_ctx([epoc(**_e())], disclosures=[_d("R1")]))
    assert result.outcome == "not_evaluated" and "custody_events" in result.reason
    ctx = eu_ctx([epoc(**_e())], disclosures=[_d("R1")], events=[], absent={"requests": ["enforcing_objection_at"]})
    result, _ = run("EU017", ctx)
    assert result.outcome == "not_evaluated" and "requests.enforcing_objection_at" in result.reason
