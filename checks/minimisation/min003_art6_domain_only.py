"""MIN003: an Art. 6 request seeks domain name registration information only."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, result


@check(
    id="MIN003",
    rule_id="CETS224-6.1",
    title="Every Art. 6 request seeks domain name registration information only",
    title_fr="Chaque demande de l'art. 6 ne vise que des informations d'enregistrement de noms de domaine",
    instrument=CETS,
    article="Art. 6(1)",
    family="minimisation",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art6",),
    applies_to="cets224_art6 requests",
    rationale=(
        "Art. 6(1) lets an authority ask a registrar directly only for information, in its possession "
        "or control, that identifies or lets it contact the registrant of a domain name. Any other "
        "category (subscriber, traffic, content) needs Art. 7, 8 or mutual assistance."
    ),
    remediation="Limit the Art. 6 request to domain_registration data; ask for other data through the instrument that allows it.",
    message="Art. 6 request {request_id} ({party} → {provider}) seeks {extra}, outside Art. 6(1)",
    requires={"requests": ("instrument", "data_requested")},
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art6"]
    cols = {"subscriber": "req_subscriber", "ip_identification": "req_ip_identification",
            "traffic": "req_traffic", "content": "req_content"}
    extra = pd.Series("", index=pop.index, dtype="string")
    for name, col in cols.items():
        extra = extra + pop[col].fillna(False).astype(bool).map({True: f"{name}, ", False: ""}).astype("string")
    extra = extra.str.removesuffix(", ")
    failed = extra.str.len() > 0
    return result(pop, failed, extra=extra)
