"""Mapping profiles: an authority's own export turned into the canonical input contract.

A profile (``--mapping FILE.toml``; ``mapping = "FILE.toml"`` in auditor.toml) renames columns,
maps values, parses dates in a declared format and time zone, adds constants and splits one wide
row into a request and its disclosure, BEFORE normalisation and validation, so every rule of the
contract then applies unchanged. The profile format is documented in ``docs/intake.md``.

Public API (as the spec says):
- ``load_profile(path) -> Profile`` (validated: ``ProfileError`` names the file, the key, the fix)
- ``Profile.table(name) -> TableMapping | None``; ``Profile.sha256``, ``Profile.text``, ``.tables``
- ``apply(frame, mapping, spec) -> (DataFrame, list[Defect])``: canonical column names, string
  dtype; one ``validate.Defect`` (row index, canonical column, reason) per rejected cell
- ``dump_profile(profile_dict) -> str``: a TOML writer (no external dependency)

Added beyond the spec (for the ingest and ``intake check``):
- ``Profile.provenance() -> dict`` (name, version, sha256, file): what the ingest records
- ``Profile.name``, ``.version``, ``.description``, ``.path``, ``.bytes``
- ``TableMapping`` fields: ``files``, ``sheets``, ``header_row``, ``columns``, ``constants``,
  ``dates`` (canonical column -> ``DateSpec``), ``values``, ``source`` (the ``from`` key),
  ``when_any``; ``TableMapping.targets`` (canonical column -> source header)
- ``unmapped_columns(columns, mapping, spec) -> list[str]``: source headers ingest ignores
- ``rows_selected(frame, mapping) -> np.ndarray``: the ``when_any`` rows of a ``from`` table
- ``apply(..., source_name=...)``: the file name the reasons cite (default: the profile's path)

Matching rules: a source header matches after whitespace strip, Unicode NFC and case folding
(the contract's column names are case-insensitive, and the readers lower-case CSV headers);
value maps match exactly after whitespace strip (case-sensitive). A ``from`` table whose id
column is not mapped gets ``<request_id>:<disclosure|event>`` as its id (one per source row).
Everything is vectorised: a value map or a date format is applied to each *distinct* value once
(Arrow dictionary encoding), never per row in Python.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa

from auditor.errors import ProfileError
from auditor.ingest.schema import TABLES, TableSpec

#: kinds whose unmapped value may be shown in a reason (a closed vocabulary, not free text)
_SHOWN_KINDS = ("enum", "bool", "set", "party")
#: suffix of a derived id (``from`` table without its id column mapped)
_ID_SUFFIX = {"disclosures": "disclosure", "custody_events": "event", "parties": "party", "requests": "request"}
_TABLE_KEYS = {"files", "sheets", "header_row", "columns", "constants", "dates", "values", "from", "when_any"}
_TIME_DIRECTIVES = re.compile(r"%[-#]?[HIMSfpzXcT]")
_NATIVE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?$"


def _fold(name: Any) -> str:
    return unicodedata.normalize("NFC", str(name)).strip().casefold()


@dataclass(frozen=True)
class DateSpec:
    """How one canonical timestamp column is written in the source: a strptime ``format`` and
    the IANA time zone (``tz``) its local times are in."""

    format: str
    tz: str = "UTC"

    @property
    def has_time(self) -> bool:
        return not self.format or bool(_TIME_DIRECTIVES.search(self.format))

    @property
    def has_offset(self) -> bool:
        return bool(self.format) and "%z" in self.format


@dataclass
class TableMapping:
    table: str
    files: tuple[str, ...] = ()
    #: None: the first sheet; ("*",): every sheet
    sheets: tuple[str, ...] | None = None
    header_row: int = 1
    #: source header (as written in the profile) -> canonical column ("" = deliberately ignored)
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    dates: dict[str, DateSpec] = field(default_factory=dict)
    #: canonical column -> {source text: canonical text}
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: ``from``: the table whose source rows this table is taken from
    source: str | None = None
    when_any: tuple[str, ...] = ()
    #: the profile file, for reasons and errors
    profile_path: str = ""

    @property
    def targets(self) -> dict[str, str]:
        """canonical column -> source header, for the mapped (not ignored) columns."""
        return {c: s for s, c in self.columns.items() if c}

    def resolve(self, columns: list[Any], spec: TableSpec) -> dict[Any, str]:
        """Source column (as in ``columns``) -> canonical column, for the columns kept."""
        by_fold = {_fold(s): c for s, c in self.columns.items()}
        targets = set(self.targets) | set(self.constants)
        out: dict[Any, str] = {}
        for col in columns:
            folded = _fold(col)
            if folded in by_fold:
                if by_fold[folded]:
                    out[col] = by_fold[folded]
            elif folded in spec.names and folded not in targets:
                out[col] = folded  # already the canonical name
        return out


@dataclass
class Profile:
    path: Path
    text: str
    sha256: str
    name: str
    version: str = ""
    description: str = ""
    tables: dict[str, TableMapping] = field(default_factory=dict)
    bytes: bytes = b""

    def table(self, name: str) -> TableMapping | None:
        return self.tables.get(name)

    def provenance(self) -> dict[str, str]:
        """What an ingest records of the profile (its bytes are recorded beside it)."""
        return {"name": self.name, "version": self.version, "sha256": self.sha256, "file": str(self.path)}


# ---------------------------------------------------------------- loading
def _err(path: Path, key: str, problem: str, fix: str) -> ProfileError:
    return ProfileError(f"{path}: {key}: {problem}", hint=fix, file=str(path), key=key)


def _text_value(path: Path, key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise _err(path, key, f"expected a text value, not {type(value).__name__} {value!r}",
               f'write it as a string in quotes, e.g. {key.rsplit(".", 1)[-1]} = "..."')


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _err(path, key, f"expected a string or a list of strings, not {value!r}", f'write {key} = ["..."]')


def _table_dict(path: Path, key: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise _err(path, key, f"expected a table ([{key}]), not {value!r}", f"write it as a [{key}] section")
    return value


def _check_column(path: Path, key: str, spec: TableSpec, column: str) -> None:
    if column not in spec.names:
        raise _err(path, key, f"{column!r} is not a column of the {spec.name} table",
                   f"use one of the canonical columns of {spec.name} (see /work/shared/spec/log-format.md "
                   "or auditor/ingest/schema.py)")


def _check_value(path: Path, key: str, spec: TableSpec, column: str, target: str) -> None:
    """The canonical value a value map gives must be valid for its column."""
    from auditor.ingest.normalise import canonical_column  # noqa: PLC0415
    from auditor.ingest.validate import value_ok  # noqa: PLC0415

    col = spec.column(column)
    if col.kind not in ("enum", "bool", "set", "party", "int", "float", "timestamp"):
        return
    canon = canonical_column(pd.Series([target], dtype="string"), col, b"-")
    if not value_ok(spec, column, canon)[0]:
        allowed = f"one of {', '.join(col.values)}" if col.values else {
            "bool": "true or false", "party": "an ISO 3166-1 alpha-2 code such as FR",
            "set": "values from " + ", ".join(col.values)}.get(col.kind, f"a valid {col.kind}")
        raise _err(path, key, f"maps to {target!r}, which is not a valid {column} value", f"map it to {allowed}")


def _check_format(path: Path, key: str, fmt: str) -> None:
    whole = re.search(r"%[cxD]", fmt)  # the locale's (or %m/%d/%y) whole date
    if not whole and not (re.search(r"%[yYG]", fmt) and re.search(r"%[-#]?[dj]", fmt)
                          and (re.search(r"%[-#]?[mbBh]", fmt) or "%j" in fmt)):
        raise _err(path, key, f"format {fmt!r} does not name a day, month and year",
                   'write a strptime format such as "%d/%m/%Y" or "%d/%m/%Y %H:%M"')
    sample = datetime(2026, 11, 28, 13, 45, 30)  # noqa: DTZ001 - a format probe, not a time
    try:
        text = sample.strftime(fmt.replace("%z", "").replace("%Z", ""))
        datetime.strptime(text, fmt.replace("%z", "").replace("%Z", ""))  # noqa: DTZ007
        pd.to_datetime(pd.Series([text]), format=fmt.replace("%z", "").replace("%Z", ""), errors="raise")
    except (ValueError, TypeError) as exc:
        raise _err(path, key, f"format {fmt!r} is not a usable strptime format ({exc})",
                   'use strptime directives only, e.g. "%d/%m/%Y %H:%M" (see Python\'s strptime docs)') from None


def _check_tz(path: Path, key: str, tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise _err(path, key, f"unknown time zone {tz!r}",
                   'use an IANA time zone name such as "Europe/Paris" or "UTC"') from None


def _load_table(path: Path, name: str, body: dict) -> TableMapping:
    prefix = f"tables.{name}"
    if name not in TABLES:
        raise _err(path, prefix, f"unknown table {name!r}", f"use one of {', '.join(TABLES)}")
    spec = TABLES[name]
    body = _table_dict(path, prefix, body)
    for k in body:
        if k not in _TABLE_KEYS:
            raise _err(path, f"{prefix}.{k}", "unknown key", f"use only {', '.join(sorted(_TABLE_KEYS))}")
    m = TableMapping(name, profile_path=str(path))
    if "files" in body:
        m.files = _strings(path, f"{prefix}.files", body["files"])
    if "sheets" in body:
        m.sheets = _strings(path, f"{prefix}.sheets", body["sheets"])
    if "header_row" in body:
        hr = body["header_row"]
        if not isinstance(hr, int) or isinstance(hr, bool) or hr < 1:
            raise _err(path, f"{prefix}.header_row", f"expected a row number from 1, not {hr!r}",
                       "write the 1-based row that holds the headers, e.g. header_row = 1")
        m.header_row = hr
    if "from" in body:
        src = body["from"]
        if not isinstance(src, str) or src not in TABLES or src == name:
            raise _err(path, f"{prefix}.from", f"{src!r} is not another table",
                       "name the table whose rows this one is taken from, e.g. from = \"requests\"")
        m.source = src
    if "when_any" in body:
        if m.source is None:
            raise _err(path, f"{prefix}.when_any", "only a table taken from another (from = ...) selects rows",
                       f'add from = "requests" under [{prefix}], or remove when_any')
        m.when_any = _strings(path, f"{prefix}.when_any", body["when_any"])
    seen: dict[str, str] = {}  # canonical -> source
    for src_header, target in _table_dict(path, f"{prefix}.columns", body.get("columns", {})).items():
        key = f'{prefix}.columns."{src_header}"'
        if not isinstance(target, str):
            raise _err(path, key, f"expected a canonical column name in quotes, not {target!r}",
                       'write "Source header" = "canonical_column" (or "" to ignore it)')
        target = target.strip().lower()
        if target:
            _check_column(path, key, spec, target)
            if target in seen:
                raise _err(path, key, f'source columns "{seen[target]}" and "{src_header}" are both mapped to {target}',
                           "map only one source column to each canonical column")
            seen[target] = src_header
        folded = _fold(src_header)
        if any(_fold(s) == folded for s in m.columns):
            raise _err(path, key, "this source header is listed twice (headers match ignoring case)",
                       "keep one entry per source header")
        m.columns[src_header] = target
    for col, value in _table_dict(path, f"{prefix}.constants", body.get("constants", {})).items():
        key = f"{prefix}.constants.{col}"
        _check_column(path, key, spec, col)
        if col in seen:
            raise _err(path, key, f'{col} is both a constant and mapped from source column "{seen[col]}"',
                       "keep either the constant or the column mapping")
        m.constants[col] = _text_value(path, key, value)
        _check_value(path, key, spec, col, m.constants[col])
    for col, value in _table_dict(path, f"{prefix}.dates", body.get("dates", {})).items():
        key = f"{prefix}.dates.{col}"
        _check_column(path, key, spec, col)
        if spec.column(col).kind != "timestamp":
            raise _err(path, key, f"{col} is not a date or time column", "declare formats for timestamp columns only")
        if isinstance(value, str):
            value = {"format": value}
        value = _table_dict(path, key, value)
        extra = set(value) - {"format", "tz"}
        # no format: only cells typed as dates (read as local times in tz) are accepted
        if extra or not isinstance(value.get("format", ""), str) or not value:
            raise _err(path, key, "expected { format = \"...\", tz = \"...\" }",
                       'write e.g. issued_at = { format = "%d/%m/%Y %H:%M", tz = "Europe/Paris" } (leave format '
                       'out when the cells are typed as dates)')
        tz = value.get("tz", "UTC")
        if not isinstance(tz, str):
            raise _err(path, f"{key}.tz", f"expected a time zone name in quotes, not {tz!r}", 'write tz = "Europe/Paris"')
        if value.get("format"):
            _check_format(path, f"{key}.format", value["format"])
        _check_tz(path, f"{key}.tz", tz)
        m.dates[col] = DateSpec(value.get("format", ""), tz)
    for col, vmap in _table_dict(path, f"{prefix}.values", body.get("values", {})).items():
        key = f"{prefix}.values.{col}"
        _check_column(path, key, spec, col)
        if spec.column(col).personal:
            raise _err(path, key, f"{col} is personal data: its values are never mapped",
                       "remove this value map")
        if col in m.dates:
            raise _err(path, key, f"{col} has a date format; a value map cannot apply too", "keep one of the two")
        vmap = _table_dict(path, key, vmap)
        out: dict[str, str] = {}
        for source, target in vmap.items():
            vkey = f'{key}."{source}"'
            target = _text_value(path, vkey, target)
            _check_value(path, vkey, spec, col, target)
            out[source.strip()] = target
        m.values[col] = out
    return m


def load_profile(path: Path | str) -> Profile:
    """Read and validate a mapping profile; every problem is a ``ProfileError`` naming the file,
    the key and the fix."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"mapping profile {path} cannot be read ({exc.strerror or exc})",
                           hint="check the --mapping path (or mapping in auditor.toml)", file=str(path)) from None
    try:
        text = raw.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise _err(path, "(file)", "not UTF-8 text", "save the profile as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ProfileError(f"{path}{':' + m.group(1) if m else ''}: not valid TOML: {exc}",
                           hint="fix the TOML syntax (strings in quotes, one key per line)",
                           file=str(path), key="(syntax)") from None
    for k in doc:
        if k not in ("profile", "tables"):
            raise _err(path, k, "unknown key", "a profile holds [profile] and [tables.<table>] sections only")
    head = _table_dict(path, "profile", doc.get("profile", {}))
    name = head.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _err(path, "profile.name", "missing or empty", 'add [profile] name = "my-export" (shown in reports)')
    for k in head:
        if k not in ("name", "version", "description"):
            raise _err(path, f"profile.{k}", "unknown key", "use name, version and description")
    tables = {t: _load_table(path, t, body)
              for t, body in _table_dict(path, "tables", doc.get("tables", {})).items()}
    if not tables:
        raise _err(path, "tables", "no [tables.<table>] section", "add at least [tables.requests]")
    for t, m in tables.items():
        if m.source is not None and (m.source not in tables or tables[m.source].source is not None):
            raise _err(path, f"tables.{t}.from", f"{m.source!r} has no [tables.{m.source}] section of its own",
                       f"add [tables.{m.source}] with its files and columns")
        if m.source is not None and (m.files or m.sheets):
            raise _err(path, f"tables.{t}.files", "a table taken from another reads that table's files",
                       "remove files/sheets here")
    return Profile(path=path, text=text, sha256=hashlib.sha256(raw).hexdigest(), name=name.strip(),
                   version=_text_value(path, "profile.version", head.get("version", "")),
                   description=_text_value(path, "profile.description", head.get("description", "")),
                   tables=tables, bytes=raw)


