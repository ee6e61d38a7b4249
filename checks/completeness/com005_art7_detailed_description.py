"""COM005: an Art. 7 order describes the data in detail: description, identifiers and time range."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, filled, missing_elements, result


@check(
    id="COM005",
    rule_id="CETS224-7.3.f",
    title="Every Art. 7 order describes the data sought in detail: what, for how many identifiers, over which period",
    title_fr="Chaque injonction de l'art. 7 décrit précisément les données : quoi, pour combien d'identifiants, sur quelle période",
    instrument=CETS,
    article="Art. 7(3)(f)",
    family="completeness",
    severity="medium",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    applies_to="cets224_art7 requests",
    rationale=(
        "Art. 7(3)(f) requires a detailed description of the specific stored subscriber information "
        "sought. From logs this means a description, at least one identifier, and a bounded time range "
        "(data_time_from not after data_time_to). An order without them cannot be checked for scope."
    ),
    remediation="State the data sought, the identifiers (identifiers_count) and the period (data_time_from/to) in the order.",
    message="Art. 7 order {request_id} ({party} → {provider}) lacks a detailed description: {missing}",
    requires={"requests": ("instrument", "data_description", "identifiers_count", "data_time_from", "data_time_to")},
    notes="Overlaps: COM001 covers 7(3)(b) and (d) only, so an order missing both is two rules, not a double count.",
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art7"]
    bad, missing = missing_elements(pop.index, [
        (~filled(pop["data_description"]), "description of the data"),
        (pop["identifiers_count"].isna() | (pop["identifiers_count"] < 1), "identifiers"),
        (pop["data_time_from"].isna() | pop["data_time_to"].isna(), "time range"),
        (pop["data_time_from"] > pop["data_time_to"], "a time range that ends before it starts"),
    ])
    return result(pop, bad, missing=missing)
