"""SEN001: disclosures revealing sensitive data carry a safeguard reference (Art. 14(4))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, filled, result


@check(
    id="SEN001",
    rule_id="CETS224-14.4",
    title="Received data revealing special categories are handled under a recorded safeguard",
    title_fr="Les données reçues relevant de catégories particulières sont traitées avec une garantie consignée",
    instrument=CETS,
    article="Art. 14(4)",
    family="sensitive_data",
    severity="high",
    duty="receiving_authority",
    notes="Who must act: the receiving authority: Art. 14(4) binds the Party processing the data received; the safeguard applies where they are held.",
    legal_basis_status="UNCONFIRMED",
    scope=CETS_INSTRUMENTS,
    applies_to="disclosures with outcome disclosed or partial and sensitive_data = true",
    rationale=(
        "Art. 14(4) allows processing of data revealing racial or ethnic origin, political opinions, "
        "beliefs, trade union membership, genetic or biometric data, health or sex life only with "
        "appropriate safeguards against prejudicial impact. The log shows the safeguard as the "
        "disclosure's safeguard_reference (e.g. restricted-access register entry)."
    ),
    remediation="Apply and record a safeguard (safeguard_reference) for every disclosure flagged as sensitive.",
    message="Disclosure {record_id} for request {request_id} ({party}) contains sensitive data with no safeguard recorded",
    requires={"requests": ("request_id",), "disclosures": ("outcome", "sensitive_data", "safeguard_reference")},
)
def evaluate(ctx):
    d = ctx.tables["disclosures"]
    pop = d[d["outcome"].isin(["disclosed", "partial"]) & (d["sensitive_data"] == True).fillna(False)]  # noqa: E712
    out = result(pop, ~filled(pop["safeguard_reference"]))
    out["record_id"] = pop["disclosure_id"]
    return out
