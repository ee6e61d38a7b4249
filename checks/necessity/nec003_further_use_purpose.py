"""NEC003: every access, domestic share and onward transfer of received data serves the request's purpose."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, code, filled, lookup, result

USE_EVENTS = ("accessed", "shared_domestic", "transferred_onward")
_EVENT_LABEL = {"accessed": "Access", "shared_domestic": "Domestic share", "transferred_onward": "Onward transfer"}


@check(
    id="NEC003",
    rule_id="CETS224-14.2.a",
    title="Every access, domestic share and onward transfer of data received under the Protocol is for the purpose of its request",
    title_fr="Tout accès, partage national et transfert ultérieur des données reçues au titre du Protocole sert la finalité de la demande",
    instrument=CETS,
    article="Art. 14(2)(a)",
    family="necessity",
    severity="high",
    duty="receiving_authority",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    kind="mixed",
    applies_to="custody events accessed, shared_domestic and transferred_onward of cets224_art6 to cets224_art10 requests",
    rationale=(
        "Art. 14(2)(a) lets a Party process personal data received under the Protocol for the purposes "
        "of Art. 2 and forbids further processing for an incompatible purpose. Each use of the data (an "
        "access, a share within the Party, an onward transfer) records its purpose "
        "(custody_events.purpose); it must be the purpose stated in the request (requests.purpose). "
        "Purposes are compared as codes: case, spaces and punctuation do not matter. A use under another "
        "case reference than the request's (custody_events.reference vs requests.case_reference) for "
        "another purpose serves another investigation: a breach. A differently worded purpose recorded "
        "under the request's own case may still be compatible, which the log cannot show: that part is "
        "advisory (the auditor's reading, for a reviewer to confirm)."
    ),
    remediation=(
        "Use the data only for the purpose stated in the request and record that purpose on every use "
        "event; for another purpose, assess compatibility and obtain what Art. 14 requires first."
    ),
    remediation_fr=(
        "N'utiliser les données que pour la finalité de la demande et l'enregistrer sur chaque "
        "utilisation ; pour une autre finalité, en apprécier la compatibilité au préalable."
    ),
    message="{event_label} {record_id} on {at} of data from request {request_id} ({party}) records a purpose other than the request's{where}",
    requires={"requests": ("purpose", "case_reference"), "custody_events": ("event", "at", "purpose", "reference")},
    notes=(
        "Mixed: another purpose under another case reference is a breach; another purpose under the "
        "request's own case reference (or with no reference to compare) is advisory, since a "
        "differently worded purpose may be compatible: record use events with the request's purpose code. "
        "Purposes are not shown in findings (free text). An empty purpose on the event or the request "
        "is unknown. Overlaps: a request with no purpose at all is NEC002's; a use event with no actor "
        "is REC001's; a transfer's authorisation is ONW001's."
    ),
)
def evaluate(ctx):
    ce = ctx.tables["custody_events"]
    pop = ce[ce["event"].isin(USE_EVENTS)]
    req_purpose = lookup(pop["request_id"], ctx.tables["requests"].set_index("request_id")["purpose"])
    used, asked = code(pop["purpose"]), code(req_purpose)
    no_use, no_ask = ~filled(used), ~filled(asked)
    failed = (used != asked).astype("boolean").mask(no_use | no_ask)
    case = lookup(pop["request_id"], ctx.tables["requests"].set_index("request_id")["case_reference"])
    other_case = (filled(pop["reference"]) & filled(case)
                  & (code(pop["reference"]) != code(case)).fillna(False)).astype(bool)
    where = pd.Series("", index=pop.index, dtype="string").mask(other_case, " under another case reference")
    why = pd.Series(pd.NA, index=pop.index, dtype="string")
    why = why.mask(no_ask, "the request records no purpose").mask(no_use, "the event records no purpose")
    out = result(pop, failed, event_label=pop["event"].map(_EVENT_LABEL), at=pop["at"], why=why,
                 where=where, advisory=~other_case)
    out["record_id"] = pop["event_id"]
    return out
