"""TIM002: the requested Party orders the return of Art. 8 data within 20 days of service
(subscriber information) or 45 days (traffic data); the provider's actual reply is evidence only."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, calendar_days, first_disclosure, lookup, result

_NA_TIME = "datetime64[us, UTC]"
#: the clocks the report charts show (auditor.engine.deadlines): the duty's, and the evidence's
ORDERED_CLOCK = "days from service to the ordered return date"
EVIDENCE_CLOCK = "days from service to the first response (evidence: no ordered return date)"


def _part(pop, wanted, ordered, limit, label, first, waiting, evidence):
    """One part (subscriber or traffic) of each request: breach, advisory, unknown masks and texts."""
    served = pop["served_at"]
    has_order = wanted & ordered.notna()
    order_days = calendar_days(served, ordered)
    breach = has_order & (order_days > limit).fillna(False)
    took = calendar_days(served, first)
    no_order = wanted & ordered.isna()
    if evidence:
        late = no_order & ((took > limit).fillna(False) | (first.isna() & (waiting > limit).fillna(False)))
        unknown = no_order & first.isna() & ~late
        why = "no ordered return date recorded and no response yet to use as evidence"
    else:
        late = pd.Series(False, index=pop.index)
        unknown = no_order
        why = "no ordered return date recorded and no disclosures to use as evidence"
    breach_text = (f"the order sets the return of {label} for " + ordered.dt.strftime("%Y-%m-%d").astype("string")
                   + ", " + order_days.astype("string") + f" days after service (limit {limit})")
    late_text = (f"no ordered return date recorded for {label}; " + (
        ("the first response came " + took.astype("string")).where(
            first.notna(), "no response " + waiting.astype("string"))
        + f" days after service (limit {limit})"))
    text = pd.Series("", index=pop.index, dtype="string").where(~breach, breach_text).where(~late, late_text)
    evidence_days = took.where(first.notna(), waiting) if evidence else pd.Series(pd.NA, index=pop.index, dtype="Int64")
    measured = (order_days.where(has_order), evidence_days.where(no_order), limit)
    return breach, late, unknown, text, why, measured


def _measured(index, breach, late, parts):
    """(elapsed, limit, clock) per request for the report charts: the days to the ordered return
    date (the duty), or to the first response where the finding rests on that evidence (advisory)
    or no date was ordered; of the part (subscriber, traffic) furthest beyond its own limit, so a
    failing request is shown beyond the limit that made it fail."""
    def furthest(which):
        days = pd.Series(pd.NA, index=index, dtype="Int64")
        limit = pd.Series(pd.NA, index=index, dtype="Int64")
        for measured in parts:
            d, lim = measured[which], measured[2]
            better = (d.notna() & (days.isna() | ((d - lim) > (days - limit)).fillna(False))).astype(bool)
            days, limit = days.mask(better, d), limit.mask(better, lim)
        return days, limit

    o_days, o_limit = furthest(0)
    e_days, e_limit = furthest(1)
    use_evidence = ((late & ~breach) | o_days.isna()).astype(bool)
    clock = pd.Series(ORDERED_CLOCK, index=index, dtype="string").mask(use_evidence, EVIDENCE_CLOCK)
    return o_days.mask(use_evidence, e_days), o_limit.mask(use_evidence, e_limit), clock


@check(
    id="TIM002",
    rule_id="CETS224-8.6.a.i",
    title="The requested Party orders the return of Art. 8 data within 20 days of service for subscriber information and 45 days for traffic data",
    title_fr="La Partie requise ordonne la remise des données de l'art. 8 dans les 20 jours (abonnés) ou 45 jours (trafic) suivant la signification",
    instrument=CETS,
    article="Art. 8(6)(a)",
    family="timeliness",
    severity="medium",
    duty="requested_party",
    legal_basis_status="R",
    scope=("cets224_art8",),
    kind="mixed",
    applies_to="served cets224_art8 requests seeking subscriber information or traffic data",
    rationale=(
        "Art. 8(6)(a)(i)-(ii): the requested Party \"shall order a return\" of subscriber information no later "
        "than 20 days and of traffic data no later than 45 days. The duty is the return date the requested "
        "Party orders (ordered_return_by; ordered_traffic_return_by for a separate traffic date), counted "
        "in calendar days from service (served_at): an ordered date beyond the limit is a breach. A request "
        "for both gets 20 days for its subscriber part and 45 for its traffic part; with one ordered date it "
        "must meet 20 days. Where no ordered date is recorded, the provider's first response is evidence "
        "only: a response (or none) later than the limit is an advisory finding saying the ordered date is "
        "not recorded, since the provider's reply date is not the duty itself."
    ),
    remediation="Record the return date set in the order (ordered_return_by, ordered_traffic_return_by) and set it within the Art. 8(6)(a) periods.",
    message="Art. 8 request {request_id} ({party} → {receiving_party}, provider {provider}): {state}",
    requires={"requests": ("instrument", "served_at", "data_requested")},
    params=("art8_subscriber_return_days", "art8_traffic_return_days", "art7_ip_identification_is_subscriber"),
    notes=(
        "Mixed: an ordered date beyond the limit = breach; without an ordered date (column absent or empty), a "
        "late or missing first response = advisory (evidence, not the duty); no response yet within the limit "
        "= unknown. ordered_return_by, ordered_traffic_return_by and the disclosures table are optional: "
        "without them that part falls back to the evidence, or is unknown. ip_identification counts as "
        "subscriber information or traffic data by the pack's art7_ip_identification_is_subscriber. Requests "
        "seeking neither category are outside 8(6)(a)(i)-(ii) (content under Art. 8 is MIN004's). Unserved "
        "requests are TIM001's."
        " Who must act: the requested Party, for the advisory rows too: the provider's reply is evidence of the ordered return date, not the provider's duty."
    ),
)
def evaluate(ctx):
    sub_days = int(ctx.param("art8_subscriber_return_days"))
    traf_days = int(ctx.param("art8_traffic_return_days"))
    ip_is_sub = bool(ctx.param("art7_ip_identification_is_subscriber"))
    r = ctx.requests
    art8 = r[(r["instrument"] == "cets224_art8") & r["served_at"].notna()]
    ip = art8["req_ip_identification"].fillna(False).astype(bool)
    wants_sub = art8["req_subscriber"].fillna(False).astype(bool) | (ip & ip_is_sub)
    wants_traf = art8["req_traffic"].fillna(False).astype(bool) | (ip & ~ip_is_sub)
    pop = art8[wants_sub | wants_traf]
    wants_sub, wants_traf = wants_sub[pop.index], wants_traf[pop.index]

    present = ctx.present.get("requests", set())
    none = pd.Series(pd.NaT, index=pop.index, dtype=_NA_TIME)
    ordered = pop["ordered_return_by"] if "ordered_return_by" in present else none
    ordered_traffic = pop["ordered_traffic_return_by"] if "ordered_traffic_return_by" in present else none
    ordered_traffic = ordered_traffic.fillna(ordered)

    evidence = ctx.has("disclosures") and "responded_at" in ctx.present.get("disclosures", set())
    if evidence:
        first = lookup(pop["request_id"], first_disclosure(ctx).set_index("request_id")["responded_at"])
    else:
        first = none
    waiting = calendar_days(pop["served_at"], pd.Series(ctx.as_of, index=pop.index))

    s_breach, s_late, s_unknown, s_text, s_why, s_days = _part(pop, wants_sub, ordered, sub_days,
                                                               "subscriber information", first, waiting, evidence)
    t_breach, t_late, t_unknown, t_text, _, t_days = _part(pop, wants_traf, ordered_traffic, traf_days,
                                                           "traffic data", first, waiting, evidence)
    breach = s_breach | t_breach
    failed = (breach | s_late | t_late).astype("boolean").mask(~breach & ~s_late & ~t_late & (s_unknown | t_unknown))
    state = (s_text + "; " + t_text).str.strip("; ")
    why = pd.Series(pd.NA, index=pop.index, dtype="string").mask(s_unknown | t_unknown, s_why)
    elapsed, limit, clock = _measured(pop.index, breach, s_late | t_late, (s_days, t_days))
    return result(pop, failed, advisory=~breach, state=state, why=why, elapsed=elapsed, limit=limit, clock=clock,
                  limit_kind="deadline")
