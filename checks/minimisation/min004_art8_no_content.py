"""MIN004: an Art. 8 request seeks subscriber information and traffic data only, never content."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, result


@check(
    id="MIN004",
    rule_id="CETS224-8.1",
    title="No Art. 8 request seeks content data",
    title_fr="Aucune demande de l'art. 8 ne vise des données de contenu",
    instrument=CETS,
    article="Art. 8(1)",
    family="minimisation",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art8",),
    applies_to="cets224_art8 requests",
    rationale=(
        "Art. 8(1) covers orders for specified, stored subscriber information and traffic data. "
        "Content needs mutual legal assistance (or Art. 9/10 in an emergency). Domain registration "
        "data belong to Art. 6."
    ),
    remediation="Drop content (and domain registration data) from the Art. 8 request; seek content through mutual legal assistance.",
    message="Art. 8 request {request_id} ({party} → {receiving_party}) seeks {extra}, outside Art. 8(1)",
    requires={"requests": ("instrument", "data_requested")},
    notes="Overlaps: traffic data from a Party that reserved Art. 8(13) are RES001's; this check reads only content and domain data.",
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art8"]
    content = pop["req_content"].fillna(False).astype(bool)
    domain = pop["req_domain_registration"].fillna(False).astype(bool)
    extra = content.map({True: "content", False: ""}).astype("string")
    extra = extra.where(~domain, (extra + " and domain registration data").str.removeprefix(" and "))
    return result(pop, content | domain, extra=extra)
