"""TIM003: an Art. 7 order is escalated to Art. 8 or mutual assistance only after refusal or the Art. 7(7) period."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, after_as_of, calendar_days, lookup, unknown_why


@check(
    id="TIM003",
    rule_id="CETS224-7.7",
    title="An Art. 7 order is escalated to Art. 8 or mutual assistance only after a refusal or once the Art. 7(7) period has run",
    title_fr="Une injonction de l'art. 7 n'est relayée par l'art. 8 ou l'entraide qu'après un refus ou l'expiration du délai de l'art. 7(7)",
    instrument=CETS,
    article="Art. 7(7)",
    family="timeliness",
    severity="low",
    duty="issuing_authority",
    legal_basis_status="R",
    scope=("cets224_art7",),
    applies_to="cets224_art7 orders that a cets224_art8 or mla request escalates (its linked_request_id is the order)",
    rationale=(
        "Under Art. 7(7) the issuing Party may seek the data under Art. 8 or mutual assistance only if "
        "the provider refused, or did not disclose within \"thirty days of receipt ... or the timeframe "
        "stipulated in paragraph 4.d, whichever time period is longer\". The rule governs the Art. 7 order: "
        "the escalating request (found with its linked_request_id, evidence only, never judged itself) is "
        "named in the finding. Day 0 is the provider's receipt of the order; escalation is allowed from "
        "the day after the period (pack parameter art7_escalation_days, or the order's "
        "return_timeframe_days when longer)."
    ),
    remediation="Wait for the provider's answer until the period has run, or record its refusal, before escalating.",
    message="Art. 7 order {request_id} ({party}) was escalated by {esc_instrument} request {record_id} on day {days} after the provider received it, before any refusal; allowed after day {allowed}",
    requires={"requests": ("instrument", "linked_request_id", "provider_received_at", "return_timeframe_days"),
              "disclosures": ("outcome", "responded_at")},
    params=("art7_escalation_days",),
    notes=(
        "One result row per (Art. 7 order, escalating request): request_id is the order, record_id the "
        "escalating request. Overlaps: only escalations linked to an Art. 7 order; unlinked Art. 8 requests "
        "are COM007's (Art. 7(8))."
        " Who must act: the issuing authority: Art. 7(7) limits when the issuing Party may escalate."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    orders = r[r["instrument"] == "cets224_art7"]
    esc = ctx.follow_ups(orders["request_id"])
    esc = esc[esc["instrument"].isin(["cets224_art8", "mla"])]
    by_id = orders.set_index("request_id")
    esc = esc.reset_index(drop=True)
    pairs = pd.DataFrame({
        "request_id": esc["linked_request_id"].astype("string"),
        "record_id": esc["request_id"].astype("string"),
        "esc_instrument": esc["instrument"].astype("string"),
        "escalated_at": esc["issued_at"],
    })
    start = lookup(pairs["request_id"], by_id["provider_received_at"])
    received_later = lookup(pairs["request_id"], after_as_of(ctx, by_id, "provider_received_at").astype("boolean")
                            ).fillna(False).astype(bool)
    start = start.mask(received_later)  # not received on the audit date: that clock had not started
    frame = lookup(pairs["request_id"], by_id["return_timeframe_days"])
    base = int(ctx.param("art7_escalation_days"))
    allowed = frame.where(frame > base, base).fillna(base).astype("Int64")
    days = calendar_days(start, pairs["escalated_at"])
    d = ctx.tables["disclosures"]
    refusals = d[d["outcome"] == "refused"].groupby("request_id")["responded_at"].min()
    refused_at = lookup(pairs["request_id"], refusals)
    refused_before = (refused_at <= pairs["escalated_at"]).fillna(False).astype(bool)
    failed = ((days <= allowed) & ~refused_before).astype("boolean").mask(start.isna() & ~refused_before)
    why = unknown_why(pairs.index, start.isna(), "the Art. 7 order's provider_received_at not recorded")
    why = why.mask(start.isna() & received_later,
                   "the Art. 7 order's provider_received_at is after the audit date")
    out = pairs[["request_id", "record_id", "esc_instrument"]].copy()
    out["failed"] = failed
    out["days"] = days
    out["allowed"] = allowed
    out["why"] = why
    # for the report charts (auditor.engine.deadlines): a period to wait, not a deadline
    out["elapsed"] = days
    out["limit"] = allowed
    out["clock"] = "days from the provider's receipt of the Art. 7 order to its escalation"
    out["limit_kind"] = "escalation period"
    return out
