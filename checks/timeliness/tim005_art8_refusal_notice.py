"""TIM005: a refusal of an Art. 8 request is notified to the requesting Party as soon as practicable."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, after_as_of, calendar_days, result, unknown_why


@check(
    id="TIM005",
    rule_id="CETS224-8.8",
    title="A refusal of an Art. 8 request is notified to the requesting Party within the as-soon-as-practicable period",
    title_fr="Le refus d'une demande de l'art. 8 est notifié à la Partie requérante dans le délai « dès que possible »",
    instrument=CETS,
    article="Art. 8(8)",
    family="timeliness",
    severity="low",
    duty="requested_party",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art8",),
    kind="advisory",
    applies_to="disclosures with outcome refused of cets224_art8 requests",
    rationale=(
        "Art. 8(8) has the requested Party notify the requesting Party 'as soon as practicable' that it "
        "refuses (or postpones) execution of an Art. 8 request. The text sets no number of days, so the "
        "threshold is the auditor's policy parameter art8_refusal_notice_days and a later notice is an "
        "advisory finding, not a breach. The clock runs in calendar days from the requested Party's "
        "decision to refuse (disclosures.decided_at) to the refusal's notification, the disclosure row's "
        "responded_at."
    ),
    remediation="Notify the requesting Party of a refusal the day it is decided, and record both decided_at and responded_at.",
    remediation_fr="Notifier le refus à la Partie requérante dès qu'il est décidé, et enregistrer decided_at et responded_at.",
    message="Refusal {record_id} of Art. 8 request {request_id} ({party} → {receiving_party}) was notified {days} day(s) after it was decided on {decided_at}, beyond the {limit}-day as-soon-as-practicable period",
    requires={"requests": ("instrument",), "disclosures": ("outcome", "responded_at", "decided_at")},
    params=("art8_refusal_notice_days",),
    notes=(
        "Advisory: 'as soon as practicable' is read through a policy number. Postponements (Art. 8(8) "
        "with ETS 185 Art. 27(5)) are not checked: the log has no outcome for a postponement. Whether "
        "the refusal rests on an allowed ground is not checked either (the grounds are UNCONFIRMED). "
        "A refusal with no decided_at is unknown."
    ),
)
def evaluate(ctx):
    limit = int(ctx.param("art8_refusal_notice_days"))
    r = ctx.requests
    art8 = r.loc[r["instrument"] == "cets224_art8", "request_id"]
    d = ctx.tables["disclosures"]
    pop = d[(d["outcome"] == "refused") & d["request_id"].isin(art8)]
    pop = pop[~after_as_of(ctx, pop, "decided_at")]  # decided after the audit date: nothing to time yet
    days = calendar_days(pop["decided_at"], pop["responded_at"])
    failed = (days > limit).astype("boolean")
    why = unknown_why(pop.index, pop["decided_at"].isna(), "decided_at not recorded")
    out = result(pop, failed, days=days, decided_at=pop["decided_at"], limit=limit, why=why,
                 elapsed=days, clock="days from the decision to refuse to its notification",
                 limit_kind="policy threshold")  # for the report charts (auditor.engine.deadlines)
    out["record_id"] = pop["disclosure_id"]
    return out
