"""COM003: the Protocol is invoked only between Parties for which it is in force."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, result


@check(
    id="COM003",
    rule_id="CETS224-16",
    title="The Protocol is invoked only when it is in force for both the issuing and the receiving Party",
    title_fr="Le Protocole n'est invoqué que s'il est en vigueur pour les deux Parties",
    instrument=CETS,
    article="Art. 16",
    family="completeness",
    severity="high",
    duty="issuing_authority",
    notes="Who must act: the issuing authority: Art. 16 binds the Parties; the authority that invokes the Protocol in its request acts on the record.",
    legal_basis_status="R",
    scope=CETS_INSTRUMENTS,
    applies_to="requests with instrument cets224_art6 to cets224_art10",
    rationale=(
        "Under Art. 16(3)-(4) the Protocol enters into force on the first day of the month following three "
        "months after the fifth ratification, and for each later Party on the first day of the month "
        "following three months after its own. "
        "A request that invokes it before it binds both Parties has no treaty basis. In-force dates are "
        "computed from the ratification dates in the Party profiles (pack parameters "
        "cets224_ratifications_for_entry_into_force and cets224_entry_into_force_months)."
    ),
    remediation="Use mutual legal assistance or another applicable instrument until the Protocol is in force between both Parties.",
    message="Request {request_id} ({party} → {receiving_party}) invokes CETS 224 on {issued_on}, when it was not in force for {not_bound}",
    requires={"requests": ("instrument", "issued_at", "receiving_party")},
    params=("cets224_ratifications_for_entry_into_force", "cets224_entry_into_force_months"),
    profile_fields=("cets224_ratified_at",),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"].isin(CETS_INSTRUMENTS)]
    f_iss = ctx.profile(pop["issuing_party"], "cets224_in_force_from")
    f_rec = ctx.profile(pop["receiving_party"], "cets224_in_force_from")
    iss_ok = (f_iss <= pop["issued_at"]).fillna(False).astype(bool)
    rec_ok = (f_rec <= pop["issued_at"]).fillna(False).astype(bool)
    not_bound = pd.Series("", index=pop.index, dtype="string")
    not_bound = not_bound.where(iss_ok, pop["issuing_party"])
    not_bound = not_bound.where(rec_ok, (not_bound + " and " + pop["receiving_party"]).str.removeprefix(" and "))
    return result(pop, ~(iss_ok & rec_ok), issued_on=pop["issued_at"].dt.strftime("%Y-%m-%d"), not_bound=not_bound)
