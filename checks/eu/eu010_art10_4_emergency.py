"""EU010: the provider answers an emergency EPOC within 8 hours of receiving it (Art. 10(4))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import after_as_of, result
from checks.eu._common import EU, in_scope, na_why
from checks.eu.eu009_art10_deadline import first_response


@check(
    id="EU010",
    rule_id="EU1543-10.4",
    title="Providers answer emergency EPOCs within 8 hours of receipt",
    title_fr="Les fournisseurs répondent aux EPOC urgents dans les 8 heures de leur réception",
    instrument=EU,
    article="Art. 10(4)",
    family="timeliness",
    severity="high",
    duty="provider",
    notes="Who must act: the provider: Art. 10(4) binds the addressee to transmit within 8 hours; the issuing authority's escalation is its remedy, not the duty.",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="emergency eu_epoc requests (emergency = true) in the Regulation's scope with provider_received_at, not withdrawn",
    rationale=(
        "In an emergency, Art. 10(4) requires the addressee to transmit the data without undue delay "
        "and at the latest within 8 hours of receipt of the EPOC. Exactly 8 hours is in time; any "
        "later is late. An unanswered emergency order is late once as_of is more than 8 hours after "
        "receipt. The limit is eu_emergency_hours."
    ),
    remediation="Escalate unanswered emergency EPOCs with the provider's emergency contact at once and record the response time.",
    message="Emergency EPOC {request_id} ({party} → {receiving_party}, provider {provider}) {state}",
    requires={"requests": ("instrument", "provider_received_at", "emergency"),
              "disclosures": ("request_id", "responded_at", "outcome")},
    params=("eu_applies_from", "eu_emergency_hours"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    limit = float(ctx.param("eu_emergency_hours"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[(pop["emergency"] == True).fillna(False).astype(bool)]  # noqa: E712
    responded, withdrawn = first_response(ctx, pop)
    pop, responded = pop[~withdrawn], responded[~withdrawn]
    received_later = after_as_of(ctx, pop, "provider_received_at")  # the clock had not started
    pop, responded = pop[~received_later], responded[~received_later]
    start = pop["provider_received_at"]
    hours = (responded - start).dt.total_seconds() / 3600
    waiting = (pd.Series(ctx.as_of, index=pop.index) - start).dt.total_seconds() / 3600
    answered = responded.notna()
    keep = (answered | (waiting > limit).fillna(False) | start.isna()).astype(bool)
    pop, hours, waiting, answered, start = pop[keep], hours[keep], waiting[keep], answered[keep], start[keep]
    failed = ((hours > limit).fillna(False) | (~answered & (waiting > limit).fillna(False))).astype("boolean")
    failed = failed.mask(start.isna())
    state = ("was answered " + hours.round(1).astype("string") + f" h after receipt (limit {limit:g} h)").where(
        answered, f"is unanswered more than {limit:g} h after receipt")
    why = na_why(pop.index).mask(start.isna(), "provider_received_at not recorded")
    return result(pop, failed, state=state, why=why, elapsed=hours.where(answered, waiting), limit=limit,
                  clock="hours from receipt to the first response", limit_kind="deadline")  # for the report charts (auditor.engine.deadlines)
