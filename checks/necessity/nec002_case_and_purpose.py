"""NEC002: every Protocol request is tied to a specific case and states its purpose (Art. 14(2)(a))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, filled, missing_elements, result


@check(
    id="NEC002",
    rule_id="CETS224-14.2.a",
    title="Every request under the Protocol names the specific case and the purpose for which the data will be used",
    title_fr="Chaque demande au titre du Protocole indique l'affaire précise et la finalité de l'utilisation des données",
    instrument=CETS,
    article="Art. 14(2)(a)",
    family="necessity",
    severity="medium",
    duty="issuing_authority",
    notes="Who must act: the issuing authority: Art. 14(2)(a) binds the Party; the case and purpose are set in the request its authority issues.",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    applies_to="requests with instrument cets224_art6 to cets224_art10",
    rationale=(
        "Art. 14(2)(a) limits processing to the purposes of Art. 2 (specific criminal investigations or "
        "proceedings) and forbids incompatible further use. Data whose request names no case or purpose "
        "cannot be shown to be used only for it (Arts. 6(3)(c) and 7-9 require a specific case too)."
    ),
    remediation="Record the case_reference and purpose on every request before it is sent.",
    message="Request {request_id} ({party} → {receiving_party}) records no {missing}",
    requires={"requests": ("instrument", "case_reference", "purpose")},
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"].isin(CETS_INSTRUMENTS)]
    bad, missing = missing_elements(pop.index, [
        (~filled(pop["case_reference"]), "case reference"),
        (~filled(pop["purpose"]), "purpose"),
    ])
    return result(pop, bad, missing=missing.str.replace("; ", " and ", regex=False))
