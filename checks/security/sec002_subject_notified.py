"""SEC002: the person concerned by a security incident with a significant risk of harm is notified,
or a ground for not notifying is recorded (Art. 14(7)(b), "where appropriate": advisory)."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, events, filled, lookup, result


@check(
    id="SEC002",
    rule_id="CETS224-14.7.b",
    title="The person concerned by a security incident with a significant risk of harm is notified, or the ground for not notifying is recorded",
    title_fr="La personne concernée par un incident de sécurité présentant un risque important est informée, ou le motif de l'absence d'information est consigné",
    instrument=CETS,
    article="Art. 14(7)(b)",
    family="security",
    severity="low",
    duty="receiving_authority",
    legal_basis_status="R",
    scope=CETS_INSTRUMENTS,
    kind="advisory",
    applies_to="security_incident custody events with significant_risk = true (empty: unknown), older than incident_subject_notice_days",
    rationale=(
        "Art. 14(7)(b): an incident with a \"significant risk of physical or non-physical harm\" is notified "
        "to the transferring authority and, \"where appropriate\", to the individual; the notice may be "
        "delayed or omitted on stated grounds (notice_exemption). Whether a notice to the individual was "
        "appropriate is a judgement the log cannot show, so an incident with no subject_notified event at or "
        "after it and no recorded ground, once the pack's policy period incident_subject_notice_days has "
        "passed, is an advisory finding, never a breach."
    ),
    remediation="Notify the person concerned and record a subject_notified event, or record why notice is not appropriate, delayed or omitted (notice_exemption on the incident).",
    message="Security incident {record_id} on data from request {request_id} ({party}) at {at}, with a significant risk of harm, has no notice to the person concerned and no recorded ground for omitting it {age} days later (policy period {days} days)",
    requires={"requests": ("request_id",), "custody_events": ("event", "at", "significant_risk")},
    params=("incident_subject_notice_days",),
    notes=(
        "Advisory: \"where appropriate\" is a judgement; the period is the auditor's policy. Without the "
        "optional notice_exemption column an incident with no notice is unknown. Overlaps: the notice to the "
        "transferring authority is SEC001's; a subject_notified event also counts for NOT002 (14(11))."
    ),
)
def evaluate(ctx):
    days = int(ctx.param("incident_subject_notice_days"))
    inc = events(ctx, "security_incident")
    risk = inc["significant_risk"].astype("boolean")
    keep = risk.fillna(True).astype(bool)
    inc, risk = inc[keep], risk[keep]
    age = calendar_days(inc["at"], pd.Series(ctx.as_of, index=inc.index))
    due = (age > days).fillna(False).astype(bool)
    inc, risk, age = inc[due], risk[due], age[due]
    has_exemption_column = "notice_exemption" in ctx.present.get("custody_events", set())
    exempt = filled(inc["notice_exemption"]) if has_exemption_column else pd.Series(False, index=inc.index)
    last_notice = events(ctx, "subject_notified").groupby("request_id")["at"].max()
    notified = (lookup(inc["request_id"], last_notice) >= inc["at"]).fillna(False).astype(bool)
    ok = notified | exempt
    failed = (~ok).astype("boolean").mask(~ok & ~has_exemption_column).mask(risk.isna())
    why = pd.Series(pd.NA, index=inc.index, dtype="string")
    why = why.mask(~ok & ~has_exemption_column, "notice_exemption column absent: a ground for omitting the notice cannot be ruled out")
    why = why.mask(risk.isna(), "significant_risk not recorded on the incident")
    out = result(inc, failed, at=inc["at"], age=age, days=days, why=why)
    out["record_id"] = inc["event_id"]
    return out
