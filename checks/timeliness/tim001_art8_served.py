"""TIM001: Art. 8 orders are served on the provider within 45 days of the requested Party's receipt
of all the Art. 8(3)-(4) information (a reasonable-efforts target: advisory)."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, after_as_of, calendar_days, result, unknown_why


@check(
    id="TIM001",
    rule_id="CETS224-8.6.serve",
    title="Art. 8 orders are served on the provider within 45 days of the receipt of all the required information",
    title_fr="Les injonctions de l'art. 8 sont signifiées au fournisseur dans les 45 jours suivant la réception de toutes les informations requises",
    instrument=CETS,
    article="Art. 8(6)(a)",
    family="timeliness",
    severity="low",
    duty="requested_party",
    legal_basis_status="R",
    scope=("cets224_art8",),
    kind="advisory",
    applies_to="cets224_art8 requests (all_information_received_at empty: unknown)",
    rationale=(
        "Art. 8(6)(a): the requested Party, \"from the date of receipt of all the information specified in "
        "paragraphs 3 and 4\", makes reasonable efforts to serve the provider within 45 days. The clock runs "
        "from all_information_received_at, not from transmission. The duty is one of reasonable efforts, so "
        "a later service (or none once the 45 days have run) is an advisory finding, not a breach: the log "
        "cannot show whether reasonable efforts were made."
    ),
    remediation="Serve Art. 8 orders promptly and record served_at and all_information_received_at; record the reason for any delay beyond the period.",
    message="Art. 8 request {request_id} ({party} → {receiving_party}, provider {provider}) {state}",
    requires={"requests": ("instrument", "all_information_received_at", "served_at")},
    params=("art8_serve_days",),
    notes="Advisory: a reasonable-efforts target (Art. 8(6)(a)); the 45 days are the text's (art8_serve_days).",
)
def evaluate(ctx):
    limit = int(ctx.param("art8_serve_days"))
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art8"]
    pop = pop[~after_as_of(ctx, pop, "all_information_received_at")]  # the 45 days had not started
    start = pop["all_information_received_at"]
    served_days = calendar_days(start, pop["served_at"])
    waiting = calendar_days(start, pd.Series(ctx.as_of, index=pop.index))
    late_served = served_days > limit
    never_served = pop["served_at"].isna() & (waiting > limit)
    failed = (late_served.fillna(False) | never_served.fillna(False)).astype("boolean").mask(start.isna())
    tail = f" days after all the Art. 8(3)-(4) information was received (reasonable-efforts target {limit} days)"
    state = ("was served " + served_days.astype("string") + tail).where(
        pop["served_at"].notna(), "has not been served " + waiting.astype("string") + tail
    )
    why = unknown_why(pop.index, start.isna(), "all_information_received_at not recorded")
    # the measured days (to the audit date while unserved), for the report charts (auditor.engine.deadlines)
    elapsed = served_days.where(pop["served_at"].notna(), waiting)
    return result(pop, failed, state=state, why=why, elapsed=elapsed, limit=limit,
                  clock="days from receipt of all the Art. 8(3)-(4) information to service", limit_kind="target")
