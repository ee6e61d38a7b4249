"""RET003: where domestic law sets no retention period, retention is reviewed at the pack's interval."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, events, result


@check(
    id="RET003",
    rule_id="CETS224-14.5",
    title="Where the Party sets no retention period, the next review of received data is due within the review interval",
    title_fr="Sans durée de conservation nationale, le prochain réexamen des données est fixé dans l'intervalle de réexamen",
    instrument=CETS,
    article="Art. 14(5)",
    family="retention",
    severity="medium",
    duty="receiving_authority",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    kind="advisory",
    applies_to="requests with a retention_set event whose issuing Party's profile has no retention_max_days",
    rationale=(
        "Art. 14(5) requires domestic law to set specific retention periods or a periodic review of the "
        "need to keep the data, but fixes no interval. For a Party without a retention period (empty "
        "retention_max_days), reading \"periodic\" as a next review date within retention_review_interval_days "
        "of the last date set is the auditor's policy (threshold in the pack), so a date set beyond it is "
        "reported as an advisory finding, not as a breach of the text."
    ),
    remediation="Set the next review date (retention_set until) no later than the review interval after the data were received or last reviewed.",
    message="Data received for request {request_id} ({party}) are next reviewed after {kept} days, beyond the {interval}-day review interval",
    requires={"requests": ("issuing_party",), "custody_events": ("event", "at", "until")},
    params=("retention_review_interval_days",),
    profile_fields=("retention_max_days",),
    notes=(
        "Advisory: the review interval is the auditor's policy (retention_review_interval_days in the pack). "
        "Overlaps: Parties with retention_max_days are RET002's; a passed date without deletion or review is "
        "RET001's; data with neither a retention date nor a review are RET004's (breach: the act is missing)."
    ),
)
def evaluate(ctx):
    interval = int(ctx.param("retention_review_interval_days"))
    rs = events(ctx, "retention_set").sort_values(["request_id", "at"], kind="stable")
    latest = rs.drop_duplicates("request_id", keep="last")[["request_id", "at", "until"]]
    party = latest["request_id"].map(ctx.tables["requests"].set_index("request_id")["issuing_party"])
    pop = latest[ctx.profile(party, "retention_max_days").isna().to_numpy()]
    kept = calendar_days(pop["at"], pop["until"])
    return result(pop, (kept > interval).astype("boolean"), kept=kept, interval=interval,
                  why=kept.isna().map({True: "retention_set event without an until date", False: None}))
