"""COM002: no Art. 7 order goes to a provider in a Party that reserved Art. 7."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, in_force_between, result


@check(
    id="COM002",
    rule_id="CETS224-7.9.a",
    title="No Art. 7 order is sent to a provider in a Party that reserved the right not to apply Art. 7",
    title_fr="Aucune injonction de l'art. 7 n'est adressée à un fournisseur d'une Partie ayant réservé l'art. 7",
    instrument=CETS,
    article="Art. 7(9)(a)",
    family="reservation",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("cets224_art7",),
    applies_to="cets224_art7 requests",
    rationale=(
        "Under Art. 19(1) and 7(9)(a) a Party may reserve the right not to apply Art. 7 (Japan did so on "
        "ratification, 10 Aug 2023). A direct order to a provider there has no basis in the Protocol; "
        "Art. 8 or mutual legal assistance must be used instead."
    ),
    remediation="Withdraw the direct order and send the request through Art. 8 or mutual legal assistance.",
    message="Art. 7 order {request_id} ({party} → {provider}) was sent to a provider in {receiving_party}, which reserved Art. 7 under Art. 7(9)(a)",
    requires={"requests": ("instrument", "receiving_party")},
    profile_fields=("art7_reserved",),
    notes=(
        "Overlaps: a reservation only has effect between Parties bound by the Protocol; an order "
        "that also fails COM003 (Protocol not in force) is reported by COM003 alone."
        " Who must act: the issuing authority: the reservation is the provider's Party's, but sending an order it excludes is the issuer's act."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art7"]
    pop = pop[in_force_between(ctx, pop)]
    reserved = ctx.profile(pop["receiving_party"], "art7_reserved")
    why = pd.Series(pd.NA, index=pop.index, dtype="string").mask(
        reserved.isna(), "no art7_reserved value in the receiving Party's profile"
    )
    return result(pop, reserved.astype("boolean"), why=why)
