"""EU002: an EPOC or EPOC-PR goes from a bound Member State to a provider in another bound one."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import EU_INSTRUMENTS, result
from checks.eu._common import EU, applies_from, bound, na_why


@check(
    id="EU002",
    rule_id="EU1543-3.1",
    title="EPOCs and EPOC-PRs are issued by a bound Member State to a provider established in another bound Member State",
    title_fr="Les EPOC et EPOC-PR sont émis par un État membre lié vers un fournisseur établi dans un autre État membre lié",
    instrument=EU,
    article="Art. 3(1)-(2)",
    family="completeness",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=EU_INSTRUMENTS,
    applies_to="eu_epoc and eu_epoc_pr requests issued on or after eu_applies_from",
    rationale=(
        "A European Production or Preservation Order is a decision of an issuing authority of a Member "
        "State bound by the Regulation, addressed to a provider's designated establishment or legal "
        "representative in another bound Member State (Art. 3(1)-(2)). Denmark is not bound. Which "
        "States are bound comes from the Party profile field eu_2023_1543_bound, else from the pack "
        "list eu_bound_member_states (the EU Member States except Denmark). An order outside that scope is reported here only; the "
        "other EU checks do not evaluate it."
    ),
    remediation="Send orders outside the Regulation's territorial scope through mutual legal assistance or a domestic order.",
    message="{instrument} {request_id} ({party} → {receiving_party}, provider {provider}) is outside the Regulation's territorial scope: {state}",
    requires={"requests": ("instrument", "issuing_party", "receiving_party")},
    params=("eu_applies_from", "eu_bound_member_states"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"].isin(EU_INSTRUMENTS) & (r["issued_at"] >= applies_from(ctx))]
    ib, rb = bound(ctx, pop["issuing_party"]), bound(ctx, pop["receiving_party"])
    same = (pop["issuing_party"] == pop["receiving_party"]).fillna(False).astype(bool)
    out_i, out_r = (ib == False).fillna(False), (rb == False).fillna(False)  # noqa: E712 (nullable)
    definite = (out_i | out_r | same).astype(bool)
    unknown = ~definite & (ib.isna() | rb.isna())
    failed = definite.astype("boolean").mask(unknown)
    state = pd.Series("", index=pop.index, dtype="string")
    state = state.mask(same, "issuing State and provider's State are the same (a domestic order)")
    state = state.mask(out_r, pop["receiving_party"] + " (provider's State) is not bound by the Regulation")
    state = state.mask(out_i, pop["issuing_party"] + " (issuing State) is not bound by the Regulation")
    why = na_why(pop.index).mask(unknown, "no eu_2023_1543_bound value in the Party profile and no default list")
    return result(pop, failed, instrument=pop["instrument"], state=state, why=why)
