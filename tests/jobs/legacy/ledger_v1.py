"""The run ledger as auditor wrote it before ledger format 2 (auditor/ledger.py at commit 278f3f6),
kept verbatim so that tests can write a genuine format-1 ledger and check that it still verifies.
Not used by auditor itself."""
# ruff: noqa

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
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

from auditor.ingest.normalise import utc_text
from auditor.ingest.schema import TABLES
from auditor.store import models
from auditor.store.db import begin_write  # the write lock did not change with the format
from auditor.store.models import INPUT_MODELS

GENESIS = "0" * 64
LEDGER_VERSION = 1
_NULL = "\x1a"  # marks NULL in canonical content (PostgreSQL text cannot hold NUL)


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


# ---------------------------------------------------------------- canonical input-row content
def _canon(values: list | pd.Series, kind: str) -> pa.Array:
    """One column as canonical text (NULL marked by ``_NULL``): raw DBAPI values read back from
    the database, or a column of the typed frame being stored (``normalise.typed`` dtypes); both
    give the same text for the same value."""
    if kind not in ("timestamp", "bool", "int", "float"):  # text kinds: str, party, enum, set, personal
        if isinstance(values, pd.Series):
            return pc.fill_null(pa.array(values, from_pandas=True).cast(pa.string()), _NULL)
        try:
            arr = pa.array(values, type=pa.string())
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # a driver gave non-text values
            arr = pa.array([None if v is None else str(v) for v in values], type=pa.string())
        return pc.fill_null(arr, _NULL)
    s = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if kind == "timestamp":
        ts = pd.to_datetime(s, utc=True, format="ISO8601")
        stamps = ts.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
        return pc.fill_null(utc_text(stamps, ts.isna().to_numpy(), trim_whole=False), _NULL)
    if kind == "bool":
        out = s.astype("boolean").map({True: "1", False: "0"}, na_action="ignore")
    elif kind == "int":
        out = pd.to_numeric(s).astype("Int64").astype("string")
    else:
        out = pd.to_numeric(s).astype("Float64").astype("string")
    arr = pa.array(out.astype(object).where(out.notna(), None).to_numpy(), type=pa.string())
    return pc.fill_null(arr, _NULL)


def _in_chunks(stmt: sa.Select, column: sa.ColumnElement, values: list[str] | None) -> list[sa.Select]:
    if values is None:
        return [stmt]
    return [stmt.where(column.in_(values[i : i + 500])) for i in range(0, len(values), 500)]


