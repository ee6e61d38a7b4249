"""AUT001: every automated decision with a significant adverse effect on received data can be, and
is, followed by human intervention (Art. 14(6))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, events, lookup, result, unknown_why


@check(
    id="AUT001",
    rule_id="CETS224-14.6",
    title="Every automated decision with a significant adverse effect on a person has a human review recorded at or after it",
    title_fr="Chaque décision automatisée produisant un effet préjudiciable important fait l'objet d'un réexamen humain consigné",
    instrument=CETS,
    article="Art. 14(6)",
    family="automated_decision",
    severity="high",
    duty="receiving_authority",
    notes="Who must act: the receiving authority: Art. 14(6) binds the Party that decides on the data received; the authority holding them records the human review.",
    legal_basis_status="R",
    scope=CETS_INSTRUMENTS,
    applies_to="automated_decision custody events with significant_adverse_effect = true (empty: unknown)",
    rationale=(
        "Art. 14(6): decisions producing a \"significant adverse effect\" on a person's interests may not be "
        "based solely on automated processing unless domestic law authorises them with appropriate "
        "safeguards, which include the possibility to obtain human intervention. Only automated decisions "
        "flagged significant_adverse_effect = true need the safeguard; false ones are outside the rule, and "
        "an empty flag cannot be evaluated. The log shows the intervention as a human_review event on the "
        "same request at or after the automated_decision event."
    ),
    remediation="Record significant_adverse_effect on every automated decision; have a person review each significant one and record it as a human_review event.",
    message="Automated decision {record_id} with a significant adverse effect on data from request {request_id} ({party}) has no human review recorded",
    requires={"requests": ("request_id",), "custody_events": ("event", "at", "significant_adverse_effect")},
)
def evaluate(ctx):
    dec = events(ctx, "automated_decision")
    flag = dec["significant_adverse_effect"].astype("boolean")
    dec, flag = dec[flag.fillna(True).astype(bool)], flag[flag.fillna(True).astype(bool)]
    last_review = events(ctx, "human_review").groupby("request_id")["at"].max()
    reviewed_at = lookup(dec["request_id"], last_review)
    failed = (~(reviewed_at >= dec["at"]).fillna(False).astype(bool)).astype("boolean").mask(flag.isna())
    why = unknown_why(dec.index, flag.isna(), "significant_adverse_effect not recorded on the automated decision")
    out = result(dec, failed, why=why)
    out["record_id"] = dec["event_id"]
    return out
