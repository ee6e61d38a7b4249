"""Normalisation to the canonical form of the input contract, vectorised.

``canonical()`` turns a raw frame (strings as written, or native Parquet/JSON types) into a frame
of canonical *strings*: UTC timestamps as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``, booleans as
``true``/``false``, Party codes upper-case ISO, sets sorted and ``;``-joined, enums lower-case.
A value that cannot be normalised is left as written, so the validation suite sees it and
quarantines the row with a precise reason. Personal columns are pseudonymised here, before any
other code sees them.

``typed()`` converts a validated canonical frame to the dtypes the checks use. The conversions of
timestamps, whole numbers and numbers (``to_timestamps``, ``to_int64``, ``to_float64``) are also
the validation rules of those columns (``validate.precheck``): a value is valid exactly when it
converts, so a value that passed validation can never fail (or overflow) later.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor import iso
from auditor.ingest.schema import TableSpec
from auditor.privacy import pseudonymise

# ASCII digits only: ``\\d`` would also match Arabic-Indic, full-width and other Unicode digits
CANON_TS_REGEX = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z$"
_INPUT_TS = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?\s*"
             r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?))?$")
INT_REGEX = r"^-?[0-9]+$"
FLOAT_REGEX = r"^-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"
#: the range of an ``int`` column (stored as a 64-bit integer, BIGINT)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def distinct(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, uniques)``: the distinct non-null values of ``series`` as text, and each row's
    position among them (-1 for a null). Arrow dictionary encoding, with no Python object per
    row: pandas ``Series.map`` with a dict builds an index of the keys and looks every row up in
    it (about 7 s of a 1M-request ingest went there)."""
    encoded = pc.dictionary_encode(arrow_text(series))
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = pd.Series(pd.arrays.ArrowStringArray(encoded.dictionary.cast(pa.string())), dtype="string")
    return codes, uniques


def _map_unique(series: pd.Series, func: Callable[[str], str]) -> pd.Series:
    """Apply ``func`` once per distinct non-null value (columns like Party codes repeat a lot)."""
    codes, uniques = distinct(series)
    mapped = pa.array([func(str(u)) for u in uniques], type=pa.string())
    text = mapped.take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.arrays.ArrowStringArray(text), index=series.index).astype("string")


def _as_text(series: pd.Series) -> pd.Series:
    """The text of each value as written (strings stripped, an empty string is missing). Native
    numbers (Parquet, JSON): a whole float within the 64-bit range is written as an integer, any
    other float (a fraction, beyond 64 bits, infinite) as Python writes it, so the validation of
    its column judges it; NaN is missing."""
    if pd.api.types.is_bool_dtype(series):
        return series.map({True: "true", False: "false"}).astype("string")
    if pd.api.types.is_float_dtype(series):
        s = series.astype("Float64")
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            integral = np.isfinite(values) & (np.abs(values) < 2.0**63) & (values == np.round(values))
        text = s.astype("string")
        if integral.any():
            whole = pd.Series(np.where(integral, np.round(values), 0).astype(np.int64), index=s.index)
            text = text.where(~integral, whole.astype("string"))
        return text
    if pd.api.types.is_datetime64_any_dtype(series):  # a native timestamp: ISO text, any year
        return _timestamp(series)
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def _timestamp(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        ts = series if getattr(series.dt, "tz", None) is not None else series.dt.tz_localize("UTC")
        ts = ts.dt.tz_convert("UTC")
        return _format_ts(ts).where(ts.notna(), pd.NA)
    text = _as_text(series)
    ok = text.str.match(_INPUT_TS).fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(ok), utc=True, format="ISO8601", errors="coerce")
    good = parsed.notna()
    return text.where(~good, _format_ts(parsed))


_FIRST_US = int(np.datetime64("0001-01-01T00:00:00", "us").view(np.int64))
_LAST_US = int(np.datetime64("9999-12-31T23:59:59.999999", "us").view(np.int64))


