"""EU015: an EPOC-PR is issued, or validated, by a judge, court, investigating judge or prosecutor
(Art. 4(3)); in an emergency an order issued without prior validation is validated within 48 hours
(Art. 4(5))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, code_list, in_scope, issuer_or_validator


@check(
    id="EU015",
    rule_id="EU1543-4.3",
    title="EPOC-PRs are issued by a judge, court, investigating judge or prosecutor, or validated by one in time",
    title_fr="Les EPOC-PR sont émis ou validés à temps par un juge ou un procureur",
    instrument=EU,
    article="Art. 4(3)",
    family="supervision",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("eu_epoc_pr",),
    applies_to="eu_epoc_pr requests in the Regulation's scope",
    rationale=(
        "Art. 4(3): a European Preservation Order, for any data category, is issued by a judge, a "
        "court, an investigating judge or a public prosecutor, or (point (b)) by another competent "
        "investigating authority and validated by one of them. The validation precedes the order: a "
        "validated_at after the order was sent (transmitted_at, else issued_at) is a finding; without "
        "validated_at the recorded validator is accepted. Art. 4(5): in a validly established "
        "emergency (emergency = true) the order may be issued without prior validation but is "
        "validated ex post without undue delay, at the latest within 48 hours (eu_validation_hours) of "
        "issue: a later validated_at is a finding, an empty one is unknown, and an emergency order with "
        "no validator of a sufficient type is a finding once as_of is past the 48 hours (not judged "
        "before). The authority types that suffice are eu_art4_3_authority_types."
    ),
    remediation="Have preservation orders issued or validated by a judge, court or prosecutor before they are sent (in an emergency within 48 hours of issue) and record validating_authority(_type) and validated_at.",
    message="EPOC-PR {request_id} ({party} → {receiving_party}, provider {provider}) was issued by a {authority_type} authority {state}",
    requires={"requests": ("instrument", "authority_type", "validating_authority_type")},
    params=("eu_applies_from", "eu_art4_3_authority_types", "eu_validation_hours"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "Art. 4(5) covers orders of Art. 4(1)(b) (EU003) and 4(3)(b) only, not traffic or content "
        "EPOCs under Art. 4(2) (EU004). Status C: Art. 4(3) and 4(5) are confirmed in "
        "legal-requirements.md §8. validated_at is optional: absent or empty outside an emergency means "
        "the validation is recorded but not its time."
    ),
)
def evaluate(ctx):
    allowed = code_list(ctx.param("eu_art4_3_authority_types"))
    pop = in_scope(ctx, ("eu_epoc_pr",))
    pop, failed, state, why = issuer_or_validator(ctx, pop, allowed, "Art. 4(3)", "a judge, court or prosecutor")
    return result(pop, failed, authority_type=pop["authority_type"], state=state, why=why)
