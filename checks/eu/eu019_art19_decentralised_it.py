"""EU019: EPOCs and EPOC-PRs are transmitted through the decentralised IT system (Art. 19(1))."""

from __future__ import annotations

from auditor.engine.registry import check
from checks._lib import EU_INSTRUMENTS, result
from checks.eu._common import EU, in_scope, na_why


@check(
    id="EU019",
    rule_id="EU1543-19.1",
    title="EPOCs and EPOC-PRs are transmitted through the decentralised IT system",
    title_fr="Les EPOC et EPOC-PR sont transmis par le système informatique décentralisé",
    instrument=EU,
    article="Art. 19(1)",
    family="security",
    severity="low",
    duty="issuing_authority",
    legal_basis_status="C",
    kind="advisory",
    scope=EU_INSTRUMENTS,
    applies_to="eu_epoc and eu_epoc_pr requests in the Regulation's scope",
    rationale=(
        "Art. 19(1): written communication between competent authorities and designated establishments "
        "or legal representatives under the Regulation, including the exchange of the forms and of the "
        "requested data, takes place through a secure and reliable decentralised IT system (channel "
        "eu_decentralised). Another channel is an advisory finding, not a breach: Art. 19(5) allows "
        "other means where communication through the system is not possible (a disruption, the nature "
        "of the material, technical limitations...), and the log format has no field recording that "
        "exception. An empty channel is unknown."
    ),
    remediation="Send EPOCs and EPOC-PRs through the decentralised IT system, and record why when another channel had to be used.",
    message="{instrument} {request_id} ({party} → {receiving_party}, provider {provider}) was sent by channel '{channel}', not the decentralised IT system",
    requires={"requests": ("instrument", "channel")},
    params=("eu_applies_from",),
    profile_fields=("eu_2023_1543_bound",),
    notes=(
        "Advisory because the Art. 19(5) exception cannot be read from the log. When the use of the "
        "system becomes mandatory depends on the implementing acts of Art. 25: Commission Implementing "
        "Regulation (EU) 2025/1550 of 28 July 2025 (OJ L, 2025/1550, 29.7.2025) lays down its technical "
        "specifications (seen in the stored EUR-Lex text); the provision fixing the date from which the "
        "system must be used (Art. 34, recalled as one year after those acts) was not read, so the "
        "check applies to every order in the Regulation's scope. The German text read numbers the "
        "fallback rule 19(5) (19(4) is communication between competent authorities)."
        " Who must act: the issuing authority: Art. 19(1) binds every sender; the check judges how the EPOC was sent, the issuer's act."
    ),
)
def evaluate(ctx):
    pop = in_scope(ctx)
    channel = pop["channel"].astype("string")
    failed = (channel != "eu_decentralised").astype("boolean")
    why = na_why(pop.index).mask(channel.isna(), "channel not recorded")
    return result(pop, failed, instrument=pop["instrument"], channel=channel, why=why)
