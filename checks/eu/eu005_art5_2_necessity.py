"""EU005: every EPOC records why it is necessary and proportionate (Art. 5(2))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import filled, result
from checks.eu._common import EU, in_scope


@check(
    id="EU005",
    rule_id="EU1543-5.2",
    title="Every EPOC records why the data are necessary and proportionate",
    title_fr="Chaque EPOC consigne les motifs de nécessité et de proportionnalité",
    instrument=EU,
    article="Art. 5(2)",
    family="necessity",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="C",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope",
    rationale=(
        "Art. 5(2) allows a European Production Order only where it is necessary and proportionate for "
        "the proceedings, taking into account the rights of the suspected or accused person, and could "
        "have been ordered in a similar domestic case. The auditor checks that the grounds are "
        "recorded (necessity_rationale); whether they are convincing is for a human reviewer."
    ),
    remediation="Record the necessity and proportionality grounds in the order file before it is issued.",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) records no necessity and proportionality grounds",
    requires={"requests": ("instrument", "necessity_rationale")},
    params=("eu_applies_from",),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    pop = in_scope(ctx, ("eu_epoc",))
    return result(pop, ~filled(pop["necessity_rationale"]))