# ---------------------------------------------------------------- applying
def unmapped_columns(columns: list[Any], mapping: TableMapping, spec: TableSpec) -> list[str]:
    """Source headers neither mapped, deliberately ignored ("") nor already canonical."""
    kept = mapping.resolve(columns, spec)
    listed = {_fold(s) for s in mapping.columns}
    return [str(c) for c in columns if c not in kept and _fold(c) not in listed]


def rows_selected(frame: pd.DataFrame, mapping: TableMapping) -> np.ndarray:
    """For a ``from`` table: the rows where at least one ``when_any`` column is non-empty (every
    row when ``when_any`` is empty). A ``when_any`` header missing from the source is empty."""
    from auditor.ingest.normalise import _as_text  # noqa: PLC0415

    if not mapping.when_any:
        return np.ones(len(frame), dtype=bool)
    wanted = {_fold(h) for h in mapping.when_any}
    mask = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        if _fold(c) in wanted:
            mask |= _as_text(frame[c]).notna().to_numpy(dtype=bool)
    return mask


def _shown(value: str, kind: str) -> str | None:
    from auditor.ingest.safety import looks_identifying  # noqa: PLC0415

    if kind not in _SHOWN_KINDS or len(value) > 40 or looks_identifying(pd.Series([value]))[0]:
        return None
    return value


