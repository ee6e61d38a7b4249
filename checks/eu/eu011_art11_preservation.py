"""EU011: an EPOC-PR preservation ends after 60 days unless production is confirmed, with at most
one 30-day extension asked within the 60 days (Art. 11(1))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import calendar_days, lookup, result
from checks.eu._common import EU, in_scope, na_why


@check(
    id="EU011",
    rule_id="EU1543-11.1",
    title="EPOC-PR preservation ends after 60 days unless production is confirmed, with at most one 30-day extension asked in time",
    title_fr="La conservation d'un EPOC-PR cesse après 60 jours sauf confirmation d'une demande de production, avec au plus une prolongation de 30 jours",
    instrument=EU,
    article="Art. 11(1)",
    family="retention",
    severity="medium",
    legal_basis_status="C",
    scope=("eu_epoc_pr",),
    applies_to="eu_epoc_pr requests in the Regulation's scope",
    rationale=(
        "Art. 11(1): the addressee preserves the data without undue delay; the obligation ceases "
        "after 60 days unless the issuing authority confirms that a subsequent request for production "
        "has been issued (Annex V); within those 60 days the issuing authority may extend it once by "
        "30 days (Annex VI). Days run from provider_received_at. The production request is an "
        "eu_epoc whose linked_request_id names the EPOC-PR (its issued_at is the confirmation); the "
        "extension and the end of preservation are the optional columns preservation_extended_at and "
        "preservation_released_at. A finding is raised when the extension is asked after day 60, when "
        "production is confirmed after the preservation period (60, or 90 with a timely extension) "
        "had run out, or when preservation is recorded as lasting beyond that period without a timely "
        "confirmation. Periods: eu_preservation_days, eu_preservation_extension_days."
    ),
    remediation="Confirm the production request or ask the one extension before day 60; otherwise let the provider release the data.",
    message="EPOC-PR {request_id} ({party} → {receiving_party}, provider {provider}): {problems}",
    requires={"requests": ("instrument", "provider_received_at", "linked_request_id", "preservation_extended_at")},
    params=("eu_applies_from", "eu_preservation_days", "eu_preservation_extension_days"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    base = int(ctx.param("eu_preservation_days"))
    extra = int(ctx.param("eu_preservation_extension_days"))
    pop = in_scope(ctx, ("eu_epoc_pr",))
    start = pop["provider_received_at"]
    r = ctx.requests
    prod = r[(r["instrument"] == "eu_epoc") & r["linked_request_id"].notna()]
    confirmed = lookup(pop["request_id"], prod.groupby("linked_request_id")["issued_at"].min())
    ext_day = calendar_days(start, pop["preservation_extended_at"])
    late_ext = (ext_day > base).fillna(False).astype(bool)
    period = pd.Series(base, index=pop.index).where(~(ext_day <= base).fillna(False).astype(bool), base + extra)
    conf_day = calendar_days(start, confirmed)
    late_conf = (conf_day > period).fillna(False).astype(bool)
    in_time = (conf_day <= period).fillna(False).astype(bool)
    if "preservation_released_at" in pop and "preservation_released_at" in ctx.present.get("requests", set()):
        rel_day = calendar_days(start, pop["preservation_released_at"])
    else:
        rel_day = pd.Series(pd.NA, index=pop.index, dtype="Int64")
    held = ((rel_day > period).fillna(False) & ~in_time).astype(bool)
    failed = (late_ext | late_conf | held).astype("boolean").mask(start.isna())
    problems = pd.Series("", index=pop.index, dtype="string")
    problems = problems.where(~late_ext, problems + "; extension asked on day " + ext_day.astype("string")
                              + f" (after day {base})")
    problems = problems.where(~late_conf, problems + "; production confirmed on day " + conf_day.astype("string")
                              + ", after the preservation period of " + period.astype("string") + " days")
    problems = problems.where(~held, problems + "; preserved until day " + rel_day.astype("string")
                              + " without timely confirmation (period " + period.astype("string") + " days)")
    why = na_why(pop.index).mask(start.isna(), "provider_received_at not recorded")
    return result(pop, failed, problems=problems.str.lstrip("; "), why=why)
