"""EU015: Art. 4(3) EPOC-PR issuer or validator (UNCONFIRMED basis)."""

import pytest

PR = {"instrument": "eu_epoc_pr", "deadline_at": None}


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
        assert findings.loc[0, "legal_basis_status"] == "UNCONFIRMED"


def test_eu015_message_and_epocs_are_out(epoc, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, authority_type="police"), epoc(authority_type="police")])
    result, findings = run("EU015", ctx)
    assert (result.evaluated, result.failed) == (1, 1)
    assert findings.loc[0, "message"] == (
        "EPOC-PR R1 (FR → IE, provider cloudbox) was issued by a police authority and validated by no one; "
        "Art. 4(3) needs a judge, court or prosecutor")


def test_eu015_profile_off(epoc, not_bound, eu_ctx, run):
    ctx = eu_ctx([epoc(**PR, authority_type="police")], parties=not_bound("IE"))
    assert run("EU015", ctx)[0].outcome == "not_evaluated"


def test_eu015_not_evaluated(epoc, eu_ctx, run):
    result, _ = run("EU015", eu_ctx([epoc(**PR, authority_type=None)]))
    assert result.outcome == "not_evaluated" and "authority_type not recorded" in result.reason
