"""NOT001: Art. 7 orders to providers in a Party that requires it are notified to that Party simultaneously."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, after_as_of, calendar_days, result


@check(
    id="NOT001",
    rule_id="CETS224-7.5.a",
    title="Art. 7 orders to providers in a Party requiring notification are notified to it simultaneously",
    title_fr="Les injonctions de l'art. 7 sont notifiées simultanément à la Partie qui l'exige",
    instrument=CETS,
    article="Art. 7(5)(a)",
    family="notification",
    severity="medium",
    duty="issuing_authority",
    notes="Who must act: the issuing authority: Art. 7(5)(a) has the issuing Party notify the provider's Party at the same time as the order.",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    applies_to="cets224_art7 requests whose receiving Party's profile has art7_notification_required = true",
    rationale=(
        "A Party may notify the Secretary General under Art. 7(5)(a) that it requires simultaneous "
        "notification of orders to providers on its territory, with the supplementary information and a "
        "summary of facts, so that it can consult or stop disclosure under 7(5)(b)-(c). The order must "
        "also say that notification was made (7(4)(g)). A notification after the order reached the "
        "provider defeats that purpose. 'Simultaneous' is read as the same UTC day as transmission "
        "(issue when no transmission is recorded), plus the grace days set in the pack."
    ),
    remediation="Notify the provider's Party the day the order is sent, and record notification_sent_at.",
    message="Art. 7 order {request_id} ({party} → {provider}) {state}; {receiving_party} requires simultaneous notification",
    requires={"requests": ("instrument", "notification_sent_at")},
    params=("simultaneous_notification_grace_days",),
    profile_fields=("art7_notification_required",),
)
def evaluate(ctx):
    grace = int(ctx.param("simultaneous_notification_grace_days"))
    r = ctx.requests
    art7 = r[r["instrument"] == "cets224_art7"]
    required = ctx.profile(art7["receiving_party"], "art7_notification_required")
    pop = art7[required.fillna(True).astype(bool)]
    pop = pop[~after_as_of(ctx, pop, "transmitted_at")]  # not sent on the audit date: nothing due yet
    sent = pop["transmitted_at"].fillna(pop["issued_at"])
    # no notification on the audit date while the grace days run: not yet due, not judged
    waiting = calendar_days(sent, pd.Series(ctx.as_of, index=pop.index))
    pop = pop[~(pop["notification_sent_at"].isna() & (waiting <= grace).fillna(False)).astype(bool)]
    req, sent = required[pop.index], sent[pop.index]
    lag = calendar_days(sent, pop["notification_sent_at"])
    failed = (pop["notification_sent_at"].isna() | (lag > grace)).astype("boolean").mask(req.isna())
    state = ("was notified " + lag.astype("string") + " day(s) after it was sent").where(
        pop["notification_sent_at"].notna(), "has no notification of the provider's Party recorded"
    )
    why = pd.Series(pd.NA, index=pop.index, dtype="string").mask(
        req.isna(), "no art7_notification_required value in the receiving Party's profile"
    )
    return result(pop, failed, state=state, why=why)
