"""NOT005: once the host Party has instructed the provider not to disclose, no data are disclosed."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import CETS, lookup, result


@check(
    id="NOT005",
    rule_id="CETS224-7.5.c",
    title="No subscriber information is disclosed under an Art. 7 order after the host Party instructed the provider not to disclose",
    title_fr="Aucune information sur l'abonné n'est divulguée après l'instruction de non-divulgation de la Partie hôte (art. 7(5)(c))",
    instrument=CETS,
    article="Art. 7(5)(c)",
    family="notification",
    severity="high",
    duty="provider",
    legal_basis_status="UNCONFIRMED",
    scope=("cets224_art7",),
    applies_to="disclosed or partial disclosures of cets224_art7 requests with host_instruction_at",
    rationale=(
        "Under Art. 7(5)(c) the Party where the provider sits, once notified or consulted, may instruct "
        "the provider not to disclose where disclosure may prejudice its own investigations or meet a "
        "refusal ground of ETS 185 Arts. 25(4) or 27(4). From that instruction (requests."
        "host_instruction_at) the provider may not disclose, and the issuing Party may not receive the "
        "data under the order. A disclosure answered (responded_at) at or after the instruction breaks "
        "it; one answered before it does not."
    ),
    remediation=(
        "Stop receiving data under an Art. 7 order once the host Party has instructed the provider not to "
        "disclose; quarantine data received after the instruction and consult the host Party."
    ),
    remediation_fr=(
        "Ne plus recevoir de données au titre d'une injonction de l'art. 7 après l'instruction de "
        "non-divulgation de la Partie hôte ; isoler les données reçues ensuite et consulter cette Partie."
    ),
    message="Disclosure {record_id} ({outcome}) under Art. 7 order {request_id} ({party} → {provider}) was made on {responded_at}, after {receiving_party} instructed the provider not to disclose on {host_instruction_at}",
    requires={"requests": ("instrument", "host_instruction_at"), "disclosures": ("outcome", "responded_at")},
    notes=(
        "Only Art. 7 orders with a recorded stop instruction are in scope; a request without "
        "host_instruction_at has had no instruction. Overlaps: whether the issuer was told of the "
        "instruction, with reasons, is NOT006 (Art. 7(5)(d))."
        " Who must act: the provider: the Art. 7(5)(c) instruction is addressed to the provider, which may not disclose after it; quarantining data received anyway is the issuing authority's follow-up."
    ),
)
def evaluate(ctx):
    r = ctx.requests
    art7 = r[(r["instrument"] == "cets224_art7") & r["host_instruction_at"].notna()]
    d = ctx.tables["disclosures"]
    pop = d[d["outcome"].isin(["disclosed", "partial"]) & d["request_id"].isin(art7["request_id"])]
    instructed = lookup(pop["request_id"], art7.set_index("request_id")["host_instruction_at"])
    failed = (pop["responded_at"] >= instructed).astype("boolean")
    out = result(pop, failed, outcome=pop["outcome"], responded_at=pop["responded_at"],
                 host_instruction_at=instructed)
    out["record_id"] = pop["disclosure_id"]
    return out
