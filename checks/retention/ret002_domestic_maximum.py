"""RET002: the retention period set does not exceed the Party's domestic maximum."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, events, result


@check(
    id="RET002",
    rule_id="CETS224-14.5",
    title="The retention period set for received data stays within the Party's domestic maximum",
    title_fr="La durée de conservation fixée respecte le maximum prévu par le droit interne de la Partie",
    instrument=CETS,
    article="Art. 14(5)",
    family="retention",
    severity="medium",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    applies_to="requests with a received and a retention_set event, issued by a Party whose profile sets retention_max_days",
    rationale=(
        "Art. 14(5) requires domestic law to set specific retention periods or periodic review. Where "
        "the receiving Party's law sets a maximum (profile retention_max_days), a retention date set "
        "beyond it keeps the data longer than the law allows."
    ),
    remediation="Set the retention date no later than the domestic maximum after receipt, or record the legal ground for a longer period.",
    message="Data received for request {request_id} ({party}) are set to be kept {kept} days, beyond {party}'s domestic maximum of {max_days} days",
    requires={"requests": ("issuing_party",), "custody_events": ("event", "at", "until")},
    profile_fields=("retention_max_days",),
)
def evaluate(ctx):
    rs = events(ctx, "retention_set").sort_values(["request_id", "at"], kind="stable")
    latest = rs.drop_duplicates("request_id", keep="last")[["request_id", "until"]]
    received = events(ctx, "received").groupby("request_id", as_index=False)["at"].min()
    pop = latest.merge(received, on="request_id", how="inner")
    party = pop["request_id"].map(ctx.tables["requests"].set_index("request_id")["issuing_party"])
    max_days = ctx.profile(party, "retention_max_days")
    kept = calendar_days(pop["at"], pop["until"])
    failed = (kept > max_days).astype("boolean").mask(max_days.isna() | kept.isna())
    why = pd.Series(pd.NA, index=pop.index, dtype="string")
    why = why.mask(max_days.isna(), "no retention_max_days in the Party profile (periodic review applies)")
    why = why.mask(kept.isna(), "retention_set event without an until date")
    return result(pop, failed, kept=kept, max_days=max_days, why=why)
