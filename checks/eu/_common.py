"""Shared scope and parsing helpers for the Regulation (EU) 2023/1543 checks."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from checks._lib import EU_INSTRUMENTS

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
    scope are reported by EU001 (date) or EU002 (States) only."""
    r = ctx.requests
    pop = r[r["instrument"].isin(tuple(instruments)) & (r["issued_at"] >= applies_from(ctx))]
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
