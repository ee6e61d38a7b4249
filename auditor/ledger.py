"""Tamper-evident run ledger.

Every audit run appends one record to the ``ledger`` table, in the same transaction as the run's
stored rows (its ``audit_runs`` row, outcomes, per-Party counts and findings), so a run is stored
whole with its record or not at all. The record is canonical JSON holding: the SHA-256 of every
input file, the rule packs and their parameter values, the config file, the waivers file, the
tool version; a digest of every column of the run's ``audit_runs`` row (audit date, parameters
with pack versions and values, waivers and attestations, inputs, summary, aggregates, status);
digests of the run's stored findings, outcomes and per-Party counts; and, for every ingest whose
rows the run audited, the digest of those rows and of the ingest's own record. Each record
carries the hash of the previous record, so the records form a chain; ``verify`` recomputes
everything from the stored rows and reports the first broken link.

Input-row digests are kept per ingest and table. A revision (see ``auditor.ingest.pipeline``)
moves the superseded row to ``input_revisions`` with its original ingest id and the row's
canonical content, so the set of row versions an ingest brought never changes: the digest of an
ingest recorded by an old run still verifies after later ingests and revisions, while any edit,
insertion or deletion of a stored row (current or superseded) is caught.

Canonical content (ledger format 2). One row version is one line ``id RS content``; ``content``
is ``SUB`` followed by the row's non-NULL columns as ``name=value``, sorted by name and joined by
``US``. Text values are escaped (``\\`` ``\\n`` ``RS`` ``US`` become ``\\\\`` ``\\n`` ``\\r``
``\\u``), so no value can shift a field or line boundary; a NULL column is absent, so NULL,
the empty text and any marker text all differ; a stored value of the wrong type, or text that
is not UTF-8, becomes ``\\T<type>:<repr>`` (never the text of a readable value) and is reported
by ``verify`` with the row named. A table's digest is the SHA-256 of its lines (in id order,
code points) joined by newlines; an ingest's digest is the SHA-256 of ``table RS digest`` lines,
written in upper-case hex (format 1 wrote lower case, so a cached digest says which encoding it
is in). Format 1 (``_v1``) put every column in order with ``SUB`` for NULL and did not escape:
its records still verify with its own encoding.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from auditor import collector
from auditor.errors import InputError
from auditor.forking import Ahead
from auditor.ingest.normalise import utc_text
from auditor.ingest.schema import TABLES
from auditor.store import models
from auditor.store.db import begin_write  # noqa: F401  (the write lock; also used here)
from auditor.store.models import INPUT_MODELS

log = logging.getLogger("auditor.ledger")

GENESIS = "0" * 64
LEDGER_VERSION = 2
KNOWN_VERSIONS = (1, 2)

_RS, _US = "\x1e", "\x1f"
_TAG = "\x1a"  # first character of every format-2 content string (also kept in input_revisions)
_OLD = "\x1b"  # a superseded row whose content was stored by format 1, inside a format-2 line
_NO_ID = "\\N"  # a row without an id (or an owner without an ingest id): never an escaped text
_BAD = "\\T"  # prefix of an unreadable stored value: never the start of an escaped text
_V1_NULL = "\x1a"  # format 1: NULL in canonical content
_TEXT_KINDS = frozenset({"str", "party", "enum", "set", "personal"})
_KIND_LABEL = {"timestamp": "a timestamp", "bool": "a boolean", "int": "a 64-bit integer",
               "float": "a number", "json": "JSON"}
_ESCAPES = (("\\", "\\\\"), ("\n", "\\n"), (_RS, "\\r"), (_US, "\\u"))
_UNESCAPES = {"\\": "\\", "n": "\n", "r": _RS, "u": _US}
_ESCAPE_RE = "[\\\\\n\x1e\x1f]"




def sha256_file(path: str | Path | None) -> str | None:
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        return None
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _show(value: Any) -> str:
    """A stored id or key for a message: as is when it is plain printable text, else its repr."""
    text = value if isinstance(value, str) else repr(value)
    if not text.isprintable() or text.startswith(_BAD):
        text = repr(text)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------- reading stored values
class _NotUtf8(str):
    """Stored text that is not UTF-8 (SQLite only): decoded with replacement characters."""


class _DecodeFailures:
    count = 0


def _decode_leniently(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        _DecodeFailures.count += 1
        return _NotUtf8(data.decode("utf-8", "replace"))


def _is_decode_error(exc: BaseException) -> bool:
    return "Could not decode to UTF-8" in str(exc)


@contextlib.contextmanager
def _lenient(conn: sa.Connection):
    """SQLite: text that is not UTF-8 is read as ``_NotUtf8`` instead of failing the query."""
    if conn.dialect.name != "sqlite":
        yield
        return
    dbapi = conn.connection.dbapi_connection  # type: ignore[union-attr]
    old = dbapi.text_factory
    dbapi.text_factory = _decode_leniently
    try:
        yield
    finally:
        dbapi.text_factory = old


def _sql(conn: sa.Connection, stmt: sa.Select) -> str:
    return str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def _fetch_all(conn: sa.Connection, stmt: sa.Select) -> tuple[list, bool]:
    """Raw DBAPI rows of ``stmt`` and whether some text in them is not UTF-8 (``_NotUtf8``)."""
    sql = _sql(conn, stmt)

    def run() -> list:
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cur.execute(sql)
            return cur.fetchall()
        finally:
            cur.close()

    try:
        return run(), False
    except Exception as exc:
        if not _is_decode_error(exc):
            raise
    with _lenient(conn):
        before = _DecodeFailures.count
        rows = run()
        return rows, _DecodeFailures.count != before


_STREAM_ROWS = 50_000


def _ordered(conn: sa.Connection, column: sa.ColumnElement) -> sa.ColumnElement:
    """Code-point order on every backend (PostgreSQL's default collation is locale-aware)."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def _stream_raw(conn: sa.Connection, stmt: sa.Select, size: int | None = None):
    """Raw DBAPI rows of ``stmt`` in batches, never all in memory (server-side cursor on
    PostgreSQL)."""
    size = size or _STREAM_ROWS
    sql = _sql(conn, stmt)
    dbapi = conn.connection.dbapi_connection  # type: ignore[union-attr]
    if conn.dialect.name == "postgresql":
        cur = dbapi.cursor(name=f"auditor_ledger_{id(stmt):x}")
        cur.itersize = size
    else:
        cur = dbapi.cursor()
    try:
        cur.execute(sql)
        while batch := cur.fetchmany(size):
            yield batch
    finally:
        cur.close()


def _batches(conn: sa.Connection, stmt: sa.Select):
    """(rows, suspect) batches of ``_stream_raw``; ``suspect``: some text in the batch was not
    UTF-8 (only under ``_lenient``)."""
    it = _stream_raw(conn, stmt)
    while True:
        before = _DecodeFailures.count
        rows = next(it, None)
        if rows is None:
            return
        yield rows, _DecodeFailures.count != before


# ---------------------------------------------------------------- canonical values (format 2)
def _escape(arr: pa.Array) -> pa.Array:
    """Text with ``\\``, newline, RS and US escaped (vectorised; untouched when none occurs)."""
    if len(arr) == 0 or not pc.any(pc.match_substring_regex(arr, _ESCAPE_RE)).as_py():
        return arr
    for a, b in _ESCAPES:
        arr = pc.replace_substring(arr, a, b)
    return arr


def _escape_text(text: str) -> str:
    for a, b in _ESCAPES:
        text = text.replace(a, b)
    return text


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            out.append(_UNESCAPES[text[i + 1]])  # KeyError / IndexError: not an escaped text
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _infer(values: list) -> pa.Array | None:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, ValueError, TypeError):
        return None


def _arrow_ok(arr: pa.Array, kind: str) -> bool:
    """The Arrow type the driver's values were read as fits ``kind``."""
    t = arr.type
    if pa.types.is_null(t):
        return True
    if kind in _TEXT_KINDS:
        return pa.types.is_string(t) or pa.types.is_large_string(t)
    if kind == "timestamp":
        return pa.types.is_string(t) or pa.types.is_timestamp(t)
    if kind == "int":
        return pa.types.is_integer(t)
    if kind == "float":
        return pa.types.is_floating(t) or pa.types.is_integer(t)
    if kind == "bool":
        if pa.types.is_boolean(t):
            return True
        if pa.types.is_integer(t):  # SQLite stores booleans as 0 / 1
            ok = pc.all(pc.or_(pc.equal(arr, 0), pc.equal(arr, 1))).as_py()
            return ok is not False
    return False


def _py_ok(v: Any, kind: str) -> bool:
    if v is None:
        return True
    if isinstance(v, _NotUtf8):
        return False
    if kind in _TEXT_KINDS:
        return isinstance(v, str)
    if kind == "timestamp":
        return isinstance(v, str | datetime)
    if kind == "int":
        return type(v) is int and -(2**63) <= v < 2**63
    if kind == "float":
        return type(v) in (int, float)
    if kind == "bool":
        return type(v) is bool or (type(v) is int and v in (0, 1))
    return False


def _bad_tag(v: Any) -> str:
    kind = "not-utf8" if isinstance(v, _NotUtf8) else type(v).__name__
    return f"{_BAD}{kind}:{v!r}"


def _what(tag: str, kind: str) -> str:
    """What is wrong with an unreadable value, from its tag (never the value itself)."""
    found = tag[len(_BAD):].split(":", 1)[0]
    if found == "not-utf8":
        return "holds text that is not UTF-8"
    expected = _KIND_LABEL.get(kind, "text")
    if found == "unparsed":
        return f"holds a value that is not {expected}"
    return f"holds a value of the wrong type ({found}, not {expected})"


def _text(arr: pa.Array, kind: str) -> pa.Array:
    """Canonical text of values already of the right type (null for NULL)."""
    if kind in _TEXT_KINDS:
        return arr.cast(pa.string())
    if kind == "int":
        return arr.cast(pa.int64()).cast(pa.string())
    if kind == "float":
        return arr.cast(pa.float64()).cast(pa.string())
    if kind == "bool":
        b = arr if pa.types.is_boolean(arr.type) else pc.not_equal(arr, 0)
        return pc.if_else(b, "1", "0").cast(pa.string())
    raise ValueError(kind)


def _timestamps(series: pd.Series) -> pa.Array:
    ts = pd.to_datetime(series.reset_index(drop=True), utc=True, format="ISO8601", errors="coerce")
    stamps = ts.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    return utc_text(stamps, ts.isna().to_numpy(), trim_whole=False)


