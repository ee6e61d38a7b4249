"""Engine from a URL and repository functions. Log rows are written in bulk with SQLAlchemy Core
(executemany), never as one ORM object per row; bookkeeping rows use the ORM.

Nothing here is SQLite-only: any SQLAlchemy URL works (PostgreSQL is tested in CI).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from auditor import collector
from auditor.errors import NotFoundError, UsageError
from auditor.ingest.normalise import arrow_text
from auditor.ingest.schema import TABLES
from auditor.store import models
from auditor.store.models import INPUT_MODELS
from auditor.transparency import models as _transparency_models  # noqa: F401  (tables for create_all)

DEFAULT_DB_FILE = "auditor.db"


def default_url() -> str:
    return os.environ.get("AUDITOR_DB_URL") or f"sqlite:///{Path(DEFAULT_DB_FILE).resolve()}"


def redact_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "<unparseable URL>"


def _driver_url(url: str) -> str:
    """``postgresql://`` means psycopg (3) to SQLAlchemy 2.1; use psycopg2 when only it is installed."""
    try:
        u = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return url
    if u.drivername == "postgresql":
        import importlib.util  # noqa: PLC0415

        if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is not None:
            return u.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    return url


def begin_write(conn: sa.Connection) -> None:
    """Take the database write lock at the start of a read-then-write transaction.

    SQLite: ``BEGIN IMMEDIATE`` (waits up to busy_timeout instead of failing on a stale
    snapshot). PostgreSQL: a transaction-scoped advisory lock, so two processes never both
    decide that the same id is new."""
    name = conn.dialect.name
    if name == "sqlite":
        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(224202301543)"))

#: SQLite page cache (KiB) of a connection while it writes a large table: its indexes' pages
#: stay in memory instead of being read back from the OS for each random key (the default
#: 2 MiB cache made a million findings' fingerprint index cost 19 s to insert, 13 s with this)
BULK_CACHE_KIB = 131_072


