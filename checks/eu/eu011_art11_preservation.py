"""EU011: the one 30-day extension of an EPOC-PR preservation is asked within the first 60 days
(Art. 11(1))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import after_as_of, calendar_days, result
from checks.eu._common import EU, in_scope, na_why


@check(
    id="EU011",
    rule_id="EU1543-11.1",
    title="The extension of an EPOC-PR preservation is asked within the 60-day preservation period",
    title_fr="La prolongation de la conservation d'un EPOC-PR est demandée dans le délai de conservation de 60 jours",
    instrument=EU,
    article="Art. 11(1)",
    family="retention",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("eu_epoc_pr",),
    applies_to="eu_epoc_pr requests in the Regulation's scope with preservation_extended_at recorded",
    rationale=(
        "Art. 11(1): the addressee preserves the data without undue delay; the obligation ceases after "
        "60 days unless the issuing authority confirms that a subsequent request for production has "
        "been issued (Annex V); during those 60 days the issuing authority may extend it once by 30 "
        "days (Annex VI). An extension asked after day 60 (preservation_extended_at, calendar days from "
        "the day after provider_received_at; day 60 is in time, day 61 late) is a finding: the "
        "obligation it would extend had already ceased. The period is eu_preservation_days."
    ),
    remediation="Ask the one 30-day extension (Annex VI) before day 60 of the preservation; after that, issue a new order if the data are still needed.",
    message="EPOC-PR {request_id} ({party} → {receiving_party}, provider {provider}): extension asked on day {day} after receipt (after day {limit})",
    requires={"requests": ("instrument", "provider_received_at", "preservation_extended_at")},
    params=("eu_applies_from", "eu_preservation_days"),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "Ending a preservation is not a breach; only a late extension is (legal-requirements.md §8). "
        "Art. 11(1) says the obligation to preserve 'shall cease after 60 days' unless production is "
        "confirmed: when the 60 (or 90) days run out without a confirmation, the preservation simply "
        "ends by law. A confirmation after the period, or data still held after it, therefore breaches "
        "no rule of the Regulation the issuer's log can show (what the provider keeps afterwards is a "
        "matter for its own data-protection law), so those findings were dropped. The production "
        "confirmation (a linked eu_epoc) is not needed for this rule."
        " Who must act: the issuing authority: Art. 11(1) lets it extend the preservation (Annex VI); the provider's own duty to preserve is not judged here."
    ),
)
def evaluate(ctx):
    base = int(ctx.param("eu_preservation_days"))
    pop = in_scope(ctx, ("eu_epoc_pr",))
    pop = pop[pop["preservation_extended_at"].notna()]
    pop = pop[~after_as_of(ctx, pop, "provider_received_at")]  # the 60 days had not started on the audit date
    day = calendar_days(pop["provider_received_at"], pop["preservation_extended_at"])
    failed = (day > base).astype("boolean")
    why = na_why(pop.index).mask(pop["provider_received_at"].isna(), "provider_received_at not recorded")
    return result(pop, failed, day=day, limit=base, why=why, elapsed=day,
                  clock="days from receipt to the extension request", limit_kind="deadline")  # for the report charts (auditor.engine.deadlines)