def _column(values: list, kind: str, suspect: bool = False) -> tuple[pa.Array, pa.Array | None]:
    """Canonical text of one column of raw DBAPI values: (text, tags). ``text`` is null for NULL
    and for an unreadable value; ``tags`` (None when every value is readable) holds each
    unreadable value's ``_bad_tag`` and null elsewhere. ``suspect``: some values may be
    ``_NotUtf8`` (checked one by one)."""
    arr = None if suspect else _infer(values)
    bad: dict[int, str] = {}
    if arr is None or not _arrow_ok(arr, kind):
        clean: list = []
        for i, v in enumerate(values):
            if _py_ok(v, kind):
                clean.append(v.isoformat() if kind == "timestamp" and isinstance(v, datetime) else v)
            else:
                clean.append(None)
                bad[i] = _bad_tag(v)
        if kind == "timestamp":
            arr = pa.array(clean, type=pa.string())
        elif kind == "float":
            arr = pa.array([None if v is None else float(v) for v in clean], type=pa.float64())
        elif kind == "bool":
            arr = pa.array([None if v is None else bool(v) for v in clean], type=pa.bool_())
        else:
            arr = pa.array(clean, type=pa.string() if kind in _TEXT_KINDS else pa.int64())
    if kind == "timestamp":
        text = _timestamps(arr.to_pandas())
        lost = pc.and_(pc.is_null(text), pc.is_valid(arr))  # text that is not a timestamp
        if pc.any(lost).as_py():
            for i in np.flatnonzero(lost.to_numpy(zero_copy_only=False)).tolist():
                bad[i] = f"{_BAD}unparsed:{arr[i].as_py()!r}"
    else:
        text = _text(arr, kind)
    if not bad:
        return text, None
    tags = [None] * len(values)
    for i, tag in bad.items():
        tags[i] = tag
    tag_arr = pa.array(tags, type=pa.string())
    text = pc.if_else(pc.is_valid(tag_arr), pa.scalar(None, pa.string()), text)
    return text, tag_arr


def _frame_column(series: pd.Series, kind: str) -> pa.Array:
    """Canonical text of one column of a typed frame (``normalise.typed`` dtypes): the same text
    ``_column`` gives for the stored values."""
    s = series.reset_index(drop=True)
    if kind in _TEXT_KINDS:
        return pa.array(s, from_pandas=True).cast(pa.string())
    if kind == "timestamp":
        return _timestamps(s)
    if kind == "bool":
        return _text(pa.array(s.astype("boolean"), from_pandas=True), kind)
    if kind == "int":
        return _text(pa.array(s.astype("Int64"), from_pandas=True), kind)
    return _text(pa.array(s.astype("Float64"), from_pandas=True), kind)


def _with_tags(text: pa.Array, tags: pa.Array | None, escape: bool) -> pa.Array:
    out = _escape(text) if escape else text
    return out if tags is None else pc.coalesce(out, tags)


def _content(names_kinds: list[tuple[str, str]], cols: dict[str, tuple[pa.Array, pa.Array | None]],
             tag: str = "") -> pa.Array:
    """``tag`` + the non-NULL columns as ``name=value`` sorted by name, joined by US.

    A column NULL in every row is left out before the join, which would skip it in each row
    anyway (a wide input table has many: a third of the lines' cost at 1M requests). Every row
    must have a value in some column: Arrow's join (pyarrow 26) drops a row whose inputs are all
    NULL instead of giving it an empty text, which would shift every later line, so that is
    refused here (each table's rows carry an id or run id that is never NULL)."""
    fields = []
    n = -1
    for name, kind in sorted(names_kinds):
        text, tags = cols[name]
        n = len(text)
        if n and text.null_count == n and (tags is None or tags.null_count == n):
            continue
        fields.append(pc.binary_join_element_wise(f"{name}=", _with_tags(text, tags, kind in _TEXT_KINDS), ""))
    joined = pc.binary_join_element_wise(*fields, _US, null_handling="skip") if fields else None
    if joined is None or len(joined) != n:
        raise ValueError("ledger: a row with no value in any column has no canonical text")
    return pc.binary_join_element_wise(pa.scalar(tag), joined, "") if tag else joined


def _input_lines(table: str, cols: dict[str, tuple[pa.Array, pa.Array | None]]) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(ids, contents, lines) of input rows: ``ids`` the raw ids (the sort key), ``contents`` what
    ``input_revisions.old_content`` keeps, ``lines`` the digest lines ``id RS content``."""
    spec = TABLES[table]
    content = _content([(c.name, c.kind) for c in spec.columns], cols, _TAG)
    text, tags = cols[spec.id_column]
    ids = pc.fill_null(text if tags is None else pc.coalesce(text, tags), _NO_ID)
    shown = pc.fill_null(_with_tags(text, tags, True), _NO_ID)
    return ids, content, pc.binary_join_element_wise(shown, content, _RS)


# ---------------------------------------------------------------- canonical values (format 1)
def _canon_v1(values: list | pd.Series, kind: str) -> pa.Array:
    """Format 1: one column as canonical text (NULL marked by ``_V1_NULL``), kept unchanged so
    that records of format 1 still verify."""
    if kind not in ("timestamp", "bool", "int", "float"):
        if isinstance(values, pd.Series):
            return pc.fill_null(pa.array(values, from_pandas=True).cast(pa.string()), _V1_NULL)
        try:
            arr = pa.array(values, type=pa.string())
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            arr = pa.array([None if v is None else str(v) for v in values], type=pa.string())
        return pc.fill_null(arr, _V1_NULL)
    s = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if kind == "timestamp":
        ts = pd.to_datetime(s, utc=True, format="ISO8601")
        stamps = ts.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
        return pc.fill_null(utc_text(stamps, ts.isna().to_numpy(), trim_whole=False), _V1_NULL)
    if kind == "bool":
        out = s.astype("boolean").map({True: "1", False: "0"}, na_action="ignore")
    elif kind == "int":
        out = pd.to_numeric(s).astype("Int64").astype("string")
    else:
        out = pd.to_numeric(s).astype("Float64").astype("string")
    arr = pa.array(out.astype(object).where(out.notna(), None).to_numpy(), type=pa.string())
    return pc.fill_null(arr, _V1_NULL)


def _canon_v1_safe(values: list, kind: str) -> pa.Array:
    try:
        return _canon_v1(values, kind)
    except Exception:  # noqa: BLE001 - an unreadable value: format 2 names it; never equal to a good text
        return pa.array([_V1_NULL if v is None else _bad_tag(v) for v in values], type=pa.string())


def _lines_v1(table: str, columns: list[tuple]) -> pa.Array:
    spec = TABLES[table]
    parts = [_canon_v1_safe(list(columns[i]), c.kind) for i, c in enumerate(spec.columns)]
    content = pc.binary_join_element_wise(*parts, _US) if len(parts) > 1 else parts[0]
    ids = parts[spec.names.index(spec.id_column)]
    return pc.binary_join_element_wise(table, ids, content, _RS)


def _v1_content(table: str, content: str) -> str:
    """The format-1 content of a superseded row kept in format 2 (``content`` as stored);
    ``content`` itself when it is not a format-2 content."""
    if not content.startswith(_TAG):
        return content
    spec = TABLES[table]
    kinds = {c.name: c.kind for c in spec.columns}
    try:
        values: dict[str, str] = {}
        for part in content[1:].split(_US) if len(content) > 1 else []:
            name, sep, value = part.partition("=")
            if not sep or name not in kinds:
                return content
            if kinds[name] in _TEXT_KINDS:
                value = _unescape(value)
            elif kinds[name] == "float":  # format 1 wrote floats as pandas does
                value = str(pd.Series([float(value)], dtype="Float64").astype("string").iloc[0])
            values[name] = value
    except (KeyError, IndexError, ValueError):
        return content
    return _US.join(values.get(c.name, _V1_NULL) for c in spec.columns)


# ---------------------------------------------------------------- input rows
def _in_chunks(stmt: sa.Select, column: sa.ColumnElement, values: list[str] | None) -> list[sa.Select]:
    if values is None:
        return [stmt]
    return [stmt.where(column.in_(values[i : i + 500])) for i in range(0, len(values), 500)]


def row_contents(conn: sa.Connection, table: str, ids: list[str] | None = None) -> pd.DataFrame:
    """``id``, ``ingest_id`` and the canonical content of stored rows of an input table (all, or
    those with the given ids): what ``input_revisions.old_content`` keeps of a superseded row.

    The content does not depend on the database (SQLite and PostgreSQL give the same one)."""
    spec = TABLES[table]
    t = INPUT_MODELS[table].__table__
    stmt = sa.select(*[t.c[c] for c in spec.names], t.c.ingest_id)
    rows: list = []
    suspect = False
    for q in _in_chunks(stmt, t.c[spec.id_column], ids):
        got, bad = _fetch_all(conn, q)
        rows.extend(got)
        suspect = suspect or bad
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(spec.names) + 1)]
    cols = {c.name: _column(list(columns[i]), c.kind, suspect) for i, c in enumerate(spec.columns)}
    ids_arr, content, _lines = _input_lines(table, cols)
    owner, owner_tags = _column(list(columns[-1]), "str", suspect)
    owner = pc.fill_null(owner if owner_tags is None else pc.coalesce(owner, owner_tags), _NO_ID)
    return pd.DataFrame({"id": pd.Series(ids_arr.to_pylist(), dtype="string"),
                         "ingest_id": pd.Series(owner.to_pylist(), dtype="string"),
                         "content": pd.Series(content.to_pylist(), dtype="string")})


#: rows whose digest lines ``frame_lines`` makes at a time: the canonical texts of every column
#: of a 250,000-row chunk of requests took ~700 MB beside its 190 MB of lines (the contract
#: helper's peak at each chunk); 50,000 at a time, about a third of that, and no slower
LINE_SLICE = 50_000


def frame_lines(table: str, frame: pd.DataFrame, with_ids: bool = False):
    """The digest lines of rows about to be stored (a ``normalise.typed`` frame), ordered by id
    (code-point order): the same lines ``ingest_digests`` computes from the stored rows, as an
    Arrow ``ChunkedArray`` (one chunk per ``LINE_SLICE`` rows). ``with_ids``: (ids, lines), both
    in that order, for ``LineSpool.add_run``."""
    spec = TABLES[table]
    parts = []
    for start in range(0, max(len(frame), 1), LINE_SLICE):
        part = frame.iloc[start:start + LINE_SLICE]
        cols = {c.name: (_frame_column(part[c.name], c.kind), None) for c in spec.columns}
        ids, _content_arr, lines = _input_lines(table, cols)
        parts.append((ids, lines))
        del cols, _content_arr
    # kept as the slices' chunks: joined, they would be copied once more (and one chunk of
    # string may hold at most 2 GiB of text)
    ids = pa.chunked_array([p[0] for p in parts], type=parts[0][0].type)
    lines = pa.chunked_array([p[1] for p in parts], type=parts[0][1].type)
    del parts
    if not _in_order(ids):  # rows usually come in id order: then nothing to sort or copy
        order = pc.sort_indices(ids)
        ids, lines = ids.take(order), lines.take(order)
    return (ids, lines) if with_ids else lines


def _in_order(keys: pa.Array | pa.ChunkedArray) -> bool:
    """Whether ``keys`` (text, no NULL) are already in code-point order: Arrow's sort is stable,
    so its order of such keys is theirs, and ``take`` would only copy them. One comparison per
    key (Arrow compares text by its UTF-8 bytes, which is code-point order, as the sort does)."""
    n = len(keys)
    if n < 2:
        return True
    if keys.null_count:
        return False
    return bool(pc.all(pc.less_equal(keys.slice(0, n - 1), keys.slice(1))).as_py())


def _update_lines(h: Any, lines: pa.Array, first: bool) -> None:
    """Feed ``lines`` to ``h`` as "\\n".join(lines), preceded by a newline unless ``first``,
    straight from the Arrow buffer (no Python object per line)."""
    if len(lines) == 0:
        return
    large = pa.large_string()
    joined = pc.binary_join_element_wise(pa.scalar("\n", large), lines.cast(large), pa.scalar("", large))
    joined = pa.concat_arrays([joined]) if isinstance(joined, pa.Array) else joined.combine_chunks()
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int64)
    start, end = int(offsets[joined.offset]), int(offsets[joined.offset + len(joined)])
    h.update(memoryview(joined.buffers()[2])[start + (1 if first else 0):end])


class _Digests:
    """One running SHA-256 per key over its lines joined by newlines."""

    def __init__(self) -> None:
        self.hashers: dict[Any, Any] = {}

    def feed(self, key: Any, lines: list[str] | pa.Array) -> None:
        h = self.hashers.get(key)
        first = h is None
        if h is None:
            self.hashers[key] = h = hashlib.sha256()
        _update_lines(h, lines if isinstance(lines, pa.Array) else pa.array(lines, type=pa.string()), first)

    def snapshot(self) -> dict[Any, Any]:
        return {k: h.copy() for k, h in self.hashers.items()}

    def result(self) -> dict[Any, str]:
        return {k: self.hashers[k].hexdigest() for k in sorted(self.hashers)}


def combine(table_digests: dict[str, str]) -> str:
    """An ingest's digest from its tables' digests; "" when no table has a row."""
    if not table_digests:
        return ""
    text = "\n".join(f"{t}{_RS}{d}" for t, d in sorted(table_digests.items()))
    return sha256_text(text).upper()


def _format2(digest: Any) -> bool:
    """A cached ingest digest of format 2 (upper-case hex), or "" (an ingest that stored no row)."""
    return isinstance(digest, str) and (digest == "" or (len(digest) == 64 and digest != digest.lower()
                                                         and digest == digest.upper()))


class LineSpool:
    """The digest lines of one ingest, spooled to temporary files table by table in id order,
    so that the ingest's digest (per table, then combined) can be taken at its end without
    holding every table's lines in memory. ``add_run`` writes one chunk's ``frame_lines(...,
    with_ids=True)`` (in id order) to a run file; ``finish_table`` merges a table's runs into
    its file in id order, batch by batch (``_merge_runs``), so not even one table's lines are
    held at once (at 5M requests they were 2.7 GB). ``digest`` equals ``ingest_digests`` of the
    stored rows (tested); ``close`` removes the files."""

    #: rows per batch of a run file: the merge holds one batch of every run of a table
    RUN_BATCH = 16_384

    def __init__(self) -> None:
        import tempfile  # noqa: PLC0415

        self._dir = tempfile.TemporaryDirectory(prefix="auditor-ledger-")
        self.files: dict[str, Path] = {}
        self._runs: dict[str, list[Path]] = {}

    def __enter__(self) -> LineSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._dir.cleanup()

    def add_run(self, table: str, ids: pa.Array | pa.ChunkedArray, lines: pa.Array | pa.ChunkedArray) -> None:
        """One chunk's (ids, lines), both in id order, written to a run file of ``table``."""
        if not len(ids):
            return
        runs = self._runs.setdefault(table, [])
        path = Path(self._dir.name) / f"{table}.{len(runs)}.run"
        large = pa.large_string()
        _write_run(path, pa.table({"id": ids.cast(large), "line": lines.cast(large)}))
        runs.append(path)

    def finish_table(self, table: str) -> None:
        """Merge ``table``'s runs into its lines file, in id order; remove the runs."""
        runs = self._runs.pop(table, [])
        path = Path(self._dir.name) / table
        with path.open("wb") as fh:
            first = True
            for block in _merge_runs(runs):
                _update_lines(_FileSink(fh), block, first=first)
                first = False
        for run in runs:
            run.unlink()
        self.files[table] = path

    def table_digests(self) -> dict[str, str]:
        out = {}
        for table, path in sorted(self.files.items()):
            if path.stat().st_size == 0:
                continue
            h = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 22), b""):
                    h.update(block)
            out[table] = h.hexdigest()
        return out

    def digest(self) -> str:
        """The ingest's digest; "" when no table has a row."""
        return combine(self.table_digests())


