"""COM007: an Art. 8 request for subscriber information to a Party that declared under Art. 7(8)
follows an Art. 7 attempt or says why not."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, filled, lookup, result, unknown_why


@check(
    id="COM007",
    rule_id="CETS224-7.8",
    title="Art. 8 requests for subscriber information to a Party that declared under Art. 7(8) follow an Art. 7 order, or explain why none was tried",
    title_fr="Les demandes de l'art. 8 portant sur des informations relatives aux abonnés vers une Partie déclarante (art. 7(8)) suivent une injonction de l'art. 7 ou expliquent pourquoi",
    instrument=CETS,
    article="Art. 7(8)",
    family="completeness",
    severity="low",
    duty="issuing_authority",
    legal_basis_status="R",
    scope=("cets224_art8",),
    applies_to=(
        "cets224_art8 requests seeking subscriber information (ip_identification too when the pack counts it "
        "as subscriber information) whose receiving Party's profile has art8_prior_art7_required = true"
    ),
    rationale=(
        "Under Art. 7(8) a Party may declare that other Parties \"seek disclosure of subscriber information "
        "from the service provider before seeking it under Article 8\", unless they give a reasonable "
        "explanation. The declaration covers subscriber information only: an Art. 8 request that seeks no "
        "subscriber information (traffic data only) is outside it. The log shows the prior attempt as "
        "linked_request_id pointing to an Art. 7 order (looked up among all requests, never judged here), or "
        "a no_prior_attempt_reason."
    ),
    remediation="Link the Art. 8 request to the Art. 7 order tried first, or record why none was tried (no_prior_attempt_reason).",
    message="Art. 8 request {request_id} ({party} → {receiving_party}) for subscriber information neither follows an Art. 7 order nor explains why; {receiving_party} declared under Art. 7(8)",
    requires={"requests": ("instrument", "data_requested", "linked_request_id", "no_prior_attempt_reason")},
    params=("art7_ip_identification_is_subscriber",),
    profile_fields=("art8_prior_art7_required",),
    notes=(
        "Traffic-only Art. 8 requests are outside 7(8) (legal-requirements.md §8). Overlaps: an Art. 8 request "
        "linked to an Art. 7 order too early is TIM003's (Art. 7(7)), reported on the Art. 7 order."
        " Who must act: the issuing authority: Art. 7(8) asks the requesting Party to try the provider first (the declaration is the requested Party's)."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    art8 = r[r["instrument"] == "cets224_art8"]
    subscriber = art8["req_subscriber"].fillna(False).astype(bool)
    if ctx.param("art7_ip_identification_is_subscriber"):
        subscriber |= art8["req_ip_identification"].fillna(False).astype(bool)
    art8 = art8[subscriber]
    required = ctx.profile(art8["receiving_party"], "art8_prior_art7_required")
    pop = art8[required.fillna(True).astype(bool)]
    req = required[pop.index]
    linked = ctx.linked_requests(pop["linked_request_id"])
    linked_instrument = lookup(pop["linked_request_id"], linked.set_index("request_id")["instrument"])
    ok = (linked_instrument == "cets224_art7").fillna(False) | filled(pop["no_prior_attempt_reason"])
    failed = (~ok).astype("boolean").mask(req.isna())
    why = unknown_why(pop.index, req.isna(), "no art8_prior_art7_required value in the receiving Party's profile")
    return result(pop, failed, why=why)