@contextlib.contextmanager
def bulk_cache(conn: sa.Connection) -> Iterator[None]:
    """A larger SQLite page cache for this connection while the block writes; the connection's
    own size is restored after (which frees the pages), so pooled connections keep the default.
    Nothing on other databases."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        before = int(cur.execute("PRAGMA cache_size").fetchone()[0])
        cur.execute(f"PRAGMA cache_size=-{int(BULK_CACHE_KIB)}")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):  # only the cache's size: never hide the block's own error
                cur.execute(f"PRAGMA cache_size={before}")
    finally:
        with contextlib.suppress(Exception):
            cur.close()


def get_engine(url: str | None = None) -> Engine:
    url = url or default_url()
    try:
        engine = sa.create_engine(_driver_url(url))
    except (sa.exc.ArgumentError, ModuleNotFoundError, ImportError) as exc:
        raise UsageError(
            f"cannot use database URL {redact_url(url)}: {exc}",
            hint="use sqlite:///path/to/file.db or postgresql://user@host/db (pip install 'auditor[postgres]')",
        ) from None
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragma(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=600000")  # a large table holds the write lock for minutes
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    try:
        with engine.begin() as conn:  # under the write lock: concurrent first runs don't race
            begin_write(conn)
            SQLModel.metadata.create_all(conn)
            if add_missing_columns(conn):  # the stored rows' columns changed: their hashes are read again
                conn.execute(sa.delete(models.HashSnapshot.__table__))
            snapshot_triggers(conn)
    except sa.exc.OperationalError as exc:
        raise UsageError(
            f"cannot open database {redact_url(url)}: {exc.orig}",
            hint="check the URL, that the server is running, and that you may write there",
        ) from None
    return engine


def add_missing_columns(conn: sa.Connection) -> list[str]:
    """Additive schema migration: a database written by an earlier version lacks the columns
    added since (new optional input columns, finding fields); add them, nullable, so old runs
    and rows stay readable. Returns ``table.column`` for each column added."""
    inspector = sa.inspect(conn)
    added = []
    for table in SQLModel.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for col in table.columns:
            if col.name in have or col.primary_key:
                continue
            ddl = col.type.compile(dialect=conn.dialect)
            default = ""
            if col.default is not None and getattr(col.default, "is_scalar", False):
                default = f" DEFAULT {int(col.default.arg) if isinstance(col.default.arg, bool | int) else repr(col.default.arg)}"
            preparer = conn.dialect.identifier_preparer
            conn.exec_driver_sql(f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN "
                                 f"{preparer.quote(col.name)} {ddl}{default}")
            added.append(f"{table.name}.{col.name}")
    return added


def stored_hashes(conn: sa.Connection, table: str, raw: bool = False) -> pd.DataFrame:
    """id and row_hash of every stored row of an input table; ``raw``: and its raw_hash (NULL
    for a row stored before raw hashes were kept)."""
    spec = TABLES[table]
    t = INPUT_MODELS[table].__table__
    if raw:
        return _select_frame(conn, sa.select(t.c[spec.id_column], t.c.row_hash, t.c.raw_hash),
                             ["id", "row_hash", "raw_hash"])
    return _select_frame(conn, sa.select(t.c[spec.id_column], t.c.row_hash), ["id", "row_hash"])


#: the layout of a ``models.HashSnapshot``'s data (an older or newer one is ignored)
SNAPSHOT_FORMAT = 1
#: the columns of a stored-hash table (``stored_hash_table``), each Arrow ``large_string``
HASH_COLUMNS = ("id", "row_hash", "raw_hash")


def snapshots_kept(conn: sa.Connection) -> bool:
    """Whether this database keeps hash snapshots (SQLite: its triggers drop a snapshot when a
    stored row changes; on other databases the hashes are always fetched from the table)."""
    return conn.dialect.name == "sqlite"


def snapshot_triggers(conn: sa.Connection) -> None:
    """On SQLite, triggers that drop an input table's hash snapshot whenever one of its stored
    rows is updated or deleted, by this program or any other. An insert is caught by the row count
    and largest rowid the snapshot was written with (an insert trigger would cost about half the
    time of the insert itself)."""
    if not snapshots_kept(conn):
        return
    q = conn.dialect.identifier_preparer.quote
    for table in INPUT_MODELS:
        for event in ("update", "delete"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {q(f'auditor_snapshot_{table}_{event}')} AFTER {event.upper()} "
                f"ON {q(table)} BEGIN DELETE FROM {q(models.HashSnapshot.__tablename__)} "
                f"WHERE table_name = '{table}'; END")


def _stamp(conn: sa.Connection, table: str) -> tuple[int, int]:
    """(row count, largest rowid) of an input table: any insert changes one of them."""
    q = conn.dialect.identifier_preparer.quote
    count, top = conn.exec_driver_sql(f"SELECT count(*), coalesce(max(rowid), 0) FROM {q(table)}").one()
    return int(count), int(top)


def _hash_arrays(frame: pd.DataFrame) -> pa.Table:
    return pa.table({c: arrow_text(frame[c]) for c in HASH_COLUMNS})


def read_hash_snapshot(conn: sa.Connection, table: str) -> pa.Table | None:
    """The table's hash snapshot, if it has one that still describes its stored rows."""
    if not snapshots_kept(conn):
        return None
    s = models.HashSnapshot.__table__
    row = conn.execute(sa.select(s.c.format, s.c.row_count, s.c.max_rowid)
                       .where(s.c.table_name == table)).first()
    if row is None or row.format != SNAPSHOT_FORMAT or (row.row_count, row.max_rowid) != _stamp(conn, table):
        return None
    data = conn.execute(sa.select(s.c.data).where(s.c.table_name == table)).scalar_one()
    try:
        got = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
        if got.num_rows != row.row_count or tuple(got.column_names) != HASH_COLUMNS:
            return None
        return pa.table({c: (got[c].chunk(0) if got[c].num_chunks == 1 else got[c].combine_chunks()).cast(
            pa.large_string()) for c in HASH_COLUMNS})
    except (pa.ArrowException, OSError, TypeError):  # an unreadable cache: the table is read instead
        return None


def stored_hash_table(conn: sa.Connection, table: str) -> pa.Table:
    """id, row_hash and raw_hash of every stored row of an input table (``HASH_COLUMNS``, Arrow
    text; raw_hash null for a row stored before raw hashes were kept): from its hash snapshot
    when one is current, else fetched from the table."""
    got = read_hash_snapshot(conn, table)
    return got if got is not None else _hash_arrays(stored_hashes(conn, table, raw=True))


def stored_ids(conn: sa.Connection, table: str) -> pa.Array:
    """The ids of an input table's stored rows (Arrow text): from its hash snapshot when one is
    current, else fetched from the table."""
    got = read_hash_snapshot(conn, table)
    if got is not None:
        return got["id"]
    t = INPUT_MODELS[table].__table__
    return arrow_text(_select_frame(conn, sa.select(t.c[TABLES[table].id_column]), ["id"])["id"])


def save_hash_snapshot(conn: sa.Connection, table: str, hashes: pa.Table) -> bool:
    """Replace the table's hash snapshot with ``hashes`` (``HASH_COLUMNS``: every stored row),
    inside the caller's transaction, stamped with the table's row count and largest rowid. Not
    kept when the row count is not ``hashes``'s (then the next ingest fetches the hashes). The
    caller vouches that no id repeats in ``hashes`` (``store.writer.hashes_after``: the table's
    primary key keeps the ids it stores unique). Returns whether it was kept."""
    if not snapshots_kept(conn):
        return False
    s = models.HashSnapshot.__table__
    conn.execute(sa.delete(s).where(s.c.table_name == table))
    count, top = _stamp(conn, table)
    if hashes.num_rows != count:
        return False
    # written as the chunks come (joining them, ~0.3 s per 2M rows, would delay the commit the
    # next table waits for); the reader joins them in the writer process, while the ingest reads
    # the file's ids (``store.writer.ForkedWriter``)
    hashes = pa.table({c: hashes[c].cast(pa.large_string()) for c in HASH_COLUMNS})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, hashes.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as w:
        w.write_table(hashes, max_chunksize=1_000_000)
    conn.execute(sa.insert(s).values(table_name=table, format=SNAPSHOT_FORMAT, row_count=count, max_rowid=top,
                                     data=sink.getvalue().to_pybytes()))
    return True