def _defects_for(bad: np.ndarray, index: pd.Index, column: str, reasons: np.ndarray) -> list:
    from auditor.ingest.validate import Defect  # noqa: PLC0415

    where = np.flatnonzero(bad)
    return [Defect(index[i], column, str(reasons[i])) for i in where]


def _map_set_elements(out: pd.Series, uniques: pd.Series, col, vmap: dict[str, str],
                      spec: TableSpec) -> pd.Series:
    """A ``;``-separated set cell that no whole-cell key maps: each element mapped on its own
    (``"abonné" = "subscriber"`` once, not every combination); an element already canonical
    passes; one unknown element leaves the cell unmapped (quarantined, never guessed)."""
    from auditor.ingest.normalise import canonical_column  # noqa: PLC0415
    from auditor.ingest.validate import value_ok  # noqa: PLC0415

    out = out.copy()
    for i in np.flatnonzero(out.isna().to_numpy()):
        parts = [p.strip() for p in str(uniques.iloc[i]).split(";")]
        if not all(parts):
            continue
        elements = [vmap.get(p, p) for p in parts]
        joined = ";".join(elements)
        ok = value_ok(spec, col.name, canonical_column(pd.Series([joined], dtype="string"), col, b"-"))
        if bool(np.asarray(ok)[0]):
            out.iloc[i] = joined
    return out


