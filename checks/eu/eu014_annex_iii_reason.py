"""EU014: every non-execution of an EPOC or EPOC-PR gives a reason from the Annex III list."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import EU_INSTRUMENTS, result
from checks.eu._common import EU, NON_EXECUTION, code, code_list, in_scope


@check(
    id="EU014",
    rule_id="EU1543-AnnexIII",
    title="Every refusal or 'no data' answer to an EPOC or EPOC-PR gives a reason from the Annex III list",
    title_fr="Chaque refus ou réponse « pas de données » à un EPOC ou EPOC-PR donne un motif de la liste de l'annexe III",
    instrument=EU,
    article="Annex III",
    family="completeness",
    severity="medium",
    duty="provider",
    legal_basis_status="C",
    scope=EU_INSTRUMENTS,
    applies_to="refused or no_data responses to eu_epoc and eu_epoc_pr requests in the Regulation's scope",
    rationale=(
        "When the addressee cannot comply it informs the issuing authority (and the enforcing "
        "authority, if notified) with the Annex III form, ticking one of its listed reasons (§D): the "
        "certificate is incomplete, contains manifest errors or lacks sufficient information; the data "
        "were not stored by or on behalf of the provider at receipt; other de facto impossibility; not "
        "issued or validated by an issuing authority as provided in Art. 4; a traffic or content EPOC "
        "issued for an offence not provided for in Art. 5(4); the service is not covered by the "
        "Regulation; immunities or privileges, or press and expression rules, of the enforcing State "
        "(Arts. 10(5), 11(4)); conflicting third-country law raised by a reasoned objection (Art. 17). "
        "The accepted codes are eu_annex3_reasons (compared case- and punctuation-insensitively with "
        "refusal_ground); extend the list in the pack if a form reason is missing."
    ),
    remediation="Ask the provider for the Annex III reason, and record it in refusal_ground using the pack's codes.",
    message="{outcome} response {record_id} to {instrument} {request_id} ({party} → {receiving_party}, provider {provider}) gives {ground}, not an Annex III reason",
    requires={"requests": ("instrument",), "disclosures": ("outcome", "refusal_ground")},
    params=("eu_applies_from", "eu_annex3_reasons"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "The official Annex III text was not readable in the stored sources: the six reasons of "
        "legal-requirements.md §4 are confirmed, the immunities and third-country-law grounds rest on "
        "Arts. 11(4) and 17, and the offence and service boxes on a stored third-party implementation "
        "of the form (pack status P). The form also has a free-text explanation; a reason given only "
        "there is not one of the listed codes and is reported."
        " Who must act: the provider: the addressee that cannot comply gives the Annex III reason; the issuing authority only records it."
    ),
)
def evaluate(ctx):
    reasons = code_list(ctx.param("eu_annex3_reasons"))
    scope = in_scope(ctx).set_index("request_id")["instrument"]
    d = ctx.tables["disclosures"]
    pop = d[d["outcome"].isin(NON_EXECUTION) & d["request_id"].isin(scope.index)]
    ok = code(pop["refusal_ground"]).isin(reasons).fillna(False).astype(bool)
    ground = ("reason '" + pop["refusal_ground"].astype("string") + "'").fillna("no reason")
    out = result(pop, ~ok, outcome=pop["outcome"], instrument=pop["request_id"].map(scope),
                 ground=ground)
    out["record_id"] = pop["disclosure_id"]
    return out
