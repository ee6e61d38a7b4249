"""ONW003: no personal data are transferred to a Party while transfers to it are suspended (Art. 14(15))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, lookup, result, unknown_why


@check(
    id="ONW003",
    rule_id="CETS224-14.15",
    title="No data are disclosed under the Protocol to a Party while transfers to it are suspended",
    title_fr="Aucune donnée n'est communiquée au titre du Protocole à une Partie pendant la suspension des transferts vers elle",
    instrument=CETS,
    article="Art. 14(15)",
    family="onward_transfer",
    severity="high",
    duty="requested_party",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    applies_to="disclosed or partial disclosures of cets224_art6 to cets224_art10 requests",
    rationale=(
        "Art. 14(15) lets a Party, after notice and consultation, suspend the transfer of personal data "
        "to another Party that systematically or materially breaches Art. 14 (provisionally where life, "
        "safety or serious harm is at stake). While the suspension lasts, no data go to that Party. The "
        "suspension is read from the issuing Party's profile (transfers_suspended_from, "
        "transfers_suspended_until; an empty end means it still runs). A disclosure to the issuing Party "
        "(outcome disclosed or partial) answered (responded_at) within [from, until] breaks it."
    ),
    remediation=(
        "Do not disclose data to a Party while transfers to it are suspended; record the suspension "
        "period in the Party profile and hold requests from that Party until it ends."
    ),
    remediation_fr=(
        "Ne communiquer aucune donnée à une Partie pendant la suspension des transferts vers elle ; "
        "enregistrer la période dans le profil de la Partie et suspendre ses demandes jusqu'à la fin."
    ),
    message="Disclosure {record_id} ({outcome}) for request {request_id} went to {party} on {responded_at}, while transfers to {party} were suspended ({period})",
    requires={"requests": ("issuing_party",), "disclosures": ("outcome", "responded_at")},
    profile_fields=("transfers_suspended_from", "transfers_suspended_until"),
    notes=(
        "Parties without a suspension (no transfers_suspended_from) pass; an end date without a start "
        "is unknown. Only disclosures of data count (refusals, no_data and withdrawn rows transfer "
        "nothing). Overlaps: onward transfers by the receiving Party are ONW001's (Art. 14(10))."
        " Who must act: the requested Party: the suspension is the transferring Party's measure (Art. 14(15)), and its authorities hold transfers while it runs (for Arts. 6-7, through the provider on its territory)."
    ),
)
def evaluate(ctx):
    d = ctx.tables["disclosures"]
    pop = d[d["outcome"].isin(["disclosed", "partial"])]
    party = lookup(pop["request_id"], ctx.tables["requests"].set_index("request_id")["issuing_party"])
    start = ctx.profile(party, "transfers_suspended_from")
    end = ctx.profile(party, "transfers_suspended_until")
    at = pop["responded_at"]
    after_start = start.notna() & (at >= start)
    # no end: the suspension still runs; a date-only end (00:00) covers that whole day (UTC)
    whole_day = (end == end.dt.normalize()).fillna(False).astype(bool)
    before_end = end.isna() | (at <= end) | (whole_day & (at < end + pd.Timedelta(days=1)))
    unknown = start.isna() & end.notna()
    failed = (after_start & before_end).astype("boolean").mask(unknown)
    since = "from " + start.dt.strftime("%Y-%m-%d").astype("string")
    period = (since + " to " + end.dt.strftime("%Y-%m-%d").astype("string")).where(end.notna(), since + ", ongoing")
    why = unknown_why(pop.index, unknown, "transfers_suspended_until without transfers_suspended_from in the issuing Party's profile")
    out = result(pop, failed, outcome=pop["outcome"], responded_at=at, period=period, why=why)
    out["record_id"] = pop["disclosure_id"]
    return out