def _write_run(path: Path, data: pa.Table) -> None:
    """A run file of ``_merge_runs``: Arrow IPC, ``LineSpool.RUN_BATCH`` rows per batch."""
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, data.schema) as writer:
        writer.write_table(data, max_chunksize=LineSpool.RUN_BATCH)


def _run_batches(path: Path):
    with pa.OSFile(str(path)) as source:  # read, not memory-mapped: pages are freed as we go
        reader = pa.ipc.open_file(source)
        for i in range(reader.num_record_batches):
            yield reader.get_batch(i)


def _merge_runs(paths: list[Path]):
    """The lines of runs (each in id order) in id order, block by block: a vectorised k-way
    merge. Each round takes, from every run's current batch, the rows whose id is at most the
    smallest last id among those batches (a prefix of each: nothing later can sort before
    them), sorts them together and yields their lines; the run that set that bound is used up,
    so every round moves on. Ids compare as Arrow compares text (bytes, i.e. code points), the
    order ``frame_lines`` and ``ingest_digests`` use. A run of one column (``_SortedLines``) is
    ordered by its lines themselves."""
    sources = [_run_batches(p) for p in paths]
    heads = [next(src, None) for src in sources]
    while live := [i for i, head in enumerate(heads) if head is not None]:
        bound = min(heads[i].column(0)[-1].as_py() for i in live)
        ids: list[pa.Array] = []
        lines: list[pa.Array] = []
        for i in live:
            head = heads[i]
            k = int(pc.sum(pc.less_equal(head.column(0), bound)).as_py() or 0)
            if k:
                ids.append(head.column(0).slice(0, k))
                lines.append(head.column(head.num_columns - 1).slice(0, k))  # one column: its own key
            heads[i] = head.slice(k) if k < head.num_rows else next(sources[i], None)
        if len(lines) == 1:
            yield lines[0]
        else:
            keys = pa.concat_arrays(ids)
            joined = pa.concat_arrays(lines)
            yield joined if _in_order(keys) else joined.take(pc.sort_indices(keys))


class _FileSink:
    def __init__(self, fh: Any) -> None:
        self.fh = fh

    def update(self, data: Any) -> None:
        self.fh.write(data)


# ---------------------------------------------------------------- input digests from the store
@dataclass
class _Scan:
    """What the stored input rows hash to, per ingest: ``tables`` (ingest, table) -> digest,
    ``ingests`` ingest -> format-2 digest, ``v1`` ingest -> format-1 digest (only those asked
    for), ``rows`` row versions per ingest, ``problems`` the first unreadable value per ingest."""

    tables: dict[tuple[str, str], str] = field(default_factory=dict)
    ingests: dict[str, str] = field(default_factory=dict)
    v1: dict[str, str] = field(default_factory=dict)
    rows: Counter = field(default_factory=Counter)
    problems: dict[str, str] = field(default_factory=dict)


def _note(problems: dict[str, str], owners: pa.Array, keys: pa.Array, where: str,
          cols: dict[str, tuple[pa.Array, pa.Array | None, str]]) -> None:
    """Record, per ingest, the first unreadable value of ``cols`` (name -> text, tags, kind)."""
    for name, (_text_arr, tags, kind) in cols.items():
        if tags is None:
            continue
        idx = np.flatnonzero(pc.is_valid(tags).to_numpy(zero_copy_only=False))
        seen: set[str] = set()
        for i in idx.tolist():
            owner = owners[i].as_py()
            if owner in seen or owner in problems:
                seen.add(owner)
                continue
            seen.add(owner)
            problems[owner] = (f"{where} {_show(keys[i].as_py())} (ingest {_show(owner)}): column {name} "
                               f"{_what(tags[i].as_py(), kind)}")


def _current_batches(conn: sa.Connection, table: str, ingest_ids: list[str] | None, v1set: set[str],
                     problems: dict[str, str]):
    """Batches (owner, key, line, line1) of the current rows, ordered by (ingest_id, id)."""
    spec = TABLES[table]
    t = INPUT_MODELS[table].__table__
    stmt = sa.select(*[t.c[c] for c in spec.names], t.c.ingest_id).order_by(
        _ordered(conn, t.c.ingest_id), _ordered(conn, t.c[spec.id_column]))
    if ingest_ids is not None:
        stmt = stmt.where(t.c.ingest_id.in_(ingest_ids))
    v1_values = pa.array(sorted(v1set), type=pa.string())
    for rows, suspect in _batches(conn, stmt):
        columns = list(zip(*rows, strict=True))
        otext, otags = _column(list(columns[-1]), "str", suspect)
        owners = pc.fill_null(otext if otags is None else pc.coalesce(otext, otags), _NO_ID)
        cols = {c.name: _column(list(columns[i]), c.kind, suspect) for i, c in enumerate(spec.columns)}
        ids, _content_arr, lines = _input_lines(table, cols)
        kinds = {c.name: c.kind for c in spec.columns}
        _note(problems, owners, ids, f"stored input row {table}",
              {"ingest_id": (otext, otags, "str"), **{n: (*cols[n], kinds[n]) for n in cols}})
        line1 = None
        if len(v1_values) and pc.any(pc.is_in(owners, value_set=v1_values)).as_py():
            line1 = _lines_v1(table, columns)
        yield pa.table({"owner": owners, "key": ids, "line": lines,
                        "line1": line1 if line1 is not None else pa.nulls(len(lines), pa.string())})


