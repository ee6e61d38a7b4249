"""EU016: Art. 10(2) notified traffic / content EPOC not produced before the end of the 10 days
unless the enforcing authority confirmed earlier. Received 2026-09-01 15:00 UTC: day 9 = 2026-09-10,
day 10 = 2026-09-11."""

NOTIFIED = "2026-09-01T10:00:00Z"
DAY9 = "2026-09-10T20:00:00Z"


def _n(**kw):
    return {"data_requested": "content", "notification_sent_at": NOTIFIED, **kw}


def _d(rid, at, outcome="disclosed"):
    return {"request_id": rid, "responded_at": at, "outcome": outcome}


def test_eu016_day_10_and_confirmation_boundaries(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_n()), epoc(**_n(enforcing_confirmed_at=DAY9)),
                  epoc(**_n(enforcing_confirmed_at="2026-09-10T20:00:01Z")), epoc(**_n()),
                  epoc(**_n(enforcing_confirmed_at="2026-09-05T10:00:00Z"))],
                 disclosures=[_d("R1", "2026-09-11T00:00:00Z"), _d("R2", DAY9), _d("R3", DAY9),
                              _d("R4", DAY9), _d("R5", "2026-09-06T10:00:00Z", "partial")])
    result, findings = run("EU016", ctx)
    assert (result.evaluated, result.failed, result.unknown) == (5, 2, 0)
    assert findings["request_id"].tolist() == ["R3", "R4"]
    assert findings.loc[0, "message"] == (
        "EPOC R3 (FR → IE, provider cloudbox) notified to the enforcing State was produced on day 9 after "
        "receipt, before the end of the 10-day period, before the enforcing authority's confirmation "
        "(2026-09-10 20:00 UTC)")
    assert findings.loc[1, "message"].endswith("with no confirmation from the enforcing authority")


def test_eu016_first_production_counts_and_refusals_do_not(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_n(enforcing_confirmed_at="2026-09-08T10:00:00Z")), epoc(**_n())],
                 disclosures=[_d("R1", "2026-09-05T10:00:00Z", "partial"), _d("R1", "2026-09-11T10:00:00Z"),
                              _d("R2", "2026-09-03T10:00:00Z", "refused")])
    result, findings = run("EU016", ctx)
    assert (result.evaluated, result.failed) == (1, 1)
    assert findings.loc[0, "message"].split(" was produced ")[1].startswith("on day 4 after receipt")


def test_eu016_out_of_scope_near_misses(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_n(emergency="true")),  # Art. 10(4), not 10(2)
                  epoc(data_requested="subscriber", notification_sent_at=NOTIFIED),  # no notification duty
                  epoc(data_requested="traffic"),  # not notified: 10(3)
                  epoc(**_n(instrument="eu_epoc_pr", deadline_at=None))],  # preservation order
                 disclosures=[_d(f"R{i}", "2026-09-02T10:00:00Z") for i in range(1, 5)])
    result, findings = run("EU016", ctx)
    assert (result.outcome, result.reason, len(findings)) == ("not_evaluated", "no applicable records in scope", 0)


def test_eu016_period_is_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_n())], disclosures=[_d("R1", "2026-09-11T10:00:00Z")], params={"eu_epoc_days": 12})
    result, _ = run("EU016", ctx)
    assert (result.unknown, result.failed) == (0, 1)
    ctx = eu_ctx([epoc(**_n())], disclosures=[_d("R1", "2026-09-11T10:00:00Z")])
    assert run("EU016", ctx)[0].failed == 0


def test_eu016_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(**_n(enforcing_confirmed_at="2026-09-10T21:00:00Z"))], disclosures=[_d("R1", DAY9)],
                 parties=not_bound("IE"))
    assert run("EU016", ctx)[0].outcome == "not_evaluated"


def test_eu016_not_evaluated_without_the_confirmation_column(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_n())], disclosures=[_d("R1", DAY9)], absent={"requests": ["enforcing_confirmed_at"]})
    result, _ = run("EU016", ctx)
    assert result.outcome == "not_evaluated" and "requests.enforcing_confirmed_at" in result.reason
    result, _ = run("EU016", eu_ctx([epoc(**_n(provider_received_at=None))], disclosures=[_d("R1", DAY9)]))
    assert result.outcome == "not_evaluated" and "provider_received_at not recorded" in result.reason
