"""EU015: an EPOC-PR is issued or validated by a judge, court, investigating judge or prosecutor
(Art. 4(3))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, code, code_list, in_scope, na_why


@check(
    id="EU015",
    rule_id="EU1543-4.3",
    title="EPOC-PRs are issued or validated by a judge, court, investigating judge or prosecutor",
    title_fr="Les EPOC-PR sont émis ou validés par un juge ou un procureur",
    instrument=EU,
    article="Art. 4(3)",
    family="supervision",
    severity="high",
    legal_basis_status="UNCONFIRMED",
    scope=("eu_epoc_pr",),
    applies_to="eu_epoc_pr requests in the Regulation's scope",
    rationale=(
        "Art. 4(3) (UNCONFIRMED in the legal reference, recalled from the official text) lets a judge, "
        "court, investigating judge or public prosecutor issue a European Preservation Order for any "
        "data category, or validate one issued by another competent investigating authority. The "
        "authority types that suffice are the pack parameter eu_art4_3_authority_types."
    ),
    remediation="Have preservation orders issued or validated by a judge, court or prosecutor and record validating_authority(_type).",
    message="EPOC-PR {request_id} ({party} → {receiving_party}, provider {provider}) was issued by a {authority_type} authority and validated by {validator}; Art. 4(3) needs a judge, court or prosecutor",
    requires={"requests": ("instrument", "authority_type", "validating_authority_type")},
    params=("eu_applies_from", "eu_art4_3_authority_types"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    allowed = code_list(ctx.param("eu_art4_3_authority_types"))
    pop = in_scope(ctx, ("eu_epoc_pr",))
    issuer = code(pop["authority_type"])
    validator = code(pop["validating_authority_type"])
    ok = (issuer.isin(allowed).fillna(False) | validator.isin(allowed).fillna(False)).astype(bool)
    unknown = ~ok & issuer.isna()
    why = na_why(pop.index).mask(unknown, "authority_type not recorded")
    return result(pop, (~ok).astype("boolean").mask(unknown), authority_type=pop["authority_type"],
                  validator=pop["validating_authority_type"].astype("string").fillna("no one"), why=why)
