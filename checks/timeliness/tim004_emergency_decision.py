"""TIM004: emergency requests (Arts. 9 and 10) are decided on a rapidly expedited basis."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, after_as_of, first_disclosure, lookup, result, unknown_why


@check(
    id="TIM004",
    rule_id="CETS224-9.6",
    title="Emergency requests under Arts. 9 and 10 are answered within the rapid-decision threshold",
    title_fr="Les demandes d'urgence des art. 9 et 10 reçoivent une décision dans le délai de décision rapide",
    instrument=CETS,
    article="Art. 9(6)",
    family="timeliness",
    severity="medium",
    duty="requested_party",
    legal_basis_status="R",
    scope=("cets224_art9", "cets224_art10"),
    kind="advisory",
    applies_to="cets224_art9 and cets224_art10 requests",
    rationale=(
        "Art. 9(6) requires the decision and any conditions on a \"rapidly expedited basis\"; Art. 10(4) "
        "asks for a rapid response once the requested Party is \"satisfied that an emergency exists\". The "
        "Protocol sets no number of hours, so the threshold emergency_decision_hours is the auditor's "
        "policy (set in the pack) and a slower decision is reported as an advisory finding, not as a breach "
        "of the text. It runs from receipt (provider_received_at, else transmitted_at) to the first "
        "response of any outcome; with no response yet it runs to the audit date."
    ),
    remediation="Decide emergency requests within the threshold, and record the decision (a disclosure row, refusals included).",
    message="Emergency request {request_id} ({party} → {receiving_party}, {instrument}): {state}, beyond the {limit}-hour rapid-decision threshold",
    requires={"requests": ("instrument", "provider_received_at", "transmitted_at"), "disclosures": ("responded_at",)},
    params=("emergency_decision_hours",),
    notes=(
        "Advisory: no hours in the text (9(6) \"rapidly expedited\"); the threshold is policy. Covers Art. 10(4) "
        "too, one finding per request; but 10(4) runs from when the requested Party is satisfied that an "
        "emergency exists, and no column records that moment, so for Art. 10 requests the clock starts at "
        "receipt, which may be earlier."
        " Who must act: the requested Party: it decides on the emergency request (Arts. 9(6), 10(4)); the first response records that decision."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"].isin(["cets224_art9", "cets224_art10"])]
    # received (or, with no receipt recorded, sent) after the audit date: the clock had not started
    # on it; transmitted_at is never used in place of a receipt dated after the audit date
    received_later = after_as_of(ctx, pop, "provider_received_at")
    sent_later = pop["provider_received_at"].isna() & after_as_of(ctx, pop, "transmitted_at")
    pop = pop[~(received_later | sent_later)]
    limit = float(ctx.param("emergency_decision_hours"))
    start = pop["provider_received_at"].fillna(pop["transmitted_at"])
    first = first_disclosure(ctx).set_index("request_id")["responded_at"]
    answered = lookup(pop["request_id"], first)
    end = answered.fillna(pd.Series(ctx.as_of, index=pop.index).astype(answered.dtype))
    hours = (end - start).dt.total_seconds() / 3600
    failed = (hours > limit).astype("boolean").mask(start.isna())
    shown = hours.round(1).astype("string")
    state = ("answered " + shown + " hours after receipt").where(answered.notna(),
                                                              "no decision recorded " + shown + " hours after receipt")
    why = unknown_why(pop.index, start.isna(), "neither provider_received_at nor transmitted_at recorded")
    # hours measured (to the audit date while undecided), for the report charts (auditor.engine.deadlines)
    return result(pop, failed, instrument=pop["instrument"], state=state, limit=int(limit), why=why,
                  elapsed=hours, clock="hours from receipt to the first decision", limit_kind="policy threshold")
