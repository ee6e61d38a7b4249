"""COM008: an Art. 8 order states the Protocol, offence, data, legal grounds and contact point (Art. 8(3))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, filled, missing_elements, result, unknown_why


@check(
    id="COM008",
    rule_id="CETS224-8.3",
    title="Every Art. 8 request carries the order's contents and the supporting information of Art. 8(3)",
    title_fr="Chaque demande de l'art. 8 contient les éléments de l'injonction et les informations à l'appui (art. 8(3))",
    instrument=CETS,
    article="Art. 8(3)",
    family="completeness",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art8",),
    applies_to="cets224_art8 requests",
    rationale=(
        "Art. 8(3)(a) lists the order's contents ((ii) Protocol statement, (iv) offence, (vi) detailed "
        "description of the data) and 8(3)(b) the supporting information ((i) legal grounds, "
        "(vi) contact point). Issuer, date and provider are mandatory columns; the summary of facts, "
        "relevance and other means tried have no column in the log format."
    ),
    remediation="Complete the request (protocol_statement, offence, data_description, legal_basis, contact_point) before transmitting it.",
    message="Art. 8 request {request_id} ({party} → {receiving_party}) lacks: {missing}",
    requires={"requests": ("instrument", "protocol_statement", "offence", "data_description", "legal_basis",
                           "contact_point")},
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art8"]
    bad, missing = missing_elements(pop.index, [
        (pop["protocol_statement"] == False, "Protocol statement (8(3)(a)(ii))"),  # noqa: E712
        (~filled(pop["offence"]), "offence (8(3)(a)(iv))"),
        (~filled(pop["data_description"]), "description of the data (8(3)(a)(vi))"),
        (~filled(pop["legal_basis"]), "legal grounds (8(3)(b)(i))"),
        (~filled(pop["contact_point"]), "contact point (8(3)(b)(vi))"),
    ])
    unknown = ~bad & pop["protocol_statement"].isna()
    failed = bad.astype("boolean").mask(unknown)
    return result(pop, failed, missing=missing, why=unknown_why(pop.index, unknown, "protocol_statement not recorded"))
