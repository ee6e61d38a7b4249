"""Validation of the canonical frame against the input contract, in two layers.

1. Row-level rules, vectorised in pandas (``precheck``): required columns not null,
   enumerations, ISO Party codes, booleans, category sets, timestamps, numbers, id uniqueness,
   provider required for some instruments, and references from disclosures/custody events to an
   existing request. Each failing row of each rule becomes a ``Defect`` (row index, column,
   reason); the pipeline quarantines those rows. These are the same rules as the full
   great-expectations suite (``build_suite``), without its per-row Python cost (86 s per 1M rows).
2. A great-expectations 1.x contract suite (``build_contract_suite``: exact column set,
   not-null on required columns, in-set on the table's main enumeration, id uniqueness) run on
   the rows that passed layer 1 with the BASIC result format (no per-row index lists). Should it
   find anything layer 1 missed, the failing expectation is re-run with COMPLETE results so every
   bad row is still named; layer 1 and the suite can therefore never disagree silently.

great-expectations is imported here, lazily, never on the CLI's start-up path.
"""

from __future__ import annotations

import calendar
import logging
import os
import pickle
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from auditor import iso
from auditor.ingest import safety
from auditor.ingest.normalise import (
    CANON_TS_REGEX,
    CONVERTERS,
    FLOAT_REGEX,
    INT64_MAX,
    INT64_MIN,
    INT_REGEX,
    arrow_text,
    distinct,
    has_nul,
    index_in,
)
from auditor.ingest.schema import PROVIDER_INSTRUMENTS, TableSpec

log = logging.getLogger("auditor.ingest")
#: seconds spent inside great-expectations, per table, for the benchmark and the docs
GX_SECONDS: dict[str, float] = {}


@dataclass(frozen=True)
class Defect:
    index: int
    column: str
    reason: str


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import great_expectations as gx  # noqa: PLC0415  (heavy: ~4 s)

    return gx


_CONTEXT: Any = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        gx = _gx()
        _CONTEXT = gx.get_context(mode="ephemeral")
        from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: PLC0415

        _CONTEXT.variables.progress_bars = ProgressBarsConfig(globally=False)
        _CONTEXT.data_sources.add_pandas("auditor")
        _skip_fingerprint()
    return _CONTEXT


def _skip_fingerprint() -> None:
    """Stop great-expectations hashing every batch.

    For a pandas frame under ``HASH_THRESHOLD`` bytes (1e9), GX 1.x runs
    ``pd.util.hash_pandas_object`` over the whole frame, index included. It only records the
    result as a batch marker (``pandas_data_fingerprint``), which nothing here reads. At 1M
    requests that hash took 14.7 s of the contract suite's 17.9 s (py-spy). A threshold of 0
    skips it; the expectations and their results are unchanged. If a GX release drops the
    constant, this sets nothing, and ``tests/scale/test_validate_layers.py`` fails so the cost is not
    paid unnoticed."""
    from great_expectations.execution_engine import pandas_execution_engine as engine  # noqa: PLC0415

    if hasattr(engine, "HASH_THRESHOLD"):
        engine.HASH_THRESHOLD = 0


