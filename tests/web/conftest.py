"""The workbench tests hash passwords with argon2id at its lowest cost (the hashes are still
argon2id; the production cost, argon2-cffi's defaults, spends ~50 ms and 64 MiB a sign-in, which
the ~100 sign-ins of the authorisation matrix would spend as seconds of CI time for nothing)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2():
    from argon2 import PasswordHasher

    from auditor.web import accounts

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


# ---------------------------------------------------------------- the same tests on PostgreSQL


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    """The database the module's workbench tests run on: SQLite, then the PostgreSQL server at
    127.0.0.1:5432 (database ``test``, trust auth; skipped when unreachable off CI, a failure in CI)."""
    return request.param


@pytest.fixture(scope="module")
def pg_schema_url():
    """A PostgreSQL URL on a schema of its own in the ``test`` database (the jobs tests' server and
    isolation: ``tests/jobs/conftest.py``), dropped after the module."""
    from tests.jobs.conftest import pg_schema

    with pg_schema("web") as url:
        yield url


def copy_database(src, dst) -> None:
    """Every table of the store (``SQLModel.metadata``) from engine ``src`` into engine ``dst``
    (created by ``auditor.store.db.get_engine``: the same schema), rows read and written through
    the tables' own column types; PostgreSQL's id sequences then continue after the copied ids.
    A second's work for the sample's database, where a fresh ``auditor ingest`` + ``audit`` into
    PostgreSQL costs ~12 s of CPU."""
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    have = set(sa.inspect(src).get_table_names())
    with src.connect() as s, dst.begin() as d:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in have:
                continue
            rows = [dict(r) for r in s.execute(sa.select(table)).mappings()]
            if rows:
                d.execute(table.insert(), rows)
            if dst.dialect.name != "postgresql":
                continue
            for col in table.primary_key.columns:
                if isinstance(col.type, sa.Integer) and col.autoincrement in (True, "auto"):
                    d.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{col.name}'), "
                                      f"COALESCE((SELECT MAX({col.name}) FROM {table.name}), 0) + 1, false)"))


@pytest.fixture()
def sample_db_copy(sample_run, tmp_path):
    """A SQLite engine on a private copy of the sample run's database (its WAL pages too), for a
    test that changes it; disposed afterwards."""
    import sqlite3

    import sqlalchemy as sa

    db = tmp_path / "auditor.db"
    with sqlite3.connect(sample_run["db"]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    engine = sa.create_engine(f"sqlite:///{db}")
    yield engine
    engine.dispose()
