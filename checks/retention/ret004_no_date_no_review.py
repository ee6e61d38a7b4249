"""RET004: where the Party sets no retention period, received data are not held past the review
interval with neither a retention date nor a review (Art. 14(5))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, events, lookup, result


@check(
    id="RET004",
    rule_id="CETS224-14.5",
    title="Where the Party sets no retention period, received data get a retention date or a review within the review interval, or are deleted",
    title_fr="Sans durée de conservation nationale, les données reçues reçoivent une date de conservation ou un réexamen dans l'intervalle, ou sont effacées",
    instrument=CETS,
    article="Art. 14(5)",
    family="retention",
    severity="medium",
    duty="receiving_authority",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    applies_to=(
        "requests with a received event and neither a retention_set nor a retention_reviewed event, whose "
        "issuing Party's profile sets no retention_max_days"
    ),
    rationale=(
        "Art. 14(5) requires specific retention periods or a periodic review of the need to keep the data. "
        "For a Party whose law sets no retention period (empty retention_max_days), data with neither a "
        "retention date (retention_set) nor any review (retention_reviewed), not deleted by the end of the "
        "pack's review interval retention_review_interval_days after receipt, have had neither: a missing "
        "act, reported once the interval has run (calendar days from the first received event)."
    ),
    remediation="Review the need to keep the data and record it (retention_reviewed, with a retention_set date), or delete them and record a deleted event.",
    message="Data received for request {request_id} ({party}) on {received} {state}",
    requires={"requests": ("issuing_party",), "custody_events": ("event", "at")},
    params=("retention_review_interval_days",),
    profile_fields=("retention_max_days",),
    notes=(
        "Overlaps: RET003 judges the retention date that was set (next review within the interval) and RET001 "
        "what happened by it, so both only see requests with a retention_set event, which this check leaves "
        "alone; Parties with retention_max_days are RET002's (data held past the maximum with no date set)."
    ),
)
def evaluate(ctx):
    interval = int(ctx.param("retention_review_interval_days"))
    received = events(ctx, "received").groupby("request_id", as_index=False)["at"].min()
    decided = pd.concat([events(ctx, "retention_set")["request_id"], events(ctx, "retention_reviewed")["request_id"]])
    pop = received[~received["request_id"].isin(decided)]
    party = lookup(pop["request_id"], ctx.tables["requests"].set_index("request_id")["issuing_party"])
    pop = pop[ctx.profile(party, "retention_max_days").isna().to_numpy()]
    deleted = lookup(pop["request_id"], events(ctx, "deleted").groupby("request_id")["at"].min())
    held_until = deleted.fillna(pd.Series(ctx.as_of, index=pop.index).astype(deleted.dtype))
    held = calendar_days(pop["at"], held_until)
    failed = (held > interval).astype("boolean")
    state = ("have been held " + held.astype("string")
             + f" days with no retention date and no review (review interval {interval} days)")
    state = state.where(deleted.isna(), "were held " + held.astype("string")
                        + f" days before deletion with no retention date and no review (review interval {interval} days)")
    return result(pop, failed, received=pop["at"], state=state)
