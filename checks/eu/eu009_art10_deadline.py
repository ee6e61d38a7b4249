"""EU009: the provider answers an EPOC within 10 days of receiving it (Art. 10(2)-(3))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import after_as_of, calendar_days, lookup, result
from checks.eu._common import EU, in_scope, na_why


def first_response(ctx, pop: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(first responded_at, withdrawn) per request of ``pop``; withdrawn orders have no deadline."""
    d = ctx.tables["disclosures"]
    d = d[d["request_id"].isin(pop["request_id"])]
    first = d.groupby("request_id")["responded_at"].min()
    withdrawn = pop["request_id"].isin(d.loc[d["outcome"] == "withdrawn", "request_id"])
    return lookup(pop["request_id"], first), withdrawn


@check(
    id="EU009",
    rule_id="EU1543-10.2",
    title="Providers answer EPOCs within 10 days of receipt",
    title_fr="Les fournisseurs répondent aux EPOC dans les 10 jours de leur réception",
    instrument=EU,
    article="Art. 10(2)-(3)",
    family="timeliness",
    severity="medium",
    duty="provider",
    notes="Who must act: the provider: Art. 10(2)-(3) binds the addressee to transmit within 10 days; the issuing authority's follow-up and Art. 16 enforcement are its remedies, not the duty.",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="non-emergency eu_epoc requests (emergency false or empty) in the Regulation's scope with provider_received_at, not withdrawn",
    rationale=(
        "Art. 10(2) (enforcing State notified) and 10(3) (no notification) require the addressee to "
        "transmit the data at the latest at the end of 10 days following receipt of the EPOC. Days "
        "are calendar days counted from the day after receipt (Reg. 1182/71): received on 1 March, "
        "answered by the end of 11 March (day 10) is in time; day 11 is late. An unanswered order "
        "is late once as_of passes day 10. Any response counts (data, or an Annex III notice of "
        "non-execution). The 10(2) rule that notified traffic or content data are not sent before day 10 "
        "unless the enforcing authority confirms earlier is EU016. Emergencies: EU010. "
        "The limit is eu_epoc_days."
    ),
    remediation="Follow up unanswered EPOCs with the provider and, after the deadline, consider enforcement under Art. 16.",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) {state}",
    requires={"requests": ("instrument", "provider_received_at", "emergency"),
              "disclosures": ("request_id", "responded_at", "outcome")},
    params=("eu_applies_from", "eu_epoc_days"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    limit = int(ctx.param("eu_epoc_days"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[(pop["emergency"] != True).fillna(True).astype(bool)]  # noqa: E712 (NA = not an emergency)
    responded, withdrawn = first_response(ctx, pop)
    pop, responded = pop[~withdrawn], responded[~withdrawn]
    received_later = after_as_of(ctx, pop, "provider_received_at")  # the clock had not started
    pop, responded = pop[~received_later], responded[~received_later]
    start = pop["provider_received_at"]
    days = calendar_days(start, responded)
    waiting = calendar_days(start, pd.Series(ctx.as_of, index=pop.index))
    answered = responded.notna()
    keep = answered | (waiting > limit).fillna(False) | start.isna()  # unanswered and not yet due: out
    pop, days, waiting, answered, start = pop[keep], days[keep], waiting[keep], answered[keep], start[keep]
    failed = ((days > limit).fillna(False) | (~answered & (waiting > limit).fillna(False))).astype("boolean")
    failed = failed.mask(start.isna())
    state = ("was answered on day " + days.astype("string") + f" after receipt (limit {limit} days)").where(
        answered, "is unanswered " + waiting.astype("string") + f" days after receipt (limit {limit} days)")
    why = na_why(pop.index).mask(start.isna(), "provider_received_at not recorded")
    return result(pop, failed, state=state, why=why, elapsed=days.where(answered, waiting), limit=limit,
                  clock="days from receipt to the first response", limit_kind="deadline")  # for the report charts (auditor.engine.deadlines)
