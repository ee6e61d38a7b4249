"""``any_engine``: every storage test runs against SQLite and against the PostgreSQL server at
127.0.0.1:5432 (trust auth). Each test session gets its own PostgreSQL database
(``auditor_t_<random>``, dropped at the end), so helpers and CI jobs running at the same time do
not see each other's rows. PostgreSQL tests skip (with the reason) only when the server is
unreachable *and* the env var ``CI`` is unset; in CI an unreachable server is a failure.
"""

from __future__ import annotations

import os
import secrets

import pytest
import sqlalchemy as sa

from tests.conftest import postgres_unreachable

PG_HOST = os.environ.get("AUDITOR_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432")


def _admin_engine() -> sa.Engine:
    return sa.create_engine(f"{PG_HOST}/postgres", isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_url():
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        admin.dispose()
        postgres_unreachable(PG_HOST, exc.orig)
    name = f"auditor_t_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_HOST}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _reset_pg(url: str) -> None:
    """Empty every table (each test starts from an empty database, as with SQLite)."""
    from sqlmodel import SQLModel  # noqa: PLC0415

    from auditor.engine.chunked import _META  # noqa: PLC0415

    eng = sa.create_engine(url)
    with eng.begin() as conn:
        for md in (SQLModel.metadata, _META):
            md.drop_all(conn)
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request, tmp_path):
    from auditor.store import db

    if request.param == "sqlite":
        engine = db.get_engine(f"sqlite:///{tmp_path / 'store.db'}")
        yield engine
        engine.dispose()
        return
    url = request.getfixturevalue("pg_url")
    _reset_pg(url)
    engine = db.get_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def any_url(any_engine) -> str:
    return any_engine.url.render_as_string(hide_password=False)
