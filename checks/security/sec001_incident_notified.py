"""SEC001: security incidents are notified to the transferring Party in time."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, events, lookup, result


@check(
    id="SEC001",
    rule_id="CETS224-14.7.b",
    title="Every security incident affecting received data is notified within the Party's notice period",
    title_fr="Tout incident de sécurité touchant les données reçues est notifié dans le délai applicable",
    instrument=CETS,
    article="Art. 14(7)(b)",
    family="security",
    severity="high",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    applies_to="custody events security_incident",
    rationale=(
        "Art. 14(7)(b)-(c) requires that, where a security incident creates a significant risk of "
        "harm, the receiving Party promptly assesses it, mitigates it and notifies the transferring "
        "authority (for Arts. 6-7 the authority designated under 14(7)(c)). The notice period is the "
        "Party profile's incident_notice_hours, or the pack's incident_notice_default_hours when the "
        "profile sets none. Incidents still inside the period at the audit date pass."
    ),
    remediation="Notify the transferring authority of the incident without delay and record an incident_notified event.",
    message="Security incident {record_id} on data from request {request_id} ({party}) at {at} {state} (notice period {hours} h, {source})",
    requires={"requests": ("issuing_party",), "custody_events": ("event", "at")},
    params=("incident_notice_default_hours",),
    profile_fields=("incident_notice_hours",),
)
def evaluate(ctx):
    inc = events(ctx, "security_incident")[["event_id", "request_id", "at"]]
    notes = events(ctx, "incident_notified")[["request_id", "at"]]
    party = inc["request_id"].map(ctx.tables["requests"].set_index("request_id")["issuing_party"])
    profile_hours = ctx.profile(party, "incident_notice_hours")
    hours = profile_hours.fillna(int(ctx.param("incident_notice_default_hours"))).astype("Int64")
    source = pd.Series("Party profile", index=inc.index, dtype="string").where(profile_hours.notna(), "pack default")
    pairs = inc.merge(notes, on="request_id", how="left", suffixes=("", "_n"))
    pairs = pairs[pairs["at_n"] >= pairs["at"]]
    first = pairs.groupby("event_id")["at_n"].min()
    noticed = lookup(inc["event_id"], first)
    limit = inc["at"] + pd.to_timedelta(hours.astype("float64"), unit="h")
    late = noticed.notna() & (noticed > limit)
    missing = noticed.isna() & (ctx.as_of > limit)
    delay = ((noticed - inc["at"]).dt.total_seconds() / 3600).round(1)
    state = ("was notified " + delay.astype("string") + " h later").where(noticed.notna(), "has not been notified")
    out = result(inc, late | missing, at=inc["at"], state=state, hours=hours, source=source)
    out["record_id"] = inc["event_id"]
    return out
