"""RES002: Art. 8 requests to a Party that declared under Art. 8(11) go through the central authority."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, in_force_between, result, unknown_why


@check(
    id="RES002",
    rule_id="CETS224-8.11",
    title="Art. 8 requests to a Party that declared under Art. 8(11) are sent through the central authority",
    title_fr="Les demandes de l'art. 8 vers une Partie déclarante (art. 8(11)) passent par l'autorité centrale",
    instrument=CETS,
    article="Art. 8(11)",
    family="reservation",
    severity="medium",
    legal_basis_status="C",
    scope=("cets224_art8",),
    applies_to="cets224_art8 requests whose receiving Party's profile has art8_central_authority_required = true (Japan)",
    rationale=(
        "Under Art. 19(2) and 8(11) a Party may declare that requests under Art. 8 must be submitted by "
        "the requesting Party's central authority or another mutually agreed authority. Japan made this "
        "declaration on ratification. A request sent another way is not one the Party agreed to receive."
    ),
    remediation="Re-send the request through the central authority (channel = central_authority).",
    message="Art. 8 request {request_id} ({party} → {receiving_party}) was sent via {channel}, but {receiving_party} requires the central authority (Art. 8(11))",
    requires={"requests": ("instrument", "channel")},
    profile_fields=("art8_central_authority_required",),
    notes="Overlaps: requests that also fail COM003 (Protocol not in force) are reported by COM003 alone.",
)
def evaluate(ctx):
    r = ctx.requests
    art8 = r[r["instrument"] == "cets224_art8"]
    art8 = art8[in_force_between(ctx, art8)]
    required = ctx.profile(art8["receiving_party"], "art8_central_authority_required")
    pop = art8[required.fillna(True).astype(bool)]
    req = required[pop.index]
    unknown = req.isna() | pop["channel"].isna()
    failed = (pop["channel"] != "central_authority").astype("boolean").mask(unknown)
    why = unknown_why(pop.index, req.isna(), "no art8_central_authority_required value in the receiving Party's profile")
    why = why.fillna(unknown_why(pop.index, pop["channel"].isna(), "channel not recorded"))
    return result(pop, failed, channel=pop["channel"], why=why)
