"""EU015: Art. 4(3) EPOC-PR issuer or validator, with the Art. 4(5) emergency validation within
48 hours. Issued 2026-09-01 09:00 UTC, sent 10:00 UTC."""

import pytest

PR = {"instrument": "eu_epoc_pr", "deadline_at": None}
SENT = "2026-09-01T10:00:00Z"


def _v(validated_at=None, emergency="false", issuer="police", validator="prosecutor", **kw):
    return {**PR, "data_requested": "content", "authority_type": issuer, "validating_authority": "Parquet",
            "validating_authority_type": validator, "validated_at": validated_at, "emergency": emergency, **kw}


@pytest.mark.parametrize(
    ("issuer", "validator", "failed"),
    [("judge", None, False), ("prosecutor", None, False), ("police", "prosecutor", False),
     ("police", None, True), ("administrative", "police", True)],
)
def test_eu015_issuer_or_validator_any_category(epoc, eu_ctx, run, issuer, validator, failed):
    row = epoc(**PR, data_requested="content", authority_type=issuer, validating_authority="V",
               validating_authority_type=validator)
    result, findings = run("EU015", eu_ctx([row]))
    assert (result.evaluated, result.failed) == (1, int(failed))
    if failed:
        assert findings.loc[0, "legal_basis_status"] == "C"


def test_eu015_message_and_epocs_are_out(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, authority_type="police"), epoc(authority_type="police")])
    result, findings = run("EU015", ctx)
    assert (result.evaluated, result.failed) == (1, 1)
    assert findings.loc[0, "message"] == (
        "EPOC-PR R1 (FR → IE, provider cloudbox) was issued by a police authority and validated by no one; "
        "Art. 4(3) needs a judge, court or prosecutor")


def test_eu015_validation_must_precede_sending(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_v(SENT)), epoc(**_v("2026-09-01T10:00:01Z")), epoc(**_v(None))])
    result, findings = run("EU015", ctx)
    assert (result.evaluated, result.failed) == (3, 1)
    assert findings.loc[0, "message"] == (
        "EPOC-PR R2 (FR → IE, provider cloudbox) was issued by a police authority and validated by a "
        "prosecutor only after it was sent (validated 2026-09-01 10:00:01 UTC, sent 2026-09-01 10:00:00 UTC); "
        "Art. 4(3) needs the validation before the order is sent")


def test_eu015_emergency_ex_post_validation_boundary_48_hours(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_v("2026-09-03T09:00:00Z", emergency="true")),
                  epoc(**_v("2026-09-03T09:00:01Z", emergency="true")),
                  epoc(**_v(None, emergency="true"))])
    result, findings = run("EU015", ctx)
    assert (result.evaluated, result.failed, result.unknown) == (2, 1, 1)
    assert findings["request_id"].tolist() == ["R2"]
    assert findings.loc[0, "message"].endswith(
        "in an emergency and validated ex post by a prosecutor on 2026-09-03 09:00:01 UTC, 48.0 h after issue; "
        "Art. 4(5) allows at most 48 h")


def test_eu015_emergency_without_validator_judged_after_48_hours(epoc, eu_ctx, run):
    row = epoc(**_v(None, emergency="true", validator=None))
    assert run("EU015", eu_ctx([row], as_of="2026-09-03T09:00:00Z"))[0].outcome == "not_evaluated"
    result, findings = run("EU015", eu_ctx([row], as_of="2026-09-03T09:00:01Z"))
    assert (result.evaluated, result.failed) == (1, 1)
    assert "Art. 4(5) needs validation by a judge, court or prosecutor within 48 h" in findings.loc[0, "message"]


def test_eu015_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, authority_type="police")], parties=not_bound("IE"))
    assert run("EU015", ctx)[0].outcome == "not_evaluated"


def test_eu015_not_evaluated(epoc, eu_ctx, run):
    result, _ = run("EU015", eu_ctx([epoc(**PR, authority_type=None)]))
    assert result.outcome == "not_evaluated" and "authority_type not recorded" in result.reason
