"""EU013: an EPOC or EPOC-PR carries the Annex I / II particulars the log can show."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import EU_INSTRUMENTS, filled, result
from checks.eu._common import EU, column, in_scope, na_why


@check(
    id="EU013",
    rule_id="EU1543-AnnexI",
    title="EPOCs and EPOC-PRs state the file reference, the validator's name, the deadline and the contact authority",
    title_fr="Les EPOC et EPOC-PR indiquent la référence du dossier, l'autorité de validation, le délai et l'autorité de contact",
    instrument=EU,
    article="Annex I §§A, C, L",
    family="completeness",
    severity="low",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=EU_INSTRUMENTS,
    applies_to="eu_epoc and eu_epoc_pr requests in the Regulation's scope",
    rationale=(
        "The EPOC form (Annex I; Annex II for EPOC-PR) states in §A the issuing State, the issuing and "
        "validating authorities and the file numbers, in §C the deadline (EPOC only) and in §L the "
        "authority to which the data are to be transferred. The issuer is a mandatory column; this "
        "check covers the file reference (case_reference), the validating authority's name when a "
        "validating_authority_type is recorded, the deadline (EPOC only: a stated deadline_at or "
        "return_timeframe_days, either records it) and the contact authority (contact_point). With "
        "neither deadline column in the input, an EPOC that lacks nothing else is unknown. Whether the "
        "issuer or validator was competent is EU003/EU004/EU015."
    ),
    remediation="Complete the certificate before it is sent: file reference, validating authority, deadline and contact authority.",
    message="{instrument} {request_id} ({party} → {receiving_party}, provider {provider}) lacks: {missing}",
    requires={"requests": ("instrument", "case_reference", "validating_authority", "validating_authority_type",
                           "contact_point")},
    params=("eu_applies_from",),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    pop = in_scope(ctx)
    no_ref = ~filled(pop["case_reference"])
    no_validator = pop["validating_authority_type"].notna() & ~filled(pop["validating_authority"])
    present = ctx.present.get("requests", set())
    deadline_known = bool({"deadline_at", "return_timeframe_days"} & present)
    stated = column(ctx, pop, "deadline_at").notna() | column(ctx, pop, "return_timeframe_days").notna()
    epoc = (pop["instrument"] == "eu_epoc").astype(bool)
    no_deadline = (epoc & ~stated).astype(bool) if deadline_known else pd.Series(False, index=pop.index)
    no_contact = ~filled(pop["contact_point"])
    missing = pd.Series("", index=pop.index, dtype="string")
    for flag, label in ((no_ref, "file reference (§A)"), (no_validator, "validating authority's name (§A)"),
                        (no_deadline, "deadline (§C)"), (no_contact, "contact authority (§L)")):
        missing = missing.where(~flag.astype(bool), missing + "; " + label)
    failed = (no_ref | no_validator | no_deadline | no_contact).astype(bool)
    unknown = ~failed & epoc & (not deadline_known)
    why = na_why(pop.index).mask(unknown, "neither requests.deadline_at nor requests.return_timeframe_days in the input")
    return result(pop, failed.astype("boolean").mask(unknown), instrument=pop["instrument"],
                  missing=missing.str.lstrip("; "), why=why)
