"""PRO002: Art. 7 orders into a Party that declared under 7(2)(b) are issued or supervised by a
prosecutor, judicial or other independent authority."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, SUPERVISING_TYPES, result


@check(
    id="PRO002",
    rule_id="CETS224-7.2.b",
    title="Art. 7 orders to providers in a declaring Party are issued or supervised by a prosecutor, judge or independent authority",
    title_fr="Les injonctions de l'art. 7 visant un fournisseur d'une Partie déclarante sont émises ou supervisées par un procureur, un juge ou une autorité indépendante",
    instrument=CETS,
    article="Art. 7(2)(b)",
    family="supervision",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    applies_to="cets224_art7 requests whose receiving Party's profile has art7_supervision_required = true",
    rationale=(
        "Under Art. 7(2)(b) a Party may declare that orders to providers on its territory must be issued "
        "by, or under the supervision of, a prosecutor or other judicial authority, or under other "
        "independent supervision. An order from a police or administrative authority without such "
        "supervision is not one the host Party agreed to enable."
    ),
    remediation=(
        "Have orders to providers in declaring Parties issued or validated by a prosecutor, judge or "
        "independent authority, and record it (authority_type / validating_authority_type)."
    ),
    message="Art. 7 order {request_id} ({party} → {receiving_party}, provider {provider}) was issued by a {authority_type} authority with no prosecutorial, judicial or independent supervision recorded, but {receiving_party} requires it",
    requires={"requests": ("instrument", "authority_type")},
    profile_fields=("art7_supervision_required",),
)
def evaluate(ctx):
    r = ctx.requests
    art7 = r[r["instrument"] == "cets224_art7"]
    required = ctx.profile(art7["receiving_party"], "art7_supervision_required")
    pop = art7[required.fillna(True).astype(bool)]
    req = required[pop.index]
    supervised = pop["authority_type"].isin(SUPERVISING_TYPES) | pop["validating_authority_type"].isin(SUPERVISING_TYPES)
    failed = (~supervised).astype("boolean").mask(req.isna())
    why = pd.Series(pd.NA, index=pop.index, dtype="string").mask(
        req.isna(), "no art7_supervision_required value in the receiving Party's profile"
    )
    return result(pop, failed, authority_type=pop["authority_type"].fillna("unrecorded"), why=why)
