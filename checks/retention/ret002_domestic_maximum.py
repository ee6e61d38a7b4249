"""RET002: received data are not kept beyond the Party's domestic maximum: neither by the retention
date set, nor, with no date set, by holding them past the maximum."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, events, lookup, result


@check(
    id="RET002",
    rule_id="CETS224-14.5",
    title="Received data are not kept beyond the Party's domestic maximum, whether by the retention date set or, with none set, in fact",
    title_fr="Les données reçues ne sont pas conservées au-delà du maximum prévu par le droit interne, par la date fixée ou, sans date, dans les faits",
    instrument=CETS,
    article="Art. 14(5)",
    family="retention",
    severity="medium",
    duty="receiving_authority",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    applies_to=(
        "requests with a received event whose issuing Party's profile sets retention_max_days (with a "
        "retention_set event: the date set; without one: the data actually held); retention_set rows of "
        "Parties without a maximum are unknown"
    ),
    rationale=(
        "Art. 14(5) requires domestic law to set specific retention periods or periodic review. Where the "
        "receiving Party's law sets a maximum (profile retention_max_days), a retention date set beyond it "
        "keeps the data longer than the law allows; so do data held past the maximum with no retention "
        "date set at all: no deleted event on or before the first received event + the maximum, once the "
        "audit date is past it (calendar days)."
    ),
    remediation="Set the retention date no later than the domestic maximum after receipt and delete the data by then, or record the legal ground for a longer period.",
    message="Data received for request {request_id} ({party}) {state}",
    requires={"requests": ("issuing_party",), "custody_events": ("event", "at", "until")},
    profile_fields=("retention_max_days",),
    notes=(
        "Overlaps: with a retention_set event, only the date set is judged here; a retention date within the "
        "maximum that passed without deletion or review is RET001's, so the same data are never counted "
        "twice. Without a retention_set event, data held past the maximum are judged here only (RET001 needs "
        "a retention date; RET004 covers Parties with no maximum)."
    ),
)
def evaluate(ctx):
    rs = events(ctx, "retention_set").sort_values(["request_id", "at"], kind="stable")
    latest = rs.drop_duplicates("request_id", keep="last")[["request_id", "until"]]
    received = events(ctx, "received").groupby("request_id", as_index=False)["at"].min()
    pop = received.merge(latest, on="request_id", how="left")
    has_set = pop["request_id"].isin(latest["request_id"])
    party = lookup(pop["request_id"], ctx.tables["requests"].set_index("request_id")["issuing_party"])
    max_days = ctx.profile(party, "retention_max_days")
    # Parties without a maximum: retention_set rows stay unknown (as before); the others are RET004's
    keep = (has_set | max_days.notna()).to_numpy()
    pop, has_set, max_days = pop[keep], has_set[keep], max_days[keep]

    # a retention date was set: is it beyond the maximum?
    kept = calendar_days(pop["at"], pop["until"])
    set_fails = (kept > max_days).astype("boolean").mask(max_days.isna() | kept.isna())

    # no retention date: were the data held past the maximum?
    deleted = lookup(pop["request_id"], events(ctx, "deleted").groupby("request_id")["at"].min())
    held_until = deleted.fillna(pd.Series(ctx.as_of, index=pop.index).astype(deleted.dtype))
    held = calendar_days(pop["at"], held_until)
    held_fails = (held > max_days).astype("boolean")

    failed = set_fails.where(has_set, held_fails)
    who = party[keep].astype("string").to_numpy()
    limit = max_days.astype("string")
    over = (held - max_days).astype("string")
    held_state = ("have been held " + over + " days beyond " + who + "'s " + limit
                  + "-day domestic maximum, with no retention date set")
    held_state = held_state.where(deleted.isna(), "were held " + over + " days beyond " + who + "'s " + limit
                                  + "-day domestic maximum before deletion, with no retention date set")
    set_state = ("are set to be kept " + kept.astype("string") + " days, beyond " + who
                 + "'s domestic maximum of " + limit + " days")
    state = set_state.where(has_set, held_state)
    why = pd.Series(pd.NA, index=pop.index, dtype="string")
    why = why.mask(has_set & max_days.isna(), "no retention_max_days in the Party profile (periodic review applies)")
    why = why.mask(has_set & kept.isna(), "retention_set event without an until date")
    return result(pop, failed, state=state, why=why)