def _revision_rows(conn: sa.Connection, table: str, ingest_ids: list[str] | None, v1set: set[str],
                   problems: dict[str, str]) -> pa.Table:
    """The superseded row versions ingests brought to ``table``, as (owner, key, line, line1),
    sorted by (owner, key). A content stored by format 1 is kept whole in its format-2 line
    (``_OLD`` + escaped), so no line boundary can move."""
    rv = models.InputRevision.__table__
    stmt = (sa.select(rv.c.old_ingest_id, rv.c.record_id, rv.c.old_content)
            .where(rv.c.table_name == table))
    if ingest_ids is not None:
        stmt = stmt.where(rv.c.old_ingest_id.in_(ingest_ids))
    rows: list = []
    suspect = False
    for batch, bad in _batches(conn, stmt):
        rows.extend(batch)
        suspect = suspect or bad
    if not rows:
        return pa.table({"owner": pa.array([], pa.string()), "key": pa.array([], pa.string()),
                         "line": pa.array([], pa.string()), "line1": pa.array([], pa.string())})
    owner_v, rid_v, content_v = (list(c) for c in zip(*rows, strict=True))
    otext, otags = _column(owner_v, "str", suspect)
    rtext, rtags = _column(rid_v, "str", suspect)
    ctext, ctags = _column(content_v, "str", suspect)
    owners = pc.fill_null(otext if otags is None else pc.coalesce(otext, otags), _NO_ID)
    keys = pc.fill_null(rtext if rtags is None else pc.coalesce(rtext, rtags), _NO_ID)
    _note(problems, owners, keys, f"superseded input row {table} (input_revisions)",
          {"old_ingest_id": (otext, otags, "str"), "record_id": (rtext, rtags, "str"),
           "old_content": (ctext, ctags, "str")})
    content = pc.fill_null(ctext if ctags is None else pc.coalesce(ctext, ctags), _NO_ID)
    current = pc.and_(pc.starts_with(content, _TAG), pc.invert(pc.match_substring_regex(content, "[\n\x1e]")))
    content2 = pc.if_else(current, content, pc.binary_join_element_wise(pa.scalar(_OLD), _escape(content), ""))
    shown = pc.fill_null(_with_tags(rtext, rtags, True), _NO_ID)
    lines = pc.binary_join_element_wise(shown, content2, _RS)
    line1: list[str | None] = [None] * len(rows)
    if v1set:
        for i, (o, r, c) in enumerate(zip(owner_v, rid_v, content_v, strict=True)):
            if o in v1set and isinstance(r, str) and isinstance(c, str):
                line1[i] = f"{table}{_RS}{r}{_RS}{_v1_content(table, c)}"
    out = pa.table({"owner": owners, "key": keys, "line": lines, "line1": pa.array(line1, pa.string())})
    return out.sort_by([("owner", "ascending"), ("key", "ascending")])


def _upto(rev: pa.Table, pos: int, owner: str, key: str) -> int:
    """The end of the revisions from ``pos`` on that sort at or before (owner, key)."""
    o, k = rev.column("owner").slice(pos), rev.column("key").slice(pos)
    m = pc.or_(pc.less(o, owner), pc.and_(pc.equal(o, owner), pc.less_equal(k, key)))
    return pos + int(pc.sum(m).as_py() or 0)


def _feed(chunk: pa.Table, table: str, v1set: set[str], v2: _Digests, v1: _Digests, rows: Counter) -> None:
    n = chunk.num_rows
    if n == 0:
        return
    chunk = chunk.sort_by([("owner", "ascending"), ("key", "ascending")])
    owner = chunk.column("owner").combine_chunks()
    lines = chunk.column("line").combine_chunks()
    line1 = chunk.column("line1").combine_chunks()
    change = np.flatnonzero(pc.not_equal(owner.slice(1), owner.slice(0, n - 1)).to_numpy(zero_copy_only=False))
    for a, b in itertools.pairwise([0, *(change + 1).tolist(), n]):
        o = owner[a].as_py()
        v2.feed((o, table), lines.slice(a, b - a))
        rows[o] += b - a
        if o in v1set:
            v1.feed(o, pc.fill_null(line1.slice(a, b - a), ""))


def _scan_table(conn: sa.Connection, table: str, ingest_ids: list[str] | None, v1set: set[str],
                scan: _Scan, v2: _Digests, v1: _Digests) -> None:
    rev = _revision_rows(conn, table, ingest_ids, v1set, scan.problems)
    pos = 0
    for batch in _current_batches(conn, table, ingest_ids, v1set, scan.problems):
        if batch.num_rows == 0:
            continue
        end = _upto(rev, pos, batch.column("owner")[-1].as_py(), batch.column("key")[-1].as_py()) \
            if pos < rev.num_rows else pos
        _feed(pa.concat_tables([batch, rev.slice(pos, end - pos)]) if end > pos else batch,
              table, v1set, v2, v1, scan.rows)
        pos = end
    if pos < rev.num_rows:
        _feed(rev.slice(pos), table, v1set, v2, v1, scan.rows)


def _scan_inputs(conn: sa.Connection, ingest_ids: list[str] | None = None,
                 v1_ingests: set[str] | frozenset[str] = frozenset()) -> _Scan:
    """Digests of the stored input rows (every ingest, or only ``ingest_ids``): per ingest and
    table, per ingest (format 2), and per ingest in format 1 for ``v1_ingests``. Rows are
    streamed in batches, so memory does not grow with the tables; text that is not UTF-8
    (SQLite) is read leniently and reported, never raised."""
    scan = _Scan()
    if ingest_ids is not None and not ingest_ids:
        return scan
    v1set = set(v1_ingests)
    v2, v1 = _Digests(), _Digests()
    for table in sorted(TABLES):
        saved_v1, saved_rows = v1.snapshot(), Counter(scan.rows)
        try:
            _scan_table(conn, table, ingest_ids, v1set, scan, v2, v1)
        except Exception as exc:
            if not _is_decode_error(exc):
                raise
            v1.hashers, scan.rows = saved_v1, saved_rows
            v2.hashers = {k: h for k, h in v2.hashers.items() if k[1] != table}
            with _lenient(conn):
                _scan_table(conn, table, ingest_ids, v1set, scan, v2, v1)
    scan.tables = v2.result()
    per: dict[str, dict[str, str]] = {}
    for (owner, table), digest in scan.tables.items():
        per.setdefault(owner, {})[table] = digest
    scan.ingests = {owner: combine(d) for owner, d in sorted(per.items())}
    scan.v1 = v1.result()
    return scan


def ingest_digests(conn: sa.Connection, ingest_ids: list[str] | None = None) -> dict[str, str]:
    """Format-2 digest per ingest over every row version it brought (current rows and
    superseded ones); all ingests, or only ``ingest_ids``.

    Each row version is one line ``id RS content``; a table's lines are ordered by id (code-point
    order) and joined by newlines; the ingest's digest combines its tables' (``combine``). A
    revision moves a row version from the table to ``input_revisions`` without changing its line
    or its place, so a finished ingest's digest never changes."""
    return _scan_inputs(conn, ingest_ids).ingests


def _present_ingests(conn: sa.Connection) -> set[str]:
    """Ingest ids that own at least one stored row version."""
    found: set[str] = set()
    for table in TABLES:
        t = INPUT_MODELS[table].__table__
        found.update(str(r[0]) for r in _fetch_all(conn, sa.select(t.c.ingest_id).distinct())[0])
    rv = models.InputRevision.__table__
    found.update(str(r[0]) for r in _fetch_all(conn, sa.select(rv.c.old_ingest_id).distinct())[0])
    return found


# ---------------------------------------------------------------- stored records (runs, ingests)
def _kind_of(column: sa.Column) -> str:
    t = column.type
    while isinstance(t, sa.types.TypeDecorator):  # sqlmodel's AutoString, UTCDateTime
        t = t.impl_instance if hasattr(t, "impl_instance") else t.impl
    if isinstance(t, sa.JSON):
        return "json"
    if isinstance(t, sa.Boolean):
        return "bool"
    if isinstance(t, sa.Integer):
        return "int"
    if isinstance(t, sa.Float):
        return "float"
    if isinstance(t, sa.DateTime):
        return "timestamp"
    return "str"


def _value_kind(column: sa.Column) -> str:
    """The kind ``_column`` reads a column of an output table as (JSON is never one)."""
    kind = _kind_of(column)
    return "str" if kind == "json" else kind


def _default_of(column: sa.Column) -> Any:
    d = column.default
    return d.arg if d is not None and getattr(d, "is_scalar", False) else None


def _canon_value(v: Any, kind: str) -> tuple[str, str | None]:
    """One stored value as canonical text (type-prefixed, unambiguous) and what is wrong with it,
    if anything."""
    if v is None:
        return "n", None
    if isinstance(v, _NotUtf8):
        return "x:" + _bad_tag(v), "holds text that is not UTF-8"
    if kind == "json":
        if isinstance(v, str):
            try:
                v = json.loads(v)
            except ValueError:
                return "x:" + _bad_tag(v), "is not valid JSON"
        elif isinstance(v, bytes | bytearray | memoryview):
            return "x:" + _bad_tag(bytes(v)), "is not JSON text"
        try:
            return "j:" + json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False), None
        except (TypeError, ValueError):
            return "x:" + _bad_tag(v), "holds a value that is not JSON"
    if kind == "timestamp":
        stamp = v
        if isinstance(v, str):
            try:
                stamp = datetime.fromisoformat(v)
            except ValueError:
                stamp = None
        if not isinstance(stamp, datetime):
            return "x:" + _bad_tag(v), "is not a timestamp"
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(UTC).replace(tzinfo=None)
        return "d:" + stamp.isoformat(timespec="microseconds"), None
    if kind == "int" and type(v) is int:
        return f"i:{v}", None
    if kind == "float" and type(v) in (int, float):
        return f"f:{float(v)!r}", None
    if kind == "bool" and (type(v) is bool or (type(v) is int and v in (0, 1))):
        return f"b:{int(v)}", None
    if kind == "str" and isinstance(v, str):
        return "s:" + v, None
    return "x:" + _bad_tag(v), f"holds a value of the wrong type ({type(v).__name__}, not {_KIND_LABEL.get(kind, 'text')})"


