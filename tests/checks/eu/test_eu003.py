"""EU003: Art. 4(1) issuer or validator for subscriber / identification EPOCs, with the Art. 4(5)
emergency validation within 48 hours. Issued 2026-09-01 09:00 UTC, sent 10:00 UTC."""

import pytest

ISSUED = "2026-09-01T09:00:00Z"
SENT = "2026-09-01T10:00:00Z"


def _v(validated_at=None, emergency="false", issuer="police", validator="judge", **kw):
    return {"data_requested": "subscriber;ip_identification", "authority_type": issuer,
            "validating_authority": "Juge des libertés", "validating_authority_type": validator,
            "validated_at": validated_at, "emergency": emergency, **kw}


@pytest.mark.parametrize(
    ("issuer", "validator", "failed"),
    [("judge", None, False), ("prosecutor", None, False), ("police", "prosecutor", False),
     ("police", "judge", False), ("administrative", None, True), ("police", "police", True),
     ("independent", None, True)],
)
def test_eu003_issuer_or_validator(epoc, eu_ctx, run, issuer, validator, failed):
    row = epoc(data_requested="subscriber;ip_identification", authority_type=issuer,
               validating_authority="X", validating_authority_type=validator)
    result, findings = run("EU003", eu_ctx([row]))
    assert result.failed == int(failed) and result.evaluated == 1
    assert len(findings) == int(failed)


def test_eu003_message_and_scope(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(authority_type="police"), epoc(data_requested="traffic", authority_type="police")])
    result, findings = run("EU003", ctx)
    assert result.evaluated == 1  # the traffic order is EU004's
    assert findings.loc[0, "message"] == (
        "EPOC R1 (FR → IE, provider cloudbox) for subscriber/identification data was issued by a police "
        "authority and validated by no one; Art. 4(1) needs a judge, court or prosecutor")


def test_eu003_validation_must_precede_sending(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_v(SENT)), epoc(**_v("2026-09-01T10:00:01Z")), epoc(**_v("2026-09-01T08:00:00Z")),
                  epoc(**_v(None)),
                  # not transmitted: issued_at is the sending time
                  epoc(**_v(ISSUED, transmitted_at=None)), epoc(**_v("2026-09-01T09:01:00Z", transmitted_at=None))])
    result, findings = run("EU003", ctx)
    assert (result.evaluated, result.failed, result.unknown) == (6, 2, 0)
    assert findings["request_id"].tolist() == ["R2", "R6"]
    assert findings.loc[0, "message"] == (
        "EPOC R2 (FR → IE, provider cloudbox) for subscriber/identification data was issued by a police "
        "authority and validated by a judge only after it was sent (validated 2026-09-01 10:00:01 UTC, sent "
        "2026-09-01 10:00:00 UTC); Art. 4(1) needs the validation before the order is sent")
    assert set(findings["kind"]) == {"breach"}


def test_eu003_validated_at_absent_means_time_not_recorded(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_v("2026-09-05T10:00:00Z"))], absent={"requests": ["validated_at"]})
    result, _ = run("EU003", ctx)
    assert (result.evaluated, result.failed) == (1, 0)


def test_eu003_emergency_ex_post_validation_boundary_48_hours(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_v("2026-09-03T09:00:00Z", emergency="true")),
                  epoc(**_v("2026-09-03T09:00:01Z", emergency="true")),
                  epoc(**_v("2026-09-02T09:00:00Z", emergency="true"))])
    result, findings = run("EU003", ctx)
    assert (result.evaluated, result.failed) == (3, 1)
    assert findings.loc[0, "request_id"] == "R2"
    assert findings.loc[0, "message"] == (
        "EPOC R2 (FR → IE, provider cloudbox) for subscriber/identification data was issued by a police "
        "authority in an emergency and validated ex post by a judge on 2026-09-03 09:00:01 UTC, 48.0 h after issue; Art. 4(5) allows at "
        "most 48 h")


def test_eu003_emergency_validation_time_unknown(epoc, eu_ctx, run):
    result, findings = run("EU003", eu_ctx([epoc(**_v(None, emergency="true"))]))
    assert (result.outcome, result.unknown, len(findings)) == ("not_evaluated", 1, 0)
    assert "validated_at not recorded" in result.reason
    result, _ = run("EU003", eu_ctx([epoc(**_v(None, emergency="true"))], absent={"requests": ["validated_at"]}))
    assert result.unknown == 1


def test_eu003_emergency_without_validator_judged_after_48_hours(epoc, eu_ctx, run):
    row = epoc(**_v(None, emergency="true", validator=None))
    result, findings = run("EU003", eu_ctx([row], as_of="2026-09-03T09:00:00Z"))
    assert (result.outcome, result.reason) == ("not_evaluated", "no applicable records in scope")
    result, findings = run("EU003", eu_ctx([row], as_of="2026-09-03T09:00:01Z"))
    assert (result.evaluated, result.failed) == (1, 1)
    assert findings.loc[0, "message"] == (
        "EPOC R1 (FR → IE, provider cloudbox) for subscriber/identification data was issued by a police "
        "authority in an emergency and, 48.0 h after issue, validated by no one; Art. 4(5) needs validation "
        "by a judge, court or prosecutor within 48 h")


def test_eu003_emergency_issuer_judge_needs_no_validation(epoc, eu_ctx, run):
    result, _ = run("EU003", eu_ctx([epoc(**_v(None, emergency="true", issuer="judge", validator=None))]))
    assert (result.evaluated, result.failed) == (1, 0)


def test_eu003_validation_hours_are_a_pack_parameter(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**_v("2026-09-02T10:00:00Z", emergency="true"))], params={"eu_validation_hours": 24})
    assert run("EU003", ctx)[0].failed == 1


def test_eu003_art4_5_does_not_reach_traffic_orders(epoc, eu_ctx, run):
    """Art. 4(5) covers 4(1)(b) and 4(3)(b) only: an emergency traffic EPOC is EU004's, unchanged."""
    row = epoc(**_v("2026-09-05T10:00:00Z", emergency="true", data_requested="traffic"))
    assert run("EU003", eu_ctx([row]))[0].outcome == "not_evaluated"
    result, _ = run("EU004", eu_ctx([row]))
    assert (result.evaluated, result.failed) == (1, 0)


def test_eu003_profile_off_takes_it_out_of_scope(epoc, not_bound, eu_ctx, run):
    result, findings = run("EU003", eu_ctx([epoc(authority_type="police")], parties=not_bound("FR")))
    assert result.outcome == "not_evaluated" and findings.empty


def test_eu003_not_evaluated_without_issuer_type(epoc, eu_ctx, run):
    result, _ = run("EU003", eu_ctx([epoc(authority_type=None)]))
    assert result.outcome == "not_evaluated"
    assert "authority_type not recorded" in result.reason
    result, _ = run("EU003", eu_ctx([epoc()], absent={"requests": ["validating_authority_type"]}))
    assert result.outcome == "not_evaluated"
    assert "requests.validating_authority_type" in result.reason
