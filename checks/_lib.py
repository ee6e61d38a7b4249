"""Small vectorised helpers shared by checks."""

from __future__ import annotations

import pandas as pd

CETS_INSTRUMENTS = ("cets224_art6", "cets224_art7", "cets224_art8", "cets224_art9", "cets224_art10")
EU_INSTRUMENTS = ("eu_epoc", "eu_epoc_pr")
SUPERVISING_TYPES = ("judge", "prosecutor", "independent")
CETS = "CETS 224"


def filled(s: pd.Series) -> pd.Series:
    """True where a text value is present and not blank."""
    return (s.notna() & (s.astype("string").str.strip() != "")).astype(bool)


def calendar_days(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole calendar days (UTC dates) from start to end; NA when either is missing.
    Served on 1 March and answered on 21 March is day 20."""
    return (end.dt.normalize() - start.dt.normalize()).dt.days.astype("Int64")


def lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``values[key]`` for each key (NA when absent), keeping the dtype of ``values``.
    ``Series.map`` with an *empty* mapper casts it to float64, which fails for datetimes."""
    return pd.Series(values.reindex(pd.Index(keys)).to_numpy(), index=keys.index, dtype=values.dtype)


def result(frame: pd.DataFrame, failed: pd.Series, **extra: pd.Series) -> pd.DataFrame:
    """A check result: request_id, record_id (if given), failed (nullable), extras."""
    out = pd.DataFrame({"request_id": frame["request_id"].to_numpy()}, index=frame.index)
    out["failed"] = failed.astype("boolean")
    for k, v in extra.items():
        out[k] = v
    return out


def first_disclosure(ctx) -> pd.DataFrame:
    """The first response per request: request_id, disclosure_id, responded_at, received_at."""
    d = ctx.tables["disclosures"]
    d = d.sort_values(["request_id", "responded_at"], kind="stable")
    return d.drop_duplicates("request_id", keep="first")


def events(ctx, kind: str) -> pd.DataFrame:
    ce = ctx.tables["custody_events"]
    return ce[ce["event"] == kind]


def missing_elements(index: pd.Index, flags: list[tuple[pd.Series, str]]) -> tuple[pd.Series, pd.Series]:
    """(any element missing, '; '-joined labels of the missing ones) from (missing mask, label) pairs."""
    any_missing = pd.Series(False, index=index)
    labels = pd.Series("", index=index, dtype="string")
    for flag, label in flags:
        flag = flag.fillna(False).astype(bool)
        any_missing |= flag
        labels = labels.where(~flag, labels + "; " + label)
    return any_missing, labels.str.lstrip("; ")


def in_force_between(ctx, pop: pd.DataFrame) -> pd.Series:
    """True where CETS 224 was in force for both the issuing and the receiving Party on issued_at
    (the COM003 test). Reservations and declarations only have effect between Parties bound by the
    Protocol, so reservation-family checks leave requests failing COM003 to COM003."""
    f_iss = ctx.profile(pop["issuing_party"], "cets224_in_force_from")
    f_rec = ctx.profile(pop["receiving_party"], "cets224_in_force_from")
    return ((f_iss <= pop["issued_at"]).fillna(False) & (f_rec <= pop["issued_at"]).fillna(False)).astype(bool)


def unknown_why(index: pd.Index, mask: pd.Series, why: str) -> pd.Series:
    """A ``why`` column: ``why`` where mask, NA elsewhere."""
    return pd.Series(pd.NA, index=index, dtype="string").mask(mask.fillna(False).astype(bool), why)


def code(s: pd.Series) -> pd.Series:
    """Free text as a comparable code (as ``checks.eu._common.code``): case, surrounding space and
    runs of spaces or punctuation do not matter ("Fraud  investigation." == "fraud-investigation")."""
    return s.astype("string").str.strip().str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")


def after_as_of(ctx, frame: pd.DataFrame, column: str) -> pd.Series:
    """True where the act whose time ``frame[column]`` records had not happened on the audit date:
    its time was after the as-of day (blanked by ``auditor.engine.period.restrict``, which flags
    it in a marker column), or still is (a context built without that cut). An empty cell is
    "not recorded" only where this is False: a check must not fall back to an earlier clock for
    such a row, nor judge a deadline that runs from the act."""
    from auditor.engine.period import after_as_of_column  # noqa: PLC0415

    out = pd.Series(False, index=frame.index)
    marker = after_as_of_column(column)
    if marker in frame:
        out |= frame[marker].fillna(False).astype(bool)
    if column in frame:
        out |= (frame[column] >= ctx.as_of.normalize() + pd.Timedelta(days=1)).fillna(False).astype(bool)
    return out.astype(bool)
