"""EU003: an EPOC for subscriber or identification data is issued, or validated, by a judge, court,
investigating judge or prosecutor (Art. 4(1)); in an emergency an order issued without prior
validation is validated within 48 hours (Art. 4(5))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, code_list, in_scope, issuer_or_validator, traffic_or_content


@check(
    id="EU003",
    rule_id="EU1543-4.1",
    title="EPOCs for subscriber or IP-identification data are issued by a judge, court or prosecutor, or validated by one in time",
    title_fr="Les EPOC portant sur des données relatives aux abonnés ou d'identification sont émis ou validés à temps par un juge ou un procureur",
    instrument=EU,
    article="Art. 4(1)",
    family="supervision",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope asking only for subscriber, ip_identification or domain_registration data",
    rationale=(
        "Under Art. 4(1) a European Production Order for subscriber data or data requested only to "
        "identify the user is issued by a judge, a court, an investigating judge or a public "
        "prosecutor, or (point (b)) by another competent investigating authority and validated by one "
        "of them. The validation precedes the order: a validated_at after the order was sent "
        "(transmitted_at, else issued_at) is a finding; without validated_at the recorded validator is "
        "accepted. Art. 4(5): in a validly established emergency (emergency = true) such an order may "
        "be issued without prior validation but is validated ex post without undue delay, at the latest "
        "within 48 hours (eu_validation_hours) of issue: a later validated_at is a finding, an empty one "
        "is unknown, and an emergency order with no validator of a sufficient type is a finding once "
        "as_of is past the 48 hours (not judged before). The authority types that suffice are "
        "eu_art4_1_authority_types."
    ),
    remediation="Have the order issued or validated by a judge, court or prosecutor before it is sent (in an emergency within 48 hours of issue) and record validating_authority(_type) and validated_at.",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) for subscriber/identification data was issued by a {authority_type} authority {state}",
    requires={"requests": ("instrument", "data_requested", "authority_type", "validating_authority_type")},
    params=("eu_applies_from", "eu_art4_1_authority_types", "eu_validation_hours"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "Art. 4(5) covers orders of Art. 4(1)(b) (subscriber / identification data) and 4(3)(b) "
        "(EPOC-PR, EU015) only: a traffic or content EPOC (Art. 4(2)) is never issued without prior "
        "validation, so EU004 has no emergency exception. validated_at is optional: absent or empty "
        "outside an emergency means the validation is recorded but not its time."
    ),
)
def evaluate(ctx):
    allowed = code_list(ctx.param("eu_art4_1_authority_types"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[~traffic_or_content(pop)]
    pop, failed, state, why = issuer_or_validator(ctx, pop, allowed, "Art. 4(1)", "a judge, court or prosecutor")
    return result(pop, failed, authority_type=pop["authority_type"], state=state, why=why)
