"""TIM002: Art. 8 data are returned within 20 days (subscriber) or 45 days (traffic) of service."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, calendar_days, first_disclosure, lookup, result


@check(
    id="TIM002",
    rule_id="CETS224-8.6.a.i",
    title="Art. 8 data are returned within 20 days of service for subscriber information and 45 days for traffic data",
    title_fr="Les données de l'art. 8 sont remises dans les 20 jours (abonnés) ou 45 jours (trafic) suivant la signification",
    instrument=CETS,
    article="Art. 8(6)(a)",
    family="timeliness",
    severity="medium",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art8",),
    applies_to="cets224_art8 requests with served_at",
    rationale=(
        "Art. 8(6)(a)(i)-(ii) requires the requested Party to order the provider to return subscriber "
        "information within 20 days and traffic data within 45 days. A first response later than that "
        "period (or none once it has passed) means the period was not set or not enforced. Requests for "
        "both categories use the traffic period (covers rules CETS224-8.6.a.i and CETS224-8.6.a.ii)."
    ),
    remediation="Order production within the Art. 8(6) periods and follow up with the provider before the period ends.",
    message="Art. 8 request {request_id} ({party} → {receiving_party}, provider {provider}): {state}",
    requires={"requests": ("instrument", "served_at", "data_requested"), "disclosures": ("responded_at",)},
    params=("art8_subscriber_return_days", "art8_traffic_return_days"),
)
def evaluate(ctx):
    sub = int(ctx.param("art8_subscriber_return_days"))
    traf = int(ctx.param("art8_traffic_return_days"))
    r = ctx.requests
    pop = r[(r["instrument"] == "cets224_art8") & r["served_at"].notna()]
    limit = pd.Series(sub, index=pop.index).where(~pop["req_traffic"].fillna(False).astype(bool), traf)
    first = lookup(pop["request_id"], first_disclosure(ctx).set_index("request_id")["responded_at"])
    took = calendar_days(pop["served_at"], first)
    waiting = calendar_days(pop["served_at"], pd.Series(ctx.as_of, index=pop.index))
    failed = (took > limit).fillna(False) | (first.isna() & (waiting > limit))
    state = ("first response " + took.astype("string") + " days after service (limit " + limit.astype("string") + ")").where(
        first.notna(), "no response " + waiting.astype("string") + " days after service (limit " + limit.astype("string") + ")"
    )
    return result(pop, failed.astype("boolean"), state=state)