def _row_canon(conn: sa.Connection, t: sa.Table, where: sa.ColumnElement) -> list[dict[str, tuple[str, str | None]]]:
    """Each row of ``t`` matching ``where`` as {column: (canonical text, problem)}."""
    columns = list(t.columns)
    rows, _suspect = _fetch_all(conn, sa.select(*columns).where(where))
    return [{c.name: _canon_value(v, _kind_of(c)) for c, v in zip(columns, row, strict=True)} for row in rows]


def _value_digest(canon: str) -> str:
    return sha256_text(canon)


@dataclass
class _Entry:
    """An ``ingests`` row: finished or not, the digest of its columns, what is wrong with it."""

    finished: bool
    digest: str
    problem: str | None


def _ingest_entries(conn: sa.Connection) -> dict[str, _Entry]:
    t = models.Ingest.__table__
    out: dict[str, _Entry] = {}
    for row in _row_canon(conn, t, sa.true()):
        key = row["id"][0][2:] if row["id"][0].startswith("s:") else row["id"][0]
        problem = next((f"column {c} {p}" for c, (_v, p) in sorted(row.items()) if p), None)
        digest = sha256_text(canonical_json({c: v for c, (v, _p) in row.items()}))
        out[key] = _Entry(finished=row["finished_at"][0] != "n", digest=digest, problem=problem)
    return out


def _cached_digests(conn: sa.Connection) -> dict[str, Any]:
    t = models.IngestDigest.__table__
    rows, _suspect = _fetch_all(conn, sa.select(t.c.ingest_id, t.c.digest))
    return {str(i): d for i, d in rows}


_RUN_LABELS = {
    "as_of": "audit date (as_of)",
    "params": "parameters (packs and their versions, parameter values, waivers, attestations)",
    "inputs": "input files",
    "summary": "summary",
    "aggregates": "aggregates (the figures the reports are drawn from)",
    "status": "status",
    "pack": "pack",
    "pack_version": "pack version",
    "tool_version": "tool version",
    "started_at": "start time",
    "finished_at": "end time",
    "run_id": "run id",
}


def _run_row(conn: sa.Connection, run_id: str) -> dict[str, tuple[str, str | None]] | None:
    t = models.AuditRun.__table__
    rows = _row_canon(conn, t, t.c.run_id == run_id)
    return rows[0] if rows else None


def _run_record_digests(conn: sa.Connection, run_id: str) -> dict[str, str]:
    row = _run_row(conn, run_id)
    if row is None:
        raise RuntimeError(f"run {run_id} is not stored")
    return {c: _value_digest(v) for c, (v, _p) in sorted(row.items())}


def _check_run_row(conn: sa.Connection, run_id: str, recorded: dict[str, str], where: str) -> str | None:
    row = _run_row(conn, run_id)
    if row is None:
        return f"the stored run record of run {_show(run_id)} ({where}) was deleted"
    t = models.AuditRun.__table__
    for col, digest in sorted(recorded.items()):
        label = _RUN_LABELS.get(col, col)
        if col not in row:
            return f"the stored run record of run {_show(run_id)} ({where}) lost its column {col}"
        canon, problem = row[col]
        if problem:
            return f"the stored run record of run {_show(run_id)} ({where}): its {label} {problem}"
        if _value_digest(canon) != digest:
            return f"the stored run record of run {_show(run_id)} ({where}) was changed after the run: its {label}"
    for col, (canon, _problem) in sorted(row.items()):
        if col in recorded or canon == "n":
            continue
        default = _default_of(t.c[col]) if col in t.c else None
        if default is None or canon != _canon_value(default, _kind_of(t.c[col]))[0]:
            return (f"the stored run record of run {_show(run_id)} ({where}) was changed after the run: "
                    f"column {col}, added since, was set")
    return None


# ---------------------------------------------------------------- run outputs
#: stored rows of a run: table -> (model, columns left out, record key, label)
_OUTPUTS: dict[str, tuple[type, tuple[str, ...], str, str]] = {
    "findings": (models.Finding, ("id",), "findings_sha256", "findings"),
    "check_outcomes": (models.CheckOutcome, (), "outcomes_sha256", "outcomes"),
    "check_scope_results": (models.CheckScopeResult, ("id",), "scope_sha256", "per-Party counts (scope)"),
}


def _output_columns(table: str) -> list[str]:
    model, drop, _key, _label = _OUTPUTS[table]
    return sorted(c.name for c in model.__table__.columns if c.name not in drop)


def _output_digest(conn: sa.Connection, table: str, run_id: str, columns: list[str],
                   committed: bool = False) -> tuple[str, int, str | None]:
    """(digest, rows, problem) of a run's stored rows of an output table over ``columns``:
    each row a line of its non-NULL columns as ``name=value`` (text escaped), lines sorted.
    ``committed``: the rows are committed (a stored run being checked, not one being written
    in ``conn``'s transaction), so a large SQLite table may be read in Arrow (``_arrow_lines``)."""
    model = _OUTPUTS[table][0]
    t = model.__table__
    missing = [c for c in columns if c not in t.c]
    if missing:
        return "", 0, f"lost its column(s) {', '.join(missing)}"
    stmt = sa.select(*[t.c[c] for c in columns]).where(t.c.run_id == run_id)
    kinds = {c: _value_kind(t.c[c]) for c in columns}
    sorter = _SortedLines()  # the lines as they are made, sorted within a bounded memory
    try:
        try:
            with collector.paused():  # batches of row tuples, no cycle among them
                fast = _arrow_lines(conn, stmt, columns, kinds, sorter.add) if committed else None
                n, problem = (fast, None) if fast is not None else _output_lines(conn, stmt, columns, kinds,
                                                                                 sorter.add)
        except Exception as exc:
            if not _is_decode_error(exc):
                raise
            sorter.close()  # what was read before the error, read again
            sorter = _SortedLines()
            with _lenient(conn), collector.paused():  # text that is not UTF-8: read again, each such value tagged
                n, problem = _output_lines(conn, stmt, columns, kinds, sorter.add)
        if not n:
            return sha256_text(""), 0, None
        return sorter.digest(), n, problem
    finally:
        sorter.close()


def _sorted_digest(lines: pa.Array | pa.ChunkedArray) -> str:
    """SHA-256 of an output table's lines sorted (code-point order), joined by newlines: fed
    ``LINE_SLICE`` lines at a time (the same bytes as one join of them all, without its copy)."""
    h = hashlib.sha256()
    first = True
    if _in_order(lines):
        pieces = (chunk.slice(start, LINE_SLICE)
                  for chunk in (lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines])
                  for start in range(0, len(chunk), LINE_SLICE))
    else:
        pieces = _taken_in_slices(lines, pc.sort_indices(lines).to_numpy())
    for piece in pieces:
        _update_lines(h, piece, first=first)
        first = False
    return h.hexdigest()


#: bytes of digest lines sorted in memory at a time (``_SortedLines``); more are sorted in runs of
#: about this size, spooled to temporary files and merged (``_merge_runs``). A million findings
#: make ~760 MB of lines (~820 bytes each): at 5 million they were the audit stage's largest hold
SORT_BYTES = 256 << 20


class _SortedLines:
    """SHA-256 of lines given in any order, taken in code-point order as ``_sorted_digest`` takes
    them, holding at most about ``SORT_BYTES`` of them: beyond that, what is held is sorted and
    written to a run file, and the runs are merged when the digest is asked for. The same digest
    whatever the budget (tests/jobs/test_ledger.py)."""

    def __init__(self, budget: int | None = None) -> None:
        self.budget = SORT_BYTES if budget is None else budget
        self._held: list[pa.Array] = []
        self._size = 0
        self._runs: list[Path] = []
        self._dir: Any = None

    def add(self, lines: pa.Array | pa.ChunkedArray) -> None:
        for chunk in (lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]):
            if len(chunk):
                self._held.append(chunk)
                self._size += chunk.nbytes
        if self._size > self.budget:
            self._spill()

    def _spill(self) -> None:
        import tempfile  # noqa: PLC0415

        if not self._held:
            return
        lines = pa.chunked_array(self._held, type=self._held[0].type)
        self._held, self._size = [], 0
        pieces = (list(lines.chunks) if _in_order(lines)
                  else list(_taken_in_slices(lines, pc.sort_indices(lines).to_numpy())))
        del lines
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="auditor-digest-")
        path = Path(self._dir.name) / f"{len(self._runs)}.run"
        large = pa.large_string()
        _write_run(path, pa.table({"line": pa.chunked_array([p.cast(large) for p in pieces], type=large)}))
        self._runs.append(path)

    def digest(self) -> str:
        try:
            if not self._runs:
                held = pa.chunked_array(self._held, type=self._held[0].type) if self._held else pa.array([], pa.string())
                self._held = []
                return _sorted_digest(held)
            self._spill()
            h = hashlib.sha256()
            for i, block in enumerate(_merge_runs(self._runs)):
                _update_lines(h, block, first=i == 0)
            return h.hexdigest()
        finally:
            self.close()

    def close(self) -> None:
        self._held, self._runs = [], []
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


