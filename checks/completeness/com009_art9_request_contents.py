"""COM009: an Art. 9 emergency request carries the contents of Art. 9(3)."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, filled, missing_elements, result, unknown_why


@check(
    id="COM009",
    rule_id="CETS224-9.3",
    title="Every Art. 9 emergency request states the Protocol, the offence with its legal provisions and penalties, and the data sought",
    title_fr="Chaque demande d'urgence de l'art. 9 mentionne le Protocole, l'infraction, ses dispositions et peines, et les données",
    instrument=CETS,
    article="Art. 9(3)",
    family="completeness",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art9",),
    applies_to="cets224_art9 requests",
    rationale=(
        "Art. 9(3) lists the contents of an emergency request: (a) authority and date, (b) Protocol "
        "statement, (c) provider, (d) offence, legal provisions and penalties, (e) the facts showing the "
        "emergency, (f) a detailed description of the data. (a) and (c) are mandatory columns; (e) is "
        "NEC001's."
    ),
    remediation="Complete the emergency request (protocol_statement, offence, legal_basis, offence_max_penalty_years, data_description).",
    message="Art. 9 emergency request {request_id} ({party} → {receiving_party}) lacks: {missing}",
    requires={"requests": ("instrument", "protocol_statement", "offence", "legal_basis",
                           "offence_max_penalty_years", "data_description")},
    notes="Overlaps: a missing emergency justification (9(3)(e)) is reported by NEC001 alone (Art. 3(2)(c)).",
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art9"]
    bad, missing = missing_elements(pop.index, [
        (pop["protocol_statement"] == False, "Protocol statement (9(3)(b))"),  # noqa: E712
        (~filled(pop["offence"]), "offence (9(3)(d))"),
        (~filled(pop["legal_basis"]), "legal provisions (9(3)(d))"),
        (pop["offence_max_penalty_years"].isna(), "penalties (9(3)(d))"),
        (~filled(pop["data_description"]), "description of the data (9(3)(f))"),
    ])
    unknown = ~bad & pop["protocol_statement"].isna()
    failed = bad.astype("boolean").mask(unknown)
    return result(pop, failed, missing=missing, why=unknown_why(pop.index, unknown, "protocol_statement not recorded"))
