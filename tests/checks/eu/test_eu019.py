"""EU019: Art. 19(1) EPOCs and EPOC-PRs sent through the decentralised IT system (advisory)."""


def test_eu019_channel(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(channel="eu_decentralised"), epoc(channel="provider_portal"),
                  epoc(instrument="eu_epoc_pr", deadline_at=None, channel="direct"), epoc(channel=None)])
    result, findings = run("EU019", ctx)
    assert (result.evaluated, result.failed, result.unknown, result.advisory) == (3, 2, 1, 2)
    assert result.outcome == "advisory"
    assert findings["request_id"].tolist() == ["R2", "R3"]
    assert set(findings["kind"]) == {"advisory"}
    assert findings.loc[0, "message"] == (
        "eu_epoc R2 (FR → IE, provider cloudbox) was sent by channel 'provider_portal', not the decentralised "
        "IT system")
    assert findings.loc[1, "message"].startswith("eu_epoc_pr R3 ")


def test_eu019_says_why_it_is_advisory():
    from auditor.engine.registry import get

    check = get("EU019")
    assert check.kind == "advisory" and "advisory" in check.rationale and "19(5)" in check.rationale


def test_eu019_profile_off_and_pre_application_orders(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(channel="direct")], parties=not_bound("IE"))
    assert run("EU019", ctx)[0].outcome == "not_evaluated"
    ctx = eu_ctx([epoc(channel="direct", issued_at="2026-08-17T09:00:00Z")])  # EU001's
    assert run("EU019", ctx)[0].outcome == "not_evaluated"


def test_eu019_not_evaluated(epoc, eu_ctx, run):
    result, _ = run("EU019", eu_ctx([epoc(channel=None)]))
    assert result.outcome == "not_evaluated" and "channel not recorded" in result.reason
    result, _ = run("EU019", eu_ctx([epoc(channel="direct")], absent={"requests": ["channel"]}))
    assert result.outcome == "not_evaluated" and "requests.channel" in result.reason
