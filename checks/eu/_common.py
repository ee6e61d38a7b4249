"""Shared scope and parsing helpers for the Regulation (EU) 2023/1543 checks."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from checks._lib import EU_INSTRUMENTS, after_as_of

EU = "EU 2023/1543"
DISCLOSED = ("disclosed", "partial")
NON_EXECUTION = ("refused", "no_data")


def applies_from(ctx) -> pd.Timestamp:
    """The date the Regulation applies from (Art. 34(2)), from the pack."""
    return pd.Timestamp(str(ctx.param("eu_applies_from")), tz="UTC")


def bound(ctx, parties: pd.Series) -> pd.Series:
    """``eu_2023_1543_bound`` of each Party: the Party profile value (user file, then shipped
    profiles); where neither gives one, membership of the pack list ``eu_bound_member_states``
    (the "auditor's default list" of the log format). NA only without a list."""
    profile = ctx.profile(parties, "eu_2023_1543_bound").astype("boolean")
    default = ctx.params.get("eu_bound_member_states")
    if not default:  # no list (or --param eu_bound_member_states=""): profiles only
        return profile
    states = {str(s).strip().upper() for s in (default if isinstance(default, list | tuple)
                                                 else str(default).split(";")) if str(s).strip()}
    listed = parties.astype("string").str.upper().isin(states).astype("boolean")
    return profile.fillna(listed)


def in_scope(ctx, instruments: Iterable[str] = EU_INSTRUMENTS) -> pd.DataFrame:
    """EU orders the Regulation governs: issued on or after the application date, from a bound
    Member State to a provider established in *another* bound Member State. Orders outside that
    scope are reported by EU001 (date) or EU002 (States) only. Computed once per context and
    instrument set (``AuditContext.memo``): several checks start from it."""
    instruments = tuple(instruments)
    return ctx.memo(("eu.in_scope", instruments), lambda: _in_scope(ctx, instruments))


def _in_scope(ctx, instruments: tuple[str, ...]) -> pd.DataFrame:
    r = ctx.requests
    pop = r[r["instrument"].isin(instruments) & (r["issued_at"] >= applies_from(ctx))]
    ok = (
        bound(ctx, pop["issuing_party"]).fillna(False)
        & bound(ctx, pop["receiving_party"]).fillna(False)
        & (pop["issuing_party"] != pop["receiving_party"]).fillna(False)
    ).astype(bool)
    return pop[ok]


def traffic_or_content(pop: pd.DataFrame) -> pd.Series:
    """True where the order asks for traffic (other than identification) or content data."""
    return (pop["req_traffic"].fillna(False) | pop["req_content"].fillna(False)).astype(bool)


def code(s: pd.Series) -> pd.Series:
    """Free text as a comparable code: lower case, runs of other characters -> '_'."""
    return s.astype("string").str.strip().str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")


def code_list(value) -> set[str]:
    """A pack list parameter (TOML array, or a ';'-separated string from --param) as codes."""
    items = value if isinstance(value, list | tuple) else str(value).split(";")
    return {re.sub(r"[^a-z0-9]+", "_", str(v).strip().lower()).strip("_") for v in items if str(v).strip()}


def na_why(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="string")


def column(ctx, pop: pd.DataFrame, name: str, table: str = "requests") -> pd.Series:
    """``pop[name]``, or all-NA when the column is absent from the input (absent = not recorded,
    never a pass)."""
    if name not in pop:
        return pd.Series(pd.NA, index=pop.index, dtype="object")
    if name in ctx.present.get(table, set()):
        return pop[name]
    return pop[name].mask(pd.Series(True, index=pop.index))


def is_true(s: pd.Series) -> pd.Series:
    """True where a nullable boolean column is True (NA = False)."""
    return (s == True).fillna(False).astype(bool)  # noqa: E712


def is_false(s: pd.Series) -> pd.Series:
    """True where a nullable boolean column is False (NA = False)."""
    return (s == False).fillna(False).astype(bool)  # noqa: E712


def hours_between(start: pd.Series, end: pd.Series) -> pd.Series:
    return ((end - start).dt.total_seconds() / 3600).astype("Float64")


def issuer_or_validator(ctx, pop: pd.DataFrame, allowed: set[str], article: str, who: str) -> tuple[
        pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    """Art. 4(1)(b) / 4(3)(b) with Art. 4(5): issued by an allowed authority type, or by another
    authority and validated by one. Outside an emergency the validation precedes transmission
    (validated_at after transmitted_at, else issued_at, fails; no validated_at = validation
    recorded, time not). In an emergency (emergency = true) an order issued without prior
    validation is validated ex post within eu_validation_hours of issued_at (late fails, no
    validated_at is unknown); with no allowed validator it fails once as_of is past that limit and
    is not yet judged before. As of the audit date (``checks._lib.after_as_of``): an order sent
    after it had not been sent, so it cannot have been sent before its validation (issued_at is
    never used in its place); a validation after it had not happened: an order sent by then was
    sent unvalidated (fails), an emergency order is judged as not validated (fails once the limit
    has passed, not judged before). Returns (rows, failed, state, why)."""
    limit = float(ctx.param("eu_validation_hours"))
    issuer = code(pop["authority_type"])
    validator = code(pop["validating_authority_type"])
    emergency = is_true(column(ctx, pop, "emergency"))
    validated_at = column(ctx, pop, "validated_at")
    issuer_ok = issuer.isin(allowed).fillna(False).astype(bool)
    validator_ok = ~issuer_ok & validator.isin(allowed).fillna(False).astype(bool)
    none_ok = ~issuer_ok & ~validator_ok

    sent_later = after_as_of(ctx, pop, "transmitted_at")  # not sent on the audit date
    valid_later = after_as_of(ctx, pop, "validated_at") & validator_ok  # not validated on it
    validated_at = validated_at.mask(valid_later)
    sent = pop["transmitted_at"].mask(sent_later).fillna(pop["issued_at"])
    unvalidated_sent = validator_ok & ~emergency & ~sent_later & valid_later
    after_sending = (validator_ok & ~emergency & ~sent_later
                     & (validated_at > sent).fillna(False).astype(bool)) | unvalidated_sent
    delay = hours_between(pop["issued_at"], validated_at)
    late_ex_post = validator_ok & emergency & (delay > limit).fillna(False).astype(bool)
    ex_post_unknown = validator_ok & emergency & validated_at.isna() & ~valid_later
    waited = hours_between(pop["issued_at"], pd.Series(ctx.as_of, index=pop.index))
    past_limit = (waited > limit).fillna(False).astype(bool)
    pending = validator_ok & emergency & valid_later  # ex post validation not done on the audit date
    overdue = (none_ok & emergency & past_limit) | (pending & past_limit)
    not_yet = (none_ok & emergency & ~overdue & issuer.notna()) | (pending & ~past_limit)
    keep = ~not_yet
    no_issuer = none_ok & issuer.isna()

    failed = (after_sending | late_ex_post | (none_ok & ~emergency) | overdue).astype("boolean")
    failed = failed.mask(no_issuer | ex_post_unknown)
    vtype = pop["validating_authority_type"].astype("string")
    val_at = validated_at.dt.strftime("%Y-%m-%d %H:%M:%S UTC").astype("string")
    state = pd.Series("", index=pop.index, dtype="string")
    state = state.mask(none_ok & ~emergency, "and validated by " + vtype.fillna("no one")
                       + f"; {article} needs {who}")
    state = state.mask(after_sending, "and validated by a " + vtype + " only after it was sent (validated "
                       + val_at + ", sent " + sent.dt.strftime("%Y-%m-%d %H:%M:%S UTC").astype("string")
                       + f"); {article} needs the validation before the order is sent")
    state = state.mask(unvalidated_sent, "and was sent (" + sent.dt.strftime("%Y-%m-%d %H:%M:%S UTC").astype("string")
                       + ") without the validation by a " + vtype + f", not done on the audit date; {article} "
                       "needs the validation before the order is sent")
    state = state.mask(late_ex_post, "in an emergency and validated ex post by a " + vtype + " on " + val_at
                       + ", " + delay.round(1).astype("string") + f" h after issue; Art. 4(5) allows at most "
                       f"{limit:g} h")
    state = state.mask(overdue, "in an emergency and, " + waited.round(1).astype("string")
                       + " h after issue, validated by " + vtype.fillna("no one")
                       + f"; Art. 4(5) needs validation by {who} within {limit:g} h")
    state = state.mask(pending & past_limit, "in an emergency and, " + waited.round(1).astype("string")
                       + " h after issue, not yet validated ex post by a " + vtype + " on the audit date"
                       + f"; Art. 4(5) needs validation by {who} within {limit:g} h")
    why = na_why(pop.index).mask(no_issuer, "authority_type not recorded")
    why = why.mask(ex_post_unknown, "validated_at not recorded for an emergency order validated ex post")
    return pop[keep], failed[keep], state[keep], why[keep]


def art5_4(ctx, pop: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Art. 5(4)(a)-(c) for traffic / content data: (a) maximum penalty of at least
    eu_offence_threshold_years; (b) an offence of eu_listed_offence_categories (offence_category) or
    of the legacy eu_listed_offences codes (offence), wholly or partly committed by means of an
    information system (committed_via_information_system true; false = not (b), empty = unknown
    unless (a) or (c) holds); (c) a terrorist offence (eu_terrorism_categories, in offence_category
    or as the offence code), whatever the penalty. Returns (ok, failed, reason, why): ok / failed
    are plain booleans, neither = unknown with ``why``; ``reason`` says why a failing row fails."""
    threshold = float(ctx.param("eu_offence_threshold_years"))
    listed_codes = code_list(ctx.param("eu_listed_offences"))
    listed_cats = code_list(ctx.param("eu_listed_offence_categories"))
    terror_cats = code_list(ctx.param("eu_terrorism_categories"))
    category = code(column(ctx, pop, "offence_category").astype("string"))
    offence = code(column(ctx, pop, "offence").astype("string"))
    via = column(ctx, pop, "committed_via_information_system")
    penalty = pd.to_numeric(column(ctx, pop, "offence_max_penalty_years"), errors="coerce").astype("Float64")

    above = (penalty >= threshold).fillna(False).astype(bool)
    terror = (category.isin(terror_cats).fillna(False) | offence.isin(terror_cats).fillna(False)).astype(bool)
    listed = (category.isin(listed_cats).fillna(False) | offence.isin(listed_codes).fillna(False)).astype(bool)
    via_true, via_false = is_true(via), is_false(via)
    ok = above | terror | (listed & via_true)
    via_unknown = ~ok & listed & ~via_true & ~via_false
    penalty_unknown = ~ok & penalty.isna()
    failed = ~ok & ~via_unknown & ~penalty_unknown
    reason = pd.Series("and not a listed or terrorist offence", index=pop.index, dtype="string")
    reason = reason.mask(listed & via_false, "and the listed offence was not committed by means of an "
                                            "information system")
    why = na_why(pop.index).mask(penalty_unknown & ~via_unknown,
                                 "offence_max_penalty_years not recorded and no Art. 5(4)(b)-(c) offence shown")
    why = why.mask(via_unknown, "listed offence but committed_via_information_system not recorded")
    return ok, failed, reason, why
