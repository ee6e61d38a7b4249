"""PRO003: a request's scope (identifiers, time range) stays within the pack's proportionality thresholds."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, result, unknown_why


@check(
    id="PRO003",
    rule_id="CETS224-13",
    title="No request is bulk or covers a longer period than the proportionality thresholds for the offence's seriousness",
    title_fr="Aucune demande n'est massive ni ne couvre une période plus longue que les seuils de proportionnalité",
    instrument=CETS,
    article="Art. 13",
    family="proportionality",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    kind="advisory",
    applies_to="requests with instrument cets224_art6 to cets224_art10",
    rationale=(
        "Art. 13 (like ETS 185 Art. 15) requires conditions and safeguards that include proportionality "
        "and limits on the scope of each measure. Logs show scope as identifiers_count and the "
        "data_time_from/to range. The Protocol fixes no number of identifiers and no period: what counts "
        "as bulk, and how long a period is proportionate for serious (maximum penalty of at least "
        "proportionality_serious_offence_years) and other offences, is the auditor's policy, with the "
        "thresholds in the pack and shown in every report. A request beyond them is therefore reported as "
        "an advisory finding, not as a breach of the text."
    ),
    remediation="Narrow the request to the identifiers and period the investigation needs, or record why a wider scope is proportionate and raise the threshold for this audit.",
    message="Request {request_id} ({party} → {receiving_party}) exceeds the proportionality thresholds: {excess}",
    requires={"requests": ("instrument", "identifiers_count", "data_time_from", "data_time_to",
                           "offence_max_penalty_years")},
    params=("proportionality_bulk_identifiers", "proportionality_serious_offence_years",
            "proportionality_max_range_days_serious", "proportionality_max_range_days_other"),
    notes=(
        "Advisory: the rule is the auditor's policy (thresholds in checks/packs/cets224.toml), not a breach of "
        "Art. 13. Overlaps: a missing necessity rationale is PRO001's; missing identifiers or range on Art. 7 "
        "orders is COM005's (itself advisory for those parts)."
        " Who must act: the issuing authority: Art. 13 binds the Party; the scope is set by the authority that issues the request."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"].isin(CETS_INSTRUMENTS)]
    bulk_limit = int(ctx.param("proportionality_bulk_identifiers"))
    serious = pop["offence_max_penalty_years"] >= float(ctx.param("proportionality_serious_offence_years"))
    max_days = pd.Series(int(ctx.param("proportionality_max_range_days_other")), index=pop.index, dtype="Int64")
    max_days = max_days.mask(serious.fillna(False).astype(bool), int(ctx.param("proportionality_max_range_days_serious")))
    max_days = max_days.mask(serious.isna())
    span = calendar_days(pop["data_time_from"], pop["data_time_to"])
    bulk = (pop["identifiers_count"] > bulk_limit).astype("boolean")
    long = (span > max_days).astype("boolean")
    failed = (bulk | long).astype("boolean")
    excess = pd.Series("", index=pop.index, dtype="string")
    excess = excess.where(~bulk.fillna(False), pop["identifiers_count"].astype("string")
                          + f" identifiers (bulk threshold {bulk_limit})")
    long_text = span.astype("string") + " days of data (limit " + max_days.astype("string") + ")"
    excess = excess.where(~long.fillna(False), (excess + "; " + long_text).str.lstrip("; "))
    why = unknown_why(pop.index, failed.isna(), "identifiers_count, time range or offence_max_penalty_years not recorded")
    return result(pop, failed, excess=excess, why=why)
