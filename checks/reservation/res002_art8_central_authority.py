"""RES002: Art. 8 requests to a Party that declared under Art. 8(11) come from the central authority
or an authority mutually determined with it."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, in_force_between, result, unknown_why


@check(
    id="RES002",
    rule_id="CETS224-8.11",
    title="Art. 8 requests to a Party that declared under Art. 8(11) are sent by the central authority or a mutually determined authority",
    title_fr="Les demandes de l'art. 8 vers une Partie déclarante (art. 8(11)) sont transmises par l'autorité centrale ou une autorité convenue",
    instrument=CETS,
    article="Art. 8(11)",
    family="reservation",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("cets224_art8",),
    applies_to="cets224_art8 requests whose receiving Party's profile has art8_central_authority_required = true (Japan)",
    rationale=(
        "Under Art. 19(2) and 8(11) a Party may declare that Art. 8 requests must be submitted by the "
        "requesting Party's central authority \"or such other authority as mutually determined\". Japan "
        "made this declaration on ratification. A request sent through the central authority "
        "(channel = central_authority) complies; otherwise it complies only if it came from an authority "
        "agreed with the receiving Party (agreed_authority = true). agreed_authority false is a finding; "
        "empty, or the column absent, cannot be evaluated."
    ),
    remediation="Re-send the request through the central authority (channel = central_authority), or record that the sending authority was agreed with the receiving Party (agreed_authority).",
    message="Art. 8 request {request_id} ({party} → {receiving_party}) was sent via {channel} by an authority not agreed with {receiving_party}, which requires the central authority or a mutually determined authority (Art. 8(11))",
    requires={"requests": ("instrument", "channel")},
    profile_fields=("art8_central_authority_required",),
    notes=(
        "requests.agreed_authority is optional: without it only central-authority requests can be judged "
        "(others are unknown). Overlaps: requests that also fail COM003 (Protocol not in force) are reported "
        "by COM003 alone."
        " Who must act: the issuing authority: the declaration is the requested Party's; which authority sends the request is the requesting Party's act."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    art8 = r[r["instrument"] == "cets224_art8"]
    art8 = art8[in_force_between(ctx, art8)]
    required = ctx.profile(art8["receiving_party"], "art8_central_authority_required")
    pop = art8[required.fillna(True).astype(bool)]
    req = required[pop.index]
    central = (pop["channel"] == "central_authority").astype("boolean")
    if "agreed_authority" in ctx.present.get("requests", set()):
        agreed = pop["agreed_authority"].astype("boolean")
    else:
        agreed = pd.Series(pd.NA, index=pop.index, dtype="boolean")
    # compliant when central (True) or agreed (True); a finding only when neither can be
    ok = central.fillna(False) | agreed.fillna(False)
    failed = (~ok).astype("boolean").mask(~ok & (central.isna() | agreed.isna())).mask(req.isna())
    why = unknown_why(pop.index, req.isna(), "no art8_central_authority_required value in the receiving Party's profile")
    why = why.fillna(unknown_why(pop.index, ~ok & central.isna() & agreed.notna(), "channel not recorded"))
    why = why.fillna(unknown_why(pop.index, ~ok & agreed.isna(),
                                 "not sent via the central authority, and agreed_authority not recorded"))
    return result(pop, failed, channel=pop["channel"].astype("string").fillna("an unrecorded channel"), why=why)
