"""AUT001: every automated decision on received data is followed by a human review (Art. 14(6))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, events, lookup, result


@check(
    id="AUT001",
    rule_id="CETS224-14.6",
    title="Every automated decision on received data has a human review recorded at or after it",
    title_fr="Chaque décision automatisée sur des données reçues fait l'objet d'un réexamen humain consigné",
    instrument=CETS,
    article="Art. 14(6)",
    family="automated_decision",
    severity="high",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    applies_to="custody events of type automated_decision",
    rationale=(
        "Art. 14(6) forbids decisions producing a significant adverse effect on a person's interests "
        "based solely on automated processing, unless domestic law authorises them with appropriate "
        "safeguards including human intervention. The log shows the intervention as a human_review "
        "event on the same request at or after the automated_decision event."
    ),
    remediation="Have a person review each automated decision and record it as a human_review event.",
    message="Automated decision {record_id} on data from request {request_id} ({party}) has no human review recorded",
    requires={"requests": ("request_id",), "custody_events": ("event", "at")},
)
def evaluate(ctx):
    dec = events(ctx, "automated_decision")
    last_review = events(ctx, "human_review").groupby("request_id")["at"].max()
    reviewed_at = lookup(dec["request_id"], last_review)
    out = result(dec, ~(reviewed_at >= dec["at"]).fillna(False).astype(bool))
    out["record_id"] = dec["event_id"]
    return out
