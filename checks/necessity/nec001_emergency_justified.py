"""NEC001: an emergency request rests on a recorded risk to life or safety."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, filled, result


@check(
    id="NEC001",
    rule_id="CETS224-3.2.c",
    title="Every emergency request records the significant and imminent risk to life or safety it rests on",
    title_fr="Chaque demande urgente consigne le risque important et imminent pour la vie ou la sécurité sur lequel elle repose",
    instrument=CETS,
    article="Art. 3(2)(c)",
    family="necessity",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    applies_to="requests under Art. 9 or Art. 10, and any request flagged emergency = true",
    rationale=(
        "Articles 9 and 10 bypass the ordinary safeguards of mutual assistance only in an emergency, "
        "defined in Art. 3(2)(c) as a significant and imminent risk to the life or safety of a natural "
        "person. Mere urgency does not qualify; without a recorded justification the use of the "
        "emergency channel cannot be reviewed."
    ),
    remediation=(
        "Record, for every emergency request, the facts showing the risk to life or safety and how the "
        "data relate to it (emergency_justification); use the ordinary channels when there is none."
    ),
    remediation_fr="Consigner pour chaque demande urgente les faits établissant le risque pour la vie ou la sécurité.",
    message="Request {request_id} ({party} → {receiving_party}, {instrument}) is handled as an emergency but records no justification of a risk to life or safety",
    requires={"requests": ("instrument", "emergency_justification")},
)
def evaluate(ctx):
    r = ctx.requests
    emergency = r["instrument"].isin(["cets224_art9", "cets224_art10"]) | r["emergency"].fillna(False).astype(bool)
    pop = r[emergency]
    return result(pop, ~filled(pop["emergency_justification"]), instrument=pop["instrument"])
