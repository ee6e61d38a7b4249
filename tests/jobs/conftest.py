"""Fixtures for the scheduled-job tests: a small slice of the sample data (fast, still with
findings), the CLI through its real entry point, and subprocess helpers."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from auditor.cli import main
from tests.conftest import AS_OF, KEY, ROOT, SAMPLE, postgres_unreachable

ENV = {"AUDITOR_PSEUDONYM_KEY": KEY.decode(), "GX_ANALYTICS_ENABLED": "false"}
N_REQUESTS = 150


def make_slice(dst: Path, n: int = N_REQUESTS, start: int = 0) -> dict[str, int]:
    """Write requests ``start..start+n`` of the sample and their child rows; return row counts."""
    dst.mkdir(parents=True, exist_ok=True)
    req = pd.read_csv(SAMPLE / "requests.csv", dtype=str, keep_default_na=False).iloc[start : start + n]
    ids = set(req["request_id"])
    counts = {"requests": len(req)}
    req.to_csv(dst / "requests.csv", index=False)
    for name in ("disclosures", "custody_events"):
        t = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        t = t[t["request_id"].isin(ids)]
        t.to_csv(dst / f"{name}.csv", index=False)
        counts[name] = len(t)
    parties = pd.read_csv(SAMPLE / "parties.csv", dtype=str, keep_default_na=False)
    parties.to_csv(dst / "parties.csv", index=False)
    counts["parties"] = len(parties)
    return counts


@pytest.fixture(scope="session")
def slice_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("slice") / "data"
    make_slice(d)
    return d


@pytest.fixture(scope="session")
def ingested_slice(tmp_path_factory, slice_dir) -> Path:
    """An SQLite database holding the ingested slice (checkpointed: copy it, never write to it)."""
    work = tmp_path_factory.mktemp("ingested")
    r = invoke("ingest", "--data", slice_dir, "--db", f"sqlite:///{work / 'base.db'}")
    assert r.exit_code == 0, r.output
    with sqlite3.connect(work / "base.db") as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return work / "base.db"


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env={**ENV, **(env or {})})


def cli_subprocess(*args: str, env: dict | None = None, cwd: Path | None = None, **kw) -> subprocess.Popen:
    full_env = {**os.environ, **ENV, **(env or {})}
    full_env.pop("AUDITOR_DB_URL", None)
    code = "import sys; from auditor.cli import main; sys.argv[0] = 'auditor'; main()"
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=full_env,
                            cwd=cwd or ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


PG_BASE = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def _pg_available() -> bool:
    try:
        with sa.create_engine(PG_BASE, connect_args={"connect_timeout": 3}).connect():
            return True
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    with pg_schema("ledger") as url:
        yield url


@contextlib.contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema ``<prefix>_<random>`` of the ``test`` database, dropped
    afterwards (skipped off CI when the server is unreachable, a failure in CI)."""
    if not _pg_available():
        postgres_unreachable(PG_BASE)
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as c:
            c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


__all__ = ["AS_OF", "ENV", "KEY", "cli_subprocess", "invoke", "make_slice"]
