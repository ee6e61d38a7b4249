"""COM007: an Art. 8 request to a Party that declared under Art. 7(8) follows an Art. 7 attempt or says why not."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, filled, lookup, result, unknown_why


@check(
    id="COM007",
    rule_id="CETS224-7.8",
    title="Art. 8 requests to a Party that declared under Art. 7(8) follow an Art. 7 order, or explain why none was tried",
    title_fr="Les demandes de l'art. 8 vers une Partie déclarante (art. 7(8)) suivent une injonction de l'art. 7 ou expliquent pourquoi",
    instrument=CETS,
    article="Art. 7(8)",
    family="completeness",
    severity="low",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art8",),
    applies_to="cets224_art8 requests whose receiving Party's profile has art8_prior_art7_required = true",
    rationale=(
        "Under Art. 7(8) a Party may declare that another Party must first seek disclosure directly from "
        "the provider under Art. 7 before requesting it under Art. 8, unless it gives a reasonable "
        "explanation. The log shows this as linked_request_id pointing to an Art. 7 order, or a "
        "no_prior_attempt_reason."
    ),
    remediation="Link the Art. 8 request to the Art. 7 order tried first, or record why none was tried (no_prior_attempt_reason).",
    message="Art. 8 request {request_id} ({party} → {receiving_party}) neither follows an Art. 7 order nor explains why; {receiving_party} declared under Art. 7(8)",
    requires={"requests": ("instrument", "linked_request_id", "no_prior_attempt_reason")},
    profile_fields=("art8_prior_art7_required",),
    notes="Overlaps: an Art. 8 request linked to an Art. 7 order too early is TIM003's (Art. 7(7)), not this check's.",
)
def evaluate(ctx):
    r = ctx.requests
    art8 = r[r["instrument"] == "cets224_art8"]
    required = ctx.profile(art8["receiving_party"], "art8_prior_art7_required")
    pop = art8[required.fillna(True).astype(bool)]
    req = required[pop.index]
    linked_instrument = lookup(pop["linked_request_id"], r.set_index("request_id")["instrument"])
    ok = (linked_instrument == "cets224_art7").fillna(False) | filled(pop["no_prior_attempt_reason"])
    failed = (~ok).astype("boolean").mask(req.isna())
    why = unknown_why(pop.index, req.isna(), "no art8_prior_art7_required value in the receiving Party's profile")
    return result(pop, failed, why=why)
