"""COM004: an Art. 6 domain name registration request carries the contents of Art. 6(3)."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, filled, missing_elements, result, unknown_why


@check(
    id="COM004",
    rule_id="CETS224-6.3",
    title="Every Art. 6 request gives contact details, the data sought, the Protocol statement and a time frame",
    title_fr="Chaque demande de l'art. 6 indique le contact, les données visées, la mention du Protocole et le délai",
    instrument=CETS,
    article="Art. 6(3)",
    family="completeness",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art6",),
    applies_to="cets224_art6 requests",
    rationale=(
        "Art. 6(3) lists what a request for domain name registration information contains: (a) date, "
        "issuer identity and contact details; (b) the domain and a detailed list of the data sought; "
        "(c) a statement that it is made under the Protocol, that the data are needed for a specific "
        "criminal case and will be used only for it; (d) time frame and manner of disclosure. Date and "
        "issuer are mandatory columns checked at ingest."
    ),
    remediation="Complete the request (contact_point, data_description, protocol_statement, return_timeframe_days) before sending it to the registrar.",
    message="Art. 6 request {request_id} ({party} → {provider}) lacks: {missing}",
    requires={"requests": ("instrument", "contact_point", "data_description", "protocol_statement",
                           "return_timeframe_days")},
    notes="Overlaps: the case reference behind the 6(3)(c) 'specific case' statement is NEC002's (Art. 14(2)(a)).",
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art6"]
    bad, missing = missing_elements(pop.index, [
        (~filled(pop["contact_point"]), "contact details (6(3)(a))"),
        (~filled(pop["data_description"]), "list of the data sought (6(3)(b))"),
        (pop["protocol_statement"] == False, "Protocol statement (6(3)(c))"),  # noqa: E712
        (pop["return_timeframe_days"].isna(), "time frame (6(3)(d))"),
    ])
    unknown = ~bad & pop["protocol_statement"].isna()
    failed = bad.astype("boolean").mask(unknown)
    return result(pop, failed, missing=missing, why=unknown_why(pop.index, unknown, "protocol_statement not recorded"))
