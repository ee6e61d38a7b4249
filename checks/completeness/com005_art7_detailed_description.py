"""COM005: an Art. 7 order gives a detailed description of the specific subscriber information
sought (breach); identifiers and a time range are the auditor's reading of "specific" (advisory)."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, filled, missing_elements, result


@check(
    id="COM005",
    rule_id="CETS224-7.3.f",
    title="Every Art. 7 order describes in detail the specific subscriber information sought",
    title_fr="Chaque injonction de l'art. 7 décrit précisément les informations relatives aux abonnés recherchées",
    instrument=CETS,
    article="Art. 7(3)(f)",
    family="completeness",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="R",
    scope=("cets224_art7",),
    kind="mixed",
    applies_to="cets224_art7 requests",
    rationale=(
        "Art. 7(3)(f) requires the order to contain \"a detailed description of the specific subscriber "
        "information sought\". An order without a description of the data (data_description) breaches "
        "the text. The text requires no identifier count and no time range: reading \"specific\" as at "
        "least one identifier (identifiers_count >= 1) and a bounded period (data_time_from not after "
        "data_time_to) is the auditor's policy, so an order failing only those parts is an advisory "
        "finding, not a breach."
    ),
    remediation="State the data sought in the order (data_description); record the identifiers (identifiers_count) and the period (data_time_from/to) it covers.",
    message="Art. 7 order {request_id} ({party} → {provider}) lacks a detailed description: {missing}",
    requires={"requests": ("instrument", "data_description", "identifiers_count", "data_time_from", "data_time_to")},
    notes=(
        "Mixed: a missing data_description is a breach of 7(3)(f); missing or zero identifiers and a missing "
        "or inverted time range are advisory (the auditor's reading of \"specific\"). One finding per order, "
        "advisory only when the description is present. Overlaps: COM001 covers 7(3)(b) and (d) only, so an "
        "order missing both is two rules, not a double count."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art7"]
    no_description = ~filled(pop["data_description"])
    policy_bad, policy_missing = missing_elements(pop.index, [
        (pop["identifiers_count"].isna() | (pop["identifiers_count"] < 1), "identifiers"),
        (pop["data_time_from"].isna() | pop["data_time_to"].isna(), "time range"),
        (pop["data_time_from"] > pop["data_time_to"], "a time range that ends before it starts"),
    ])
    missing = pd.Series("description of the data", index=pop.index, dtype="string").where(no_description, "")
    missing = (missing + "; " + policy_missing.where(policy_bad, "")).str.strip("; ")
    missing = missing.where(no_description, missing + " (advisory)")
    failed = no_description | policy_bad
    return result(pop, failed, advisory=~no_description, missing=missing)