def utc_text(stamps: np.ndarray, missing: np.ndarray, trim_whole: bool) -> pa.Array:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` for ``datetime64[us]`` values (UTC), as an Arrow string
    array with nulls where ``missing``; ``trim_whole`` drops the fraction when it is zero.
    Vectorised in Arrow: its cast to text (``YYYY-MM-DD HH:MM:SS.ffffff``) is sliced and joined,
    with no Python string per value (about 5x faster than numpy's ``datetime_as_string``)."""
    stamps = stamps.astype("datetime64[us]", copy=False)
    text = pa.array(stamps, type=pa.timestamp("us"), from_pandas=True).cast(pa.string())
    date, clock = pc.utf8_slice_codeunits(text, 0, 10), pc.utf8_slice_codeunits(text, 11, 26)
    if trim_whole:
        whole = pa.array((stamps.view(np.int64) % 1_000_000) == 0)
        clock = pc.if_else(whole, pc.utf8_slice_codeunits(clock, 0, 8), clock)
    text = pc.binary_join_element_wise(pc.binary_join_element_wise(date, clock, "T"), pa.scalar("Z"), "")
    if missing.any():
        text = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), text)
    raw = stamps.view(np.int64)
    outside = ~missing & ((raw < _FIRST_US) | (raw > _LAST_US))
    if outside.any():  # beyond years 1-9999 Arrow writes "<value out of range>": write numpy's text
        spelled = np.where(outside, np.datetime_as_string(np.where(outside, stamps, np.datetime64(0, "us"))), "")
        text = pc.if_else(pa.array(outside), pa.array(np.char.add(spelled.astype(str), "Z")), text)
    return text


def _format_ts(ts: pd.Series) -> pd.Series:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (fraction only when non-zero)."""
    values = ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    text = utc_text(values, ts.isna().to_numpy(), trim_whole=True)
    return pd.Series(pd.arrays.ArrowStringArray(text), index=ts.index).astype("string")


def _bool(series: pd.Series) -> pd.Series:
    text = _as_text(series)

    def conv(v: str) -> str:
        low = v.strip().lower()
        if low in _TRUE:
            return "true"
        if low in _FALSE:
            return "false"
        return v

    return _map_unique(text, conv)


def _party(series: pd.Series) -> pd.Series:
    return _map_unique(_as_text(series), lambda v: iso.normalise(v) or v)


def _set(series: pd.Series) -> pd.Series:
    def conv(v: str) -> str:
        parts = sorted({p.strip().lower() for p in v.split(";") if p.strip()})
        return ";".join(parts) if parts else v

    return _map_unique(_as_text(series), conv)


def _enum(series: pd.Series) -> pd.Series:
    return _as_text(series).str.lower()


def arrow_text(values: pd.Series | pd.Index | pa.Array) -> pa.Array:
    """Text values as one Arrow string array (cheap for Arrow-backed pandas strings)."""
    if isinstance(values, pa.ChunkedArray):
        arr = values.combine_chunks()
    elif isinstance(values, pa.Array):
        arr = values
    else:
        arr = pa.array(pd.Series(values).astype("string"), from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def index_in(values: pd.Series, keys: pa.Array) -> np.ndarray:
    """Position of each of ``values`` in ``keys`` (an ``arrow_text`` array), -1 when absent or
    null: a hash look-up in Arrow (pandas ``isin``/``map`` on a large set of strings converts
    them to Python objects on every call)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    pos = pc.index_in(arrow_text(values), value_set=keys)
    return pos.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def repeated(values: pd.Series) -> np.ndarray:
    """True for each present value that occurs more than once in ``values`` (text; a missing value
    is never repeated): one Arrow dictionary encoding (pandas ``duplicated`` on Arrow strings took
    about twice as long)."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    codes = arrow_text(values).dictionary_encode()
    idx = codes.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    present = idx >= 0
    counts = np.bincount(idx[present], minlength=len(codes.dictionary))
    out = np.zeros(len(idx), dtype=bool)
    out[present] = counts[idx[present]] > 1
    return out


def repeated_at(values: pd.Series, pos: np.ndarray) -> np.ndarray:
    """``repeated(values)``, given each value's position in a set of distinct keys (``index_in``
    against them; -1 when absent or missing): a value found there is repeated when its position
    is, a count in numpy; only the values not found are encoded (a re-ingest's new rows, a few),
    since they cannot equal a found one. No hash of every value (about 0.7 s for two million ids)."""
    out = np.zeros(len(pos), dtype=bool)
    found = pos >= 0
    if found.any():
        at = pos[found]
        out[found] = np.bincount(at, minlength=int(at.max()) + 1)[at] > 1
    if not found.all():
        out[~found] = repeated(values[~found])
    return out


def _arrow_series(arr: pa.Array, index: pd.Index, dtype: str) -> pd.Series:
    mapper = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype()}.get
    return pd.Series(arr.to_pandas(types_mapper=mapper), dtype=dtype).set_axis(index)


def to_int64(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``(values, ok)``: the canonical text of an ``int`` column as 64-bit integers (``Int64``,
    missing where the text is missing or invalid) and, per row, whether a present value is a
    valid one: ASCII digits with an optional ``-``, within ``INT64_MIN..INT64_MAX``. Exact (no
    float on the way); vectorised in Arrow."""
    arr = arrow_text(text)
    form = pc.match_substring_regex(arr, INT_REGEX)
    negative = pc.starts_with(arr, "-")
    digits = pc.utf8_ltrim(pc.utf8_ltrim(arr, "-"), "0")  # sign and leading zeros off
    length = pc.binary_length(digits)
    large = pa.large_string()
    limit = pc.if_else(negative, pa.scalar(str(-INT64_MIN), large), pa.scalar(str(INT64_MAX), large))
    fits = pc.or_(pc.less(length, 19), pc.and_(pc.equal(length, 19), pc.less_equal(digits, limit)))
    ok = pc.and_(form, fits).fill_null(False)
    values = pc.cast(pc.if_else(ok, arr, pa.scalar(None, large)), pa.int64())
    return _arrow_series(values, text.index, "Int64"), ok.to_numpy(zero_copy_only=False)


def to_float64(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``(values, ok)`` for a ``float`` column: ASCII decimal notation (``FLOAT_REGEX``) whose
    value is a finite 64-bit float (a 400-digit number is out of range, not infinity)."""
    arr = arrow_text(text)
    form = pc.match_substring_regex(arr, FLOAT_REGEX).fill_null(False)
    values = pc.cast(pc.if_else(form, arr, pa.scalar(None, pa.large_string())), pa.float64())
    ok = pc.and_(form, pc.is_finite(values)).fill_null(False)
    values = pc.if_else(ok, values, pa.scalar(None, pa.float64()))
    return _arrow_series(values, text.index, "Float64"), ok.to_numpy(zero_copy_only=False)


def to_timestamps(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``(values, ok)`` for a ``timestamp`` column: canonical text (``CANON_TS_REGEX``) that
    pandas converts to a UTC instant (``datetime64[us, UTC]``). Not a real instant: hour 24, a
    leap second, 30 February, month 13. (pandas 3 holds years 0000-9999 here; the years a column
    takes are the range rule's, ``validate._out_of_range``.) A column with no value is not parsed."""
    if not text.notna().any():  # an optional column empty throughout (a wide file has many): nothing to parse
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]"), np.zeros(len(text), dtype=bool)
    form = text.str.match(CANON_TS_REGEX).fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(form), utc=True, format="ISO8601", errors="coerce")
    ok = (form & parsed.notna()).to_numpy(dtype=bool)
    return parsed.astype("datetime64[us, UTC]"), ok


#: the conversion of each kind that has one; also its validation rule (``validate.precheck``)
CONVERTERS: dict[str, Callable[[pd.Series], tuple[pd.Series, np.ndarray]]] = {
    "timestamp": to_timestamps,
    "int": to_int64,
    "float": to_float64,
}


def has_nul(text: pd.Series) -> np.ndarray:
    """Rows whose text holds a NUL character (U+0000): PostgreSQL cannot store it in text."""
    if len(text) == 0:
        return np.zeros(0, dtype=bool)
    found = pc.match_substring(arrow_text(text), "\x00").fill_null(False)
    return found.to_numpy(zero_copy_only=False)


def canonical_column(s: pd.Series, col, key: bytes) -> pd.Series:
    """The canonical text of one contract column (``col``: its ``schema.Column``)."""
    if col.personal:
        return pseudonymise(_as_text(s), key)
    if col.kind == "timestamp":
        return _timestamp(s)
    if col.kind == "bool":
        return _bool(s)
    if col.kind == "party":
        return _party(s)
    if col.kind == "set":
        return _set(s)
    if col.kind == "enum":
        return _enum(s)
    return _as_text(s)  # str, int, float


def canonical(frame: pd.DataFrame, spec: TableSpec, key: bytes,
              nul: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Canonical string form of every contract column; unknown extra columns are dropped here
    (a rejected row's quarantine record shows them pseudonymised; checks ignore them).
    ``nul``: filled with the rows of each personal column whose value as written holds a NUL
    character (its pseudonym no longer shows it; every other column keeps it in its canonical
    text); ``validate.precheck`` quarantines them."""
    out: dict[str, pd.Series] = {}
    n = len(frame)
    for col in spec.columns:
        if col.name not in frame.columns:
            out[col.name] = pd.Series(pd.NA, index=frame.index, dtype="string")
            continue
        if col.personal and nul is not None:  # other columns keep a NUL in their canonical text
            text = _as_text(frame[col.name])
            found = has_nul(text)
            if found.any():
                nul[col.name] = found
            out[col.name] = pseudonymise(text, key)
            continue
        out[col.name] = canonical_column(frame[col.name], col, key)
    result = pd.DataFrame(out, index=frame.index)
    assert len(result) == n
    return result


def typed(canon: pd.DataFrame, spec: TableSpec, converted: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Dtypes for the checks: UTC datetimes, nullable booleans and integers, strings.

    Timestamps and numbers go through ``CONVERTERS``, the rules their validation applied: a
    present value that does not convert is a bug (only validated rows are typed), raised as
    such. ``converted``: the conversions ``validate.precheck`` already made (aligned with a
    frame ``canon`` is a subset of), reused instead of converting again."""
    out = {}
    for col in spec.columns:
        s = canon[col.name]
        if col.kind in CONVERTERS:
            if converted is not None and col.name in converted:
                values = converted[col.name].reindex(canon.index)
                ok = values.notna().to_numpy(dtype=bool)
            else:
                values, ok = CONVERTERS[col.kind](s)
            if (s.notna().to_numpy(dtype=bool) & ~ok).any():
                raise ValueError(f"{spec.name}.{col.name}: a value that failed validation reached typed()")
            out[col.name] = values
        elif col.kind == "bool":
            text = s.astype("string")
            true = text.eq("true")
            known = (true | text.eq("false")).fillna(False).astype(bool)
            out[col.name] = true.astype("boolean").mask(~known)  # "true"/"false", else NA
        else:
            out[col.name] = s.astype("string")
    return pd.DataFrame(out, index=canon.index)
