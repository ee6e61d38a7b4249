"""NOT006: the host Party promptly informs the issuing authority of a stop instruction (Art. 7(5)(d))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, calendar_days, result


@check(
    id="NOT006",
    rule_id="CETS224-7.5.c",
    title="The issuing authority is informed of a host Party's instruction not to disclose within the prompt-information period",
    title_fr="L'autorité d'émission est informée de l'instruction de non-divulgation de la Partie hôte dans le délai d'information rapide",
    instrument=CETS,
    article="Art. 7(5)(d)",
    family="notification",
    severity="medium",
    duty="requested_party",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    kind="mixed",
    applies_to=(
        "cets224_art7 requests with host_instruction_at, once issuer_informed_at is recorded or the "
        "host_instruction_notice_days period has run"
    ),
    rationale=(
        "Art. 7(5)(d) requires the Party that instructed a provider not to disclose (7(5)(c)) to inform "
        "the issuing authority promptly, with reasons. The text sets no number for 'promptly': the "
        "pack's policy parameter host_instruction_notice_days reads it. Informed later than that "
        "(issuer_informed_at) is an advisory finding; no information recorded at all once those days "
        "have passed since host_instruction_at is a breach (the required act is absent, not just late)."
    ),
    remediation="Record when the host Party informed the issuing authority of its stop instruction (issuer_informed_at); ask the host Party for the notice and its reasons where none arrived.",
    remediation_fr="Enregistrer la date à laquelle la Partie hôte a informé l'autorité d'émission de son instruction (issuer_informed_at) ; la lui réclamer, avec ses motifs, à défaut.",
    message="Art. 7 order {request_id} ({party} → {receiving_party}): {state} after {receiving_party} instructed the provider not to disclose on {host_instruction_at} (prompt-information period {limit} days)",
    requires={"requests": ("instrument", "host_instruction_at", "issuer_informed_at")},
    params=("host_instruction_notice_days",),
    notes=(
        "Advisory part: information received later than host_instruction_notice_days ('promptly' has no "
        "number in the text). Breach part: no information recorded once the period has run. A request "
        "whose instruction is more recent than the period and that has no information yet is not "
        "judged (left out, neither pass nor unknown): the duty is not yet due. The reasons the text "
        "requires have no column and are not checked. Overlaps: a disclosure after the instruction is "
        "NOT005's (Art. 7(5)(c))."
        " Who must act: the requested Party: for Art. 7 the host Party (where the provider sits) that gave the stop instruction informs the issuer (Art. 7(5)(d))."
    ),
)
def evaluate(ctx):
    limit = int(ctx.param("host_instruction_notice_days"))
    r = ctx.requests
    art7 = r[(r["instrument"] == "cets224_art7") & r["host_instruction_at"].notna()]
    informed = art7["issuer_informed_at"].notna()
    waiting = calendar_days(art7["host_instruction_at"], pd.Series(ctx.as_of, index=art7.index))
    pop = art7[informed | (waiting > limit).fillna(False).astype(bool)]
    informed = informed[pop.index]
    lag = calendar_days(pop["host_instruction_at"], pop["issuer_informed_at"])
    failed = ((lag > limit).fillna(False) | ~informed).astype("boolean")
    advisory = informed.astype("boolean")  # late = policy; never informed = breach
    state = ("the issuer was informed " + lag.astype("string") + " day(s)").where(
        informed, "the issuer has not been informed " + waiting[pop.index].astype("string") + " day(s)"
    )
    return result(pop, failed, advisory=advisory, state=state, host_instruction_at=pop["host_instruction_at"],
                  limit=limit)
