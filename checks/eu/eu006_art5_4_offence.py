"""EU006: an EPOC for traffic or content data concerns an offence punishable by at least three
years, or a listed offence (Art. 5(4))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, code, code_list, in_scope, na_why, traffic_or_content


@check(
    id="EU006",
    rule_id="EU1543-5.4",
    title="EPOCs for traffic or content data concern an offence punishable by at least 3 years, or a listed offence",
    title_fr="Les EPOC portant sur le trafic ou le contenu concernent une infraction punie d'au moins 3 ans ou une infraction listée",
    instrument=EU,
    article="Art. 5(4)",
    family="proportionality",
    severity="high",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope asking for traffic or content data, not issued to enforce a sentence",
    rationale=(
        "Art. 5(4) allows a European Production Order for traffic data (other than identification "
        "data) or content data only (a) for offences punishable in the issuing State by a custodial "
        "sentence of a maximum of at least 3 years, or (b) for the offences of Dir. 2019/713 Arts. "
        "3-8, Dir. 2011/93/EU Arts. 3-7 and Dir. 2013/40/EU Arts. 3-8 committed wholly or partly by "
        "means of an information system. The threshold is eu_offence_threshold_years and the listed "
        "offences are the codes of eu_listed_offences (compared case- and punctuation-insensitively "
        "with the offence column). Orders issued to enforce a sentence (sentence_months recorded) are "
        "checked by EU007 instead."
    ),
    remediation="Use traffic or content EPOCs only for offences above the threshold or on the list; otherwise seek subscriber data or use another instrument.",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) seeks {data_requested} data for offence '{offence}' with a maximum penalty of {penalty} year(s), below {threshold} and not a listed offence",
    requires={"requests": ("instrument", "data_requested", "offence", "offence_max_penalty_years")},
    params=("eu_applies_from", "eu_offence_threshold_years", "eu_listed_offences"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    threshold = float(ctx.param("eu_offence_threshold_years"))
    listed = code_list(ctx.param("eu_listed_offences"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[traffic_or_content(pop)]
    if "sentence_months" in pop:
        pop = pop[pop["sentence_months"].isna()]
    penalty = pd.to_numeric(pop["offence_max_penalty_years"], errors="coerce").astype("Float64")
    is_listed = code(pop["offence"]).isin(listed).fillna(False).astype(bool)
    above = (penalty >= threshold).fillna(False).astype(bool)
    ok = is_listed | above
    unknown = ~ok & penalty.isna()
    why = na_why(pop.index).mask(unknown, "offence_max_penalty_years not recorded and offence not listed")
    return result(pop, (~ok).astype("boolean").mask(unknown), data_requested=pop["data_requested"],
                  offence=pop["offence"].fillna("unrecorded"), penalty=penalty,
                  threshold=f"{threshold:g} years", why=why)
