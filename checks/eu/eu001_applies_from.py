"""EU001: no EPOC or EPOC-PR is issued before the Regulation applies (Art. 34(2))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import EU_INSTRUMENTS, result
from checks.eu._common import EU, applies_from


@check(
    id="EU001",
    rule_id="EU1543-34",
    title="EPOCs and EPOC-PRs are issued only once Regulation (EU) 2023/1543 applies",
    title_fr="Les EPOC et EPOC-PR ne sont émis qu'à partir de l'application du règlement (UE) 2023/1543",
    instrument=EU,
    article="Art. 34(2)",
    family="completeness",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=EU_INSTRUMENTS,
    applies_to="eu_epoc and eu_epoc_pr requests",
    rationale=(
        "Regulation (EU) 2023/1543 entered into force on 17 August 2023 and applies from 18 August 2026 "
        "(Art. 34(2)). A European Production or Preservation Order issued before that date has no legal "
        "basis: the data had to be sought through mutual legal assistance or another instrument. The "
        "date is the pack parameter eu_applies_from. Such an order is reported here only; the other EU "
        "checks do not evaluate it."
    ),
    remediation="Use mutual legal assistance or the European Investigation Order for orders issued before the application date.",
    message="{instrument} {request_id} ({party} → {receiving_party}, provider {provider}) was issued on {issued_at}, before Regulation (EU) 2023/1543 applies ({start})",
    requires={"requests": ("instrument", "issued_at")},
    params=("eu_applies_from",),
)
def evaluate(ctx):
    start = applies_from(ctx)
    r = ctx.requests
    pop = r[r["instrument"].isin(EU_INSTRUMENTS)]
    return result(pop, pop["issued_at"] < start, instrument=pop["instrument"], start=start.strftime("%Y-%m-%d"))
