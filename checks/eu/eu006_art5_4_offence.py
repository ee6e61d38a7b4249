"""EU006: an EPOC for traffic or content data concerns an offence of Art. 5(4)(a)-(c): punishable by
at least three years, a listed offence committed by means of an information system, or a terrorist
offence."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, art5_4, column, in_scope, traffic_or_content


@check(
    id="EU006",
    rule_id="EU1543-5.4",
    title="EPOCs for traffic or content data concern an offence punishable by at least 3 years, a listed offence committed by means of an information system, or a terrorist offence",
    title_fr="Les EPOC portant sur le trafic ou le contenu concernent une infraction punie d'au moins 3 ans, une infraction listée commise au moyen d'un système d'information, ou une infraction terroriste",
    instrument=EU,
    article="Art. 5(4)",
    family="proportionality",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope asking for traffic or content data, not issued to enforce a sentence",
    rationale=(
        "Art. 5(4) allows a European Production Order for traffic data (other than identification "
        "data) or content data only (a) for offences punishable in the issuing State by a custodial "
        "sentence of a maximum of at least 3 years (eu_offence_threshold_years); (b) for the offences "
        "of Dir. (EU) 2019/713, Dir. 2011/93/EU and Dir. 2013/40/EU wholly or partly committed by means "
        "of an information system; (c) for terrorist offences of Dir. (EU) 2017/541; or (d) to execute "
        "a custodial sentence of at least 4 months for those offences (EU007). A listed offence is an "
        "offence_category of eu_listed_offence_categories or an offence code of eu_listed_offences "
        "(compared case- and punctuation-insensitively with the offence column); it qualifies only when "
        "committed_via_information_system is true (false: not (b); empty or absent: unknown unless (a) "
        "or (c) applies). A terrorist offence (offence_category or offence code in "
        "eu_terrorism_categories) qualifies whatever the penalty, so a 1-year terrorist offence is "
        "lawful. Orders issued to enforce a sentence (sentence_months recorded) are EU007's."
    ),
    remediation="Use traffic or content EPOCs only for offences above the threshold, listed offences committed by means of an information system or terrorist offences, and record offence_category and committed_via_information_system.",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) seeks {data_requested} data for offence '{offence}' with a maximum penalty of {penalty} year(s), below {threshold} {reason}",
    requires={"requests": ("instrument", "data_requested", "offence", "offence_max_penalty_years")},
    params=("eu_applies_from", "eu_offence_threshold_years", "eu_listed_offences", "eu_listed_offence_categories",
            "eu_terrorism_categories"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "An order whose penalty is below the threshold and whose offence is recorded neither as a "
        "listed nor as a terrorist offence (offence_category, or the legacy offence codes) is a "
        "finding; offence_category and committed_via_information_system are optional columns."
    ),
)
def evaluate(ctx):
    threshold = float(ctx.param("eu_offence_threshold_years"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[traffic_or_content(pop) & column(ctx, pop, "sentence_months").isna()]
    ok, failed, reason, why = art5_4(ctx, pop)
    verdict = failed.astype("boolean").mask(~ok & ~failed)
    offence = pop["offence"].astype("string").fillna(column(ctx, pop, "offence_category").astype("string"))
    return result(pop, verdict, data_requested=pop["data_requested"], offence=offence.fillna("unrecorded"),
                  penalty=pop["offence_max_penalty_years"], threshold=f"{threshold:g} years", reason=reason,
                  why=why)
