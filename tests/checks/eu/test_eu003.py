"""EU003: Art. 4(1) issuer or validator for subscriber / identification EPOCs."""

import pytest


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