def build_suite(spec: TableSpec, parent_ids: pd.Series | None = None):
    """The expectation suite for a table, each expectation tagged with the column and reason kind."""
    gx = _gx()
    E = gx.expectations
    suite = gx.ExpectationSuite(name=f"auditor.{spec.name}")

    def add(exp, kind: str, column: str) -> None:
        exp.meta = {"auditor_kind": kind, "auditor_column": column}
        suite.add_expectation(exp)

    for col in spec.columns:
        name = col.name
        if col.required:
            add(E.ExpectColumnValuesToNotBeNull(column=name), "required", name)
        if col.personal:
            continue
        if col.kind == "enum":
            add(E.ExpectColumnValuesToBeInSet(column=name, value_set=list(col.values)), "enum", name)
        elif col.kind == "party":
            add(E.ExpectColumnValuesToBeInSet(column=name, value_set=sorted(iso.codes())), "party", name)
        elif col.kind == "bool":
            add(E.ExpectColumnValuesToBeInSet(column=name, value_set=["true", "false"]), "bool", name)
        elif col.kind == "set":
            alt = "|".join(re.escape(v) for v in col.values)
            add(E.ExpectColumnValuesToMatchRegex(column=name, regex=f"^(?:{alt})(?:;(?:{alt}))*$"), "set", name)
        elif col.kind == "timestamp":
            add(E.ExpectColumnValuesToMatchRegex(column=name, regex=CANON_TS_REGEX), "timestamp", name)
        elif col.kind == "int":
            add(E.ExpectColumnValuesToMatchRegex(column=name, regex=INT_REGEX), "int", name)
        elif col.kind == "float":
            add(E.ExpectColumnValuesToMatchRegex(column=name, regex=FLOAT_REGEX), "float", name)
    add(E.ExpectColumnValuesToBeUnique(column=spec.id_column), "unique", spec.id_column)
    if spec.name == "requests":
        cond = "instrument.isin([" + ",".join(f'"{i}"' for i in PROVIDER_INSTRUMENTS) + "])"
        add(
            E.ExpectColumnValuesToNotBeNull(column="provider", row_condition=cond, condition_parser="pandas"),
            "provider_required",
            "provider",
        )
    if spec.parent and parent_ids is not None:
        column, _parent = spec.parent
        add(
            E.ExpectColumnValuesToBeInSet(column=column, value_set=list(pd.unique(parent_ids.dropna()))),
            "parent",
            column,
        )
    return suite


#: timestamps must fall within these years: date arithmetic in the checks and reports (pandas,
#: Python datetimes) stays valid a few centuries either side
TS_YEARS = (1678, 2261)
_TS_LOW = pd.Timestamp(f"{TS_YEARS[0]}-01-01", tz="UTC")
_TS_HIGH = pd.Timestamp(f"{TS_YEARS[1] + 1}-01-01", tz="UTC")
_TS_PARTS = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?")


def _non_ascii_digits(value: str) -> bool:
    return any(ch.isdigit() and not ch.isascii() for ch in value)


def _timestamp_detail(value: str) -> str:
    """Why a timestamp that looks like one is not an instant (no part of it that could be
    personal is echoed: only the offending date or time component)."""
    if _non_ascii_digits(value):
        return "it holds non-ASCII digits (write 0-9)"
    m = _TS_PARTS.match(value)
    if not m:
        return ""
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return f"month {m[2]} does not exist"
    if year >= 1 and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"day {m[3]} does not exist in month {m[2]} of that year"
    if m[4] is not None:
        hour, minute, second = int(m[4]), int(m[5]), int(m[6] or 0)
        if hour == 24:
            return "hour 24 is not a time of day (write 00:00 of the next day)"
        if hour > 23:
            return f"hour {m[4]} does not exist"
        if minute > 59:
            return f"minute {m[5]} does not exist"
        if second == 60:
            return "second 60 (a leap second) cannot be stored (write :59)"
        if second > 60:
            return f"second {m[6]} does not exist"
    if not TS_YEARS[0] <= year <= TS_YEARS[1]:
        return f"the year is outside {TS_YEARS[0]}-{TS_YEARS[1]}"
    return ""


def _number_detail(value: str, kind: str) -> str:
    if _non_ascii_digits(value):
        return ": it holds non-ASCII digits (write 0-9)"
    pattern = INT_REGEX if kind == "int" else FLOAT_REGEX
    if re.match(pattern, value):
        if kind == "int":
            return f": out of range (a 64-bit whole number, {INT64_MIN} to {INT64_MAX})"
        return ": out of range (not a finite 64-bit floating-point number)"
    return ""


def _bound(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) and not float(v).is_integer() else f"{int(v)}"


