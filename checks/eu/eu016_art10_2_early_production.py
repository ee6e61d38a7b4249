"""EU016: where the enforcing authority was notified, the provider does not produce traffic or
content data before the end of the 10 days unless the enforcing authority confirmed earlier that it
raises no ground for refusal (Art. 10(2))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import after_as_of, calendar_days, lookup, result
from checks.eu._common import DISCLOSED, EU, in_scope, is_true, na_why, traffic_or_content


@check(
    id="EU016",
    rule_id="EU1543-10.2",
    title="Notified EPOCs for traffic or content data are not produced before the end of the 10 days unless the enforcing authority confirmed earlier",
    title_fr="Les EPOC notifiés portant sur le trafic ou le contenu ne sont pas exécutés avant la fin des 10 jours sans confirmation préalable de l'autorité d'exécution",
    instrument=EU,
    article="Art. 10(2)",
    family="timeliness",
    severity="medium",
    duty="provider",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="non-emergency eu_epoc requests in the Regulation's scope for traffic or content data whose enforcing authority was notified (notification_sent_at recorded) and whose data were produced (a disclosed or partial response)",
    rationale=(
        "Art. 10(2): where the enforcing authority was notified under Art. 8, the addressee transmits "
        "the data at the end of the 10 days following receipt of the EPOC unless that authority raises "
        "a ground for refusal; it may transmit earlier only once the enforcing authority confirms, "
        "before the end of the 10 days, that it will raise none. A production (the first disclosed or "
        "partial response) before day 10 after provider_received_at (calendar days from the day after "
        "receipt; day 10 itself is the end of the period) with no enforcing_confirmed_at at or before "
        "its responded_at is a finding, an empty enforcing_confirmed_at meaning that no confirmation "
        "was given (like every event time of the log); without the column the check is not "
        "evaluated. Emergencies (Art. 10(4), emergency = true) and orders without a notification are not "
        "covered. The period is eu_epoc_days; the 10-day latest date is EU009."
    ),
    remediation="Providers: hold notified traffic or content data until the end of the 10 days unless the enforcing authority confirms earlier that it raises no ground; record that confirmation (enforcing_confirmed_at).",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) notified to the enforcing State was produced on day {day} after receipt, before the end of the {limit}-day period, {confirmation}",
    requires={"requests": ("instrument", "data_requested", "emergency", "provider_received_at", "notification_sent_at",
                           "enforcing_confirmed_at"),
              "disclosures": ("request_id", "responded_at", "outcome")},
    params=("eu_applies_from", "eu_epoc_days"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "enforcing_confirmed_at is an optional column; without it the check is not evaluated."
        " Who must act: the provider: Art. 10(2) binds the addressee to hold notified data until day 10 unless the enforcing authority confirms earlier."
    ),
)
def evaluate(ctx):
    limit = int(ctx.param("eu_epoc_days"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[traffic_or_content(pop) & pop["notification_sent_at"].notna() & ~is_true(pop["emergency"])]
    pop = pop[~after_as_of(ctx, pop, "provider_received_at")]  # the 10 days had not started on the audit date
    d = ctx.tables["disclosures"]
    d = d[d["outcome"].isin(DISCLOSED) & d["request_id"].isin(pop["request_id"])]
    produced = lookup(pop["request_id"], d.groupby("request_id")["responded_at"].min())
    pop, produced = pop[produced.notna()], produced[produced.notna()]
    day = calendar_days(pop["provider_received_at"], produced)
    early = (day < limit).fillna(False).astype(bool)
    confirmed = pop["enforcing_confirmed_at"]
    in_time = (confirmed <= produced).fillna(False).astype(bool)
    failed = (early & ~in_time).astype("boolean")
    unknown = pop["provider_received_at"].isna()
    confirmation = ("before the enforcing authority's confirmation ("
                    + confirmed.dt.strftime("%Y-%m-%d %H:%M UTC").astype("string") + ")").fillna(
        "with no confirmation from the enforcing authority")
    why = na_why(pop.index).mask(pop["provider_received_at"].isna(), "provider_received_at not recorded")
    return result(pop, failed.mask(unknown), day=day, limit=limit, confirmation=confirmation, why=why,
                  elapsed=day, clock="days from receipt to production",
                  limit_kind="waiting period")  # for the report charts (auditor.engine.deadlines)
