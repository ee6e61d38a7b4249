"""Party profiles: declarations, reservations and domestic settings that change what a check
expects. The shipped defaults (``auditor/data/party_profiles.csv``) are seeded from the real
CETS 224 signature and ratification chart (``shared/realdata``); a user's ``parties`` table
overrides them field by field, and every report says which source each Party's profile used.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from auditor.ingest.schema import PARTIES

PROFILE_FIELDS = [c.name for c in PARTIES.columns if c.name != "party"]


def default_profiles() -> pd.DataFrame:
    with resources.files("auditor").joinpath("data/party_profiles.csv").open(encoding="utf-8") as fh:
        raw = pd.read_csv(fh, dtype=str, keep_default_na=False, na_values=[""])
    out = pd.DataFrame({"party": raw["party"].astype("string")})
    for col in PARTIES.columns:
        if col.name == "party":
            continue
        s = raw[col.name] if col.name in raw else pd.Series(pd.NA, index=raw.index, dtype="string")
        if col.kind == "timestamp":
            out[col.name] = pd.to_datetime(s, utc=True).astype("datetime64[us, UTC]")
        elif col.kind == "bool":
            out[col.name] = s.map({"true": True, "false": False}).astype("boolean")
        elif col.kind in ("int", "float"):
            out[col.name] = pd.to_numeric(s).astype("Int64" if col.kind == "int" else "Float64")
        else:
            out[col.name] = s.astype("string")
    return out.set_index("party")


def _first_of_month_after(ts: pd.Series, months: int) -> pd.Series:
    shifted = (ts.dt.tz_convert("UTC").dt.tz_localize(None) if ts.dt.tz is not None else ts) + pd.DateOffset(months=months)
    # "the first day of the month following the expiration of a period of N months"
    return (shifted.dt.to_period("M") + 1).dt.to_timestamp().dt.tz_localize("UTC")


def merge_profiles(user: pd.DataFrame | None, params: dict) -> pd.DataFrame:
    """Defaults overridden field by field by the user's rows; adds ``profile_source`` and
    ``cets224_in_force_from`` (CETS 224 Art. 16, parameters from the pack)."""
    base = default_profiles()
    base["profile_source"] = "default"
    if user is not None and not user.empty:
        u = user.set_index("party")[PROFILE_FIELDS]
        merged = base.reindex(base.index.union(u.index))
        for f in PROFILE_FIELDS:
            override = u[f].reindex(merged.index)
            merged[f] = override.where(override.notna(), merged[f])
        in_user = merged.index.isin(u.index)
        in_base = merged.index.isin(base.index)
        merged["profile_source"] = "default"
        merged.loc[in_user & in_base, "profile_source"] = "user+default"
        merged.loc[in_user & ~in_base, "profile_source"] = "user"
        base = merged
    needed = int(params.get("cets224_ratifications_for_entry_into_force", 5))
    months = int(params.get("cets224_entry_into_force_months", 3))
    ratified = base["cets224_ratified_at"].dropna().sort_values()
    in_force = pd.Series(pd.NaT, index=base.index, dtype="datetime64[us, UTC]")
    if len(ratified) >= needed:
        eif = _first_of_month_after(pd.Series([ratified.iloc[needed - 1]]), months).iloc[0]
        own = _first_of_month_after(base["cets224_ratified_at"], months)
        in_force = own.where(own > eif, eif).where(base["cets224_ratified_at"].notna())
        in_force = in_force.astype("datetime64[us, UTC]")
    base["cets224_in_force_from"] = in_force
    base.index.name = "party"
    return base
