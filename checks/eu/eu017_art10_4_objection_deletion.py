"""EU017: data produced under an emergency EPOC are deleted or restricted when the enforcing authority
objects within 96 hours of the notification (Art. 10(4))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import after_as_of, calendar_days, lookup, result
from checks.eu._common import DISCLOSED, EU, hours_between, in_scope, is_true, na_why


@check(
    id="EU017",
    rule_id="EU1543-10.4.del",
    title="Data produced under an emergency EPOC are deleted when the enforcing authority objects within 96 hours",
    title_fr="Les données produites en exécution d'un EPOC urgent sont effacées lorsque l'autorité d'exécution s'y oppose dans les 96 heures",
    instrument=EU,
    article="Art. 10(4)",
    family="retention",
    severity="high",
    duty="receiving_authority",
    legal_basis_status="C",
    kind="mixed",
    scope=("eu_epoc",),
    applies_to="emergency eu_epoc requests in the Regulation's scope whose enforcing authority objected (enforcing_objection_at) within eu_objection_hours of the notification and whose data were produced (a disclosed or partial response)",
    rationale=(
        "Art. 10(4): in an emergency the enforcing authority may, within 96 hours of the notification "
        "(eu_objection_hours after notification_sent_at), object to the EPOC; where the data were "
        "already transmitted, the issuing authority then deletes them or otherwise restricts their use. "
        "The deletion is read from a custody event 'deleted' on the request at or after "
        "enforcing_objection_at. The text fixes no number of days for the deletion: "
        "eu_objection_deletion_days is the auditor's policy. No deletion at all once those days have "
        "passed since the objection is a breach (house rule: the required act is wholly absent); a "
        "deletion recorded later than those days is advisory; before they have passed an order "
        "without deletion is not yet judged. An objection with notification_sent_at empty is unknown."
    ),
    remediation="On an enforcing authority's objection to an emergency EPOC, delete (or restrict) the data already received and record a 'deleted' custody event.",
    message="Data produced under emergency EPOC {request_id} ({party} → {receiving_party}, provider {provider}), objected to by the enforcing authority on {objection}, {state}",
    requires={"requests": ("instrument", "emergency", "notification_sent_at", "enforcing_objection_at"),
              "disclosures": ("request_id", "responded_at", "outcome"),
              "custody_events": ("request_id", "event", "at")},
    params=("eu_applies_from", "eu_objection_hours", "eu_objection_deletion_days"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "The log has no event for a restriction of use short of deletion: data restricted but not "
        "deleted show as not deleted. enforcing_objection_at is an optional column; without it (or "
        "without custody_events) the check is not evaluated. An objection later than eu_objection_hours "
        "after the notification is outside Art. 10(4) and not judged."
        " Who must act: the receiving authority: Art. 10(4) has the issuing authority delete the data it received; the act is on data it holds, so the holder's duty."
    ),
)
def evaluate(ctx):
    hours = float(ctx.param("eu_objection_hours"))
    grace = int(ctx.param("eu_objection_deletion_days"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[is_true(pop["emergency"]) & pop["enforcing_objection_at"].notna()]
    d = ctx.tables["disclosures"]
    produced = pop["request_id"].isin(d.loc[d["outcome"].isin(DISCLOSED), "request_id"])
    pop = pop[produced]
    objection = pop["enforcing_objection_at"]
    # an objection before a notification dated after the audit date is within the window (as a
    # negative lag is); the deletion duty runs from the objection, known on the audit date
    notice_later = after_as_of(ctx, pop, "notification_sent_at")
    within = notice_later | (hours_between(pop["notification_sent_at"], objection) <= hours).fillna(False).astype(bool)
    no_notice = pop["notification_sent_at"].isna() & ~notice_later
    pop, objection, no_notice = pop[within | no_notice], objection[within | no_notice], no_notice[within | no_notice]

    ce = ctx.tables["custody_events"]
    ev = ce[(ce["event"] == "deleted") & ce["request_id"].isin(pop["request_id"])]
    ev = ev.merge(pop[["request_id", "enforcing_objection_at"]], on="request_id")
    ev = ev[ev["at"] >= ev["enforcing_objection_at"]]
    deleted = lookup(pop["request_id"], ev.groupby("request_id")["at"].min())
    if deleted.isna().all():
        deleted = pd.Series(pd.NaT, index=pop.index, dtype=objection.dtype)
    lag = calendar_days(objection, deleted)
    age = calendar_days(objection, pd.Series(ctx.as_of, index=pop.index))
    missing = deleted.isna()
    due = (age > grace).fillna(False).astype(bool)
    late = (lag > grace).fillna(False).astype(bool)
    keep = no_notice | ~missing | due
    failed = ((missing & due) | late).astype("boolean").mask(no_notice)
    state = ("were deleted " + lag.astype("string") + f" days after the objection (policy: {grace} days)").where(
        ~missing, "have no 'deleted' custody event " + age.astype("string") + " days after the objection")
    why = na_why(pop.index).mask(no_notice, "notification_sent_at not recorded (objection window unknown)")
    out = result(pop, failed, objection=objection, state=state, why=why, advisory=(~missing & late),
                 elapsed=lag.where(~missing, age), limit=grace, clock="days from the objection to deletion",
                 limit_kind="policy threshold")  # for the report charts (auditor.engine.deadlines)
    return out[keep]
