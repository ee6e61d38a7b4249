"""EU007: an EPOC issued to enforce a custodial sentence meets Art. 5(3): at least four months,
not given in absentia, and the person absconded."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import result
from checks.eu._common import EU, in_scope, na_why


@check(
    id="EU007",
    rule_id="EU1543-5.3",
    title="EPOCs issued to enforce a sentence concern a custodial sentence of at least 4 months, not given in absentia, against a person who absconded",
    title_fr="Les EPOC émis pour l'exécution d'une peine visent une peine privative de liberté d'au moins 4 mois, non prononcée par défaut, d'une personne en fuite",
    instrument=EU,
    article="Art. 5(3)",
    family="proportionality",
    severity="high",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope with sentence_months recorded (issued to enforce a sentence)",
    rationale=(
        "Art. 5(3) allows a European Production Order for the execution of a custodial sentence or "
        "detention order of at least 4 months, imposed by a decision not rendered in absentia, in "
        "respect of a person who absconded from justice. The log format has no column for this limb; "
        "the auditor adds the optional requests columns sentence_months, sentence_in_absentia and "
        "person_absconded. A request with sentence_months is an order to enforce a sentence. The "
        "minimum is the pack parameter eu_sentence_min_months. Without those columns the check is "
        "not evaluated."
    ),
    remediation="Issue sentence-enforcement EPOCs only for sentences of at least 4 months, not in absentia, when the person absconded.",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) to enforce a sentence fails Art. 5(3): {problems}",
    requires={"requests": ("instrument", "sentence_months", "sentence_in_absentia", "person_absconded")},
    params=("eu_applies_from", "eu_sentence_min_months"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    minimum = int(ctx.param("eu_sentence_min_months"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[pop["sentence_months"].notna()]
    short = (pop["sentence_months"] < minimum).fillna(False).astype(bool)
    absentia = (pop["sentence_in_absentia"] == True).fillna(False).astype(bool)  # noqa: E712
    present = (pop["person_absconded"] == False).fillna(False).astype(bool)  # noqa: E712
    definite = short | absentia | present
    unknown = ~definite & (pop["sentence_in_absentia"].isna() | pop["person_absconded"].isna())
    problems = pd.Series("", index=pop.index, dtype="string")
    for flag, text in ((short, f"sentence under {minimum} months"), (absentia, "sentence given in absentia"),
                       (present, "the person has not absconded")):
        problems = problems.where(~flag, problems + "; " + text)
    why = na_why(pop.index).mask(unknown, "sentence_in_absentia or person_absconded not recorded")
    return result(pop, definite.astype("boolean").mask(unknown), problems=problems.str.lstrip("; "), why=why)
