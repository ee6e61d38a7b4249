"""The hash snapshot of an input table (``models.HashSnapshot``): the stored rows' ids, row hashes
and raw hashes kept as one Arrow blob, so a re-ingest does not fetch a row per stored row. It is a
cache: after every ingest it equals what the table holds, and whatever changes the table outside
an ingest (an update, a delete, an insert, a column added) makes the next ingest fetch the hashes."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

from auditor.ingest.pipeline import ingest_folder
from auditor.store import db, models, writer
from tests.conftest import KEY
from tests.ingest.test_delta_ingest import N, _content, _export
from tests.ingest.test_ingest import _requests, _write
from tests.store.conftest import any_engine, pg_url  # noqa: F401  (SQLite and PostgreSQL)


@pytest.fixture(autouse=True)
def _inline_contract_suite(monkeypatch):
    monkeypatch.setenv("AUDITOR_GX_WORKER", "0")


def _fetched(engine, table: str) -> pd.DataFrame:
    """The hashes as the table holds them (never the snapshot), sorted by id."""
    with engine.connect() as conn:
        got = db.stored_hashes(conn, table, raw=True)
    return got.astype("string").sort_values("id", ignore_index=True)


def _snapshot(engine, table: str) -> pd.DataFrame | None:
    with engine.connect() as conn:
        got = db.read_hash_snapshot(conn, table)
    if got is None:
        return None
    return got.to_pandas().astype("string").sort_values("id", ignore_index=True)


def _tables(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(models.HashSnapshot.table_name)).scalars())


@pytest.fixture
def fetches(monkeypatch) -> list[str]:
    """Tables whose hashes were fetched from the table (not read from a snapshot)."""
    seen: list[str] = []
    stored_hashes = db.stored_hashes

    def counting(conn, table, raw=False):
        seen.append(table)
        return stored_hashes(conn, table, raw=raw)

    monkeypatch.setattr(db, "stored_hashes", counting)
    return seen


def test_each_ingest_leaves_a_snapshot_equal_to_the_table(tmp_path, any_engine, monkeypatch, fetches):  # noqa: F811
    monkeypatch.setenv("AUDITOR_WRITER", "0")  # the fetches are counted in this process
    _export(tmp_path / "first", N)
    _export(tmp_path / "next", N + 3, edits=True)  # new rows, a revision, a row written differently
    ingest_folder(tmp_path / "first", any_engine, KEY)
    if any_engine.dialect.name != "sqlite":  # elsewhere the hashes are always fetched
        assert _tables(any_engine) == []
        return
    assert _tables(any_engine) == sorted(models.INPUT_MODELS)
    fetches.clear()
    res = ingest_folder(tmp_path / "next", any_engine, KEY)
    assert res.count("requests").revised == 1 and res.count("requests").stored == 3
    assert fetches == []  # every table's hashes came from its snapshot
    for table in models.INPUT_MODELS:
        assert _snapshot(any_engine, table).equals(_fetched(any_engine, table)), table
    # the revised row was archived and stored again, the re-written one has its new raw hash
    full = db.get_engine(f"sqlite:///{tmp_path / 'full.db'}")
    ingest_folder(tmp_path / "first", full, KEY)
    ingest_folder(tmp_path / "next", full, KEY, rescan=True)
    assert _content(any_engine) == _content(full)


def _one_table(tmp_path, n: int = 4):
    engine = db.get_engine(f"sqlite:///{tmp_path / 'one.db'}")
    _write(tmp_path / "d", "requests", _requests(n), "csv")
    ingest_folder(tmp_path / "d", engine, KEY)
    assert _snapshot(engine, "requests") is not None
    return engine


@pytest.mark.parametrize("change", [
    "UPDATE requests SET raw_hash = NULL WHERE rowid = 2",
    "UPDATE requests SET issuing_authority = 'edited' WHERE rowid = 1",
    "DELETE FROM requests WHERE rowid = 3",
])
def test_a_row_updated_or_deleted_outside_an_ingest_drops_the_snapshot(tmp_path, change):
    engine = _one_table(tmp_path)
    with engine.begin() as conn:
        conn.exec_driver_sql(change)
    assert _tables(engine) == []  # dropped by the table's trigger, in the same transaction


def test_a_row_inserted_outside_an_ingest_retires_the_snapshot(tmp_path):
    engine = _one_table(tmp_path)
    with engine.begin() as conn:  # a copy of a stored row under another id: no trigger fires
        cols = ", ".join(c.name for c in models.INPUT_MODELS["requests"].__table__.columns if c.name != "request_id")
        conn.exec_driver_sql(f"INSERT INTO requests (request_id, {cols}) SELECT 'R-OTHER', {cols} FROM requests LIMIT 1")
    assert _tables(engine) == ["requests"] and _snapshot(engine, "requests") is None  # the row count moved
    with engine.begin() as conn:  # removed again: the count is back, the snapshot was dropped by the trigger
        conn.exec_driver_sql("DELETE FROM requests WHERE request_id = 'R-OTHER'")
    assert _snapshot(engine, "requests") is None


def test_the_snapshot_fetched_again_gives_the_same_ingest(tmp_path, fetches, monkeypatch):
    monkeypatch.setenv("AUDITOR_WRITER", "0")
    engine = _one_table(tmp_path)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE requests SET raw_hash = NULL WHERE rowid = 2")  # drops the snapshot
    _write(tmp_path / "d", "requests", _requests(6), "csv")
    fetches.clear()
    r = ingest_folder(tmp_path / "d", engine, KEY).count("requests")
    assert fetches == ["requests"] and (r.stored, r.unchanged) == (2, 4)
    assert _snapshot(engine, "requests").equals(_fetched(engine, "requests"))  # written again


def test_a_column_added_by_a_migration_drops_every_snapshot(tmp_path):
    engine = _one_table(tmp_path)
    with engine.begin() as conn:  # as an earlier version left it
        conn.exec_driver_sql("ALTER TABLE requests DROP COLUMN raw_hash")
    engine.dispose()
    assert _tables(db.get_engine(f"sqlite:///{tmp_path / 'one.db'}")) == []


def test_a_snapshot_of_another_format_is_not_read(tmp_path):
    engine = _one_table(tmp_path)
    with engine.begin() as conn:
        conn.execute(sa.update(models.HashSnapshot.__table__).values(format=db.SNAPSHOT_FORMAT + 1))
    assert _snapshot(engine, "requests") is None


def _t(ids, rows, raws) -> pa.Table:
    return pa.table({c: pa.array(v, pa.large_string()) for c, v in zip(db.HASH_COLUMNS, (ids, rows, raws), strict=True)})


def test_save_refuses_hashes_of_another_row_count(tmp_path):
    engine = _one_table(tmp_path, n=2)
    stored = _fetched(engine, "requests")
    ids = stored["id"].tolist()
    with engine.begin() as conn:
        assert not db.save_hash_snapshot(conn, "requests", _t(ids[:1], ["1"], ["2"]))  # a row missing
        assert not db.save_hash_snapshot(conn, "requests", _t([*ids, "R-X"], ["1", "2", "3"], ["2", "3", "4"]))
    assert _tables(engine) == []
    with engine.begin() as conn:
        assert db.save_hash_snapshot(conn, "requests", _t(ids, ["1", "2"], [None, "3"]))
    assert _snapshot(engine, "requests")["raw_hash"].isna().tolist() == [True, False]


def test_hashes_after_a_transaction():
    before = _t(["a", "b", "c", "d"], ["ra", "rb", "rc", "rd"], ["xa", "xb", None, "xd"])
    added = [_t(["b", "e"], ["rb2", "re"], ["xb2", "xe"])]  # "b" revised: archived, then stored again
    gone = [pa.array(["b"], pa.large_string())]
    rehashed = [(pa.array(["c"], pa.large_string()), pa.array(["xc"], pa.large_string()))]
    got = writer.hashes_after(before, added, gone, rehashed).to_pandas().sort_values("id", ignore_index=True)
    assert got.values.tolist() == [["a", "ra", "xa"], ["b", "rb2", "xb2"], ["c", "rc", "xc"], ["d", "rd", "xd"],
                                   ["e", "re", "xe"]]
    with pytest.raises(ValueError, match="not stored"):
        writer.hashes_after(before, [], [], [(pa.array(["z"], pa.large_string()), pa.array(["x"], pa.large_string()))])
    with pytest.raises(ValueError, match="twice"):
        writer.hashes_after(before, [], [], rehashed * 2)
    with pytest.raises(ValueError, match="archived"):
        writer.hashes_after(before, [], [pa.array(["c"], pa.large_string())], rehashed)


@pytest.mark.parametrize("data", [b"", b"not an arrow stream", None])
def test_an_unreadable_snapshot_is_not_used(tmp_path, data, fetches, monkeypatch):
    monkeypatch.setenv("AUDITOR_WRITER", "0")
    engine = _one_table(tmp_path)
    with engine.begin() as conn:
        if data is None:  # a readable stream of other columns
            sink = pa.BufferOutputStream()
            other = pa.table({"id": pa.array(["x"] * 4)})
            with pa.ipc.new_stream(sink, other.schema) as w:
                w.write_table(other)
            data = sink.getvalue().to_pybytes()
        conn.execute(sa.update(models.HashSnapshot.__table__).values(data=data))
    assert _snapshot(engine, "requests") is None
    _write(tmp_path / "d", "requests", _requests(5), "csv")
    fetches.clear()
    r = ingest_folder(tmp_path / "d", engine, KEY).count("requests")
    assert fetches == ["requests"] and (r.stored, r.unchanged) == (1, 4)