def _map_values(text: pd.Series, col, vmap: dict[str, str], spec: TableSpec, header: str,
                mapping: TableMapping, source_name: str) -> tuple[pd.Series, list]:
    from auditor.ingest.normalise import canonical_column, distinct  # noqa: PLC0415
    from auditor.ingest.validate import value_ok  # noqa: PLC0415

    codes, uniques = distinct(text)
    if not len(uniques):
        return text, []
    # one look-up per distinct value (an empty map maps nothing: astype keeps it text, not float)
    mapped = uniques.map(vmap).astype("string") if vmap else pd.Series(pd.NA, index=uniques.index, dtype="string")
    direct = value_ok(spec, col.name, canonical_column(uniques, col, b"-"))  # already canonical
    out = mapped.where(mapped.notna(), uniques.where(direct))
    if col.kind == "set" and vmap:
        out = _map_set_elements(out, uniques, col, vmap, spec)
    unknown = out.isna().to_numpy()
    result = pa.array(out.astype("string"), from_pandas=True).take(pa.array(codes, mask=codes < 0))
    series = pd.Series(pd.arrays.ArrowStringArray(result.cast(pa.string())), index=text.index).astype("string")
    if not unknown.any():
        return series, []
    reasons = np.empty(len(uniques), dtype=object)
    for i in np.flatnonzero(unknown):
        shown = _shown(str(uniques.iloc[i]), col.kind)
        what = f'value "{shown}"' if shown is not None else "value"
        reasons[i] = (f'{what} not in the mapping for {col.name} (source column "{header}"); add it under '
                      f"[tables.{mapping.table}.values.{col.name}] in {source_name}")
    bad_rows = (codes >= 0) & unknown[np.maximum(codes, 0)]
    # the cell keeps its value as written (the quarantine record shows what was rejected)
    series = series.where(~bad_rows, text)
    return series, _defects_for(bad_rows, text.index, col.name, reasons[np.maximum(codes, 0)])