#: the temporary table ``set_raw_hashes`` fills on PostgreSQL (never created by ``create_all``)
_RAW_HASHES = sa.Table("auditor_raw_hashes", sa.MetaData(), sa.Column("id", sa.Text), sa.Column("raw_hash", sa.Text))


def set_raw_hashes(conn: sa.Connection, table: str, ids: pd.Series, raw_hashes: pd.Series) -> int:
    """Set the raw_hash of stored rows (by id): rows found unchanged by their content whose
    file now writes them differently (or that were stored before raw hashes were kept). Runs
    inside the caller's transaction; the rows' content and row_hash are not touched."""
    if len(ids) == 0:
        return 0
    t = INPUT_MODELS[table].__table__
    col = t.c[TABLES[table].id_column]
    if conn.dialect.name == "postgresql":  # COPY into a temporary table, one UPDATE (not a round trip per row)
        prep = conn.dialect.identifier_preparer
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE IF NOT EXISTS {prep.quote(_RAW_HASHES.name)} "
                             "(id TEXT, raw_hash TEXT) ON COMMIT DELETE ROWS")
        conn.exec_driver_sql(f"DELETE FROM {prep.quote(_RAW_HASHES.name)}")
        insert_frame(conn, _RAW_HASHES, pd.DataFrame({"id": pd.Series(ids, dtype="string").to_numpy(),
                                                      "raw_hash": pd.Series(raw_hashes, dtype="string").to_numpy()}))
        conn.exec_driver_sql(f"UPDATE {prep.format_table(t)} SET raw_hash = r.raw_hash FROM "
                             f"{prep.quote(_RAW_HASHES.name)} AS r WHERE {prep.format_table(t)}.{prep.quote(col.name)} = r.id")
        return len(ids)
    stmt = sa.update(t).where(col == sa.bindparam("_id")).values(raw_hash=sa.bindparam("_raw"))
    params = [{"_id": str(i), "_raw": str(h)} for i, h in zip(ids, raw_hashes, strict=True)]
    for start in range(0, len(params), 50_000):
        conn.execute(stmt, params[start : start + 50_000])
    return len(params)