def _taken_in_slices(values: pa.Array | pa.ChunkedArray, order: np.ndarray) -> Iterator[pa.Array]:
    """``values.take(order)``, ``LINE_SLICE`` values at a time, with no copy of ``values``:
    Arrow's ``take`` of a chunked text array joins every chunk into one before it takes (a
    million findings' 760 MB of lines were held three times over, the audit stage's peak, and a
    slice of ``order`` would join them again each time); each slice is taken here from the
    chunks its positions fall in, then put back in ``order``'s order."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    starts = np.cumsum([0, *(len(c) for c in chunks)])
    for begin in range(0, len(order), LINE_SLICE):
        want = np.asarray(order[begin:begin + LINE_SLICE], dtype=np.int64)
        which = np.searchsorted(starts, want, side="right") - 1
        by_chunk = np.argsort(which, kind="stable")
        grouped = which[by_chunk]
        bounds = np.flatnonzero(np.diff(grouped)) + 1
        pieces = [chunks[int(grouped[lo])].take(pa.array(want[by_chunk[lo:hi]] - starts[grouped[lo]]))
                  for lo, hi in zip([0, *bounds], [*bounds, len(want)], strict=True)]
        taken = pa.concat_arrays(pieces) if len(pieces) > 1 else pieces[0]
        back = np.empty_like(by_chunk)
        back[by_chunk] = np.arange(len(by_chunk))
        yield taken.take(pa.array(back))


def _output_lines(conn: sa.Connection, stmt: sa.Select, columns: list[str],
                  kinds: dict[str, str], sink: Callable[[pa.Array], None]) -> tuple[int, str | None]:
    """The lines of an output table's rows (``_content``), built ``_STREAM_ROWS`` rows at a
    time and handed to ``sink`` batch by batch: the rows are never all held as Python tuples (at
    a million findings that was about 2 GB), nor their lines (``_SortedLines``). Each value's
    canonical text does not depend on the batch it came in (``tests/jobs/test_ledger.py``).
    (rows, the first problem found)."""
    n, problem = 0, None
    for rows, suspect in _batches(conn, stmt):
        values = list(zip(*rows, strict=True))
        cols: dict[str, tuple[pa.Array, pa.Array | None]] = {}
        for name, vals in zip(columns, values, strict=True):
            cols[name] = _column(list(vals), kinds[name], suspect)
            tags = cols[name][1]
            if tags is not None and problem is None:
                first = tags.filter(pc.is_valid(tags))[0].as_py()
                problem = f"column {name} {_what(first, kinds[name])}"
        del values
        sink(_content([(c, kinds[c]) for c in columns], cols))
        n += len(rows)
    return n, problem


def _arrow_lines(conn: sa.Connection, stmt: sa.Select, columns: list[str],
                 kinds: dict[str, str], sink: Callable[[pa.Array], None]) -> int | None:
    """The lines ``_output_lines`` gives ``sink`` (and the count of rows), from the rows read in
    Arrow by the ADBC SQLite driver (``store.db._arrow_table``: C, no Python object per value; a
    million findings' lines in a few seconds instead of ~15 s of CPU). Only for text and integer columns, whose canonical text is
    the value itself (``_text``), and only when the driver read as many rows as ``conn`` counts
    (it reads the committed file in a helper process: a run removed meanwhile is read the usual
    way). None when this path does not apply: not a SQLite file, few rows, text that is not
    UTF-8, another column type (then every value is read and checked one by one as before)."""
    if conn.dialect.name != "sqlite" or any(k not in _TEXT_KINDS and k != "int" for k in kinds.values()):
        return None
    from auditor.store import db  # noqa: PLC0415

    table = db._arrow_table(conn.engine, stmt)  # noqa: SLF001 - the store's Arrow reader
    if table is None:
        return None
    n = int(conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one())
    if table.num_rows != n or table.column_names != columns:
        return None
    cols = {}
    for name in columns:
        arr = table.column(name).combine_chunks()
        if arr.null_count == len(arr):  # the driver types a column of NULLs only as integers
            arr = pa.nulls(len(arr), pa.string() if kinds[name] in _TEXT_KINDS else pa.int64())
        cols[name] = arr
    if not all(_arrow_ok(cols[name], kinds[name]) for name in columns):
        return None
    del table
    for start in range(0, n, _STREAM_ROWS):  # lines of a batch at a time, as _output_lines builds them
        piece = {name: (_text(arr.slice(start, _STREAM_ROWS), kinds[name]), None) for name, arr in cols.items()}
        sink(_content([(c, kinds[c]) for c in columns], piece))
    return n


def _written_digest(conn: sa.Connection, table: str, run_id: str, columns: list[str],
                    frame: pd.DataFrame | DigestAhead) -> tuple[str, int] | None:
    """(digest, rows) ``_output_digest`` gives for a run's rows of an output table that ``conn``'s
    transaction has just written from ``frame`` alone (``store.db.insert_frame``), computed from
    the values handed to the database rather than read back: at a million findings ~10 s less.
    ``frame`` may be a ``DigestAhead`` of it, started before it was written.

    Only where the stored text is the written text: every column a text column, every column of
    the frame written as it is (``_written_text``: text or NULL, as the store's fast path checks), every column the
    frame lacks NULL (no default), and as many rows of the run in the table as in the frame (rows
    written otherwise make the count differ). None otherwise: the caller reads the rows back.
    ``auditor verify`` and every report read the stored rows and compare them with this digest,
    so a stored value that differed from the written one would be named there, never hidden."""
    if isinstance(frame, DigestAhead):
        digest, frame = frame.result(), frame.frame
    else:
        digest = _frame_digest(table, columns, frame, conn.dialect.name)
    if digest is None:
        return None
    t = _OUTPUTS[table][0].__table__
    n = len(frame)
    stored = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.run_id == run_id)).scalar_one()
    if int(stored) != n:
        return None
    return digest, n


def _frame_digest(table: str, columns: list[str], frame: pd.DataFrame, dialect: str) -> str | None:
    """The digest of ``frame``'s rows as ``_written_digest`` takes it (no database involved), or
    None where the stored text would not be the written text."""
    t = _OUTPUTS[table][0].__table__
    if any(_value_kind(t.c[c]) not in _TEXT_KINDS for c in columns):
        return None
    if any(c not in frame.columns and (t.c[c].default is not None or t.c[c].server_default is not None)
           for c in columns):
        return None
    kinds = [(c, _value_kind(t.c[c])) for c in columns]
    if not len(frame):
        return sha256_text("")
    # LINE_SLICE rows at a time: the columns' text and their joins for a million findings at once
    # took ~1 GB beside the insert (the audit stage's peak); the lines go to a bounded sorter
    sorter = _SortedLines()
    try:
        for start in range(0, len(frame), LINE_SLICE):
            part = frame.iloc[start:start + LINE_SLICE]
            written = _written_text(t, part, dialect)
            if written is None:
                return None
            n = len(part)
            cols = {c: (written[c] if c in written else pa.nulls(n, pa.string()), None) for c in columns}
            sorter.add(_content(kinds, cols))
            del written, cols
        return sorter.digest()
    finally:
        sorter.close()


class DigestAhead:
    """``_frame_digest`` of a frame about to be written to an output table, computed in a thread
    (``forking.Ahead``) while the database writes it: Arrow's kernels and SHA-256 run without the
    interpreter lock, and so does SQLite between the rows it is handed (at a million findings,
    ~5 s of hashing beside ~8 s of inserting, instead of after it). The frame must not change
    meanwhile; ``result`` waits for the digest and raises what computing it raised."""

    def __init__(self, table: str, frame: pd.DataFrame, dialect: str) -> None:
        self.frame = frame
        self._ahead = Ahead(_frame_digest, table, _output_columns(table), frame, dialect,
                            name="auditor-ledger-digest")

    def result(self) -> str | None:
        return self._ahead.result()


def _written_text(t: sa.Table, frame: pd.DataFrame, dialect: str) -> dict[str, pa.Array] | None:
    """The text ``store.db.insert_frame`` writes for each column of ``frame`` on its fast path, as
    Arrow (a text column as it is, NULL for a missing value), or None when it would write any
    column otherwise (not a text column of ``t``, a value that is not ``str``: ``db._fast_columns``
    decides). A column of text dtype is taken in Arrow, with no Python object per value."""
    from auditor.store import db  # noqa: PLC0415

    out: dict[str, pa.Array] = {}
    for name in frame.columns:
        if name not in t.c or db._plain_type(t.c[name].type) != "str":  # noqa: SLF001
            return None
        s = frame[name]
        if s.dtype == object:  # each value must be str (or missing): as insert_frame checks it
            values = db._column_values(s, "str", dialect)  # noqa: SLF001
            if values is None:
                return None
            arr = pa.array(values, type=pa.string())
        elif pd.api.types.is_string_dtype(s.dtype):
            arr = pa.array(s, from_pandas=True)
            arr = (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).cast(pa.string())
        else:
            return None
        out[name] = arr
    return out


def _outputs(conn: sa.Connection, run_id: str,
             written: dict[str, pd.DataFrame | DigestAhead] | None = None) -> tuple[dict[str, str], dict[str, dict]]:
    """The digests and row counts of a run's output tables; ``written``: the frames ``conn``'s
    transaction has just written to some of them (``_written_digest``)."""
    digests, meta = {}, {}
    for table, (_model, _drop, key, _label) in _OUTPUTS.items():
        columns = _output_columns(table)
        fast = None
        if written is not None and table in written:
            try:
                fast = _written_digest(conn, table, run_id, columns, written[table])
            except (pa.ArrowException, TypeError, ValueError):  # a value Arrow would not take: read back
                fast = None
        digest, n, _problem = (*fast, None) if fast is not None else _output_digest(conn, table, run_id, columns)
        digests[key] = digest
        meta[table] = {"columns": columns, "rows": n}
    return digests, meta


def _check_outputs(conn: sa.Connection, run_id: str, record: dict, where: str) -> str | None:
    meta = record["outputs"]
    for table, (model, drop, key, label) in _OUTPUTS.items():
        info = meta[table]
        columns = [str(c) for c in info["columns"]]
        digest, n, problem = _output_digest(conn, table, run_id, columns, committed=True)
        if problem:
            return f"stored {label} of run {_show(run_id)} ({where}): {problem}"
        if digest != record[key]:
            counts = f" ({info['rows']} rows recorded, {n} stored)" if info.get("rows") != n else ""
            return f"stored {label} of run {_show(run_id)} ({where}) were changed after the run{counts}"
        t = model.__table__
        for c in t.columns:  # columns added since the record: NULL (or their default) only
            if c.name in columns or c.name in drop:
                continue
            cond = c.is_not(None)
            default = _default_of(c)
            if default is not None:
                cond = sa.and_(cond, c != default)
            hit = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.run_id == run_id, cond)).scalar()
            if hit:
                return (f"stored {label} of run {_show(run_id)} ({where}) were changed after the run: "
                        f"column {c.name}, added since, was set")
    return None


def _rows_digest_v1(conn: sa.Connection, table: sa.Table, run_id: str, drop: tuple[str, ...]) -> str:
    """Format 1: canonical JSON of every row, sorted."""
    frame = pd.read_sql(sa.select(table).where(table.c.run_id == run_id), conn)
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    frame = frame.astype(object).where(frame.notna(), None)
    rows = sorted(canonical_json(r) for r in frame.to_dict("records"))
    return sha256_text("\n".join(rows))


def _check_outputs_v1(conn: sa.Connection, run_id: str, record: dict, where: str) -> str | None:
    for _table, (model, drop, key, label) in _OUTPUTS.items():
        try:
            digest = _rows_digest_v1(conn, model.__table__, run_id, drop)
        except Exception as exc:  # noqa: BLE001 - an unreadable stored value
            if not _is_decode_error(exc) and not isinstance(exc, ValueError | TypeError):
                raise
            return f"stored {label} of run {_show(run_id)} ({where}) hold a value that cannot be read"
        if digest != record.get(key):
            return f"stored {label} of run {_show(run_id)} ({where}) were changed after the run"
    return None


# ---------------------------------------------------------------- appending a record
def _inputs(engine: Engine) -> list[dict]:
    from auditor.store import db  # noqa: PLC0415

    return [
        {"ingest_id": ing.id, "table": f.get("table"), "file": f.get("file"), "sha256": f.get("sha256"),
         # the mapping profile the file was read through (its bytes are in the ingest record)
         **({"profile_sha256": f["profile_sha256"]} if isinstance(f, dict) and f.get("profile_sha256") else {})}
        for ing in db.ingests(engine)
        for f in (ing.files or [])
    ]


def _record_ingests(conn: sa.Connection) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, str]]]:
    """What a new record says of the stored input rows: (digest of every finished ingest that owns
    rows, digest of each of those ingests' own records, per-table digests of the rows of ingests
    that have no finished record: one still running, one interrupted, or rows written outside
    ``auditor ingest``).

    A finished ingest's digest is the one it cached when it ended (``ingest_digests``, format 2:
    computed from the rows as they were stored), so a row changed since is caught by ``verify``;
    an ingest with no usable cached digest (none, or format 1) is hashed here, once, and cached."""
    present = _present_ingests(conn)
    entries = _ingest_entries(conn)
    cache = _cached_digests(conn)
    finished = {i for i in present if i in entries and entries[i].finished}
    unfinished = sorted(present - finished)
    recompute = sorted(i for i in finished if not _format2(cache.get(i)))
    scan = _scan_inputs(conn, recompute + unfinished) if recompute or unfinished else _Scan()
    if recompute:
        ct = models.IngestDigest.__table__
        for start in range(0, len(recompute), 500):
            conn.execute(sa.delete(ct).where(ct.c.ingest_id.in_(recompute[start : start + 500])))
        conn.execute(sa.insert(ct), [{"ingest_id": i, "digest": scan.ingests.get(i, "")} for i in recompute])
    ingests = {i: (scan.ingests.get(i, "") if i in recompute else cache[i]) for i in sorted(finished)}
    records = {i: entries[i].digest for i in sorted(finished)}
    pending = {i: {t: d for (o, t), d in scan.tables.items() if o == i} for i in unfinished}
    for i in unfinished:
        log.warning("the run audits %d stored row(s) of ingest %s, which has no finished ingest record (an "
                    "ingest still running, one that was interrupted, or rows written outside `auditor ingest`); "
                    "the ledger records them as unfinished and `auditor verify` reports them unless the ingest "
                    "finishes", scan.rows.get(i, 0), _show(i), extra={"ingest_id": i})
    return ingests, records, pending


class _LedgerRace(Exception):
    """Another run appended its record first (``prev_hash`` is unique)."""


def _insert_run(conn: sa.Connection, run: models.AuditRun) -> None:
    t = models.AuditRun.__table__
    conn.execute(sa.insert(t), [{c.name: getattr(run, c.name) for c in t.columns}])


def append_run(engine: Engine, run: models.AuditRun, extra: dict[str, Any],
               store: Callable[[sa.Connection], dict[str, pd.DataFrame | DigestAhead] | None] | None = None,
               ) -> models.LedgerRecord:
    """Append the ledger record of a run, chained to the last record. With ``store`` (a function
    of the connection that writes the run's outcomes, counts and findings, and may return the
    frames it wrote to output tables, by table name, for their digests: ``_written_digest``), the run's row and
    rows and its record are written in one transaction under the write lock: a run is stored
    whole with its record, or not at all. Without it, the run must already be stored. Retries
    when another run appended first."""
    inputs = _inputs(engine)
    last_error: Exception | None = None
    for _attempt in range(5):
        try:
            with engine.begin() as conn:
                begin_write(conn)
                written = None
                if store is not None:
                    written = store(conn)
                    _insert_run(conn, run)
                lt = models.LedgerRecord.__table__
                prev = conn.execute(sa.select(lt.c.record_hash).order_by(lt.c.seq.desc()).limit(1)).scalar()
                outputs, output_meta = _outputs(conn, run.run_id, written)
                ingests, ingest_records, unfinished = _record_ingests(conn)
                record = {
                    "ledger_version": LEDGER_VERSION,
                    "run_id": run.run_id,
                    "as_of": run.as_of.strftime("%Y-%m-%d"),
                    "tool_version": run.tool_version,
                    "pack": {"name": run.pack, "version": run.pack_version, **(extra.get("pack") or {})},
                    "config_sha256": extra.get("config_sha256"),
                    "waivers_sha256": extra.get("waivers_sha256"),
                    "inputs": inputs,
                    "run_record": _run_record_digests(conn, run.run_id),
                    **outputs,
                    "outputs": output_meta,
                    "ingests": ingests,
                    "ingest_records": ingest_records,
                    "unfinished_ingests": unfinished,
                    "prev_hash": prev or GENESIS,
                }
                text = canonical_json(record)
                rec = {"run_id": run.run_id, "created_at": datetime.now(UTC),
                       "prev_hash": prev or GENESIS, "record_hash": sha256_text(text), "record": text}
                try:
                    seq = conn.execute(sa.insert(lt).returning(lt.c.seq), rec).scalar_one()
                except sa.exc.IntegrityError as exc:  # rolls the whole transaction back
                    raise _LedgerRace(str(exc)) from exc
            return models.LedgerRecord(seq=seq, **rec)
        except _LedgerRace as exc:  # another run appended first: chain to it instead
            last_error = exc
    raise RuntimeError(f"could not append to the run ledger: {last_error}")


# ---------------------------------------------------------------- verifying
@dataclass
class VerifyResult:
    records: int
    broken: str | None = None
    seq: int | None = None
    run_id: str | None = None
    checked: list[str] = field(default_factory=list)
    #: things that are not (yet) a broken link but that an operator should know
    warnings: list[str] = field(default_factory=list)
    #: records of ledger format 1 among those verified
    old_format: int = 0

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass
class _Rec:
    seq: Any
    run_id: Any
    prev_hash: Any
    record_hash: Any
    text: Any
    data: dict | None = None
    problem: str | None = None

    @property
    def where(self) -> str:
        return f"record {_show(self.seq)}"


def _read_records(conn: sa.Connection, where: sa.ColumnElement | None = None) -> list[_Rec]:
    lt = models.LedgerRecord.__table__
    stmt = sa.select(lt.c.seq, lt.c.run_id, lt.c.prev_hash, lt.c.record_hash, lt.c.record).order_by(lt.c.seq)
    if where is not None:
        stmt = stmt.where(where)
    rows, _suspect = _fetch_all(conn, stmt)
    return [_Rec(*row) for row in rows]


def _record_problem(rec: _Rec) -> str | None:
    """What is wrong with a record on its own (hash, JSON, form); fills ``rec.data``."""
    who = f"record {_show(rec.seq)} (run {_show(rec.run_id)})"
    if not isinstance(rec.text, str) or isinstance(rec.text, _NotUtf8):
        return f"{who} is not UTF-8 text" if isinstance(rec.text, _NotUtf8) else f"{who} is not text"
    if sha256_text(rec.text) != rec.record_hash:
        return f"{who} was edited: its hash does not match"
    try:
        data = json.loads(rec.text)
    except ValueError:
        return f"{who} is not valid JSON"
    if not isinstance(data, dict):
        return f"{who} is not a JSON object"
    if data.get("prev_hash") != rec.prev_hash:
        return f"{who}: stored link differs from the hashed one"
    if data.get("run_id") != rec.run_id:
        return f"{who}: stored run id differs from the hashed one"
    version = data.get("ledger_version")
    if version not in KNOWN_VERSIONS or isinstance(version, bool):
        return (f"{who} has ledger format {version!r}, which this auditor does not know (written by a newer "
                "version?)")
    form = _form_problem(data, version)
    if form:
        return f"{who} is malformed: {form}"
    rec.data = data
    return None


def _is_str_map(value: Any, nested: bool = False) -> bool:
    if not isinstance(value, dict):
        return False
    return all(isinstance(k, str) and (_is_str_map(v) if nested else isinstance(v, str)) for k, v in value.items())


def _form_problem(data: dict, version: int) -> str | None:
    if not _is_str_map(data.get("ingests") or {}):
        return "ingests is not a map of digests"
    if version == 1:
        return None
    if not _is_str_map(data.get("run_record")):
        return "run_record is not a map of digests"
    if not _is_str_map(data.get("ingest_records") or {}):
        return "ingest_records is not a map of digests"
    if not _is_str_map(data.get("unfinished_ingests") or {}, nested=True):
        return "unfinished_ingests is not a map of table digests"
    outputs = data.get("outputs")
    if not isinstance(outputs, dict):
        return "outputs is missing"
    for table, (_model, _drop, key, _label) in _OUTPUTS.items():
        info = outputs.get(table)
        if not isinstance(info, dict) or not isinstance(info.get("columns"), list) or not isinstance(data.get(key), str):
            return f"outputs of {table} are missing"
    return None


def _check_ingests(rec: _Rec, scan: _Scan, entries: dict[str, _Entry]) -> str | None:
    data = rec.data or {}
    run = _show(rec.run_id)
    if data["ledger_version"] == 1:
        for ingest_id, digest in sorted((data.get("ingests") or {}).items()):
            if ingest_id in scan.problems:
                return scan.problems[ingest_id]
            if scan.v1.get(ingest_id) != digest:
                return (f"stored input rows of ingest {_show(ingest_id)} were changed or deleted after run {run} "
                        f"({rec.where}) audited them")
        return None
    records = data.get("ingest_records") or {}
    for ingest_id, digest in sorted((data.get("ingests") or {}).items()):
        if ingest_id in scan.problems:
            return scan.problems[ingest_id]
        if scan.ingests.get(ingest_id, "") != digest:
            return (f"stored input rows of ingest {_show(ingest_id)} were changed or deleted after run {run} "
                    f"({rec.where}) audited them")
        entry = entries.get(ingest_id)
        if entry is None:
            return (f"the ingest record of ingest {_show(ingest_id)} was deleted after run {run} ({rec.where}) "
                    "audited its rows")
        if entry.problem:
            return f"the ingest record of ingest {_show(ingest_id)}: {entry.problem}"
        if records.get(ingest_id) != entry.digest:
            return (f"the ingest record of ingest {_show(ingest_id)} (its files, counts, folder or dates) was "
                    f"changed after run {run} ({rec.where}) audited its rows")
    for ingest_id, tables in sorted((data.get("unfinished_ingests") or {}).items()):
        if ingest_id in scan.problems:
            return scan.problems[ingest_id]
        for table, digest in sorted(tables.items()):
            if scan.tables.get((ingest_id, table)) != digest:
                return (f"stored {table} rows of ingest {_show(ingest_id)} were changed or deleted after run {run} "
                        f"({rec.where}) audited them")
        entry = entries.get(ingest_id)
        if entry is None or not entry.finished:
            return (f"run {run} ({rec.where}) audited input rows of ingest {_show(ingest_id)}, which still has no "
                    "finished ingest record: rows written outside `auditor ingest`, or left by an ingest that "
                    "was interrupted (see docs/operations.md, run ledger)")
    return None


def _check_record(conn: sa.Connection, rec: _Rec, prev: str, scan: _Scan, entries: dict[str, _Entry]) -> str | None:
    if rec.prev_hash != prev:
        return (f"link broken: {rec.where} (run {_show(rec.run_id)}) points to {_show(str(rec.prev_hash)[:12])}…, "
                f"but the previous record hashes to {prev[:12]}…")
    problem = rec.problem or _record_problem(rec)
    if problem:
        return problem
    data = rec.data or {}
    try:
        if data["ledger_version"] == 1:
            problem = _check_outputs_v1(conn, rec.run_id, data, rec.where)
        else:
            problem = (_check_run_row(conn, rec.run_id, data["run_record"], rec.where)
                       or _check_outputs(conn, rec.run_id, data, rec.where))
        return problem or _check_ingests(rec, scan, entries)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # a record of an unexpected form
        return f"{rec.where} (run {_show(rec.run_id)}) cannot be checked: {type(exc).__name__}: {exc}"


def _stored_run_ids(conn: sa.Connection) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for label, model in (("run", models.AuditRun), ("findings", models.Finding),
                         ("outcomes", models.CheckOutcome), ("per-Party counts", models.CheckScopeResult)):
        t = model.__table__
        out[label] = {r[0] if isinstance(r[0], str) else repr(r[0])
                      for r in _fetch_all(conn, sa.select(t.c.run_id).distinct())[0]}
    return out


def _check_unrecorded(conn: sa.Connection, recs: list[_Rec], scan: _Scan, entries: dict[str, _Entry],
                      warnings: list[str]) -> str | None:
    """What no record covers: runs and run rows with no record, ingests whose rows differ from
    what they stored, unreadable values; rows of ingests with no finished record are warned of."""
    recorded_runs = {r.run_id for r in recs}
    stored = _stored_run_ids(conn)
    if orphans := sorted(stored["run"] - recorded_runs):
        return (f"run {_show(orphans[0])} has no ledger record: a run written outside auditor (or one interrupted "
                "before its record was written, by an auditor before ledger format 2); `auditor report` "
                "refuses it")
    for label in ("findings", "outcomes", "per-Party counts"):
        if orphans := sorted(stored[label] - recorded_runs):
            return f"{label} are stored for run {_show(orphans[0])}, which has no ledger record"
    cache = _cached_digests(conn)
    recorded_ingests: set[str] = set()
    for r in recs:
        data = r.data or {}
        recorded_ingests.update(data.get("ingests") or {})
        recorded_ingests.update(data.get("unfinished_ingests") or {})
    for ingest_id in sorted(set(entries) | set(scan.ingests)):
        entry = entries.get(ingest_id)
        if entry is None or not entry.finished:
            continue
        cached = cache.get(ingest_id)
        if _format2(cached) and scan.ingests.get(ingest_id, "") != cached:
            return (f"stored input rows of ingest {_show(ingest_id)} differ from what that ingest stored (the "
                    "digest it recorded when it finished): rows were changed, added or deleted since")
    if scan.problems:
        return scan.problems[min(scan.problems)]
    for ingest_id in sorted(set(scan.ingests) - recorded_ingests):
        entry = entries.get(ingest_id)
        if entry is None or not entry.finished:
            warnings.append(
                f"{scan.rows.get(ingest_id, 0)} stored input row(s) belong to ingest {_show(ingest_id)}, which has "
                "no finished ingest record and which no run has audited yet: an ingest still running, one that "
                "was interrupted, or rows written outside `auditor ingest`. The next audit records them as "
                "unfinished; `verify` then reports them unless the ingest finishes (see docs/operations.md).")
    return None


def _verify(conn: sa.Connection) -> VerifyResult:
    recs = _read_records(conn)
    for rec in recs:
        rec.problem = _record_problem(rec)
    v1_ingests = {i for r in recs if r.data and r.data["ledger_version"] == 1 for i in (r.data.get("ingests") or {})}
    scan = _scan_inputs(conn, None, v1_ingests)
    entries = _ingest_entries(conn)
    prev = GENESIS
    old = 0
    for i, rec in enumerate(recs):
        problem = _check_record(conn, rec, prev, scan, entries)
        if problem:
            return VerifyResult(i, problem, seq=rec.seq, run_id=rec.run_id, old_format=old)
        old += (rec.data or {}).get("ledger_version") == 1
        prev = rec.record_hash
    warnings: list[str] = []
    problem = _check_unrecorded(conn, recs, scan, entries, warnings)
    if problem:
        return VerifyResult(len(recs), problem, old_format=old)
    return VerifyResult(len(recs), warnings=warnings, old_format=old)


@contextlib.contextmanager
def _snapshot(engine: Engine):
    """A connection reading one consistent snapshot (a run's rows and record commit together)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
                conn.exec_driver_sql("BEGIN")
            yield conn


def verify(engine: Engine) -> VerifyResult:
    """Recompute the chain: record hashes and links; each run's stored record, findings, outcomes
    and per-Party counts; the input rows and ingest records each run audited; and what no record
    covers (runs and rows with no record, rows of a finished ingest that differ from what it
    stored). Reports the first broken link; never raises on what it finds in the store."""
    with _snapshot(engine) as conn:
        try:
            return _verify(conn)
        except UnicodeDecodeError as exc:  # a database whose encoding lets non-UTF-8 text in
            return VerifyResult(0, f"the database holds text that is not UTF-8 ({exc.reason})")


# ---------------------------------------------------------------- one run, before it is reported
class RunNotVerified(InputError):
    """A stored run whose ledger record does not verify: it is not reported."""


def _resolve_run(conn: sa.Connection, run_id: str | None) -> str | None:
    t = models.AuditRun.__table__
    if run_id in (None, "latest"):
        stmt = sa.select(t.c.run_id).where(t.c.status == "finished").order_by(t.c.started_at.desc()).limit(1)
    else:
        stmt = sa.select(t.c.run_id).where(t.c.run_id == run_id)
    rows, _suspect = _fetch_all(conn, stmt)
    return rows[0][0] if rows else None


def check_run(conn: sa.Connection, run_id: str | None) -> tuple[str | None, str | None, int | None]:
    """(the run's id, what fails, its ledger format) for the run ``run_id`` names (None or
    'latest': the latest finished run); id None when there is no such run. Checks the run's
    record (hash, links to its neighbours), its stored run record and its findings, outcomes and
    per-Party counts; not the input rows (``verify`` does)."""
    rid = _resolve_run(conn, run_id)
    if rid is None:
        return None, None, None
    lt = models.LedgerRecord.__table__
    recs = _read_records(conn, lt.c.run_id == rid)
    if not recs:
        return rid, (f"run {_show(rid)} has no ledger record (a run written outside auditor, or one "
                     "interrupted before its record was written)"), None
    rec = recs[-1]
    problem = _record_problem(rec)
    if problem:
        return rid, problem, None
    before, _s = _fetch_all(conn, sa.select(lt.c.record_hash).where(lt.c.seq < rec.seq).order_by(lt.c.seq.desc()).limit(1))
    if rec.prev_hash != (before[0][0] if before else GENESIS):
        return rid, f"link broken: {rec.where} (run {_show(rid)}) does not point to the record before it", None
    after, _s = _fetch_all(conn, sa.select(lt.c.prev_hash).where(lt.c.seq > rec.seq).order_by(lt.c.seq).limit(1))
    if after and after[0][0] != rec.record_hash:
        return rid, f"link broken: the record after {rec.where} (run {_show(rid)}) does not point to it", None
    data = rec.data or {}
    version = data["ledger_version"]
    try:
        if version == 1:
            problem = _check_outputs_v1(conn, rid, data, rec.where)
        else:
            problem = (_check_run_row(conn, rid, data["run_record"], rec.where)
                       or _check_outputs(conn, rid, data, rec.where))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        problem = f"{rec.where} (run {_show(rid)}) cannot be checked: {type(exc).__name__}: {exc}"
    return rid, problem, version


def require_verified_run(engine: Engine, run_id: str | None) -> str | None:
    """The id of the run ``run_id`` names, once its ledger record checks out (``check_run``);
    ``run_id`` unchanged when there is no such run (the caller reports it). Raises
    RunNotVerified (exit 3) for a run whose stored record, findings, outcomes or counts were
    changed, or that has no record; warns for a run recorded in ledger format 1, which does not
    cover the stored run record."""
    return raise_unless_verified(run_id, *run_verdict(engine, run_id))


def resolve_run(engine: Engine, run_id: str | None) -> str | None:
    """The id of the run ``run_id`` names (None or 'latest': the latest finished run), None when
    there is no such run; nothing checked."""
    with engine.connect() as conn:
        return _resolve_run(conn, run_id)


def run_verdict(engine: Engine, run_id: str | None) -> tuple[str | None, str | None, int | None]:
    """``check_run`` on a connection of ``engine``, with text that is not UTF-8 reported as the
    problem: (run id, what fails or None, ledger format). Plain data, so a helper process can
    compute it (``auditor.audit.build_model``) and the caller decide (:func:`raise_unless_verified`)."""
    with engine.connect() as conn:
        try:
            return check_run(conn, run_id)
        except UnicodeDecodeError as exc:
            return run_id, f"the database holds text that is not UTF-8 ({exc.reason})", None


def raise_unless_verified(run_id: str | None, rid: str | None, problem: str | None, version: int | None) -> str | None:
    """What :func:`require_verified_run` does with a :func:`run_verdict`: RunNotVerified (exit 3)
    when something fails, a warning for ledger format 1, else the run's id (``run_id`` when
    there is no such run)."""
    if problem:
        raise RunNotVerified(f"run {_show(rid or run_id)} does not verify, so it is not reported: {problem}",
                             hint="run `auditor verify` to see the whole ledger; a run whose stored record, "
                                  "findings or counts were changed after it ran cannot be trusted")
    if version == 1:
        log.warning("run %s was recorded in ledger format 1, which does not cover its stored run record (audit "
                    "date, parameters, waivers): those are reported as stored", _show(rid), extra={"run_id": rid})
    return rid if rid is not None else run_id
