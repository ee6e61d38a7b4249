"""Engine from a URL and repository functions. Log rows are written in bulk with SQLAlchemy Core
(executemany), never as one ORM object per row; bookkeeping rows use the ORM.

Nothing here is SQLite-only: any SQLAlchemy URL works (PostgreSQL is tested in CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from auditor.errors import NotFoundError, UsageError
from auditor.ingest.schema import TABLES
from auditor.store import models
from auditor.store.models import INPUT_MODELS

DEFAULT_DB_FILE = "auditor.db"


def default_url() -> str:
    return os.environ.get("AUDITOR_DB_URL") or f"sqlite:///{Path(DEFAULT_DB_FILE).resolve()}"


def redact_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "<unparseable URL>"


def get_engine(url: str | None = None) -> Engine:
    url = url or default_url()
    try:
        engine = sa.create_engine(url)
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
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    try:
        SQLModel.metadata.create_all(engine)
    except sa.exc.OperationalError as exc:
        raise UsageError(
            f"cannot open database {redact_url(url)}: {exc.orig}",
            hint="check the URL, that the server is running, and that you may write there",
        ) from None
    return engine


def stored_hashes(conn: sa.Connection, table: str) -> pd.DataFrame:
    """id and row_hash of every stored row of an input table."""
    spec = TABLES[table]
    t = INPUT_MODELS[table].__table__
    rows = conn.execute(sa.select(t.c[spec.id_column], t.c.row_hash)).all()
    return pd.DataFrame(rows, columns=["id", "row_hash"])


def _to_records(frame: pd.DataFrame) -> list[dict]:
    out = frame.copy()
    for name in out.columns:
        s = out[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[name] = s.dt.tz_convert("UTC").dt.tz_localize(None)
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")


def insert_frame(conn: sa.Connection, table: str | sa.Table, frame: pd.DataFrame, chunk: int = 50_000) -> int:
    """Bulk insert with executemany in chunks."""
    t = table if isinstance(table, sa.Table) else INPUT_MODELS[table].__table__
    total = 0
    for start in range(0, len(frame), chunk):
        records = _to_records(frame.iloc[start : start + chunk])
        if records:
            conn.execute(sa.insert(t), records)
            total += len(records)
    return total


def load_table(engine: Engine, table: str) -> pd.DataFrame:
    """A stored input table with the dtypes the checks expect (UTC datetimes, nullable types)."""
    spec = TABLES[table]
    t = INPUT_MODELS[table].__table__
    with engine.connect() as conn:
        frame = pd.read_sql(sa.select(*[t.c[c] for c in spec.names]), conn)
    out = {}
    for col in spec.columns:
        s = frame[col.name] if col.name in frame else pd.Series(dtype=object)
        if col.kind == "timestamp":
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


def count_rows(engine: Engine, table: str) -> int:
    t = INPUT_MODELS[table].__table__
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())


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


def read_sql_frame(engine: Engine, model: type[SQLModel], **where: str) -> pd.DataFrame:
    t = model.__table__
    stmt = sa.select(t)
    for k, v in where.items():
        stmt = stmt.where(t.c[k] == v)
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def ingests(engine: Engine) -> list[models.Ingest]:
    with Session(engine) as session:
        rows = session.exec(select(models.Ingest).order_by(models.Ingest.started_at)).all()
        for r in rows:
            session.expunge(r)
        return list(rows)
