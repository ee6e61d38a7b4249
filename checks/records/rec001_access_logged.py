"""REC001: every access, use or disclosure of received data records who acted and for which case."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, filled, result

LOGGED_EVENTS = ("accessed", "shared_domestic", "transferred_onward")


@check(
    id="REC001",
    rule_id="CETS224-14.8",
    title="Every access to, use or disclosure of received data records the actor and the case reference",
    title_fr="Chaque accès, utilisation ou communication des données reçues consigne l'auteur et la référence de l'affaire",
    instrument=CETS,
    article="Art. 14(8)",
    family="records",
    severity="medium",
    duty="receiving_authority",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    applies_to="custody events accessed, shared_domestic and transferred_onward",
    rationale=(
        "Art. 14(8) requires records showing how an individual's data were accessed, used and disclosed "
        "in the specific case. An event without the acting person or role, or without the reference it "
        "was done under, cannot be traced by an overseer."
    ),
    remediation="Log the actor and the case or authorisation reference with every access, use and disclosure.",
    message="Custody event {record_id} ({event}) on data from request {request_id} ({party}) lacks {missing}",
    requires={"requests": ("request_id",), "custody_events": ("event", "actor", "reference")},
    notes=(
        "Overlaps: a shared_domestic event without a reference is reported by ONW002 (Art. 14(9)) "
        "alone; REC001 still reports a missing actor on it."
    ),
)
def evaluate(ctx):
    ce = ctx.custody_events
    pop = ce[ce["event"].isin(LOGGED_EVENTS)]
    no_actor = ~filled(pop["actor"])
    # a domestic share without its reference is ONW002's finding (Art. 14(9)), not a second one here
    no_ref = ~filled(pop["reference"]) & (pop["event"] != "shared_domestic")
    missing = pd.Series("", index=pop.index, dtype="string")
    missing = missing.where(~no_actor, "the actor")
    missing = missing.where(~no_ref, (missing + " and the reference").str.removeprefix(" and "))
    out = result(pop, no_actor | no_ref, missing=missing, event=pop["event"])
    out["record_id"] = pop["event_id"]
    return out