def _content_arrays(conn: sa.Connection, table: str, ids: list[str] | None = None,
                    ingest_ids: list[str] | None = None) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(id, ingest_id, canonical content) of stored rows of an input table, as string arrays."""
    spec = TABLES[table]
    t = INPUT_MODELS[table].__table__
    stmt = sa.select(*[t.c[c] for c in spec.names], t.c.ingest_id)
    if ids is not None:
        stmts = _in_chunks(stmt, t.c[spec.id_column], ids)
    else:
        stmts = _in_chunks(stmt, t.c.ingest_id, ingest_ids)
    rows: list = []
    for q in stmts:  # raw DBAPI rows: no per-value processing, no DataFrame type inference
        rows.extend(conn.execute(q).fetchall() if ids is not None else _raw_rows(conn, q))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(spec.names) + 1)]
    parts = [_canon(list(columns[i]), c.kind) for i, c in enumerate(spec.columns)]
    content = pc.binary_join_element_wise(*parts, "\x1f") if len(parts) > 1 else parts[0]
    id_arr = pa.array(columns[spec.names.index(spec.id_column)], type=pa.string())
    return id_arr, pa.array(columns[-1], type=pa.string()), content


def _raw_rows(conn: sa.Connection, stmt: sa.Select) -> list:
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(str(compiled))
        return cur.fetchall()
    finally:
        cur.close()


def row_contents(conn: sa.Connection, table: str, ids: list[str] | None = None) -> pd.DataFrame:
    """``id``, ``ingest_id`` and a canonical content string of stored rows of an input table
    (all, or those with the given ids).

    The string does not depend on the database (SQLite and PostgreSQL give the same one)."""
    id_arr, ingest_arr, content = _content_arrays(conn, table, ids=ids)
    return pd.DataFrame({"id": pd.Series(id_arr.to_pylist(), dtype="string"),
                         "ingest_id": pd.Series(ingest_arr.to_pylist(), dtype="string"),
                         "content": pd.Series(content.to_pylist(), dtype="string")})


_STREAM_ROWS = 50_000


def _ordered(conn: sa.Connection, column: sa.ColumnElement) -> sa.ColumnElement:
    """Code-point order on every backend (PostgreSQL's default collation is locale-aware)."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def _stream_raw(conn: sa.Connection, stmt: sa.Select, size: int | None = None):
    """Raw DBAPI rows of ``stmt`` in batches, never all in memory (server-side cursor on
    PostgreSQL)."""
    size = size or _STREAM_ROWS
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
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
    """One running SHA-256 per ingest over its lines joined by newlines."""

    def __init__(self) -> None:
        self.hashers: dict[str, Any] = {}

    def feed(self, owner: str, lines: list[str] | pa.Array) -> None:
        h = self.hashers.get(owner)
        first = h is None
        if h is None:
            self.hashers[owner] = h = hashlib.sha256()
        _update_lines(h, lines if isinstance(lines, pa.Array) else pa.array(lines, type=pa.string()), first)

    def result(self) -> dict[str, str]:
        return {k: self.hashers[k].hexdigest() for k in sorted(self.hashers)}


def _current_lines(conn: sa.Connection, table: str, ingest_ids: list[str] | None):
    """Batches of (owner ingest ids, record ids, lines) of the current rows, ordered by
    (ingest_id, id)."""
    spec = TABLES[table]
    t = INPUT_MODELS[table].__table__
    stmt = sa.select(*[t.c[c] for c in spec.names], t.c.ingest_id).order_by(
        _ordered(conn, t.c.ingest_id), _ordered(conn, t.c[spec.id_column]))
    if ingest_ids is not None:
        stmt = stmt.where(t.c.ingest_id.in_(ingest_ids))
    id_pos = spec.names.index(spec.id_column)
    for rows in _stream_raw(conn, stmt):
        columns = list(zip(*rows, strict=True))
        parts = [_canon(list(columns[i]), c.kind) for i, c in enumerate(spec.columns)]
        content = pc.binary_join_element_wise(*parts, "\x1f") if len(parts) > 1 else parts[0]
        ids = pa.array(columns[id_pos], type=pa.string())
        lines = pc.binary_join_element_wise(table, ids, content, "\x1e")
        yield list(columns[-1]), list(columns[id_pos]), lines


def frame_lines(table: str, frame: pd.DataFrame, with_ids: bool = False):
    """The digest lines of rows about to be stored (a ``normalise.typed`` frame), ordered by id
    (code-point order): the same lines ``ingest_digests`` computes from the stored rows.
    ``with_ids``: (ids, lines), both in that order, for ``LineSpool.add_run``."""
    spec = TABLES[table]
    parts = [_canon(frame[c.name], c.kind) for c in spec.columns]
    content = pc.binary_join_element_wise(*parts, "\x1f") if len(parts) > 1 else parts[0]
    ids = pa.array(frame[spec.id_column].reset_index(drop=True), from_pandas=True).cast(pa.string())
    lines = pc.binary_join_element_wise(table, ids, content, "\x1e")
    order = pc.sort_indices(ids)
    return (ids.take(order), lines.take(order)) if with_ids else lines.take(order)


class LineSpool:
    """The digest lines of one ingest, spooled to temporary files table by table in id order,
    so that the ingest's digest (tables by name, then ids) can be taken at its end without
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

    def add_run(self, table: str, ids: pa.Array, lines: pa.Array) -> None:
        """One chunk's (ids, lines), both in id order, written to a run file of ``table``."""
        if not len(ids):
            return
        runs = self._runs.setdefault(table, [])
        path = Path(self._dir.name) / f"{table}.{len(runs)}.run"
        large = pa.large_string()
        data = pa.table({"id": ids.cast(large), "line": lines.cast(large)})
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, data.schema) as writer:
            writer.write_table(data, max_chunksize=self.RUN_BATCH)
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

    def digest(self) -> str:
        """The ingest's digest; "" when no table has a row."""
        h = hashlib.sha256()
        first = True
        for table in sorted(self.files):
            path = self.files[table]
            if path.stat().st_size == 0:
                continue
            if not first:
                h.update(b"\n")
            with path.open("rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 22), b""):
                    h.update(block)
            first = False
        return "" if first else h.hexdigest()


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
    order ``frame_lines`` and ``ingest_digests`` use."""
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
                lines.append(head.column(1).slice(0, k))
            heads[i] = head.slice(k) if k < head.num_rows else next(sources[i], None)
        if len(lines) == 1:
            yield lines[0]
        else:
            yield pa.chunked_array(lines).take(pc.sort_indices(pa.chunked_array(ids))).combine_chunks()


class _FileSink:
    def __init__(self, fh: Any) -> None:
        self.fh = fh

    def update(self, data: Any) -> None:
        self.fh.write(data)


def _revision_lines(conn: sa.Connection, table: str, ingest_ids: list[str] | None) -> list[tuple[str, str, str]]:
    """(owner ingest id, record id, line) of the superseded versions an ingest brought."""
    rv = models.InputRevision.__table__
    stmt = (sa.select(rv.c.old_ingest_id, rv.c.record_id, rv.c.old_content)
            .where(rv.c.table_name == table))
    if ingest_ids is not None:
        stmt = stmt.where(rv.c.old_ingest_id.in_(ingest_ids))
    return [(o, r, f"{table}\x1e{r}\x1e{c}") for batch in _stream_raw(conn, stmt) for o, r, c in batch]


def ingest_digests(conn: sa.Connection, ingest_ids: list[str] | None = None) -> dict[str, str]:
    """SHA-256 per ingest over every row version it brought (current rows and superseded ones);
    all ingests, or only ``ingest_ids``.

    Each row version is one line ``table RS id RS content``; an ingest's lines are ordered by
    table name, then id (code-point order), and joined by newlines. Rows are streamed in batches,
    so memory does not grow with the table. A revision moves a row version from the table to
    ``input_revisions`` without changing its line or its place, so a finished ingest's digest
    never changes."""
    if ingest_ids is not None and not ingest_ids:
        return {}
    digests = _Digests()
    for table in sorted(TABLES):
        revised = sorted(_revision_lines(conn, table, ingest_ids))
        if not revised:  # the usual case: whole batches, grouped by ingest
            for owners, _ids, lines in _current_lines(conn, table, ingest_ids):
                own = np.asarray(owners, dtype=object)
                cuts = [0, *(np.flatnonzero(own[1:] != own[:-1]) + 1).tolist(), len(own)]
                for a, b in itertools.pairwise(cuts):
                    digests.feed(owners[a], lines.slice(a, b - a))
            continue
        current = ((o, r, line) for owners, ids, lines in _current_lines(conn, table, ingest_ids)
                   for o, r, line in zip(owners, ids, lines.to_pylist(), strict=True))
        for owner, _rid, line in heapq.merge(current, revised, key=lambda x: (x[0], x[1])):
            digests.feed(owner, [line])
    return digests.result()


def _present_ingests(conn: sa.Connection) -> set[str]:
    """Ingest ids that own at least one stored row version."""
    found: set[str] = set()
    for table in TABLES:
        t = INPUT_MODELS[table].__table__
        found.update(r[0] for r in conn.execute(sa.select(t.c.ingest_id).distinct()))
    rv = models.InputRevision.__table__
    found.update(r[0] for r in conn.execute(sa.select(rv.c.old_ingest_id).distinct()))
    return found


def current_ingest_digests(conn: sa.Connection) -> dict[str, str]:
    """Digests of every ingest that owns stored rows, for a new ledger record.

    The rows an ingest brought never change once it has finished (a revision moves the old
    version to ``input_revisions`` under the same ingest id), so the digest of a finished ingest
    is computed once and kept in ``ingest_digests``; a run then hashes only new ingests. ``verify``
    never reads that cache: it recomputes every digest from the stored rows."""
    cache = models.IngestDigest.__table__
    cached = {r.ingest_id: r.digest for r in conn.execute(sa.select(cache))}
    ing = models.Ingest.__table__
    finished = {r[0] for r in conn.execute(sa.select(ing.c.id).where(ing.c.finished_at.is_not(None)))}
    present = _present_ingests(conn)
    need = sorted(present - cached.keys())
    fresh = ingest_digests(conn, need) if need else {}
    new_cache = [{"ingest_id": i, "digest": fresh.get(i, "")} for i in need if i in finished]
    if new_cache:
        conn.execute(sa.insert(cache), new_cache)
    out = {i: d for i, d in cached.items() if d and i in present}
    out.update(fresh)
    return dict(sorted(out.items()))


# ---------------------------------------------------------------- run outputs
def _rows_digest(conn: sa.Connection, table: sa.Table, run_id: str, drop: tuple[str, ...]) -> str:
    frame = pd.read_sql(sa.select(table).where(table.c.run_id == run_id), conn)
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    frame = frame.astype(object).where(frame.notna(), None)
    rows = sorted(canonical_json(r) for r in frame.to_dict("records"))
    return sha256_text("\n".join(rows))


def run_digests(conn: sa.Connection, run_id: str) -> dict[str, str]:
    return {
        "findings_sha256": _rows_digest(conn, models.Finding.__table__, run_id, ("id",)),
        "outcomes_sha256": _rows_digest(conn, models.CheckOutcome.__table__, run_id, ()),
        "scope_sha256": _rows_digest(conn, models.CheckScopeResult.__table__, run_id, ("id",)),
    }


def _inputs(engine: Engine) -> list[dict]:
    from auditor.store import db  # noqa: PLC0415

    return [
        {"ingest_id": ing.id, "table": f.get("table"), "file": f.get("file"), "sha256": f.get("sha256")}
        for ing in db.ingests(engine)
        for f in (ing.files or [])
    ]


def append_run(engine: Engine, run: models.AuditRun, extra: dict[str, Any]) -> models.LedgerRecord:
    """Append the ledger record of a stored run, chained to the last record. Retries on a race."""
    inputs = _inputs(engine)
    last_error: Exception | None = None
    for _attempt in range(5):
        try:
            with engine.begin() as conn:
                begin_write(conn)
                lt = models.LedgerRecord.__table__
                prev = conn.execute(sa.select(lt.c.record_hash).order_by(lt.c.seq.desc()).limit(1)).scalar()
                record = {
                    "ledger_version": LEDGER_VERSION,
                    "run_id": run.run_id,
                    "as_of": run.as_of.strftime("%Y-%m-%d"),
                    "tool_version": run.tool_version,
                    "pack": {"name": run.pack, "version": run.pack_version, **(extra.get("pack") or {})},
                    "config_sha256": extra.get("config_sha256"),
                    "waivers_sha256": extra.get("waivers_sha256"),
                    "inputs": inputs,
                    "ingests": current_ingest_digests(conn),
                    **run_digests(conn, run.run_id),
                    "prev_hash": prev or GENESIS,
                }
                text = canonical_json(record)
                rec = {"run_id": run.run_id, "created_at": datetime.now(UTC),
                       "prev_hash": prev or GENESIS, "record_hash": sha256_text(text), "record": text}
                seq = conn.execute(sa.insert(lt).returning(lt.c.seq), rec).scalar_one()
            return models.LedgerRecord(seq=seq, **rec)
        except sa.exc.IntegrityError as exc:  # another run appended first: chain to it instead
            last_error = exc
    raise RuntimeError(f"could not append to the run ledger: {last_error}")


@dataclass
class VerifyResult:
    records: int
    broken: str | None = None
    seq: int | None = None
    run_id: str | None = None
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(engine: Engine) -> VerifyResult:
    """Recompute the chain: record hashes, links, findings/outcomes digests, input-row digests."""
    with engine.connect() as conn:
        lt = models.LedgerRecord.__table__
        rows = conn.execute(sa.select(lt).order_by(lt.c.seq)).mappings().all()
        digests = ingest_digests(conn) if rows else {}
        prev = GENESIS
        for i, row in enumerate(rows):
            where = dict(seq=row["seq"], run_id=row["run_id"])

            def broken(msg: str, i: int = i, where: dict = where) -> VerifyResult:
                return VerifyResult(i, msg, **where)

            if row["prev_hash"] != prev:
                return broken(f"link broken: record {row['seq']} (run {row['run_id']}) points to "
                              f"{row['prev_hash'][:12]}…, but the previous record hashes to {prev[:12]}…")
            if sha256_text(row["record"]) != row["record_hash"]:
                return broken(f"record {row['seq']} (run {row['run_id']}) was edited: its hash does not match")
            try:
                record = json.loads(row["record"])
            except ValueError:
                return broken(f"record {row['seq']} (run {row['run_id']}) is not valid JSON")
            if record.get("prev_hash") != row["prev_hash"]:
                return broken(f"record {row['seq']} (run {row['run_id']}): stored link differs from the hashed one")
            now = run_digests(conn, row["run_id"])
            for k, v in now.items():
                if record.get(k) != v:
                    what = k.removesuffix("_sha256")
                    return broken(f"stored {what} of run {row['run_id']} (record {row['seq']}) were changed "
                                  "after the run")
            for ingest_id, digest in sorted((record.get("ingests") or {}).items()):
                if digests.get(ingest_id) != digest:
                    return broken(f"stored input rows of ingest {ingest_id} were changed or deleted after run "
                                  f"{row['run_id']} (record {row['seq']}) audited them")
            prev = row["record_hash"]
        return VerifyResult(len(rows))
