"""EU007: an EPOC issued to execute a custodial sentence meets Art. 5(3): at least four months, not
given in absentia, the person absconded; for traffic or content data the sentence is for an offence
of Art. 5(4)(a)-(c) (Art. 5(4)(d))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, art5_4, in_scope, na_why, traffic_or_content


@check(
    id="EU007",
    rule_id="EU1543-5.3",
    title="EPOCs issued to execute a sentence concern a custodial sentence of at least 4 months, not given in absentia, against a person who absconded, and for traffic or content data an Art. 5(4)(a)-(c) offence",
    title_fr="Les EPOC émis pour l'exécution d'une peine visent une peine privative de liberté d'au moins 4 mois, non prononcée par défaut, d'une personne en fuite, et pour le trafic ou le contenu une infraction de l'art. 5(4)(a)-(c)",
    instrument=EU,
    article="Art. 5(3)-(4)",
    family="proportionality",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope with sentence_months recorded (issued to execute a sentence)",
    rationale=(
        "Art. 5(3) allows a European Production Order for subscriber or identification data for the "
        "execution of a custodial sentence or detention order of at least 4 months, imposed by a "
        "decision not rendered in absentia, in respect of a person who absconded from justice. Art. "
        "5(4)(d) allows one for traffic or content data only to execute such a sentence (at least 4 "
        "months) imposed for an offence of Art. 5(4)(a)-(c): a maximum penalty of at least "
        "eu_offence_threshold_years, a listed offence (eu_listed_offence_categories / "
        "eu_listed_offences) committed by means of an information system, or a terrorist offence "
        "(eu_terrorism_categories), read as in EU006. The optional requests columns sentence_months, "
        "sentence_in_absentia and person_absconded record the limb; a request with sentence_months is "
        "an order to execute a sentence. The minimum is eu_sentence_min_months. Without those columns "
        "the check is not evaluated."
    ),
    remediation="Issue sentence-execution EPOCs only for sentences of at least 4 months, not in absentia, when the person absconded, and for traffic or content data only for Art. 5(4)(a)-(c) offences.",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) to execute a sentence fails Art. 5(3)-(4): {problems}",
    requires={"requests": ("instrument", "sentence_months", "sentence_in_absentia", "person_absconded")},
    params=("eu_applies_from", "eu_sentence_min_months", "eu_offence_threshold_years", "eu_listed_offences",
            "eu_listed_offence_categories", "eu_terrorism_categories"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "The Art. 5(4)(d) part reads offence, offence_max_penalty_years, offence_category and "
        "committed_via_information_system; where they are absent or empty for a traffic or content "
        "order that fails no other condition, the order is unknown."
    ),
)
def evaluate(ctx):
    minimum = int(ctx.param("eu_sentence_min_months"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[pop["sentence_months"].notna()]
    short = (pop["sentence_months"] < minimum).fillna(False).astype(bool)
    absentia = (pop["sentence_in_absentia"] == True).fillna(False).astype(bool)  # noqa: E712
    present = (pop["person_absconded"] == False).fillna(False).astype(bool)  # noqa: E712
    tc = traffic_or_content(pop)
    ok54, failed54, reason54, why54 = art5_4(ctx, pop)
    offence = tc & failed54
    definite = short | absentia | present | offence
    unknown_53 = pop["sentence_in_absentia"].isna() | pop["person_absconded"].isna()
    unknown_54 = tc & ~ok54 & ~failed54
    unknown = ~definite & (unknown_53 | unknown_54)
    problems = pd.Series("", index=pop.index, dtype="string")
    for flag, text in ((short, f"sentence under {minimum} months"), (absentia, "sentence given in absentia"),
                       (present, "the person has not absconded")):
        problems = problems.where(~flag, problems + "; " + text)
    problems = problems.where(~offence, problems + "; for traffic or content data the sentence is not for an "
                              "Art. 5(4)(a)-(c) offence (maximum penalty " + pop["offence_max_penalty_years"]
                              .astype("string").str.replace(r"\.0$", "", regex=True).fillna("unknown")
                              + " year(s), " + reason54 + ")")
    why = na_why(pop.index).mask(unknown & unknown_53, "sentence_in_absentia or person_absconded not recorded")
    why = why.mask(unknown & ~unknown_53, why54)
    return result(pop, definite.astype("boolean").mask(unknown), problems=problems.str.lstrip("; "), why=why)