def _range_text(spec: TableSpec, column: str) -> str:
    col = spec.column(column)
    if col.kind == "timestamp":
        return f"years {TS_YEARS[0]} to {TS_YEARS[1]}"
    if col.low is not None and col.high is not None:
        return f"{_bound(col.low)} to {_bound(col.high)}"
    if col.low is not None:
        return f"at least {_bound(col.low)}"
    return f"at most {_bound(col.high)}"


def _reason(kind: str, spec: TableSpec, column: str, value: Any, personal: bool, safe: bool | None = None) -> str:
    """The reason of a defect. The value is echoed only when it is a safe id (``safety``): a
    rejected row's fields may be shifted, so any other cell may hold personal data. ``safe``:
    ``safety.safe_id(value)`` when the caller computed it (for many values at once)."""
    shown = "value"
    if not personal and column in safety.ID_COLUMNS and (safety.safe_id(value) if safe is None else safe):
        shown = repr(str(value))
    text = "" if value is None or value is pd.NA else str(value)
    col = spec.column(column)
    if kind == "required":
        return f"required value missing in {column}"
    if kind == "nul":
        return "value holds a NUL character (U+0000), which cannot be stored; remove it"
    if kind == "range":
        return f"value is out of the range of {column} ({_range_text(spec, column)})"
    if kind == "enum":
        return f"{shown} is not one of: {', '.join(col.values)}"
    if kind == "party":
        return f"{shown} is not an ISO 3166-1 alpha-2 code or a known country name"
    if kind == "bool":
        return f"{shown} is not a boolean (true/false, 1/0, yes/no; empty for unknown)"
    if kind == "set":
        return f"{shown} lists an entry outside the categories {', '.join(col.values)} (separate with ';')"
    if kind == "timestamp":
        detail = _timestamp_detail(text)
        return (f"{shown} is not an ISO 8601 timestamp with Z or an offset, nor a bare date (YYYY-MM-DD)"
                + (f": {detail}" if detail else ""))
    if kind == "int":
        return f"{shown} is not a whole number" + _number_detail(text, kind)
    if kind == "float":
        return f"{shown} is not a number" + _number_detail(text, kind)
    if kind == "unique":
        return f"{column} {shown} appears on more than one row of this file; ids must be unique"
    if kind == "provider_required":
        return "provider is required for instruments " + ", ".join(PROVIDER_INSTRUMENTS)
    if kind == "parent":
        return f"{column} {shown} does not match a stored request (it may be missing or quarantined)"
    return kind


def _set_regex(values: tuple[str, ...]) -> str:
    alt = "|".join(re.escape(v) for v in values)
    return f"^(?:{alt})(?:;(?:{alt}))*$"


def _bad_values(s: pd.Series, ok) -> pd.Series:
    """Boolean mask of non-null values for which ``ok`` (a function of the distinct values) is False.
    Evaluated once per distinct value: contract columns repeat a lot."""
    codes, uniques = distinct(s)
    bad = np.zeros(len(s), dtype=bool)
    if len(uniques):
        present = codes >= 0
        bad[present] = ~ok(uniques).to_numpy(dtype=bool)[codes[present]]
    return pd.Series(bad, index=s.index)


def _regex_ok(pattern: str):
    return lambda u: u.str.match(pattern).fillna(False)


#: rules evaluated directly on all values, by conversion (``normalise.CONVERTERS``)
_DIRECT = ("timestamp", "int", "float")


