"""NOT004: an Art. 7 order to a Party requiring simultaneous notification states that the notification was made."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, result, unknown_why


@check(
    id="NOT004",
    rule_id="CETS224-7.5.a",
    title="Art. 7 orders to providers in a Party requiring simultaneous notification state that the notification was made",
    title_fr="Les injonctions de l'art. 7 visant une Partie qui exige la notification simultanée indiquent qu'elle a été faite",
    instrument=CETS,
    article="Art. 7(4)(g)",
    family="notification",
    severity="low",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    applies_to="cets224_art7 requests whose receiving Party's profile has art7_notification_required = true",
    rationale=(
        "Art. 7(4)(g) lists among the supplementary information of an order, 'if applicable', a "
        "statement that simultaneous notification was made. It is applicable where the provider's Party "
        "requires simultaneous notification under Art. 7(5)(a): the statement tells the provider that "
        "its Party has been informed and may consult or stop disclosure (7(5)(b)-(c)). The statement is "
        "requests.notification_statement."
    ),
    remediation="State in the supplementary information of the order that the provider's Party was notified simultaneously, and record notification_statement = true.",
    remediation_fr="Indiquer dans les informations complémentaires de l'injonction que la Partie du fournisseur a été notifiée simultanément, et enregistrer notification_statement = true.",
    message="Art. 7 order {request_id} ({party} → {provider}) does not state that {receiving_party}, which requires simultaneous notification, was notified",
    requires={"requests": ("instrument", "notification_statement")},
    profile_fields=("art7_notification_required",),
    notes=(
        "Overlaps: NOT001 (Art. 7(5)(a)) judges whether and when the notification was sent; this check "
        "only whether the order says so. An order stating a notification that NOT001 finds missing or "
        "late fails NOT001 alone."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    art7 = r[r["instrument"] == "cets224_art7"]
    required = ctx.profile(art7["receiving_party"], "art7_notification_required")
    pop = art7[required.fillna(True).astype(bool)]
    req = required[pop.index]
    statement = pop["notification_statement"].astype("boolean")
    failed = (~statement).mask(req.isna())
    why = unknown_why(pop.index, statement.isna(), "notification_statement not recorded")
    why = why.mask(req.isna(), "no art7_notification_required value in the receiving Party's profile")
    return result(pop, failed, why=why)
