"""EU008: an EPOC for traffic or content data is notified to the enforcing State at the same time
as it is sent to the provider, unless the Art. 8(2) exception is recorded (Art. 8(1)-(2))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import after_as_of, result
from checks.eu._common import EU, in_scope, traffic_or_content


@check(
    id="EU008",
    rule_id="EU1543-8.1",
    title="EPOCs for traffic or content data are notified to the enforcing State at the same time as to the provider, unless the Art. 8(2) exception applies",
    title_fr="Les EPOC portant sur le trafic ou le contenu sont notifiés simultanément à l'État d'exécution, sauf exception de l'art. 8(2)",
    instrument=EU,
    article="Art. 8(1)",
    family="notification",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="C",
    kind="mixed",
    scope=("eu_epoc",),
    applies_to="eu_epoc requests in the Regulation's scope asking for traffic or content data",
    rationale=(
        "Art. 8(1) requires the issuing authority, for an EPOC concerning traffic data (other than "
        "identification data) or content data, to notify the enforcing authority (of the State where "
        "the provider's addressee is, receiving_party) by transmitting the EPOC to it at the same time "
        "as to the addressee. Art. 8(2) waives this where there are reasonable grounds to believe the "
        "offence was committed, is being or is likely to be committed in the issuing State and the "
        "person resides there; the auditor reads that from the optional column art8_2_exception "
        "(absent or empty = not recorded). No notification and no Art. 8(2) exception is a breach once "
        "eu_notification_tolerance_hours have passed since the EPOC was sent (transmitted_at, else "
        "issued_at). A notification later than that tolerance is advisory: 'at the same time' fixes no "
        "number, and the tolerance is the auditor's policy."
    ),
    remediation="Send the EPOC to the enforcing authority together with the provider, or record the Art. 8(2) grounds (art8_2_exception).",
    message="EPOC {request_id} ({party} → {receiving_party}, provider {provider}) for {data_requested} data {state}",
    requires={"requests": ("instrument", "data_requested", "notification_sent_at")},
    params=("eu_applies_from", "eu_notification_tolerance_hours"),
    profile_fields=("eu_2023_1543_bound",),
)
def evaluate(ctx):
    tolerance = float(ctx.param("eu_notification_tolerance_hours"))
    pop = in_scope(ctx, ("eu_epoc",))
    pop = pop[traffic_or_content(pop)]
    pop = pop[~after_as_of(ctx, pop, "transmitted_at")]  # not sent on the audit date: no duty yet
    exception = pd.Series(False, index=pop.index)
    if "art8_2_exception" in pop and "art8_2_exception" in ctx.present.get("requests", set()):
        exception = (pop["art8_2_exception"] == True).fillna(False).astype(bool)  # noqa: E712
    sent = pop["transmitted_at"].fillna(pop["issued_at"])
    lag = (pop["notification_sent_at"] - sent).dt.total_seconds() / 3600
    waiting = (pd.Series(ctx.as_of, index=pop.index) - sent).dt.total_seconds() / 3600
    missing = pop["notification_sent_at"].isna()
    late = (lag > tolerance).fillna(False).astype(bool)
    keep = ~(missing & ~exception & (waiting <= tolerance).fillna(False)).astype(bool)  # not yet due
    failed = ~exception & (missing | late)
    state = ("notified the enforcing State " + lag.round(1).astype("string")
             + f" h after it was sent (tolerance {tolerance:g} h)").where(
        ~missing, "has no notification of the enforcing State and no Art. 8(2) exception recorded")
    out = result(pop, failed, data_requested=pop["data_requested"], state=state, advisory=~missing & late)
    # for the report charts (auditor.engine.deadlines): to the audit date while not notified (none if exempt)
    out["elapsed"] = lag.where(~missing, waiting.where(~exception))
    out["limit"] = tolerance
    out["clock"] = "hours from sending the EPOC to notifying the enforcing State"
    out["limit_kind"] = "policy threshold"
    return out[keep]
