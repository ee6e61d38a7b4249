"""COM010: an Art. 9 emergency request goes from 24/7 point of contact to 24/7 point of contact."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, result, unknown_why


@check(
    id="COM010",
    rule_id="CETS224-9.1",
    title="Every Art. 9 emergency request is sent through the 24/7 Network, point of contact to point of contact",
    title_fr="Chaque demande d'urgence de l'art. 9 passe par le Réseau 24/7, d'un point de contact à l'autre",
    instrument=CETS,
    article="Art. 9(1)(a)",
    family="completeness",
    severity="medium",
    duty="issuing_authority",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art9",),
    applies_to="cets224_art9 requests",
    rationale=(
        "Art. 9(1)(a) has the 24/7 point of contact of the requesting Party (ETS 185 Art. 35) transmit "
        "the emergency request to the point of contact of the requested Party, which obtains the data "
        "from a provider on its territory without a mutual assistance request. A request sent by any "
        "other channel (channel other than network_24_7: directly to the provider, to a central "
        "authority, through a portal) is not an Art. 9 request as the text defines it."
    ),
    remediation=(
        "Send emergency requests for expedited disclosure through the 24/7 point of contact, and record "
        "channel = network_24_7; use Art. 10 (central authorities) or Art. 7 for other channels."
    ),
    remediation_fr=(
        "Transmettre les demandes d'urgence par le point de contact 24/7 et enregistrer channel = "
        "network_24_7 ; utiliser l'art. 10 (autorités centrales) ou l'art. 7 pour les autres canaux."
    ),
    message="Art. 9 emergency request {request_id} ({party} → {receiving_party}) was sent via {channel}, not from 24/7 point of contact to 24/7 point of contact",
    requires={"requests": ("instrument", "channel")},
    notes=(
        "Rule id CETS224-9.1 is new: legal-requirements.md §6 has no row for the Art. 9(1) channel "
        "(CETS224-9.3 is the request contents, COM009; CETS224-9.1.b the declaration, RES003). "
        "Overlaps: Art. 10 requests have their own channel rule (Art. 10(9), NOT003); a request with no "
        "channel recorded is unknown."
        " Who must act: the issuing authority: Art. 9(1)(a) has the requesting Party's 24/7 point of contact transmit the request."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    pop = r[r["instrument"] == "cets224_art9"]
    channel = pop["channel"]
    failed = (channel != "network_24_7").astype("boolean")  # NA channel stays NA: unknown
    why = unknown_why(pop.index, channel.isna(), "channel not recorded")
    return result(pop, failed, channel=channel, why=why)