def rules(spec: TableSpec, parent_ids: pd.Series | None = None) -> list[tuple[str, str, Any]]:
    """(kind, column, rule) in the order of ``build_suite``; rule is a function of the distinct
    values returning a boolean ok-mask, the column's converter (``normalise.CONVERTERS``: the
    rule is that the value converts), or None for rules evaluated on whole rows."""
    out: list[tuple[str, str, Any]] = []
    for col in spec.columns:
        if col.required:
            out.append(("required", col.name, None))
        if col.personal:
            continue
        if col.kind == "enum":
            out.append(("enum", col.name, lambda u, v=col.values: u.isin(v)))
        elif col.kind == "party":
            out.append(("party", col.name, lambda u: u.isin(iso.codes())))
        elif col.kind == "bool":
            out.append(("bool", col.name, lambda u: u.isin(["true", "false"])))
        elif col.kind == "set":
            out.append(("set", col.name, _regex_ok(_set_regex(col.values))))
        elif col.kind in _DIRECT:
            out.append((col.kind, col.name, CONVERTERS[col.kind]))
    out.append(("unique", spec.id_column, None))
    if spec.name == "requests":
        out.append(("provider_required", "provider", None))
    if spec.parent and parent_ids is not None:
        out.append(("parent", spec.parent[0], None))
    return out


def value_ok(spec: TableSpec, column: str, s: pd.Series) -> np.ndarray:
    """Rows whose present value satisfies its column's value rule (type, vocabulary, range);
    False for a missing value. A column without a value rule (free text): every present value."""
    col = spec.column(column)
    present = s.notna().to_numpy(dtype=bool)
    rule = next((ok for kind, name, ok in rules(spec) if name == column and ok is not None), None)
    if rule is None:
        return present
    if col.kind in _DIRECT:
        values, ok = rule(s)
        return present & ok & ~_out_of_range(col, values, ok)
    return present & ~_bad_values(s, rule).to_numpy(dtype=bool)


def _out_of_range(col, values: pd.Series, ok: np.ndarray) -> np.ndarray:
    """Converted values outside the column's range (timestamps: ``TS_YEARS``)."""
    if col.kind == "timestamp":
        low, high = _TS_LOW, _TS_HIGH
        outside = (values < low) | (values >= high)
    elif col.low is None and col.high is None:
        return np.zeros(len(values), dtype=bool)
    else:
        outside = pd.Series(False, index=values.index)
        if col.low is not None:
            outside = outside | (values < col.low)
        if col.high is not None:
            outside = outside | (values > col.high)
    return ok & outside.fillna(False).to_numpy(dtype=bool)


def precheck(canon: pd.DataFrame, spec: TableSpec, parent_ids: pd.Series | pa.Array | None = None,
             duplicated: pd.Series | None = None, missing_parent: pd.Series | None = None,
             nul: dict[str, np.ndarray] | None = None,
             converted: dict[str, pd.Series] | None = None) -> list[Defect]:
    """Layer 1: every row-level contract rule, vectorised; one Defect per failing row and rule.

    ``duplicated`` (aligned with ``canon``): rows whose id occurs more than once in the whole
    file, when ``canon`` is one chunk of it; by default uniqueness is checked within ``canon``.
    ``missing_parent`` (aligned with ``canon``): rows whose parent reference is not in
    ``parent_ids``, when the caller looked the whole file up at once; by default ``canon``'s
    references are looked up here.
    ``nul``: rows of personal columns whose value held a NUL character (``normalise.canonical``);
    other columns are looked at here. Timestamps and numbers are validated by converting them
    (``normalise.CONVERTERS``, the conversion ``typed`` makes), then against their range;
    ``converted`` (a dict) receives those conversions for ``typed`` to reuse."""
    defects: list[Defect] = []

    def report(kind: str, column: str, s: pd.Series, bad: np.ndarray) -> None:
        if not bad.any():
            return
        personal = spec.column(column).personal
        values = s[bad].tolist()
        safe = [None] * len(values)
        if not personal and column in safety.ID_COLUMNS:  # safety.safe_id of each value, at once
            present = [not (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) for v in values]
            shown = safety.safe_ids(pd.Series([str(v) for v in values], dtype="string"))
            safe = [bool(p and ok) for p, ok in zip(present, shown, strict=True)]
        for i, v, ok in zip(canon.index[bad], values, safe, strict=True):
            defects.append(Defect(int(i), column, _reason(kind, spec, column, v, personal, ok)))

    for col in spec.columns:  # a NUL character in any column: PostgreSQL cannot store it
        found = (nul or {}).get(col.name) if col.personal else has_nul(canon[col.name])
        if found is not None:
            report("nul", col.name, canon[col.name], np.asarray(found, dtype=bool))
    for kind, column, ok in rules(spec, parent_ids):
        s = canon[column]
        if kind == "required":
            bad = s.isna()
        elif kind == "unique":
            bad = s.notna() & (s.duplicated(keep=False) if duplicated is None else duplicated)
        elif kind == "provider_required":
            bad = canon["instrument"].isin(PROVIDER_INSTRUMENTS).fillna(False).astype(bool) & s.isna()
        elif kind == "parent" and missing_parent is not None:
            bad = s.notna() & missing_parent
        elif kind == "parent":
            parents = parent_ids if isinstance(parent_ids, pa.Array) else arrow_text(parent_ids.dropna())
            bad = s.notna() & pd.Series(index_in(s, parents) < 0, index=s.index)
        elif kind in _DIRECT:
            values, converts = ok(s)
            if converted is not None:
                converted[column] = values
            report(kind, column, s, s.notna().to_numpy(dtype=bool) & ~converts)
            bad = _out_of_range(spec.column(column), values, converts)
            kind = "range"
        else:
            bad = _bad_values(s, ok)
        report(kind, column, s, np.asarray(bad, dtype=bool) if isinstance(bad, np.ndarray) else bad.to_numpy(dtype=bool))
    return defects


