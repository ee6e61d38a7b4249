"""RET001: received data are deleted (or their retention reviewed) by the retention date."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, events, lookup, result


@check(
    id="RET001",
    rule_id="CETS224-14.5",
    title="Received data are deleted, or their retention reviewed, by the date set for it",
    title_fr="Les données reçues sont effacées, ou leur conservation réexaminée, à la date fixée",
    instrument=CETS,
    article="Art. 14(5)",
    family="retention",
    severity="high",
    duty="receiving_authority",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    applies_to="requests whose custody log has a retention_set event (the latest one governs)",
    rationale=(
        "Art. 14(5) allows personal data to be kept only as long as necessary, under specific retention "
        "periods or periodic review set by domestic law. Once the date set for deletion or review has "
        "passed with neither, the data are held without a legal basis."
    ),
    remediation=(
        "Delete the data (and record a deleted event), or review the need to keep them and record the "
        "review (retention_reviewed) with a new retention_set date, before the date passes."
    ),
    message="Data received for request {request_id} ({party}) had to be deleted or reviewed by {until}; {state}",
    requires={"requests": ("request_id",), "custody_events": ("event", "at", "until")},
    params=("retention_grace_days",),
)
def evaluate(ctx):
    grace = int(ctx.param("retention_grace_days"))
    rs = events(ctx, "retention_set").sort_values(["request_id", "at"], kind="stable")
    latest = rs.drop_duplicates("request_id", keep="last").set_index("request_id")
    pop = latest.reset_index()
    until = pop["until"]
    deleted = events(ctx, "deleted").groupby("request_id")["at"].min()
    reviewed = events(ctx, "retention_reviewed")[["request_id", "at"]].merge(
        pop[["request_id", "at"]].rename(columns={"at": "set_at"}), on="request_id"
    )
    reviewed = reviewed[reviewed["at"] >= reviewed["set_at"]].groupby("request_id")["at"].min()
    del_at = lookup(pop["request_id"], deleted)
    rev_at = lookup(pop["request_id"], reviewed)
    as_of = pd.Series(ctx.as_of, index=pop.index)
    due = calendar_days(until, as_of) > grace  # the day after until (+grace) is overdue
    deleted_in_time = del_at.notna() & (calendar_days(until, del_at).fillna(10**9) <= grace)
    reviewed_in_time = rev_at.notna() & (calendar_days(until, rev_at).fillna(10**9) <= grace)
    late_delete = del_at.notna() & ~deleted_in_time
    ok = deleted_in_time | reviewed_in_time | (~due & ~late_delete)
    failed = (~ok).astype("boolean").mask(until.isna())
    late_days = calendar_days(until, del_at)
    overdue_days = calendar_days(until, as_of)
    state = pd.Series("", index=pop.index, dtype="string")
    state = state.where(~late_delete, "deleted " + late_days.astype("string") + " day(s) late")
    state = state.where(late_delete | ~due, "not deleted or reviewed " + overdue_days.astype("string") + " day(s) after it")
    why = pd.Series(pd.NA, index=pop.index, dtype="string").mask(until.isna(), "retention_set event without an until date")
    return result(pop, failed, until=until, state=state, why=why)