def _parse_dates(text: pd.Series, col: str, ds: DateSpec, header: str, mapping: TableMapping,
                 source_name: str) -> tuple[pd.Series, list]:
    """Dates as declared -> canonical UTC text (``YYYY-MM-DDTHH:MM:SSZ``; a format without a time:
    ``YYYY-MM-DD``). Native spreadsheet dates (ISO text without offset) are local times in ``tz``."""
    from auditor.ingest.normalise import _format_ts, distinct  # noqa: PLC0415

    codes, uniques = distinct(text)
    if not len(uniques):
        return text, []
    native = uniques.str.match(_NATIVE).fillna(False).to_numpy(dtype=bool)
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[ns]")
    if native.any():
        parsed[native] = pd.to_datetime(uniques[native].str.replace(" ", "T"), format="ISO8601", errors="coerce")
    offset = None
    if (~native).any() and ds.format:
        got = pd.to_datetime(uniques[~native], format=ds.format, errors="coerce", utc=ds.has_offset)
        if ds.has_offset:
            offset = got
        else:
            parsed[~native] = got
    reasons = np.full(len(uniques), None, dtype=object)
    bare = np.zeros(len(uniques), dtype=bool)
    if not ds.has_time:  # a bare date stays a bare date (no tz shift), native midnight too
        midnight = parsed.notna().to_numpy() & (parsed.dt.normalize() == parsed).fillna(False).to_numpy(dtype=bool)
        bare = midnight.copy()
    local = parsed.where(~bare)
    aware = local.dt.tz_localize(ZoneInfo(ds.tz), ambiguous="NaT", nonexistent="NaT")
    if offset is not None:
        aware = aware.dt.tz_convert("UTC")
        aware[~native] = offset
    lost = local.notna().to_numpy() & aware.isna().to_numpy()  # DST gap or overlap
    failed = ~bare & aware.isna().to_numpy() & ~lost
    text_out = pd.Series(pd.NA, index=uniques.index, dtype="string")
    good = aware.notna().to_numpy()
    if good.any():
        text_out[good] = _format_ts(aware[good]).to_numpy()
    if bare.any():
        text_out[bare] = parsed[bare].dt.strftime("%Y-%m-%d").astype("string").to_numpy()
    where = f"[tables.{mapping.table}.dates] in {source_name}"
    for i in np.flatnonzero(failed):
        reasons[i] = (f'value does not match the declared date format "{ds.format}" for {col} (source column '
                      f'"{header}"); fix the cell, or the format under {where}' if ds.format else
                      f'value is not a cell typed as a date for {col} (source column "{header}") and no format is '
                      f'declared; declare its format under {where}')
    if lost.any():  # which of them fall in a gap (spring forward) rather than an overlap
        gap = local.dt.tz_localize(ZoneInfo(ds.tz), ambiguous=np.ones(len(local), dtype=bool),
                                   nonexistent="NaT").isna().to_numpy() & lost
        for i in np.flatnonzero(lost):
            why = ("does not exist (the clocks go forward)" if gap[i]
                   else "is ambiguous (it occurs twice: the clocks go back)")
            reasons[i] = (f"local time {local.iloc[i]:%Y-%m-%d %H:%M:%S} {why} in {ds.tz}, for {col} (source "
                          f'column "{header}"); never guessed: correct the cell, or write it with its UTC offset')
    unknown = failed | lost
    result = pa.array(text_out, from_pandas=True).take(pa.array(codes, mask=codes < 0))
    series = pd.Series(pd.arrays.ArrowStringArray(result.cast(pa.string())), index=text.index).astype("string")
    bad_rows = (codes >= 0) & unknown[np.maximum(codes, 0)]
    if not bad_rows.any():
        return series, []
    series = series.where(~bad_rows, text)
    return series, _defects_for(bad_rows, text.index, col, reasons[np.maximum(codes, 0)])


