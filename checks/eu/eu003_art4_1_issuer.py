"""EU003: an EPOC for subscriber or identification data is issued or validated by a judge, court,
investigating judge or prosecutor (Art. 4(1))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, code, code_list, in_scope, na_why, traffic_or_content


@check(
    id="EU003",
    rule_id="EU1543-4.1",
    title="EPOCs for subscriber or IP-identification data are issued or validated by a judge, court or prosecutor",
    title_fr="Les EPOC portant sur des données relatives aux abonnés ou d'identification sont émis ou validés par un juge ou un procureur",
    instrument=EU,
    article="Art. 4(1)",
    family="supervision",
    severity="high",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope asking only for subscriber, ip_identification or domain_registration data",
    rationale=(
        "Under Art. 4(1) a European Production Order for subscriber data or data requested only to "
        "identify the user may be issued by a judge, a court, an investigating judge or a public "
        "prosecutor, or by another competent investigating authority when one of them validates it. "
        "The authority types that suffice are the pack parameter eu_art4_1_authority_types."
    ),
    remediation="Have the order issued or validated by a judge, court or prosecutor and record validating_authority(_type).",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) for subscriber/identification data was issued by a {authority_type} authority and validated by {validator}; Art. 4(1) needs a judge, court or prosecutor",
    requires={"requests": ("instrument", "data_requested", "authority_type", "validating_authority_type")},
    params=("eu_applies_from", "eu_art4_1_authority_types"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    allowed = code_list(ctx.param("eu_art4_1_authority_types"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[~traffic_or_content(pop)]
    issuer = code(pop["authority_type"])
    validator = code(pop["validating_authority_type"])
    ok = (issuer.isin(allowed).fillna(False) | validator.isin(allowed).fillna(False)).astype(bool)
    unknown = ~ok & issuer.isna()
    why = na_why(pop.index).mask(unknown, "authority_type not recorded")
    return result(pop, (~ok).astype("boolean").mask(unknown), authority_type=pop["authority_type"],
                  validator=pop["validating_authority_type"].astype("string").fillna("no one"), why=why)
