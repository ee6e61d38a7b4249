"""ONW002: sharing within the receiving Party names the recipient and the binding reference."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, events, filled, result


@check(
    id="ONW002",
    rule_id="CETS224-14.9",
    title="Every sharing with another domestic authority names the recipient and the reference that binds it to Art. 14",
    title_fr="Tout partage avec une autre autorité nationale nomme le destinataire et la référence qui le lie à l'art. 14",
    instrument=CETS,
    article="Art. 14(9)",
    family="onward_transfer",
    severity="medium",
    duty="receiving_authority",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    applies_to="custody events shared_domestic",
    rationale=(
        "Under Art. 14(9) data may be shared with another authority of the receiving Party only if that "
        "authority is bound by the safeguards of Art. 14. A share that does not name the recipient and "
        "the reference of its binding cannot be shown to meet that condition."
    ),
    remediation="Record the receiving authority (counterparty) and the reference of its Art. 14 commitment (reference) for each share.",
    message="Domestic share {record_id} of data from request {request_id} ({party}) lacks {missing}",
    requires={"requests": ("request_id",), "custody_events": ("event", "counterparty", "reference")},
)
def evaluate(ctx):
    pop = events(ctx, "shared_domestic")
    no_rec = ~filled(pop["counterparty"])
    no_ref = ~filled(pop["reference"])
    missing = pd.Series("", index=pop.index, dtype="string")
    missing = missing.where(~no_rec, "the recipient")
    missing = missing.where(~no_ref, (missing + " and the binding reference").str.removeprefix(" and "))
    out = result(pop, no_rec | no_ref, missing=missing)
    out["record_id"] = pop["event_id"]
    return out
