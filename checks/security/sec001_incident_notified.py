"""SEC001: security incidents with a significant risk of harm are notified to the transferring
authority in time (Art. 14(7)(b))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, events, filled, lookup, result


def _norm(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.lower()


@check(
    id="SEC001",
    rule_id="CETS224-14.7.b",
    title="Every security incident with a significant risk of harm to received data is notified to the transferring authority within the notice period",
    title_fr="Tout incident de sécurité présentant un risque important de préjudice est notifié à l'autorité de transfert dans le délai applicable",
    instrument=CETS,
    article="Art. 14(7)(b)",
    family="security",
    severity="high",
    duty="receiving_authority",
    legal_basis_status="R",
    scope=CETS_INSTRUMENTS,
    kind="mixed",
    applies_to="security_incident custody events with significant_risk = true (empty: unknown)",
    rationale=(
        "Art. 14(7)(b): where a security incident creates a \"significant risk of physical or non-physical "
        "harm\", the receiving Party promptly notifies the transferring authority (for Arts. 6-7, the "
        "authority designated under 14(7)(c), which is only the designation of authorities); the notice may "
        "be delayed or omitted on stated grounds (recorded in notice_exemption). Only incidents flagged "
        "significant_risk = true are in the rule. A notice counts when its counterparty is the request's "
        "receiving Party or that Party's designated authority (profile incident_notice_authority); a notice "
        "to anyone else does not. Lateness against the issuing Party's own incident_notice_hours (law) is a "
        "breach; where the profile sets no hours, the pack's incident_notice_default_hours is the auditor's "
        "reading of \"promptly\", so a notice late only against it is advisory. No notice at all once the "
        "period has run, with no recorded ground, is a breach (house rule for a missing act)."
    ),
    remediation=(
        "Notify the transferring authority (the receiving Party's designated authority) of the incident "
        "without delay and record an incident_notified event naming it as counterparty, or record the ground "
        "for delaying or omitting the notice (notice_exemption)."
    ),
    message="Security incident {record_id} on data from request {request_id} ({party}) at {at} {state} (notice period {hours} h, {source})",
    requires={"requests": ("issuing_party", "receiving_party"),
              "custody_events": ("event", "at", "counterparty", "significant_risk")},
    params=("incident_notice_default_hours",),
    profile_fields=("incident_notice_hours", "incident_notice_authority"),
    notes=(
        "Mixed: late against the Party profile's incident_notice_hours = breach; late only against the pack "
        "default (no profile value) = advisory; never notified once the period has run = breach. A notice with "
        "an empty counterparty has an unknown recipient: the incident is unknown unless a valid notice settles "
        "it (a notice to the authority in time, or none possible in time). notice_exemption is optional: "
        "without that column a late or missing notice cannot be told from an allowed one and is unknown. "
        "Overlaps: the notice to the person concerned is SEC002's (advisory)."
    ),
)
def evaluate(ctx):
    inc = events(ctx, "security_incident")
    risk = inc["significant_risk"].astype("boolean")
    keep = risk.fillna(True).astype(bool)
    inc, risk = inc[keep], risk[keep]
    has_exemption_column = "notice_exemption" in ctx.present.get("custody_events", set())
    exempt = filled(inc["notice_exemption"]) if has_exemption_column else pd.Series(False, index=inc.index)

    reqs = ctx.tables["requests"].set_index("request_id")
    party = lookup(inc["request_id"], reqs["issuing_party"])
    receiving = lookup(inc["request_id"], reqs["receiving_party"])
    authority = ctx.profile(receiving, "incident_notice_authority")
    profile_hours = ctx.profile(party, "incident_notice_hours")
    hours = profile_hours.fillna(int(ctx.param("incident_notice_default_hours"))).astype("Int64")
    source = pd.Series("Party profile", index=inc.index, dtype="string").where(profile_hours.notna(), "pack default")
    limit = inc["at"] + pd.to_timedelta(hours.astype("float64"), unit="h")

    # every notice on the same request at or after the incident, classed by its recipient
    base = pd.DataFrame({"event_id": inc["event_id"], "request_id": inc["request_id"], "at": inc["at"],
                         "rp": _norm(receiving), "auth": _norm(authority), "limit": limit})
    notes = events(ctx, "incident_notified")[["request_id", "at", "counterparty"]]
    pairs = base.merge(notes, on="request_id", how="inner", suffixes=("", "_n"))
    pairs = pairs[pairs["at_n"] >= pairs["at"]]
    cp = _norm(pairs["counterparty"])
    unknown_to = cp.isna() | (cp == "")
    valid = ~unknown_to & ((cp == pairs["rp"]).fillna(False) | (cp == pairs["auth"]).fillna(False))
    other = ~unknown_to & ~valid
    noticed = lookup(inc["event_id"], pairs[valid].groupby("event_id")["at_n"].min())
    unknown_at = lookup(inc["event_id"], pairs[unknown_to].groupby("event_id")["at_n"].min())
    others = pairs[other].assign(cp=pairs.loc[other, "counterparty"].astype("string").str.strip())
    others = lookup(inc["event_id"], others.groupby("event_id")["cp"].agg(lambda s: ", ".join(sorted(set(s)))))

    late = noticed.notna() & (noticed > limit)
    due = ctx.as_of > limit
    missing = noticed.isna() & due
    # a notice to an unrecorded recipient may have been the one that counts: it leaves a missing notice
    # unknown, and a late one too when it came within the period
    unsettled = unknown_at.notna() & (missing | (late & (unknown_at <= limit).fillna(False)))
    open_ground = (late | missing) & ~has_exemption_column
    failed = ((late | missing) & ~exempt).astype("boolean")
    failed = failed.mask(unsettled & ~exempt).mask(open_ground).mask(risk.isna())
    advisory = late & profile_hours.isna()

    why = pd.Series(pd.NA, index=inc.index, dtype="string")
    why = why.mask(open_ground, "notice_exemption column absent: a ground for delaying or omitting the notice cannot be ruled out")
    why = why.mask(unsettled & ~exempt, "an incident_notified event without a counterparty (recipient unknown)")
    why = why.mask(risk.isna(), "significant_risk not recorded on the incident")

    who = receiving.astype("string").where(authority.isna(), receiving.astype("string") + " or " + authority.astype("string"))
    delay = ((noticed - inc["at"]).dt.total_seconds() / 3600).round(1)
    state = ("was notified to the transferring authority " + delay.astype("string") + " h later")
    not_notified = "has not been notified to the transferring authority (" + who + ")"
    state = state.where(noticed.notna(), not_notified.where(others.isna(), not_notified + "; notice went only to "
                                                            + others + ", which does not count"))
    out = result(inc, failed, advisory=advisory, at=inc["at"], state=state, hours=hours, source=source, why=why)
    out["record_id"] = inc["event_id"]
    return out