def build_contract_suite(spec: TableSpec):
    """Layer 2: the schema-level great-expectations suite (cheap to evaluate on all rows)."""
    gx = _gx()
    E = gx.expectations
    suite = gx.ExpectationSuite(name=f"auditor.contract.{spec.name}")

    def add(exp, kind: str, column: str) -> None:
        exp.meta = {"auditor_kind": kind, "auditor_column": column}
        suite.add_expectation(exp)

    add(E.ExpectTableColumnsToMatchSet(column_set=spec.names, exact_match=True), "columns", "")
    for name in spec.required:
        add(E.ExpectColumnValuesToNotBeNull(column=name), "required", name)
    main_enum = next((c for c in spec.columns if c.kind == "enum" and c.required), None)
    if main_enum is not None:
        add(E.ExpectColumnValuesToBeInSet(column=main_enum.name, value_set=list(main_enum.values)),
            "enum", main_enum.name)
    add(E.ExpectColumnValuesToBeUnique(column=spec.id_column), "unique", spec.id_column)
    return suite


def _batch(spec: TableSpec, frame: pd.DataFrame, suffix: str):
    ctx = _context()
    source = ctx.data_sources.get("auditor")
    asset_name = f"{spec.name}{suffix}"
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        batch_def = asset.get_batch_definition("all")
    except (KeyError, LookupError, ValueError):
        batch_def = asset.add_batch_definition_whole_dataframe("all")
    return batch_def.get_batch(batch_parameters={"dataframe": frame})


def _gx_defects(result, canon: pd.DataFrame, spec: TableSpec) -> list[Defect]:
    defects: list[Defect] = []
    for r in result.results:
        if r.success:
            continue
        meta = r.expectation_config.meta or {}
        kind = meta.get("auditor_kind", r.expectation_config.type)
        column = meta.get("auditor_column", r.expectation_config.kwargs.get("column", ""))
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"validation of {spec.name}.{column} failed inside great-expectations: "
                f"{r.exception_info.get('exception_message')}"
            )
        if kind == "columns":
            raise RuntimeError(f"{spec.name}: canonical frame does not have the contract's columns")
        personal = spec.column(column).personal
        idx = r.result.get("unexpected_index_list") or []
        values = canon[column].reindex(idx) if idx else pd.Series(dtype="string")
        for i in idx:
            defects.append(Defect(int(i), column, _reason(kind, spec, column, values.get(i), personal)))
    return defects


