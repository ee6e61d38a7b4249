"""EU018: a reasoned objection for conflicting third-country law is raised within 10 days of receipt
of the EPOC (Art. 17(1)-(2))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import after_as_of, calendar_days, result
from checks.eu._common import EU, in_scope, na_why


@check(
    id="EU018",
    rule_id="EU1543-17.2",
    title="Reasoned objections for conflicting third-country law are raised within 10 days of receipt",
    title_fr="Les objections motivées fondées sur le droit d'un pays tiers sont soulevées dans les 10 jours de la réception",
    instrument=EU,
    article="Art. 17(1)-(2)",
    family="timeliness",
    severity="medium",
    duty="provider",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope with reasoned_objection_at recorded",
    rationale=(
        "Art. 17(1)-(2): an addressee that considers that complying with a European Production Order "
        "would conflict with an obligation under the applicable law of a third country informs the "
        "issuing and enforcing authorities by a reasoned objection, on the Annex III form, within 10 "
        "days after receipt of the EPOC. reasoned_objection_at is compared with provider_received_at in "
        "calendar days from the day after receipt: day 10 is in time, day 11 late. The limit is "
        "eu_reasoned_objection_days. Whether the objection is well founded (not based on data location "
        "or procedural differences alone) needs a human reviewer."
    ),
    remediation="Providers: raise a conflict with third-country law by a reasoned objection (Annex III) within 10 days of receiving the EPOC.",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}): reasoned objection raised on day {day} after receipt (limit {limit} days)",
    requires={"requests": ("instrument", "provider_received_at", "reasoned_objection_at")},
    params=("eu_applies_from", "eu_reasoned_objection_days"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "reasoned_objection_at is an optional column; without it the check is not evaluated."
        " Who must act: the provider: Art. 17(1)-(2) binds the addressee to raise its reasoned objection within 10 days."
    ),
)
def evaluate(ctx):
    limit = int(ctx.param("eu_reasoned_objection_days"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[pop["reasoned_objection_at"].notna()]
    pop = pop[~after_as_of(ctx, pop, "provider_received_at")]  # the 10 days had not started on the audit date
    day = calendar_days(pop["provider_received_at"], pop["reasoned_objection_at"])
    why = na_why(pop.index).mask(pop["provider_received_at"].isna(), "provider_received_at not recorded")
    return result(pop, (day > limit).astype("boolean"), day=day, limit=limit, why=why, elapsed=day,
                  clock="days from receipt to the reasoned objection", limit_kind="deadline")  # for the report charts (auditor.engine.deadlines)
