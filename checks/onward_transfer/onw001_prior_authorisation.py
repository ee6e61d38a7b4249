"""ONW001: onward transfers to another State or organisation have the prior authorisation of the
transferring authority (Art. 14(10)(a))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, events, lookup, result, unknown_why


def _norm(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.lower()


@check(
    id="ONW001",
    rule_id="CETS224-14.10",
    title="Every onward transfer to another State or international organisation has the prior authorisation of the transferring authority",
    title_fr="Tout transfert ultérieur vers un autre État ou une organisation internationale est préalablement autorisé par l'autorité de transfert",
    instrument=CETS,
    article="Art. 14(10)",
    family="onward_transfer",
    severity="critical",
    duty="receiving_authority",
    legal_basis_status="R",
    scope=CETS_INSTRUMENTS,
    applies_to="custody events transferred_onward",
    rationale=(
        "Art. 14(10)(a) allows data received under the Protocol to be transferred to another State or an "
        "international organisation only with the \"prior authorisation of the transferring authority\" "
        "(for Arts. 6-7 the authority designated under 14(10)(b)): the authoriser must be that authority. "
        "A transfer_authorised event counts when it is dated at or before the transfer, names the same "
        "recipient, and its granted_by_party is the request's receiving Party. An authorisation dated after "
        "the transfer, for another recipient, or granted by another Party does not count; one whose "
        "granted_by_party is empty (or the column absent) cannot be evaluated."
    ),
    remediation=(
        "Stop the transfer until the transferring Party's authority has authorised it; record the "
        "authorisation as a transfer_authorised event naming the recipient and the authorising Party "
        "(granted_by_party) before transferring."
    ),
    message="Onward transfer {record_id} of data from request {request_id} ({party}) to {counterparty} on {at} {state}",
    requires={"requests": ("receiving_party",), "custody_events": ("event", "at", "counterparty")},
    notes="custody_events.granted_by_party is optional: without it a transfer with an otherwise valid prior authorisation is unknown.",
)
def evaluate(ctx):
    transfers = events(ctx, "transferred_onward")
    receiving = lookup(transfers["request_id"], ctx.tables["requests"].set_index("request_id")["receiving_party"])
    transfers = transfers.assign(rp=_norm(receiving))[["event_id", "request_id", "at", "counterparty", "rp"]]
    auths = events(ctx, "transfer_authorised")
    granted = (auths["granted_by_party"] if "granted_by_party" in ctx.present.get("custody_events", set())
               else pd.Series(pd.NA, index=auths.index, dtype="string"))
    auths = auths.assign(granted=granted.astype("string"))[["request_id", "at", "counterparty", "granted"]]
    pairs = transfers.merge(auths, on="request_id", how="inner", suffixes=("", "_auth"))
    same_recipient = (
        pairs["counterparty_auth"].isna()
        | pairs["counterparty"].isna()
        | (_norm(pairs["counterparty_auth"]) == _norm(pairs["counterparty"]))
    ).fillna(False).astype(bool)
    prior = pairs[(pairs["at_auth"] <= pairs["at"]) & same_recipient]
    by_transferring = _norm(prior["granted"]) == prior["rp"]
    valid = prior[by_transferring.fillna(False).astype(bool)]
    unstated = prior[prior["granted"].isna() | (prior["granted"].str.strip() == "")]
    other = prior[prior["granted"].notna() & ~by_transferring.fillna(True).astype(bool)]
    authorised = transfers["event_id"].isin(valid["event_id"])
    maybe = ~authorised & transfers["event_id"].isin(unstated["event_id"])
    by_other = lookup(transfers["event_id"], other.assign(g=other["granted"].str.strip().str.upper())
                      .groupby("event_id")["g"].agg(lambda s: ", ".join(sorted(set(s)))))
    any_auth = transfers["event_id"].isin(pairs["event_id"])
    state = pd.Series("had no prior authorisation", index=transfers.index, dtype="string").where(
        ~any_auth, "had an authorisation only later or for another recipient"
    )
    state = state.where(by_other.isna(), "had a prior authorisation only from " + by_other
                        + ", not from the transferring Party " + receiving.astype("string"))
    failed = (~authorised).astype("boolean").mask(maybe)
    why = unknown_why(transfers.index, maybe, "prior authorisation without granted_by_party (authorising Party unknown)")
    out = result(transfers, failed, counterparty=transfers["counterparty"].fillna("an unrecorded recipient"),
                 at=transfers["at"], state=state, why=why)
    out["record_id"] = transfers["event_id"]
    return out