def _to_records(frame: pd.DataFrame) -> list[dict]:
    out = frame.copy()
    for name in out.columns:
        s = out[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[name] = s.dt.tz_convert("UTC").dt.tz_localize(None)
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")


def _plain_type(t: sa.types.TypeEngine) -> str | None:
    """The storage kind of a column type the fast path handles, else None (use SQLAlchemy)."""
    if isinstance(t, sa.types.TypeDecorator):
        if type(t).__name__ != "AutoString":  # sqlmodel's str type; others may convert values
            return None
        t = t.impl_instance if hasattr(t, "impl_instance") else t.impl
    if isinstance(t, sa.DateTime):
        return "timestamp"
    if isinstance(t, sa.Boolean):
        return "bool"
    if isinstance(t, sa.Integer):
        return "int"
    if isinstance(t, sa.Float):
        return "float"
    if isinstance(t, sa.String):  # Text, String, Unicode
        return "str"
    return None


def _utc_naive(s: pd.Series) -> pd.Series | None:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(s.dtype):
        return s
    return None


def _column_values(s: pd.Series, kind: str, dialect: str) -> np.ndarray | None:
    """Values of one column ready for the DBAPI (object array, None for null); None when the
    column's values are not of the expected type (the caller falls back to SQLAlchemy)."""
    present = s.notna().to_numpy(dtype=bool)
    if kind == "timestamp":
        ts = _utc_naive(s)
        if ts is None:
            return None
        text = np.datetime_as_string(ts.to_numpy(dtype="datetime64[us]"), unit="us")
        if dialect == "sqlite":  # SQLAlchemy's SQLite DATETIME storage format
            text.view("U1").reshape(len(text), -1)[:, 10] = " "
        values = text.astype(object)
    elif kind == "bool":
        if not pd.api.types.is_bool_dtype(s.dtype):
            return None
        values = np.array(s.astype("boolean").fillna(False).to_numpy(dtype=bool).tolist(), dtype=object)
    elif kind == "int":
        if not pd.api.types.is_integer_dtype(s.dtype):
            return None
        values = np.array(s.astype("Int64").fillna(0).to_numpy(dtype=np.int64).tolist(), dtype=object)
    elif kind == "float":
        if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            return None
        values = np.array(s.astype("Float64").fillna(0.0).to_numpy(dtype=np.float64).tolist(), dtype=object)
    else:
        if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
            return None
        values = s.to_numpy(dtype=object, na_value=None)
        if s.dtype == object and not all(isinstance(v, str) for v in values[present]):
            return None
    if not present.all():
        values = values.copy()
        values[~present] = None
    return values


def _fast_columns(t: sa.Table, frame: pd.DataFrame, dialect: str) -> dict[str, np.ndarray] | None:
    cols: dict[str, np.ndarray] = {}
    for name in frame.columns:
        if name not in t.c:
            return None
        kind = _plain_type(t.c[name].type)
        if kind is None:
            return None
        values = _column_values(frame[name], kind, dialect)
        if values is None:
            return None
        cols[name] = values
    return cols


def _copy_postgres(conn: sa.Connection, t: sa.Table, frame: pd.DataFrame) -> None:
    """PostgreSQL bulk load: COPY ... FROM STDIN (CSV) from an in-memory buffer written by
    pyarrow, which quotes every string and leaves nulls unquoted and empty (COPY's CSV NULL), so
    empty strings and nulls stay distinct."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.csv as pa_csv  # noqa: PLC0415

    out = {}
    for name in frame.columns:
        ts = _utc_naive(frame[name])
        out[name] = ts if ts is not None else frame[name]
    table = pa.Table.from_pandas(pd.DataFrame(out, index=frame.index), preserve_index=False)
    buf = io.BytesIO()
    pa_csv.write_csv(table, buf, write_options=pa_csv.WriteOptions(include_header=False))
    buf.seek(0)
    prep = conn.dialect.identifier_preparer
    columns = ", ".join(prep.quote(c) for c in frame.columns)
    sql = f"COPY {prep.format_table(t)} ({columns}) FROM STDIN WITH (FORMAT csv)"
    cur = conn.connection.dbapi_connection.cursor()
    try:
        if hasattr(cur, "copy_expert"):  # psycopg2
            cur.copy_expert(sql, buf)
        else:  # psycopg 3
            with cur.copy(sql) as copy:
                while block := buf.read(1 << 20):
                    copy.write(block)
    finally:
        cur.close()


def _sqlite_defaults(conn: sa.Connection, t: sa.Table) -> set[str]:
    """Columns of ``t`` with a default in the database itself (``PRAGMA table_info``), whatever
    created the table."""
    prep = conn.dialect.identifier_preparer
    rows = conn.exec_driver_sql(f"PRAGMA table_info({prep.quote(t.name)})").fetchall()
    return {str(r[1]) for r in rows if r[4] is not None}


def _without_null_columns(t: sa.Table, part: pd.DataFrame, defaults: set[str]) -> pd.DataFrame:
    """``part`` without its columns that are NULL in every row and have no default (in the model
    or in the database): an INSERT that leaves such a column out stores NULL there, the very row.
    Binding a NULL costs SQLite's driver about what a value costs: 26 of the 59 columns of a messy
    requests file are empty throughout (the insert took half the time without them). At least one
    column is kept. SQLite only: PostgreSQL's COPY takes an empty field at no such cost."""
    empty = [c for c in part.columns
             if c in t.c and t.c[c].default is None and t.c[c].server_default is None and c not in defaults
             and not part[c].notna().any()]
    if not empty or len(empty) == len(part.columns):
        return part
    return part.drop(columns=empty)


def insert_frame(conn: sa.Connection, table: str | sa.Table, frame: pd.DataFrame, chunk: int = 50_000) -> int:
    """Bulk insert: COPY on PostgreSQL, the DBAPI's executemany on SQLite (plain column types),
    SQLAlchemy Core executemany otherwise. Never one ORM object per row. Runs inside the caller's
    transaction."""
    t = table if isinstance(table, sa.Table) else INPUT_MODELS[table].__table__
    if frame.empty:
        return 0
    dialect = conn.dialect.name
    total = 0
    defaults = _sqlite_defaults(conn, t) if dialect == "sqlite" else set()
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        if dialect == "sqlite":
            part = _without_null_columns(t, part, defaults)
        cols = _fast_columns(t, part, dialect) if dialect in ("sqlite", "postgresql") else None
        if cols is None:
            records = _to_records(part)
            conn.execute(sa.insert(t), records)
        elif dialect == "postgresql":
            _copy_postgres(conn, t, part)
        else:
            prep = conn.dialect.identifier_preparer
            names = ", ".join(prep.quote(c) for c in cols)
            marks = ", ".join(["?" if dialect == "sqlite" else "%s"] * len(cols))
            sql = f"INSERT INTO {prep.format_table(t)} ({names}) VALUES ({marks})"
            cur = conn.connection.dbapi_connection.cursor()
            try:
                cur.executemany(sql, list(zip(*cols.values(), strict=True)))
            finally:
                cur.close()
        total += len(part)
    return total


#: what makes two quarantine rows the same defect, whichever ingest (and folder) brought them
QUARANTINE_KEY = ("table_name", "row", "column_name", "reason", "record")


def insert_quarantine(conn: sa.Connection, frame: pd.DataFrame) -> int:
    """Insert the quarantine rows of one table's ingest, except those already stored: the same
    content ingested again (every night, or from another folder) has the same rows, row numbers,
    reasons and records (pseudonyms are keyed, so stable), and is listed once. Runs inside the
    table's transaction (which holds the write lock), so concurrent ingests do not both add one."""
    if frame.empty:
        return 0
    t = models.QuarantineRow.__table__
    rows = frame["row"].astype("int64")
    stmt = (sa.select(*[t.c[c] for c in QUARANTINE_KEY])
            .where(t.c.table_name.in_(sorted(set(frame["table_name"].astype(str)))))
            .where(t.c.row.between(int(rows.min()), int(rows.max()))))
    stored = _select_frame(conn, stmt, list(QUARANTINE_KEY))
    if not stored.empty:
        def keys(f: pd.DataFrame) -> pd.Series:
            return pd.Series(list(zip(*(f[c].astype(str) if c != "row" else f[c].astype("int64").astype(str)
                                        for c in QUARANTINE_KEY), strict=True)), index=f.index)

        frame = frame[~keys(frame).isin(set(keys(stored)))]
    frame = frame.drop_duplicates(subset=list(QUARANTINE_KEY))
    return insert_frame(conn, t, frame)


def _fetch(conn: sa.Connection, stmt: sa.Select) -> list[tuple]:
    """Rows of ``stmt`` as raw DBAPI values (no per-value SQLAlchemy processing), the cyclic
    collector paused over them (a million row tuples hold no cycle: its walks cost seconds)."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cur = conn.connection.dbapi_connection.cursor()
    with collector.paused():
        try:
            cur.execute(str(compiled))
            return cur.fetchall()
        finally:
            cur.close()


def _select_frame(conn: sa.Connection, stmt: sa.Select, names: list[str]) -> pd.DataFrame:
    """Rows of ``stmt`` as raw DBAPI values (:func:`_fetch`) in a frame with columns ``names``."""
    rows = _fetch(conn, stmt)
    with collector.paused():
        return pd.DataFrame.from_records(rows, columns=names, coerce_float=True)


def load_table(engine: Engine | sa.Connection, table: str, where: sa.ColumnElement | None = None,
               join: sa.FromClause | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """A stored input table with the dtypes the checks expect (UTC datetimes, nullable types).
    ``where``/``join`` restrict it (e.g. to one chunk of requests); ``columns`` loads only those."""
    spec = TABLES[table]
    if columns is not None:
        unknown = set(columns) - set(spec.names)
        if unknown:
            raise ValueError(f"{table} has no column(s) {sorted(unknown)}")
        spec = dataclasses.replace(spec, columns=tuple(c for c in spec.columns if c.name in columns))
    t = INPUT_MODELS[table].__table__
    stmt = sa.select(*[t.c[c] for c in spec.names])
    if join is not None:
        stmt = stmt.select_from(join)
    if where is not None:
        stmt = stmt.where(where)
    if isinstance(engine, sa.Connection):
        frame = _select_frame(engine, stmt, spec.names)
    else:
        with engine.connect() as conn:
            frame = _select_frame(conn, stmt, spec.names)
    out = {}
    for col in spec.columns:
        s = frame[col.name] if col.name in frame else pd.Series(dtype=object)
        if col.kind == "timestamp":
            if s.dtype == object and len(s) and isinstance(s.dropna().iloc[0] if s.notna().any() else None, str):
                s = pd.to_datetime(s, format="ISO8601")
            out[col.name] = pd.to_datetime(s, utc=True).astype("datetime64[us, UTC]")
        elif col.kind == "bool":
            out[col.name] = s.astype("boolean")
        elif col.kind == "int":
            out[col.name] = pd.to_numeric(s).astype("Int64")
        elif col.kind == "float":
            out[col.name] = pd.to_numeric(s).astype("Float64")
        else:
            out[col.name] = s.astype("string")
    return pd.DataFrame(out)


def count_rows(engine: Engine | sa.Connection, table: str) -> int:
    """Rows stored in an input table (on ``engine``'s connection, if it is one: same snapshot)."""
    stmt = sa.select(sa.func.count()).select_from(INPUT_MODELS[table].__table__)
    if isinstance(engine, sa.Connection):
        return int(engine.execute(stmt).scalar_one())
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def save(engine: Engine, objects: Iterable[SQLModel]) -> None:
    with Session(engine) as session:
        for obj in objects:
            session.merge(obj)
        session.commit()


def get_run(engine: Engine, run_id: str | None) -> models.AuditRun:
    with Session(engine) as session:
        if run_id in (None, "latest"):
            stmt = (
                select(models.AuditRun)
                .where(models.AuditRun.status == "finished")
                .order_by(models.AuditRun.started_at.desc())
            )
            run = session.exec(stmt).first()
            if run is None:
                raise NotFoundError("no finished audit run in this database", hint="run `auditor audit` first")
        else:
            run = session.get(models.AuditRun, run_id)
            if run is None:
                raise NotFoundError(
                    f"no audit run with id {run_id!r} in this database",
                    hint="list runs with `auditor runs`",
                )
        session.expunge(run)
        return run


def list_runs(engine: Engine) -> list[models.AuditRun]:
    with Session(engine) as session:
        runs = session.exec(select(models.AuditRun).order_by(models.AuditRun.started_at)).all()
        for r in runs:
            session.expunge(r)
        return list(runs)


def read_sql_frame(engine: Engine, model: type[SQLModel], *, leave_out: tuple[str, ...] = (),
                   **where: str) -> pd.DataFrame:
    """The rows of ``model``'s table (``where``: column = value) as ``pd.read_sql`` reads them, the
    cyclic collector paused over its row tuples (:mod:`auditor.collector`). ``leave_out``: columns
    not read (a run's findings without their row id and the run id every row repeats: at a million
    findings about a quarter of the read)."""
    t = model.__table__
    stmt = sa.select(*(c for c in t.c if c.name not in leave_out)) if leave_out else sa.select(t)
    for k, v in where.items():
        stmt = stmt.where(t.c[k] == v)
    fast = _arrow_read(engine, stmt)
    if fast is not None:
        return fast
    with engine.connect() as conn, collector.paused():
        return pd.read_sql(stmt, conn)


#: column types whose values SQLAlchemy hands over as the SQLite driver returns them (no result
#: processing), so a read in Arrow gives the frame ``pd.read_sql`` gives (:func:`_arrow_read`)
_PLAIN_TYPES = (sa.String, sa.Text, sa.Integer)
#: rows of the one batch the ADBC driver reads (its limit is below 2**31; one batch: see _arrow_read)
_ONE_BATCH = 1 << 30
#: rows above which :func:`_arrow_read` forks its helper (below, ``pd.read_sql`` is as quick)
ARROW_READ_ABOVE = 20_000
#: what :func:`_send_arrow` sends before the Arrow stream (nothing: no fast read)
_ARROW_FOLLOWS = b"arrow"


def _arrow_table(engine: Engine, stmt: sa.Select, above: int | None = None) -> pa.Table | None:
    """The rows of ``stmt`` read from a SQLite file by the ADBC SQLite driver straight into Arrow
    (C, no Python object per value): a run's million findings in ~2.5 s instead of pandas'
    ~8-10 s. None when this path does not apply and the caller reads as before: not a
    SQLite file, a column SQLAlchemy would convert (dates, booleans, enums), no driver installed,
    no helper process can be forked now, ``above`` rows or fewer (None: :data:`ARROW_READ_ABOVE`),
    a value that is not UTF-8 text or a number (the driver gives bytes or unchecked text), any
    error.

    The driver carries its own copy of SQLite. Two copies of SQLite in one process can corrupt a
    database (POSIX locks belong to the process: one copy closing the file drops the other's
    locks; https://sqlite.org/howtocorrupt.html, 2.2.1), so the read runs in a forked helper
    that uses no other connection (a child inherits no lock), and sends the table back as an
    Arrow stream. The driver infers each column's type from its first batch of rows, so the
    whole result is one batch (a column with a text value anywhere is text)."""
    from auditor import forking  # noqa: PLC0415

    url = engine.url
    if engine.dialect.name != "sqlite" or not url.database or url.database == ":memory:" or url.query:
        return None
    if not all(type(c.type) in _PLAIN_TYPES or type(c.type).__name__ == "AutoString"
               for c in stmt.selected_columns):
        return None
    import importlib.util  # noqa: PLC0415

    if importlib.util.find_spec("adbc_driver_sqlite") is None or forking.disabled("AUDITOR_HELPERS"):
        return None
    with engine.connect() as conn:  # a few rows are read faster than a helper is forked
        rows = conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
        if rows <= (ARROW_READ_ABOVE if above is None else above):
            return None
    sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    started = forking.spawn(_send_arrow, str(Path(url.database).resolve()), sql, name="arrow-read")
    if started is None:
        return None
    proc, conn = started
    table = None
    try:
        if conn.recv_bytes() == _ARROW_FOLLOWS:  # then the stream, on the same pipe
            with os.fdopen(os.dup(conn.fileno()), "rb") as fh:
                table = pa.ipc.open_stream(pa.PythonFile(fh, mode="r")).read_all()
    except (EOFError, OSError, pa.ArrowException):
        table = None
    finally:
        conn.close()
        proc.join()
    return table


def _arrow_read(engine: Engine, stmt: sa.Select) -> pd.DataFrame | None:
    """The frame ``pd.read_sql(stmt)`` gives, from :func:`_arrow_table`'s read (None where that
    does not apply): text columns ``str`` with NaN for NULL, integers ``int64`` (``float64``
    when some are NULL), a column of NULLs only ``object`` holding None
    (``tests/store/test_store.py``)."""
    table = _arrow_table(engine, stmt)
    if table is None:
        return None
    columns: dict[str, Any] = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        if col.null_count == len(col):
            columns[name] = pd.Series([None] * len(col), dtype=object)
        else:
            columns[name] = col.to_pandas()
    return pd.DataFrame(columns)


#: a stored time as SQLAlchemy writes it on SQLite (``2025-04-20 08:45:02.000000``, UTC)
_SQLITE_TIME = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"


def findings_with_issued_at(engine: Engine, run_id: str) -> pd.DataFrame | None:
    """A run's findings (``read_sql_frame`` of its rows without ``id`` and ``run_id``) with the
    ``issued_at`` of each one's request as ISO UTC text (``2025-04-20T08:45:02Z``) or None, as
    the report computed them by loading every request's date as a datetime, merging and
    formatting (~4 s at a million findings): both tables read in Arrow (:func:`_arrow_table`),
    each finding's request looked up with a hash of the request ids, the date's text cut into
    ISO form. None when the fast read does not apply, or a stored date is not in the form
    SQLAlchemy writes (``2025-04-20 08:45:02.000000``) or not a real date: the caller does it
    the old way. ``request_id`` is an ``object`` column, as the merge leaves it."""
    import pyarrow.compute as pc  # noqa: PLC0415

    f, r = models.Finding.__table__, INPUT_MODELS["requests"].__table__
    frame = _arrow_read(engine, sa.select(*(c for c in f.c if c.name not in ("id", "run_id"))).where(f.c.run_id == run_id))
    if frame is None:
        return None
    requests = _arrow_table(engine, sa.select(r.c.request_id, sa.cast(r.c.issued_at, sa.String).label("issued_at")),
                            above=0)  # the findings were many: their dates are read this way however few
    if requests is None or not pa.types.is_string(requests.schema.field("request_id").type):
        return None
    dates = requests.column("issued_at").combine_chunks()
    if pa.types.is_null(dates.type):
        dates = dates.cast(pa.string())
    if not pa.types.is_string(dates.type):
        return None
    ids = pa.array(frame["request_id"], type=pa.string(), from_pandas=True)
    text = dates.take(pc.index_in(ids, value_set=requests.column("request_id").combine_chunks()))
    if pc.all(pc.match_substring_regex(text, _SQLITE_TIME)).as_py() is False:
        return None
    seconds = pc.utf8_slice_codeunits(text, 0, 19)
    try:  # real dates: read and written back, the same text (no 30 February)
        back = pc.strftime(pc.strptime(seconds, format="%Y-%m-%d %H:%M:%S", unit="s"), format="%Y-%m-%d %H:%M:%S")
    except pa.ArrowInvalid:
        return None
    if pc.all(pc.equal(back, seconds)).as_py() is False:
        return None
    iso = pc.binary_join_element_wise(pc.utf8_slice_codeunits(text, 0, 10), "T", pc.utf8_slice_codeunits(text, 11, 19),
                                      "Z", "")
    out = np.empty(len(iso), dtype=object)
    out[:] = iso.to_pylist()
    frame["request_id"] = frame["request_id"].astype(object)
    frame["issued_at"] = pd.Series(out, index=frame.index, dtype=object)
    return frame


def _send_arrow(conn: Any, path: str, sql: str) -> None:  # pragma: no cover - forked helper
    """:func:`_arrow_read`'s helper: the rows of ``sql`` as one Arrow stream, or empty bytes when
    the fast read does not apply (no rows, a column that is not text or a number, text that is
    not UTF-8, any error)."""
    table = None
    try:
        import adbc_driver_sqlite.dbapi as adbc  # noqa: PLC0415

        with adbc.connect(path) as db, db.cursor() as cur:
            cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(_ONE_BATCH)})
            cur.execute(sql)
            table = cur.fetch_arrow_table()
        table.validate(full=True)  # text that is not UTF-8 comes as it is stored: refused here
        if not table.num_rows or not all(pa.types.is_string(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
                                         or pa.types.is_null(t) for t in table.schema.types):
            table = None
    except Exception:  # noqa: BLE001 - the ordinary read decides what is wrong, as before
        table = None
    if table is None:
        conn.send_bytes(b"")
        return
    conn.send_bytes(_ARROW_FOLLOWS)
    with os.fdopen(os.dup(conn.fileno()), "wb") as fh, pa.ipc.new_stream(pa.PythonFile(fh, mode="w"), table.schema) as out:
        out.write_table(table)  # the buffers handed to the pipe as they are: no copy of the table


def ingests(engine: Engine) -> list[models.Ingest]:
    with Session(engine) as session:
        rows = session.exec(select(models.Ingest).order_by(models.Ingest.started_at)).all()
        for r in rows:
            session.expunge(r)
        return list(rows)



def quarantine_summary(engine: Engine) -> list[dict]:
    """Quarantined input rows per table, file, column and reason, from each file's latest ingest
    (a re-ingest of the same file quarantines its bad rows again: they are counted once).
    Values quoted in a reason ('XX-1') are replaced by '…': the summary groups like defects and
    never repeats a value from the log. Rows: ``{table, file, column, reason, rows}``, most rows
    first."""
    import re

    latest: dict[str, str] = {}
    for ing in ingests(engine):  # oldest first: a later ingest of the file wins
        for f in ing.files or []:
            if isinstance(f, dict) and f.get("file"):
                latest[str(f["file"])] = ing.id
    t = models.QuarantineRow.__table__
    stmt = (sa.select(t.c.ingest_id, t.c.table_name, t.c.file, t.c.column_name, t.c.reason, sa.func.count())
            .group_by(t.c.ingest_id, t.c.table_name, t.c.file, t.c.column_name, t.c.reason))
    quoted = re.compile(r"'[^']{2,}'")  # a one-character separator such as ';' stays
    groups: dict[tuple[str, str, str, str], int] = {}
    with engine.connect() as conn:
        for ingest_id, table, file, column, reason, n in conn.execute(stmt):
            if latest.get(str(file), ingest_id) != ingest_id:
                continue
            key = (str(table), str(file), str(column or ""), quoted.sub("'…'", str(reason or "")))
            groups[key] = groups.get(key, 0) + int(n)
    rows = [{"table": k[0], "file": k[1], "column": k[2], "reason": k[3], "rows": n} for k, n in groups.items()]
    return sorted(rows, key=lambda r: (-r["rows"], r["table"], r["file"], r["column"], r["reason"]))


def finding_counts(findings: pd.DataFrame) -> list[list]:
    """``[party, severity, kind, count]`` of a run's findings (the frame it stores), one row per
    distinct (party, severity, kind), None for a missing value: what :func:`run_history` counts
    with a GROUP BY over the stored findings, kept with the run (``aggregates["finding_counts"]``)."""
    cols = ["party", "severity", "kind"]
    if findings.empty:
        return []
    key = findings.reindex(columns=cols).astype(object)
    key = key.where(key.notna(), None)
    counted = key.groupby(cols, dropna=False, sort=False).size()
    return [[*(None if v is None or v != v else v for v in k), int(n)] for k, n in counted.items()]


def run_history(engine: Engine, recount: bool = False) -> list[dict]:
    """Every finished run, oldest first, with what a trend across runs needs: its as-of date, packs
    and versions, and per issuing Party the requests it audited and its breach findings (advisory
    findings apart) by severity. Waivers are not applied here (a waiver is a decision on a run's
    report, not part of the stored run). A run's counts are those it stored
    (``aggregates["finding_counts"]``, :func:`finding_counts`); a run stored before them, or every
    run with ``recount``, is counted from its stored findings (one GROUP BY over those runs)."""
    runs = [r for r in list_runs(engine) if r.status == "finished"]
    counts: dict[str, dict[str, dict]] = {}

    def add(run_id: str, party: Any, severity: Any, kind: Any, n: int) -> None:
        p = counts.setdefault(str(run_id), {}).setdefault(str(party or ""), {"findings": 0, "advisory": 0,
                                                                           "by_severity": {}})
        if kind == "advisory":
            p["advisory"] += int(n)
        else:
            p["findings"] += int(n)
            p["by_severity"][str(severity)] = p["by_severity"].get(str(severity), 0) + int(n)

    stored = {} if recount else {r.run_id: (r.aggregates or {}).get("finding_counts") for r in runs}
    for run_id, rows in stored.items():
        for row in rows or []:
            add(run_id, *row)
    missing = {r.run_id for r in runs if stored.get(r.run_id) is None}
    if missing:
        t = models.Finding.__table__
        stmt = (sa.select(t.c.run_id, t.c.party, t.c.severity, t.c.kind, sa.func.count())
                .group_by(t.c.run_id, t.c.party, t.c.severity, t.c.kind))
        if len(missing) < len(runs):
            stmt = stmt.where(t.c.run_id.in_(sorted(missing)))
        with engine.connect() as conn:
            for run_id, party, severity, kind, n in conn.execute(stmt):
                if run_id in missing:
                    add(run_id, party, severity, kind, n)
    out = []
    for run in runs:
        params = run.params or {}
        audited = params.get("audited_instruments")
        keep = None if audited is None else {str(i) for i in audited}
        requests: dict[str, int] = {}
        for r in (run.aggregates or {}).get("requests_by") or []:
            if keep is not None and str(r.get("instrument") or "") not in keep:
                continue
            party = str(r.get("party") or "")
            requests[party] = requests.get(party, 0) + int(r.get("requests") or 0)
        found = counts.get(run.run_id, {})
        parties = {}
        for party in sorted(set(requests) | set(found)):
            f = found.get(party, {"findings": 0, "advisory": 0, "by_severity": {}})
            parties[party] = {"requests_audited": requests.get(party, 0), **f}
        packs = [{"name": p.get("name"), "version": p.get("version")} for p in params.get("packs") or []] \
            or [{"name": run.pack, "version": run.pack_version}]
        out.append({"run_id": run.run_id, "as_of": run.as_of.strftime("%Y-%m-%d") if run.as_of else None,
                     "started_at": run.started_at.strftime("%Y-%m-%dT%H:%M:%SZ") if run.started_at else None,
                     "tool_version": run.tool_version, "packs": packs, "parties": parties})
    return out
