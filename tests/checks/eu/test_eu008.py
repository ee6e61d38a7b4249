"""EU008: Art. 8(1)-(2) enforcing State notified at the same time, unless the 8(2) exception."""

SENT = "2026-09-01T10:00:00Z"


def _t(notified, **kw):
    return {"data_requested": "content", "transmitted_at": SENT, "notification_sent_at": notified, **kw}


def test_eu008_boundary_one_hour(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_t("2026-09-01T10:00:00Z")), epoc(**_t("2026-09-01T11:00:00Z")),
                  epoc(**_t("2026-09-01T11:00:01Z")), epoc(**_t("2026-09-01T09:00:00Z"))])
    result, findings = run("EU008", ctx)
    assert (result.evaluated, result.failed) == (4, 1)
    assert findings.loc[0, "request_id"] == "R3"
    assert findings.loc[0, "message"] == (
        "EPOC R3 (FR → IE, provider cloudbox) for content data notified the enforcing State 1.0 h after "
        "it was sent (tolerance 1 h)")
    assert findings.loc[0, "kind"] == "advisory"  # late against the policy tolerance
    assert (result.outcome, result.advisory) == ("advisory", 1)


def test_eu008_missing_notification_and_the_8_2_exception(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_t(None)), epoc(**_t(None, art8_2_exception="true")),
                  epoc(**_t(None, art8_2_exception="false"))])
    result, findings = run("EU008", ctx)
    assert (result.evaluated, result.failed) == (3, 2)
    assert findings["request_id"].tolist() == ["R1", "R3"]
    assert "no notification of the enforcing State and no Art. 8(2) exception recorded" in findings.loc[0, "message"]
    assert findings["kind"].tolist() == ["breach", "breach"]  # no notification at all
    assert (result.outcome, result.advisory) == ("fail", 0)


def test_eu008_missing_notification_judged_once_the_tolerance_has_run(epoc, eu_ctx, run):
    row = epoc(**_t(None))
    assert run("EU008", eu_ctx([row], as_of="2026-09-01T11:00:00Z"))[0].outcome == "not_evaluated"
    result, findings = run("EU008", eu_ctx([row], as_of="2026-09-01T11:00:01Z"))
    assert (result.failed, findings.loc[0, "kind"]) == (1, "breach")


def test_eu008_rationale_says_which_part_is_advisory():
    from auditor.engine.registry import get

    check = get("EU008")
    assert check.kind == "mixed" and "advisory" in check.rationale


def test_eu008_exception_column_absent_means_not_recorded(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_t(None, art8_2_exception="true"))], absent={"requests": ["art8_2_exception"]})
    assert run("EU008", ctx)[0].failed == 1


def test_eu008_subscriber_and_identification_need_no_notification(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(data_requested="subscriber;ip_identification", notification_sent_at=None)])
    assert run("EU008", ctx)[0].outcome == "not_evaluated"


def test_eu008_tolerance_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_t("2026-09-01T20:00:00Z"))], params={"eu_notification_tolerance_hours": 24})
    assert run("EU008", ctx)[0].failed == 0


def test_eu008_profile_off(epoc, not_bound, eu_ctx, run):
    assert run("EU008", eu_ctx([epoc(**_t(None))], parties=not_bound("IE")))[0].outcome == "not_evaluated"


def test_eu008_not_evaluated_without_notification_column(epoc, eu_ctx, run):
    result, _ = run("EU008", eu_ctx([epoc(**_t(None))], absent={"requests": ["notification_sent_at"]}))
    assert result.outcome == "not_evaluated" and "notification_sent_at" in result.reason