def apply(frame: pd.DataFrame, mapping: TableMapping, spec: TableSpec,
          source_name: str | None = None) -> tuple[pd.DataFrame, list]:
    """The rows of ``frame`` (source headers) as canonical columns (string dtype, same index), and
    one ``Defect`` per cell that the profile cannot map (an unmapped value, a date not in the
    declared format, a local time that does not exist or is ambiguous in the declared zone): the
    pipeline quarantines those rows with these reasons. Unmapped source columns are dropped
    (``unmapped_columns`` names them). ``source_name``: the profile file the reasons cite."""
    from auditor.ingest.normalise import _as_text  # noqa: PLC0415

    source_name = source_name or Path(mapping.profile_path or "the profile").name
    keep = mapping.resolve(list(frame.columns), spec)
    out: dict[str, pd.Series] = {}
    headers: dict[str, str] = {}
    defects: list = []
    for src, canon in keep.items():
        out[canon] = _as_text(frame[src])
        headers[canon] = mapping.targets.get(canon, str(src))  # as the profile writes it
    for canon, value in mapping.constants.items():
        out[canon] = pd.Series(value, index=frame.index, dtype="string")
        headers[canon] = f"constant {canon}"
    if mapping.source is not None and spec.id_column not in out and spec.parent and spec.parent[0] in out:
        parent = out[spec.parent[0]]
        out[spec.id_column] = (parent + f":{_ID_SUFFIX.get(spec.name, spec.name)}").astype("string")
    for canon, vmap in mapping.values.items():
        if canon in out and canon not in mapping.constants:
            out[canon], found = _map_values(out[canon], spec.column(canon), vmap, spec, headers[canon],
                                            mapping, source_name)
            defects.extend(found)
    for canon, ds in mapping.dates.items():
        if canon in out and canon not in mapping.constants:
            out[canon], found = _parse_dates(out[canon], canon, ds, headers[canon], mapping, source_name)
            defects.extend(found)
    ordered = [c for c in spec.names if c in out]
    result = pd.DataFrame({c: out[c] for c in ordered}, index=frame.index)
    if not ordered:
        result = pd.DataFrame(index=frame.index)
    return result, defects


# ---------------------------------------------------------------- writing
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else _string(k)


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dump_profile(profile_dict: dict) -> str:
    """A profile (the dict ``tomllib`` would read back) as TOML text: scalars before sections,
    the entries of ``dates`` as inline tables; ``tomllib.loads(dump_profile(d)) == d``."""
    lines: list[str] = []

    def section(path: list[str], body: dict) -> None:
        scalars = {k: v for k, v in body.items() if not isinstance(v, dict) or (path and path[-1] == "dates")}
        subs = {k: v for k, v in body.items() if k not in scalars}
        if path and (scalars or not subs):
            if lines:
                lines.append("")
            lines.append("[" + ".".join(_key(p) for p in path) + "]")
        for k, v in scalars.items():
            lines.append(f"{_key(k)} = {_scalar(v)}")
        for k, v in subs.items():
            section([*path, k], v)

    section([], profile_dict)
    return "\n".join(lines) + "\n"
