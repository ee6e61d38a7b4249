"""RES001: no Art. 8 request seeks traffic data from a Party that reserved Art. 8(13)."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, in_force_between, result, unknown_why


@check(
    id="RES001",
    rule_id="CETS224-8.13",
    title="No Art. 8 request seeks traffic data from a Party that reserved Art. 8 for traffic data",
    title_fr="Aucune demande de l'art. 8 ne vise des données relatives au trafic auprès d'une Partie ayant fait la réserve de l'art. 8(13)",
    instrument=CETS,
    article="Art. 8(13)",
    family="reservation",
    severity="high",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art8",),
    applies_to="cets224_art8 requests for traffic data, between Parties for which the Protocol is in force",
    rationale=(
        "Under Art. 19(1) and 8(13) a Party may reserve the right not to apply Art. 8 to traffic data. "
        "An Art. 8 request for traffic data to that Party has no basis in the Protocol; mutual legal "
        "assistance must be used for the traffic data."
    ),
    remediation="Limit the Art. 8 request to subscriber information and seek the traffic data through mutual legal assistance.",
    message="Art. 8 request {request_id} ({party} → {receiving_party}) seeks traffic data, but {receiving_party} reserved Art. 8(13)",
    requires={"requests": ("instrument", "data_requested")},
    profile_fields=("art8_traffic_reserved",),
    notes=(
        "Overlaps: a reservation only has effect between Parties bound by the Protocol; a request that "
        "also fails COM003 is reported by COM003 alone."
        " Who must act: the issuing authority: the reservation is the requested Party's; sending a request it excludes is the issuer's act."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[(r["instrument"] == "cets224_art8") & r["req_traffic"].fillna(False)]
    pop = pop[in_force_between(ctx, pop)]
    reserved = ctx.profile(pop["receiving_party"], "art8_traffic_reserved")
    why = unknown_why(pop.index, reserved.isna(), "no art8_traffic_reserved value in the receiving Party's profile")
    return result(pop, reserved.astype("boolean"), why=why)
