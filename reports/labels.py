"""Readable labels for the fields a report shows raw today (Party profiles), in English; the
pages translate them like every fixed text (``reports.i18n``)."""

from __future__ import annotations

from typing import Any

#: Party profile field -> label (the contract's meaning, shared/spec/log-format.md "parties")
PROFILE_LABELS: dict[str, str] = {
    "cets224_ratified_at": "Ratified CETS 224 on",
    "cets224_in_force_from": "CETS 224 in force for this Party from",
    "art7_reserved": "Reservation: does not apply Article 7 (no direct orders to its providers)",
    "art7_supervision_required": "Declaration: Art. 7 orders to its providers need a prosecutor's, judicial or "
                                 "independent authority's supervision",
    "art7_notification_required": "Requires simultaneous notification of Art. 7 orders to its providers",
    "art8_traffic_reserved": "Reservation: does not give effect to Art. 8 orders for traffic data",
    "art8_prior_art7_required": "Requires an Art. 7 order to have been tried before an Art. 8 request",
    "art8_central_authority_required": "Art. 8 requests must go through its central authority",
    "art9_subscriber_only_refused": "Does not give effect to emergency requests for subscriber information only "
                                    "(Art. 9)",
    "art10_direct_channels_accepted": "Accepts emergency mutual assistance requests by direct channels (Art. 10)",
    "general_notice_published": "Has published the general notice of Art. 14",
    "retention_max_days": "Domestic maximum retention of received data (days)",
    "incident_notice_hours": "Hours within which a security incident is notified to the transferring Party",
    "incident_notice_authority": "Authority notified of security incidents",
    "transfers_suspended_from": "Transfers to this Party suspended from",
    "transfers_suspended_until": "Transfers to this Party suspended until",
    "eu_2023_1543_bound": "Member State bound by Regulation (EU) 2023/1543",
}

#: ``profile_source`` value -> what it means
PROFILE_SOURCES: dict[str, str] = {
    "default": "the auditor's shipped profile (seeded from the CETS 224 signature and ratification chart)",
    "user": "the parties file of the audited log",
    "user+default": "the parties file of the audited log, completed by the auditor's shipped profile",
}
NO_PROFILE = "none: not in the shipped chart or the log's parties file; the rule pack's defaults apply"


def profile_rows(profile: dict[str, Any] | None) -> tuple[list[dict], str | None]:
    """(rows ``{field, label, value}`` in the contract's order, the source's meaning) of a Party
    profile; fields without a label keep their name as label."""
    if not profile:
        return [], None
    rows = []
    order = list(PROFILE_LABELS)
    fields = [k for k in order if k in profile] + sorted(k for k in profile
                                                          if k not in PROFILE_LABELS and k not in ("party",
                                                                                                   "profile_source"))
    for k in fields:
        rows.append({"field": k, "label": PROFILE_LABELS.get(k, k.replace("_", " ")), "value": profile.get(k)})
    raw = str(profile.get("profile_source") or "")
    return rows, PROFILE_SOURCES.get(raw, NO_PROFILE if raw.startswith("none") or not raw else raw)
