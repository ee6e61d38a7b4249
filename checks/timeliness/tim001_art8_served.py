"""TIM001: Art. 8 orders are served on the provider within 45 days."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, calendar_days, result


@check(
    id="TIM001",
    rule_id="CETS224-8.6.serve",
    title="Art. 8 orders are served on the provider within the period after the requested Party receives them",
    title_fr="Les injonctions de l'art. 8 sont signifiées au fournisseur dans le délai prévu",
    instrument=CETS,
    article="Art. 8(6)(a)",
    family="timeliness",
    severity="low",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art8",),
    kind="advisory",
    applies_to="cets224_art8 requests with transmitted_at",
    rationale=(
        "Art. 8(6) asks the requested Party to make reasonable efforts to serve the provider within 45 "
        "days of receiving the request with all required information. The obligation is one of "
        "reasonable efforts, so a miss is reported at low severity as a warning. The clock starts at "
        "transmitted_at: the log format records no separate 'all information received' time."
    ),
    remediation="Serve Art. 8 orders promptly and record served_at; record the reason for any delay beyond the period.",
    message="Art. 8 request {request_id} ({party} → {receiving_party}, provider {provider}) {state}",
    requires={"requests": ("instrument", "transmitted_at", "served_at")},
    params=("art8_serve_days",),
)
def evaluate(ctx):
    limit = int(ctx.param("art8_serve_days"))
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art8"]
    start = pop["transmitted_at"]
    served_days = calendar_days(start, pop["served_at"])
    waiting = calendar_days(start, pd.Series(ctx.as_of, index=pop.index))
    late_served = served_days > limit
    never_served = pop["served_at"].isna() & (waiting > limit)
    failed = (late_served.fillna(False) | never_served.fillna(False)).astype("boolean").mask(start.isna())
    state = ("was served " + served_days.astype("string") + f" days after transmission (limit {limit})").where(
        pop["served_at"].notna(), "has not been served " + waiting.astype("string") + f" days after transmission (limit {limit})"
    )
    why = pd.Series(pd.NA, index=pop.index, dtype="string").mask(start.isna(), "transmitted_at not recorded")
    return result(pop, failed, state=state, why=why)
