"""EU004: an EPOC for traffic or content data is issued or validated by a judge, court or
investigating judge; a prosecutor alone does not suffice (Art. 4(2))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, code, code_list, in_scope, na_why, traffic_or_content


@check(
    id="EU004",
    rule_id="EU1543-4.2",
    title="EPOCs for traffic or content data are issued or validated by a judge, court or investigating judge",
    title_fr="Les EPOC portant sur des données relatives au trafic ou au contenu sont émis ou validés par un juge",
    instrument=EU,
    article="Art. 4(2)",
    family="supervision",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope asking for traffic or content data",
    rationale=(
        "Under Art. 4(2) a European Production Order for traffic data (other than data requested only "
        "to identify the user) or content data may be issued only by a judge, a court or an "
        "investigating judge, or by another competent authority when one of them validates it. Unlike "
        "Art. 4(1), a public prosecutor does not suffice, as issuer or as validator. The authority "
        "types that suffice are the pack parameter eu_art4_2_authority_types."
    ),
    remediation="Have traffic and content orders issued or validated by a judge or court and record validating_authority(_type).",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) for {data_requested} data was issued by a {authority_type} authority and validated by {validator}; Art. 4(2) needs a judge or court",
    requires={"requests": ("instrument", "data_requested", "authority_type", "validating_authority_type")},
    params=("eu_applies_from", "eu_art4_2_authority_types"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    allowed = code_list(ctx.param("eu_art4_2_authority_types"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[traffic_or_content(pop)]
    issuer = code(pop["authority_type"])
    validator = code(pop["validating_authority_type"])
    ok = (issuer.isin(allowed).fillna(False) | validator.isin(allowed).fillna(False)).astype(bool)
    unknown = ~ok & issuer.isna()
    why = na_why(pop.index).mask(unknown, "authority_type not recorded")
    return result(pop, (~ok).astype("boolean").mask(unknown), authority_type=pop["authority_type"],
                  validator=pop["validating_authority_type"].astype("string").fillna("no one"),
                  data_requested=pop["data_requested"], why=why)
