"""MIN001: the data categories disclosed are within those ordered."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from auditor.ingest.schema import DATA_CATEGORIES
from checks._lib import CETS, CETS_INSTRUMENTS, result


@check(
    id="MIN001",
    rule_id="CETS224-14.2.b",
    title="Every disclosure hands over only data categories that the request asked for",
    title_fr="Chaque communication ne remet que les catégories de données demandées",
    instrument=CETS,
    article="Art. 14(2)(b)",
    family="minimisation",
    severity="high",
    duty="receiving_authority",
    notes="Who must act: the receiving authority: Art. 14(2)(b) binds the Party processing the data received; the over-disclosure is the provider's or requested Party's act, which Art. 14 does not bind, and returning or deleting the excess is the holder's duty.",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    applies_to="disclosures that record data_disclosed",
    rationale=(
        "Art. 14(2)(b) requires personal data to be relevant and not excessive for the purposes of the "
        "processing. Data of a category the order did not seek were received without a legal basis in "
        "that order and must not be kept or used."
    ),
    remediation=(
        "Return or delete the data outside the order's categories, record the deletion, and raise the "
        "over-disclosure with the provider or requested Party."
    ),
    message="Disclosure {record_id} for request {request_id} ({party} ← {provider}) handed over {extra} which the request did not ask for (requested: {data_requested})",
    requires={"requests": ("data_requested",), "disclosures": ("data_disclosed",)},
)
def evaluate(ctx):
    d = ctx.disclosures
    r = ctx.requests.set_index("request_id")
    pop = d[d["data_disclosed"].notna()]
    extra = pd.Series("", index=pop.index, dtype="string")
    any_extra = pd.Series(False, index=pop.index)
    for cat in DATA_CATEGORIES:
        asked = pop["request_id"].map(r[f"req_{cat}"]).fillna(False).astype(bool)
        over = pop[f"dis_{cat}"].fillna(False).astype(bool) & ~asked
        any_extra |= over
        extra = extra.where(~over, extra + ";" + cat)
    out = result(pop, any_extra, extra=extra.str.lstrip(";"),
                 data_requested=pop["request_id"].map(r["data_requested"]))
    out["record_id"] = pop["disclosure_id"]
    return out
