"""NOT002: the person concerned is notified, or a restriction on notice is recorded."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, result


@check(
    id="NOT002",
    rule_id="CETS224-14.11",
    title="The person whose data were disclosed is notified, or the restriction that defers notice is recorded",
    title_fr="La personne concernée est informée, ou la restriction qui diffère l'information est consignée",
    instrument=CETS,
    article="Art. 14(11)",
    family="transparency",
    severity="low",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    applies_to="disclosures with outcome disclosed or partial, older than the pack's notice_grace_days",
    rationale=(
        "Art. 14(11) requires general or personal notice of the legal basis, purposes, retention, "
        "recipients and remedies, subject to restrictions for the protection of investigations (Art. "
        "14(12)(a)(i)). A disclosure with neither a personal notice (user_notified_at or a "
        "subject_notified custody event) nor a recorded restriction (notification_blocked_by) leaves "
        "no evidence that the duty was considered. A Party relying on general notice only should set "
        "notice_grace_days high or waive this check with its notice reference."
    ),
    remediation="Notify the person, or record the confidentiality order or other ground that defers notice (notification_blocked_by).",
    message="Disclosure {record_id} for request {request_id} ({party} ← {provider}), {age} days old, has no notice to the person and no recorded restriction",
    requires={"requests": ("request_id",), "disclosures": ("outcome", "user_notified_at", "notification_blocked_by")},
    params=("notice_grace_days",),
)
def evaluate(ctx):
    grace = int(ctx.param("notice_grace_days"))
    d = ctx.disclosures
    pop = d[d["outcome"].isin(["disclosed", "partial"])]
    age = calendar_days(pop["responded_at"], pd.Series(ctx.as_of, index=pop.index))
    pop, age = pop[age > grace], age[age > grace]
    notified = pop["user_notified_at"].notna()
    if ctx.has("custody_events"):
        ce = ctx.custody_events
        notified |= pop["request_id"].isin(ce.loc[ce["event"] == "subject_notified", "request_id"])
    restricted = pop["notification_blocked_by"].notna() & (pop["notification_blocked_by"] != "none")
    out = result(pop, ~(notified | restricted).astype(bool), age=age)
    out["record_id"] = pop["disclosure_id"]
    return out
