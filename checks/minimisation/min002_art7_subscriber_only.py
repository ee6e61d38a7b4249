"""MIN002: Art. 7 orders seek subscriber information only."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, result


@check(
    id="MIN002",
    rule_id="CETS224-7.1",
    title="Art. 7 direct orders seek stored subscriber information only",
    title_fr="Les injonctions directes de l'art. 7 ne visent que des informations relatives aux abonnés",
    instrument=CETS,
    article="Art. 7(1)",
    family="minimisation",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="P",
    scope=("cets224_art7",),
    applies_to="cets224_art7 requests",
    rationale=(
        "Art. 7 lets an authority order a provider abroad directly, without the host Party's review, "
        "only for subscriber information. Traffic data, content or domain registration data asked for "
        "by an Art. 7 order have no basis in that article and must go through Art. 8, 6 or mutual "
        "assistance."
    ),
    remediation="Limit Art. 7 orders to subscriber information; seek other categories through Art. 8 or mutual legal assistance.",
    message="Art. 7 order {request_id} ({party} → {provider}) asks for {beyond}, which Art. 7 does not cover",
    requires={"requests": ("instrument", "data_requested")},
    params=("art7_ip_identification_is_subscriber",),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art7"]
    not_allowed = ["traffic", "content", "domain_registration"]
    if not ctx.param("art7_ip_identification_is_subscriber"):
        not_allowed.append("ip_identification")
    beyond = pd.Series("", index=pop.index, dtype="string")
    failed = pd.Series(False, index=pop.index)
    for cat in not_allowed:
        hit = pop[f"req_{cat}"].fillna(False).astype(bool)
        failed |= hit
        beyond = beyond.where(~hit, beyond + ", " + cat)
    return result(pop, failed, beyond=beyond.str.lstrip(", "))
