"""NOT002: the person concerned is notified, a restriction on notice is recorded, or the Party
publishes a general notice (Art. 14(11)(a))."""

from __future__ import annotations

import pandas as pd

from auditor.engine.registry import check
from checks._lib import CETS, CETS_INSTRUMENTS, calendar_days, result, unknown_why


@check(
    id="NOT002",
    rule_id="CETS224-14.11",
    title="Data subjects are informed of a disclosure: personal notice, a recorded restriction, or a published general notice",
    title_fr="Les personnes concernées sont informées : notification personnelle, restriction consignée ou avis général publié",
    instrument=CETS,
    article="Art. 14(11)",
    family="transparency",
    severity="low",
    duty="receiving_authority",
    legal_basis_status="R",
    scope=CETS_INSTRUMENTS,
    applies_to="disclosures with outcome disclosed or partial, older than the pack's notice_grace_days",
    rationale=(
        "Art. 14(11)(a) requires notice of the legal basis, purposes, retention, recipients and remedies "
        "\"through the publication of general notices, or through personal notice\", subject to "
        "restrictions for the protection of investigations (Art. 14(12)(a)(i)). A disclosure passes with a "
        "personal notice (user_notified_at or a subject_notified custody event) or a recorded restriction "
        "(notification_blocked_by other than none); otherwise it passes when the issuing Party's profile "
        "says a general notice is published (general_notice_published = true), fails when the profile says "
        "none is (false), and cannot be evaluated when the profile does not say."
    ),
    remediation=(
        "Publish a general notice (and set general_notice_published in the Party profile), notify the "
        "person, or record the confidentiality order or other ground that defers notice (notification_blocked_by)."
    ),
    message="Disclosure {record_id} for request {request_id} ({party} ← {provider}), {age} days old, has no notice to the person and no recorded restriction, and {party} publishes no general notice",
    requires={"requests": ("issuing_party",), "disclosures": ("outcome", "user_notified_at", "notification_blocked_by")},
    params=("notice_grace_days",),
    profile_fields=("general_notice_published",),
    notes=(
        "notice_grace_days is a policy grace: a disclosure younger than it is not yet due and outside the population."
        " Who must act: the receiving authority: Art. 14(11) binds the Party processing the data received, whose authority gives or publishes the notice."
    ),
)
def evaluate(ctx):
    grace = int(ctx.param("notice_grace_days"))
    d = ctx.disclosures
    pop = d[d["outcome"].isin(["disclosed", "partial"])]
    age = calendar_days(pop["responded_at"], pd.Series(ctx.as_of, index=pop.index))
    pop, age = pop[age > grace], age[age > grace]
    notified = pop["user_notified_at"].notna()
    if ctx.has("custody_events"):
        ce = ctx.custody_events
        notified |= pop["request_id"].isin(ce.loc[ce["event"] == "subject_notified", "request_id"])
    restricted = pop["notification_blocked_by"].notna() & (pop["notification_blocked_by"] != "none")
    party = pop["request_id"].map(ctx.tables["requests"].set_index("request_id")["issuing_party"])
    general = ctx.profile(party, "general_notice_published").astype("boolean")
    personal = (notified | restricted).astype(bool)
    failed = (~general).astype("boolean").where(~personal, False)
    why = unknown_why(pop.index, failed.isna(),
                      "no personal notice or restriction, and the issuing Party's profile does not say whether "
                      "a general notice is published (general_notice_published)")
    out = result(pop, failed, age=age, why=why)
    out["record_id"] = pop["disclosure_id"]
    return out
