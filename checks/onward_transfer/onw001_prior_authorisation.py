"""ONW001: onward transfers to another State or organisation have prior authorisation."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, events, result


@check(
    id="ONW001",
    rule_id="CETS224-14.10",
    title="Every onward transfer to another State or international organisation has a prior authorisation",
    title_fr="Tout transfert ultérieur vers un autre État ou une organisation internationale est préalablement autorisé",
    instrument=CETS,
    article="Art. 14(10)",
    family="onward_transfer",
    severity="critical",
    legal_basis_status="P",
    scope=CETS_INSTRUMENTS,
    applies_to="custody events transferred_onward",
    rationale=(
        "Art. 14(10) allows data received under the Protocol to be transferred to another State or an "
        "international organisation only with the prior authorisation of the transferring authority "
        "(for Arts. 6-7 the authority designated under 14(10)(b)). An authorisation dated after the "
        "transfer, or for another recipient, does not count."
    ),
    remediation=(
        "Stop the transfer until the transferring Party's authority has authorised it; record the "
        "authorisation as a transfer_authorised event naming the recipient before transferring."
    ),
    message="Onward transfer {record_id} of data from request {request_id} ({party}) to {counterparty} on {at} {state}",
    requires={"requests": ("request_id",), "custody_events": ("event", "at", "counterparty")},
)
def evaluate(ctx):
    transfers = events(ctx, "transferred_onward")[["event_id", "request_id", "at", "counterparty"]]
    auths = events(ctx, "transfer_authorised")[["request_id", "at", "counterparty"]]
    pairs = transfers.merge(auths, on="request_id", how="inner", suffixes=("", "_auth"))
    same_recipient = (
        pairs["counterparty_auth"].isna()
        | pairs["counterparty"].isna()
        | (pairs["counterparty_auth"].str.strip().str.lower() == pairs["counterparty"].str.strip().str.lower())
    ).fillna(False)
    valid = pairs[(pairs["at_auth"] <= pairs["at"]) & same_recipient]
    authorised = transfers["event_id"].isin(valid["event_id"])
    any_auth = transfers["event_id"].isin(pairs["event_id"])
    state = pd.Series("had no prior authorisation", index=transfers.index, dtype="string").where(
        ~any_auth, "had an authorisation only later or for another recipient"
    )
    out = result(transfers, ~authorised, counterparty=transfers["counterparty"].fillna("an unrecorded recipient"),
                 at=transfers["at"], state=state)
    out["record_id"] = transfers["event_id"]
    return out