def validate(canon: pd.DataFrame, spec: TableSpec, parent_ids: pd.Series | None = None) -> list[Defect]:
    """Layer 1 on all rows, then the great-expectations contract suite on the rows that passed."""
    if canon.empty:
        return []
    defects = precheck(canon, spec, parent_ids)
    bad = {d.index for d in defects}
    good = canon.drop(index=list(bad)) if bad else canon
    return defects + contract_defects(good, spec)


def contract_defects(good: pd.DataFrame, spec: TableSpec) -> list[Defect]:
    """Layer 2: the great-expectations contract suite on rows that passed layer 1; the defects it
    finds that layer 1 missed (normally none)."""
    defects: list[Defect] = []
    if good.empty:
        return defects
    t0 = time.perf_counter()
    _context()
    suite = build_contract_suite(spec)
    result = _batch(spec, good, ".contract").validate(suite, result_format={"result_format": "BASIC"})
    if not result.success:
        # layer 1 missed something: name every row from a COMPLETE re-run of the failed expectations
        gx = _gx()
        failed = gx.ExpectationSuite(name=f"auditor.recheck.{spec.name}")
        for r in result.results:
            if not r.success:
                exp = r.expectation_config.to_domain_obj()
                exp.meta = dict(r.expectation_config.meta or {})
                failed.add_expectation(exp)
        frame = good.astype(object).where(good.notna(), None)
        full = _batch(spec, frame, ".recheck").validate(failed, result_format={"result_format": "COMPLETE"})
        extra = _gx_defects(full, good, spec)
        log.warning("%s: the contract suite found %d defect(s) the pre-checks missed", spec.name, len(extra))
        defects.extend(extra)
    GX_SECONDS[spec.name] = GX_SECONDS.get(spec.name, 0.0) + time.perf_counter() - t0
    return defects


