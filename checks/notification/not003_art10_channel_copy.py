"""NOT003: an Art. 10 emergency request sent outside the central authority channel is declared and copied."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, after_as_of, calendar_days, result, unknown_why


@check(
    id="NOT003",
    rule_id="CETS224-10.9",
    title="Art. 10 requests sent outside the central-authority channel go to a Party that accepts it, with a simultaneous copy to its central authority",
    title_fr="Les demandes de l'art. 10 hors canal de l'autorité centrale visent une Partie qui l'accepte, avec copie simultanée à son autorité centrale",
    instrument=CETS,
    article="Art. 10(9)",
    family="notification",
    severity="medium",
    duty="issuing_authority",
    notes="Who must act: the issuing authority: the requesting authority that uses a declared channel sends the copy to the central authority.",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art10",),
    applies_to="cets224_art10 requests whose channel is not central_authority",
    rationale=(
        "Emergency mutual assistance runs between central authorities. Under Art. 19(2) and 10(9) a "
        "Party may also accept requests sent to its judicial authorities, through INTERPOL or its 24/7 "
        "point of contact; a copy must then go at the same time to its central authority. The copy is "
        "central_authority_copy_at; 'same time' is the same UTC day plus the pack's "
        "simultaneous_notification_grace_days."
    ),
    remediation="Send emergency mutual assistance requests to the central authority, or to a declared channel with a simultaneous copy to it.",
    message="Art. 10 request {request_id} ({party} → {receiving_party}) was sent via {channel}: {problem}",
    requires={"requests": ("instrument", "channel", "central_authority_copy_at")},
    params=("simultaneous_notification_grace_days",),
    profile_fields=("art10_direct_channels_accepted",),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[(r["instrument"] == "cets224_art10") & r["channel"].notna() & (r["channel"] != "central_authority")]
    grace = int(ctx.param("simultaneous_notification_grace_days"))
    accepted = ctx.profile(pop["receiving_party"], "art10_direct_channels_accepted").astype("boolean")
    pop = pop[~after_as_of(ctx, pop, "transmitted_at")]  # not sent on the audit date: not judged yet
    sent = pop["transmitted_at"].fillna(pop["issued_at"])
    accepted = accepted[pop.index]
    not_accepted = (accepted == False).fillna(False).astype(bool)  # noqa: E712
    # no copy on the audit date while the grace days run: the copy is not yet due (the row is
    # judged only on the channel, if that is not accepted)
    waiting = calendar_days(sent, pd.Series(ctx.as_of, index=pop.index))
    copy_pending = (pop["central_authority_copy_at"].isna() & (waiting <= grace).fillna(False)).astype(bool)
    judged = ~copy_pending | not_accepted
    pop, accepted, sent = pop[judged], accepted[judged], sent[judged]
    not_accepted, copy_pending = not_accepted[judged], copy_pending[judged]
    late = calendar_days(sent, pop["central_authority_copy_at"])
    no_copy = ~copy_pending & (pop["central_authority_copy_at"].isna() | (late > grace)).fillna(True).astype(bool)
    bad = not_accepted | no_copy
    failed = bad.astype("boolean").mask(~bad & accepted.isna())
    problem = pd.Series("no simultaneous copy to the central authority recorded", index=pop.index, dtype="string")
    problem = problem.where(~not_accepted, pop["receiving_party"].astype("string")
                            + " has not declared under Art. 10(9) that it accepts this channel")
    why = unknown_why(pop.index, accepted.isna(), "no art10_direct_channels_accepted value in the receiving Party's profile")
    return result(pop, failed, channel=pop["channel"], problem=problem, why=why)
