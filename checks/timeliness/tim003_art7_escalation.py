"""TIM003: an Art. 7 order is escalated to Art. 8 or mutual assistance only after refusal or the Art. 7(7) period."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, calendar_days, lookup, result, unknown_why


@check(
    id="TIM003",
    rule_id="CETS224-7.7",
    title="An Art. 7 order is escalated to Art. 8 or mutual assistance only after a refusal or once the Art. 7(7) period has run",
    title_fr="Une injonction de l'art. 7 n'est relayée par l'art. 8 ou l'entraide qu'après un refus ou l'expiration du délai de l'art. 7(7)",
    instrument=CETS,
    article="Art. 7(7)",
    family="timeliness",
    severity="low",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    applies_to="cets224_art8 and mla requests whose linked_request_id is a cets224_art7 order",
    rationale=(
        "Under Art. 7(7) the issuing Party may seek the data under Art. 8 or mutual assistance only if "
        "the provider refused, or did not disclose within 30 days of receipt or the time frame stated "
        "under 7(4)(d), whichever is longer. Escalating earlier burdens the requested Party with a "
        "duplicate request. Day 0 is the provider's receipt; escalation is allowed from the day after "
        "the period (pack parameter art7_escalation_days)."
    ),
    remediation="Wait for the provider's answer until the period has run, or record its refusal, before escalating.",
    message="{instrument} request {request_id} ({party}) escalated Art. 7 order {linked_request_id} on day {days} after the provider received it, before any refusal; allowed after day {allowed}",
    requires={"requests": ("instrument", "linked_request_id", "provider_received_at", "return_timeframe_days"),
              "disclosures": ("outcome", "responded_at")},
    params=("art7_escalation_days",),
    notes="Overlaps: only escalations linked to an Art. 7 order; unlinked Art. 8 requests are COM007's (Art. 7(8)).",
)
def evaluate(ctx):
    r = ctx.requests
    orders = r.set_index("request_id")
    esc = r[r["instrument"].isin(["cets224_art8", "mla"])]
    linked_inst = lookup(esc["linked_request_id"], orders["instrument"])
    pop = esc[(linked_inst == "cets224_art7").fillna(False).astype(bool)]
    start = lookup(pop["linked_request_id"], orders["provider_received_at"])
    frame = lookup(pop["linked_request_id"], orders["return_timeframe_days"])
    base = int(ctx.param("art7_escalation_days"))
    allowed = frame.where(frame > base, base).fillna(base).astype("Int64")
    days = calendar_days(start, pop["issued_at"])
    d = ctx.tables["disclosures"]
    refusals = d[d["outcome"] == "refused"].groupby("request_id")["responded_at"].min()
    refused_at = lookup(pop["linked_request_id"], refusals)
    refused_before = (refused_at <= pop["issued_at"]).fillna(False).astype(bool)
    failed = ((days <= allowed) & ~refused_before).astype("boolean").mask(start.isna() & ~refused_before)
    why = unknown_why(pop.index, start.isna(), "the Art. 7 order's provider_received_at not recorded")
    return result(pop, failed, instrument=pop["instrument"], linked_request_id=pop["linked_request_id"],
                  days=days, allowed=allowed, why=why)


