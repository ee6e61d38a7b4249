"""EU012: the person whose data were obtained by an EPOC is informed, or a deferral recorded (Art. 13)."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import calendar_days, lookup, result
from checks.eu._common import DISCLOSED, EU, in_scope


@check(
    id="EU012",
    rule_id="EU1543-13",
    title="Persons whose data were obtained by an EPOC are informed without undue delay, or the deferral is recorded",
    title_fr="Les personnes dont les données ont été obtenues par un EPOC en sont informées sans retard injustifié, ou le report est consigné",
    instrument=EU,
    article="Art. 13(1)",
    family="notification",
    severity="medium",
    duty="issuing_authority",
    notes="Who must act: the issuing authority: Art. 13(1) names it as the one that informs the person.",
    legal_basis_status="C",
    kind="mixed",
    scope=("eu_epoc",),
    applies_to="disclosed or partial responses to eu_epoc requests in the Regulation's scope",
    rationale=(
        "Art. 13(1) requires the issuing authority to inform the person whose data are requested, "
        "without undue delay, of the production of data and of the available remedies; it may delay, "
        "restrict or omit the information under Dir. 2016/680 Art. 13(3), with the reasons on file "
        "(13(2)-(3)). A response is compliant when user_notified_at is recorded within "
        "eu_person_notice_days of the response (a subject_notified custody event also counts), or "
        "notification_blocked_by records a deferral. 'Without undue delay' fixes no number: "
        "eu_person_notice_days is the auditor's policy. A notice given later than that is therefore "
        "advisory; no notice and no recorded deferral once eu_person_notice_days have passed is a "
        "breach (the person was never informed and nothing on file justifies it). A response younger "
        "than eu_person_notice_days with no notice yet is not evaluated."
    ),
    remediation="Inform the person with the remedies, or record the reason for deferring (notification_blocked_by).",
    message="Data obtained by EPOC {request_id} ({party} → {receiving_party}, provider {provider}) {state}",
    requires={"requests": ("instrument",),
              "disclosures": ("outcome", "responded_at", "user_notified_at", "notification_blocked_by")},
    params=("eu_applies_from", "eu_person_notice_days"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    limit = int(ctx.param("eu_person_notice_days"))
    d = ctx.tables["disclosures"]
    pop = d[d["outcome"].isin(DISCLOSED) & d["request_id"].isin(in_scope(ctx, ("eu_epoc",))["request_id"])]
    notified_at = pop["user_notified_at"]
    if ctx.has("custody_events"):
        ce = ctx.custody_events
        ev = ce[ce["event"] == "subject_notified"].groupby("request_id")["at"].min()
        notified_at = notified_at.fillna(lookup(pop["request_id"], ev).astype(notified_at.dtype))
    deferred = (pop["notification_blocked_by"].notna() & (pop["notification_blocked_by"] != "none")).astype(bool)
    lag = calendar_days(pop["responded_at"], notified_at)
    age = calendar_days(pop["responded_at"], pd.Series(ctx.as_of, index=pop.index))
    due = (age > limit).fillna(False).astype(bool)
    keep = notified_at.notna() | deferred | due
    pop, lag, age, deferred, notified_at = pop[keep], lag[keep], age[keep], deferred[keep], notified_at[keep]
    late = (lag > limit).fillna(False).astype(bool)
    failed = (~deferred & (notified_at.isna() | late)).astype("boolean")
    state = ("were notified to the person " + lag.astype("string") + f" days after the response (limit {limit})").where(
        notified_at.notna(), "have not been notified to the person " + age.astype("string")
        + " days after the response, and no deferral is recorded")
    out = result(pop, failed, state=state, advisory=(notified_at.notna() & late).astype(bool),
                 elapsed=lag.where(notified_at.notna(), age.where(~deferred)), limit=limit,
                 clock="days from the response to informing the person",
                 limit_kind="policy threshold")  # for the report charts (auditor.engine.deadlines)
    out["record_id"] = pop["disclosure_id"]
    return out
