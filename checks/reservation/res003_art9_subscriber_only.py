"""RES003: no subscriber-only Art. 9 emergency request goes to a Party that declared under Art. 9(1)(b)."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, in_force_between, result, unknown_why


@check(
    id="RES003",
    rule_id="CETS224-9.1.b",
    title="No Art. 9 request seeking only subscriber information goes to a Party that declared under Art. 9(1)(b)",
    title_fr="Aucune demande de l'art. 9 visant uniquement des informations sur l'abonné n'est adressée à une Partie déclarante (art. 9(1)(b))",
    instrument=CETS,
    article="Art. 9(1)(b)",
    family="reservation",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art9",),
    applies_to="cets224_art9 requests for subscriber information only",
    rationale=(
        "Under Art. 19(2) and 9(1)(b) a Party may declare that it will not execute emergency requests "
        "seeking only subscriber information. Such a request to it should use Art. 7 or Art. 8 instead."
    ),
    remediation="Use an Art. 7 order or an Art. 8 request for subscriber information to a declaring Party.",
    message="Art. 9 request {request_id} ({party} → {receiving_party}) seeks only subscriber information, which {receiving_party} declared it will not execute (Art. 9(1)(b))",
    requires={"requests": ("instrument", "data_requested")},
    profile_fields=("art9_subscriber_only_refused",),
    notes=(
        "Overlaps: requests that also fail COM003 (Protocol not in force) are reported by COM003 alone."
        " Who must act: the issuing authority: the declaration is the requested Party's; sending a request it refuses is the issuer's act."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    only_sub = r["req_subscriber"].fillna(False) & ~(
        r["req_traffic"].fillna(False) | r["req_content"].fillna(False) | r["req_ip_identification"].fillna(False)
        | r["req_domain_registration"].fillna(False)
    )
    pop = r[(r["instrument"] == "cets224_art9") & only_sub]
    pop = pop[in_force_between(ctx, pop)]
    refused = ctx.profile(pop["receiving_party"], "art9_subscriber_only_refused")
    why = unknown_why(pop.index, refused.isna(), "no art9_subscriber_only_refused value in the receiving Party's profile")
    return result(pop, refused.astype("boolean"), why=why)
