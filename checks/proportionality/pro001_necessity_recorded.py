"""PRO001: Protocol requests record why the data are necessary and proportionate."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, filled, result


@check(
    id="PRO001",
    rule_id="CETS224-13",
    title="Every request under the Protocol records its necessity and proportionality reasoning",
    title_fr="Chaque demande au titre du Protocole consigne sa justification de nécessité et de proportionnalité",
    instrument=CETS,
    article="Art. 13",
    family="proportionality",
    severity="medium",
    duty="issuing_authority",
    notes="Who must act: the issuing authority: Art. 13 binds the Party; its issuing authority records the reasoning with the request.",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    applies_to="requests with instrument cets224_art6 to cets224_art10",
    rationale=(
        "Art. 13 binds every Protocol measure to domestic conditions and safeguards that include "
        "proportionality (mirroring ETS 185 Art. 15, confirmed: grounds justifying application, limits on "
        "scope). A register that does not record the reasoning leaves no trace an overseer can review. "
        "The auditor checks that the reasoning is recorded, not whether it is sound (that is manual)."
    ),
    remediation="Record a necessity_rationale for every request before it is issued.",
    remediation_fr="Consigner une justification (necessity_rationale) avant d'émettre chaque demande.",
    message="Request {request_id} ({party} → {receiving_party}, {instrument}) records no necessity and proportionality reasoning",
    requires={"requests": ("instrument", "necessity_rationale")},
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"].isin(CETS_INSTRUMENTS)]
    return result(pop, ~filled(pop["necessity_rationale"]), instrument=pop["instrument"])
