"""COM006: an Art. 7 order comes with the supplementary information of Art. 7(4)."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, filled, missing_elements, result


@check(
    id="COM006",
    rule_id="CETS224-7.4",
    title="Every Art. 7 order comes with legal grounds, penalties, a return contact and a time frame",
    title_fr="Chaque injonction de l'art. 7 est accompagnée de la base légale, des peines, d'un contact et d'un délai",
    instrument=CETS,
    article="Art. 7(4)",
    family="completeness",
    severity="low",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    applies_to="cets224_art7 requests",
    rationale=(
        "Art. 7(4) requires supplementary information with the order: (a) domestic legal grounds, "
        "(b) legal provisions and penalties, (c) the contact authority receiving the data, (d) the time "
        "frame and manner of return. (e) an earlier preservation is only given 'if any' and (f)-(h) are "
        "optional, so they are not tested."
    ),
    remediation="Attach legal_basis, the offence's maximum penalty, a contact_point and return_timeframe_days to every order.",
    message="Art. 7 order {request_id} ({party} → {provider}) lacks supplementary information: {missing}",
    requires={"requests": ("instrument", "legal_basis", "offence_max_penalty_years", "contact_point",
                           "return_timeframe_days")},
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art7"]
    bad, missing = missing_elements(pop.index, [
        (~filled(pop["legal_basis"]), "legal grounds (7(4)(a))"),
        (pop["offence_max_penalty_years"].isna(), "penalties (7(4)(b))"),
        (~filled(pop["contact_point"]), "contact authority (7(4)(c))"),
        (pop["return_timeframe_days"].isna(), "time frame (7(4)(d))"),
    ])
    return result(pop, bad, missing=missing)
