"""COM001: an Art. 7 order states that it is issued under the Protocol, and the offence."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, filled, result


@check(
    id="COM001",
    rule_id="CETS224-7.3.a-e",
    title="Every Art. 7 order states that it is issued under the Protocol, and the offence",
    title_fr="Chaque injonction de l'art. 7 mentionne le Protocole et l'infraction",
    instrument=CETS,
    article="Art. 7(3)",
    family="completeness",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    applies_to="cets224_art7 requests",
    rationale=(
        "Art. 7(3) lists what an order must specify: (a) issuer and date, (b) a statement that it is "
        "issued under the Protocol, (c) the provider, (d) the offence, (e) the seeking authority, (f) a "
        "detailed description of the data. Issuer, date and provider are mandatory columns and checked at "
        "ingest; this check covers (b) and (d); COM005 covers (f). The log format has no column for (e)."
    ),
    remediation="Complete the order: add the Protocol statement and the offence before it is sent.",
    message="Art. 7 order {request_id} ({party} → {provider}) lacks: {missing}",
    requires={"requests": ("instrument", "protocol_statement", "offence")},
    notes="Overlaps: the detailed description of the data (7(3)(f)) is COM005's alone, so a vague order is one finding.",
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art7"]
    no_statement = pop["protocol_statement"] == False  # noqa: E712 (nullable)
    no_offence = ~filled(pop["offence"])
    definite = no_statement.fillna(False) | no_offence
    failed = definite.astype("boolean").mask(~definite & pop["protocol_statement"].isna())
    missing = pd.Series("", index=pop.index, dtype="string")
    for flag, label in ((no_statement.fillna(False), "Protocol statement (7(3)(b))"),
                        (no_offence, "offence (7(3)(d))")):
        missing = missing.where(~flag, missing + "; " + label)
    why = pd.Series(pd.NA, index=pop.index, dtype="string").mask(
        pop["protocol_statement"].isna(), "protocol_statement not recorded"
    )
    return result(pop, failed, missing=missing.str.lstrip("; "), why=why)