class ContractWorker:
    """Runs layer 2 (``contract_defects``) in a forked helper process, beside the ingest.

    The helper is forked when the ingest starts and imports great-expectations (~3-4 s) while the
    parent reads, normalises and pre-checks; each table's passing rows are then sent to it
    (``submit``) and validated while the parent hashes them, and ``collect`` returns the extra
    defects before anything is written. When forking is not possible (other threads, no fork,
    ``AUDITOR_GX_WORKER=0``) or the helper dies, the suite runs inline: same function, same
    result. A use as a context manager stops the helper."""

    def __init__(self) -> None:
        self._conn: Any = None
        self._proc: Any = None
        self._pending: dict[int, tuple[pd.DataFrame, TableSpec]] = {}
        self._next = 0
        self._sender: threading.Thread | None = None
        self._lines: set[int] = set()
        self._send_failed = False
        from auditor import forking  # noqa: PLC0415

        if forking.disabled("AUDITOR_GX_WORKER"):
            return
        started = forking.spawn(_serve_contract, name="contract-suite", duplex=True)
        if started is not None:
            self._proc, self._conn = started

    def __enter__(self) -> ContractWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._sender is not None:
            self._sender.join()
            self._sender = None
        if self._proc is None:
            return
        try:
            self._conn.send(None)
            self._proc.join(timeout=10)
        except (OSError, EOFError):  # pragma: no cover - helper already gone
            pass
        if self._proc.is_alive():  # pragma: no cover
            self._proc.kill()
        self._conn.close()
        self._proc = self._conn = None

    def submit(self, good: pd.DataFrame, spec: TableSpec, lines: bool = False,
               converted: dict[str, pd.Series] | None = None) -> int:
        """Validate ``good`` in the helper. ``lines``: afterwards, also compute the ledger lines
        of those rows there (``collect_lines``), while the parent stores them; ``converted``: the
        timestamps and numbers ``precheck`` converted (``normalise.typed``), sent with the rows
        so the helper types them as the parent does without converting them again."""
        ticket = self._next
        self._next += 1
        self._pending[ticket] = (good, spec)
        if self._proc is not None:
            if lines:
                self._lines.add(ticket)
            # sent by a thread: the pipe blocks until the helper reads, which it does only once
            # great-expectations is imported, and the parent has other work meanwhile
            payload = pickle.dumps((ticket, spec.name, good, lines, converted if lines else None),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            if self._sender is not None:  # one message at a time on the pipe
                self._sender.join()
            self._sender = threading.Thread(target=self._send, args=(payload,), name="auditor-contract-send")
            self._sender.start()
        return ticket

    def _send(self, payload: bytes) -> None:
        try:
            self._conn.send_bytes(payload)
        except (OSError, EOFError):  # helper gone: collect() redoes it inline
            self._send_failed = True

    def collect(self, ticket: int) -> list[Defect]:
        good, spec = self._pending.pop(ticket)
        if self._sender is not None:
            self._sender.join()
            self._sender = None
        if self._send_failed:
            self._proc, self._send_failed = None, False
        if self._proc is not None:
            try:
                got, status, value, seconds = self._conn.recv()
            except (OSError, EOFError):  # helper died: redo inline
                self._proc = None
            else:
                if got != ticket:  # pragma: no cover - tickets are collected in order
                    raise RuntimeError(f"contract suite answered ticket {got}, expected {ticket}")
                GX_SECONDS[spec.name] = GX_SECONDS.get(spec.name, 0.0) + seconds
                if status == "error":
                    raise value
                return value
        self._lines.discard(ticket)
        return contract_defects(good, spec)

    def collect_lines(self, ticket: int):
        """(ids, lines) of every row submitted with ``ticket`` (``ledger.frame_lines``), computed
        by the helper; None when it did not (inline mode, or it failed): compute them here."""
        if ticket not in self._lines:
            return None
        self._lines.discard(ticket)
        if self._proc is None:
            return None
        try:
            got, status, value, _seconds = self._conn.recv()
        except (OSError, EOFError):
            self._proc = None
            return None
        if got != ticket:  # pragma: no cover - protocol error
            raise RuntimeError(f"contract helper answered ticket {got}, expected {ticket}")
        return value if status == "lines" else None


def _serve_contract(conn) -> None:  # pragma: no cover - runs in the forked helper
    from auditor.ingest.schema import TABLES  # noqa: PLC0415

    t0 = time.perf_counter()
    _context()  # import great-expectations while the parent works
    startup = time.perf_counter() - t0  # counted with the first table, as inline
    while (msg := conn.recv()) is not None:
        ticket, name, good, want_lines, converted = msg
        before = sum(GX_SECONDS.values()) - startup
        startup = 0.0
        try:
            defects = contract_defects(good, TABLES[name])
            conn.send((ticket, "ok", defects, sum(GX_SECONDS.values()) - before))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, raised there
            conn.send((ticket, "error", exc, sum(GX_SECONDS.values()) - before))
            want_lines = False
        if want_lines:
            try:
                from auditor import ledger  # noqa: PLC0415
                from auditor.ingest import normalise  # noqa: PLC0415

                typed = normalise.typed(good, TABLES[name], converted=converted)
                out = ledger.frame_lines(name, typed, with_ids=True)
                del typed
                conn.send((ticket, "lines", out, 0.0))
                del out
            except Exception:  # noqa: BLE001 - the parent computes them itself
                conn.send((ticket, "lines-failed", None, 0.0))
        del msg, good, converted
        pa.default_memory_pool().release_unused()  # give the chunk's Arrow memory back


def validate_full_suite(canon: pd.DataFrame, spec: TableSpec, parent_ids: pd.Series | None = None) -> list[Defect]:
    """Every rule as a great-expectations expectation with COMPLETE results (slow: per-row Python).
    Kept as the reference the pre-checks are tested against."""
    if canon.empty:
        return []
    _context()
    frame = canon.astype(object).where(canon.notna(), None)
    result = _batch(spec, frame, ".full").validate(build_suite(spec, parent_ids),
                                                  result_format={"result_format": "COMPLETE"})
    return _gx_defects(result, canon, spec)
