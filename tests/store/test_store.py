"""Storage on SQLite and PostgreSQL (``any_engine``): bulk load round trips exactly, the whole
pipeline gives the same audit on both, and two concurrent runs against one PostgreSQL database
are safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from auditor import audit
from auditor.ingest import normalise
from auditor.ingest.schema import TABLES
from auditor.store import db, models
from tests.conftest import AS_OF, KEY, ROOT, SAMPLE, alone


def _frame() -> pd.DataFrame:
    spec = TABLES["requests"]
    canon = pd.DataFrame({c: pd.Series([None] * 4, dtype="string") for c in spec.names})
    canon["request_id"] = ["R1", "R2", "R3", "R4"]
    canon["instrument"] = ["cets224_art7", "mla", "eu_epoc", "cets224_art8"]
    canon["issuing_party"] = "FR"
    canon["receiving_party"] = "US"
    canon["issuing_authority"] = ['Parquet "de" Paris, 1', "", "multi\nline", "\\N"]  # quoting, empty, NULL marker
    canon["data_requested"] = "subscriber"
    canon["issued_at"] = ["2025-01-02T03:04:05Z", "2025-01-02T03:04:05.123456Z", "2026-12-31T23:59:59Z",
                          "1999-01-01T00:00:00Z"]
    canon["emergency"] = ["true", "false", None, "true"]
    canon["identifiers_count"] = ["3", None, "0", "-2"]
    canon["offence_max_penalty_years"] = ["7", "2.5", None, "0"]
    canon["subscriber_identifier"] = ["p-é€", None, "x", "y"]
    typed = normalise.typed(canon, spec)
    typed["row_hash"] = ["h1", "h2", "h3", "h4"]
    typed["ingest_id"] = "ing-test"
    return typed


def test_bulk_insert_round_trips_exactly(any_engine):
    frame = _frame()
    with any_engine.begin() as conn:
        assert db.insert_frame(conn, "requests", frame) == 4
    back = db.load_table(any_engine, "requests").sort_values("request_id").reset_index(drop=True)
    want = frame.drop(columns=["row_hash", "ingest_id"])
    pd.testing.assert_frame_equal(back, want, check_dtype=True)
    assert back.loc[1, "issuing_authority"] == "" and back.loc[3, "issuing_authority"] == "\\N"
    assert back["validating_authority"].isna().all()


def test_sqlite_insert_leaves_out_columns_null_throughout_and_stores_the_same_rows(engine):
    """A column NULL in every row of a part is left out of SQLite's INSERT (binding NULLs costs
    as much as values), unless it has a default, in the model or in the database: the stored
    rows are those of naming every column."""
    frame = _frame()
    with engine.begin() as conn:  # the table as another program might have made it: a default in the database
        ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'requests'").scalar()
        conn.exec_driver_sql("DROP TABLE requests")
        conn.exec_driver_sql(ddl.replace("validating_authority TEXT,", "validating_authority TEXT DEFAULT 'set by default',"))
    sent: list[str] = []
    with engine.begin() as conn:
        conn.connection.dbapi_connection.set_trace_callback(sent.append)
        assert db.insert_frame(conn, "requests", frame) == 4
        conn.connection.dbapi_connection.set_trace_callback(None)
    insert = next(s for s in sent if s.startswith("INSERT INTO requests"))
    named = insert[insert.index("(") + 1 : insert.index(")")].replace('"', "").split(", ")
    empty = [c for c in frame.columns if frame[c].isna().all()]
    assert "linked_request_id" in empty and "linked_request_id" not in named  # left out
    assert "validating_authority" in empty and "validating_authority" in named  # its default would differ
    assert set(named) == (set(frame.columns) - set(empty)) | {"validating_authority"}
    back = db.load_table(engine, "requests").sort_values("request_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(back, frame.drop(columns=["row_hash", "ingest_id"]), check_dtype=True)
    only_null = frame[["request_id"]].assign(linked_request_id=pd.Series([None] * 4, dtype="string"))
    assert list(db._without_null_columns(models.Request.__table__, only_null[["linked_request_id"]], set())) == [
        "linked_request_id"]  # never no column at all


def _read_sql(engine, model, **where) -> pd.DataFrame:
    """The frame as pandas reads it (db.read_sql_frame's reference)."""
    stmt = sa.select(model.__table__)
    for k, v in where.items():
        stmt = stmt.where(model.__table__.c[k] == v)
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def test_read_sql_frame_is_pandas_read_sql_of_the_run(any_engine):
    """db.read_sql_frame: the frame pd.read_sql gives of the rows asked for (values, NULLs, a column
    of NULLs only, accents, control characters, dtypes; no rows), read with the cyclic collector
    paused and turned back on after."""
    import gc

    rows = [models.Finding(run_id=run, fingerprint=f"fp{i}", check_id="TIM002", family="timeliness",
                           instrument="CETS 224", article="Art. 7(6)", severity=["high", "low"][i % 2],
                           legal_basis_status="confirmed", kind=None if i == 1 else "breach",
                           party="FR", receiving_party=None, provider="mail", request_id=f"R{i}",
                           record_id=None, message=["Réponse « tardive »", "tab\there", "", "line\nbreak"][i % 4])
            for run in ("r1", "r2") for i in range(5)]
    with Session(any_engine) as s:
        s.add_all(rows)
        s.commit()
    fast = db.read_sql_frame(any_engine, models.Finding, run_id="r1")
    assert gc.isenabled()
    assert len(fast) == 5 and fast["record_id"].dtype == object and fast["kind"].isna().sum() == 1
    assert fast["message"].tolist()[1:4] == ["tab\there", "", "line\nbreak"]
    pd.testing.assert_frame_equal(fast, _read_sql(any_engine, models.Finding, run_id="r1"), check_exact=True)
    pd.testing.assert_frame_equal(db.read_sql_frame(any_engine, models.Finding),
                                  _read_sql(any_engine, models.Finding), check_exact=True)
    none = db.read_sql_frame(any_engine, models.Finding, run_id="nothing")
    pd.testing.assert_frame_equal(none, _read_sql(any_engine, models.Finding, run_id="nothing"))


def test_read_sql_frame_reads_sqlite_in_arrow_as_pandas_would(engine, monkeypatch, request):
    """On a SQLite file read_sql_frame reads through the ADBC driver in Arrow (db._arrow_read) and
    gives pd.read_sql's frame: a column NULL for the first 3,000 rows and text after (the driver
    infers a column's type from its first batch: one batch), a column of NULLs only, integers with
    and without NULLs. Where the fast read does not apply (a column SQLAlchemy converts, text that
    is not UTF-8, a BLOB in a text column, no rows) the frame, or the error, is read_sql's."""
    if alone(request):
        return
    rows = [{"run_id": "r1", "fingerprint": f"fp{i}", "check_id": "TIM002", "family": "timeliness",
             "instrument": "CETS 224", "article": "Art. 7(6)", "severity": "high", "legal_basis_status": "confirmed",
             "kind": None, "party": None if i < 3000 else "FR", "request_id": f"R{i}", "record_id": None,
             "message": "é\x00\u2028" if i % 7 else "Réponse « tardive »"} for i in range(3100)]
    with engine.begin() as conn:
        conn.execute(sa.insert(models.Finding.__table__), rows)
    monkeypatch.setattr(db, "ARROW_READ_ABOVE", 0)  # the fast read for a few rows too
    used = []
    real = db._arrow_read
    monkeypatch.setattr(db, "_arrow_read", lambda *a: used.append(r := real(*a)) or r)
    fast = db.read_sql_frame(engine, models.Finding, leave_out=("run_id",), run_id="r1")
    assert used[-1] is not None and fast["party"].iloc[2999] is np.nan and fast["party"].iloc[3000] == "FR"
    assert fast["record_id"].dtype == object and fast["record_id"].isna().all()
    want = _read_sql(engine, models.Finding, run_id="r1").drop(columns=["run_id"])
    pd.testing.assert_frame_equal(fast, want, check_exact=True)
    assert fast["id"].dtype == "int64"
    # a model with dates and booleans: SQLAlchemy converts them, so read_sql reads it
    with Session(engine) as s:
        s.add(models.Ingest(id="ing-1", data_dir="d", started_at=pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime(), files=[]))
        s.commit()
    ingests = db.read_sql_frame(engine, models.Ingest)
    assert used[-1] is None and len(ingests) == 1
    # text that is not UTF-8 and a BLOB in a text column: no fast frame; the ordinary read decides
    for value in ("CAST(x'fffe41' AS TEXT)", "x'0102'"):
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE findings SET message = {value} WHERE fingerprint = 'fp5'")
        assert real(engine, sa.select(models.Finding.__table__)) is None
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE findings SET message = 'ok' WHERE fingerprint = 'fp5'")
    assert db.read_sql_frame(engine, models.Finding, run_id="r1")["message"].iloc[5] == "ok"
    assert real(engine, sa.select(models.Finding.__table__).where(models.Finding.__table__.c.run_id == "none")) is None


def test_findings_with_issued_at_is_the_merge_the_report_made(engine, monkeypatch, request):
    """db.findings_with_issued_at (both tables in Arrow, the requests looked up by id, the date's
    text cut into ISO form) gives the frame audit._build_model made by loading every request's
    date, merging and formatting: microseconds dropped, a finding without a request or with one
    not stored gets None, as does a request without a date. A stored date in another form, or
    not a real date: None, and the report does it the old way."""
    from auditor import records

    if alone(request):
        return

    monkeypatch.setattr(db, "ARROW_READ_ABOVE", 0)
    requests = _frame()
    requests.loc[2, "issued_at"] = pd.NaT
    with engine.begin() as conn:
        db.insert_frame(conn, "requests", requests)
        conn.execute(sa.insert(models.Finding.__table__), [
            {"run_id": run, "fingerprint": f"fp{i}", "check_id": "TIM002", "family": "timeliness",
             "instrument": "CETS 224", "article": "Art. 7(6)", "severity": "high", "legal_basis_status": "confirmed",
             "request_id": rid, "message": "m"}
            for run in ("r1", "r2") for i, rid in enumerate(["R2", "R1", None, "R9", "R3", "R4", "R2"])])

    def old() -> pd.DataFrame:
        f = db.read_sql_frame(engine, models.Finding, leave_out=("id", "run_id"), run_id="r1")
        f = f.merge(db.load_table(engine, "requests", columns=["request_id", "issued_at"]), on="request_id", how="left")
        f["issued_at"] = records.iso_utc(f["issued_at"])
        return f

    fast = db.findings_with_issued_at(engine, "r1")
    pd.testing.assert_frame_equal(fast, old(), check_exact=True)
    assert fast["issued_at"].tolist() == ["2025-01-02T03:04:05Z", "2025-01-02T03:04:05Z", None, None, None,
                                          "1999-01-01T00:00:00Z", "2025-01-02T03:04:05Z"]
    for odd in ("2025-01-02T03:04:05Z", "2025-02-30 03:04:05.000000"):
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE requests SET issued_at = '{odd}' WHERE request_id = 'R4'")
        assert db.findings_with_issued_at(engine, "r1") is None


def test_stored_hashes_and_chunked_insert(any_engine):
    frame = pd.concat([_frame().assign(request_id=lambda f, i=i: f["request_id"] + f"-{i}") for i in range(5)],
                      ignore_index=True)
    with any_engine.begin() as conn:
        assert db.insert_frame(conn, "requests", frame, chunk=3) == 20
        h = db.stored_hashes(conn, "requests")
    assert sorted(h["id"]) == sorted(frame["request_id"])
    assert db.count_rows(any_engine, "requests") == 20


def test_a_table_writer_writes_with_the_bulk_cache_and_gives_it_back(engine, monkeypatch):
    from auditor.store import writer  # noqa: PLC0415

    def size(conn) -> int:
        return int(conn.exec_driver_sql("PRAGMA cache_size").scalar())

    seen = []
    real = db.insert_frame
    monkeypatch.setattr(db, "insert_frame", lambda conn, *a, **k: (seen.append(size(conn)), real(conn, *a, **k))[1])
    with writer.InlineWriter(engine, "requests") as w:
        w.insert("requests", _frame())
    assert seen == [-db.BULK_CACHE_KIB]
    with engine.connect() as conn:  # the pooled connection is back to SQLite's default
        before = size(conn)
        with db.bulk_cache(conn):
            assert size(conn) == -db.BULK_CACHE_KIB
        assert size(conn) == before != -db.BULK_CACHE_KIB
        with pytest.raises(RuntimeError, match="inside"), db.bulk_cache(conn):  # the block's own error
            raise RuntimeError("inside")
        assert size(conn) == before
    assert db.count_rows(engine, "requests") == 4


def test_insert_rolls_back_with_the_transaction(any_engine):
    with pytest.raises(RuntimeError), any_engine.begin() as conn:
        db.insert_frame(conn, "requests", _frame())
        raise RuntimeError("abort")
    assert db.count_rows(any_engine, "requests") == 0


def test_bookkeeping_tables_use_the_bulk_path(any_engine):
    q = pd.DataFrame({"ingest_id": "i", "table_name": "requests", "file": "f.csv", "row": [2, 3],
                      "column_name": ["x", ""], "reason": ["bad", "worse, \"quoted\""], "record": ["{}", "{}"]})
    with any_engine.begin() as conn:
        db.insert_frame(conn, models.QuarantineRow.__table__, q)
    back = db.read_sql_frame(any_engine, models.QuarantineRow).sort_values("row")
    assert back["reason"].tolist() == ["bad", "worse, \"quoted\""]
    assert back["id"].notna().all()


@pytest.fixture(scope="module")
def sqlite_baseline(tmp_path_factory):
    engine = db.get_engine(f"sqlite:///{tmp_path_factory.mktemp('base') / 'b.db'}")
    audit.ingest_data(SAMPLE, engine, KEY)
    return audit.audit_store(engine, "cets224", audit.parse_as_of(AS_OF))


def test_pipeline_gives_the_same_audit_on_every_backend(any_engine, sqlite_baseline):
    res = audit.ingest_data(SAMPLE, any_engine, KEY)
    assert all(c.reconciles for c in res.counts)
    out = audit.audit_store(any_engine, "cets224", audit.parse_as_of(AS_OF), chunk_size=1500)
    base = sqlite_baseline
    assert [r.as_dict() for r in out.output.runs] == [r.as_dict() for r in base.output.runs]
    assert out.output.findings["fingerprint"].tolist() == base.output.findings["fingerprint"].tolist()
    assert out.output.findings["message"].tolist() == base.output.findings["message"].tolist()
    assert out.run.aggregates == base.run.aggregates


@pytest.mark.postgres
def test_two_concurrent_runs_against_postgresql_are_safe(pg_url, tmp_path):
    from tests.store.conftest import _reset_pg

    _reset_pg(pg_url)
    env = {**os.environ, "AUDITOR_PSEUDONYM_KEY": KEY.decode(), "GX_ANALYTICS_ENABLED": "false",
           "AUDITOR_DB_URL": pg_url}
    procs = [
        subprocess.Popen(
            [str(Path(sys.executable).with_name("auditor")), "run", "--data", str(SAMPLE), "--out", str(tmp_path / f"o{i}"),
             "--as-of", AS_OF, "--format", "json"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for i in range(2)
    ]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    engine = db.get_engine(pg_url)
    rows = pd.read_csv(SAMPLE / "requests.csv", dtype=str)
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(models.INPUT_MODELS["requests"].__table__)).scalar_one()
        runs = conn.execute(sa.select(sa.func.count()).select_from(models.AuditRun.__table__)).scalar_one()
    # every valid request stored exactly once (the second run saw them as unchanged), two runs
    assert n == len(rows) - 3
    assert runs == 2
    engine.dispose()


def test_run_history_from_the_stored_counts_is_the_recount(sample_run, tmp_path):
    """A run keeps its findings' counts per Party, severity and kind (aggregates["finding_counts"]):
    run_history from them equals run_history counted from the stored findings; a run stored before
    the counts (none in its aggregates) is counted from its findings, beside one that has them."""
    import sqlite3

    from sqlmodel import Session

    from auditor.store import db, models

    path = tmp_path / "copy.db"
    with sqlite3.connect(sample_run["db"]) as src, sqlite3.connect(path) as dst:
        src.backup(dst)  # the write-ahead log included
    engine = db.get_engine(f"sqlite:///{path}")
    runs = [r for r in db.list_runs(engine) if r.status == "finished"]
    assert runs and all((r.aggregates or {}).get("finding_counts") for r in runs)
    history = db.run_history(engine)
    assert history == db.run_history(engine, recount=True)
    assert sum(p["findings"] + p["advisory"] for h in history for p in h["parties"].values()) > 0
    with Session(engine) as s:  # the first run as an earlier version stored it: no counts
        run = s.get(models.AuditRun, runs[0].run_id)
        run.aggregates = {k: v for k, v in run.aggregates.items() if k != "finding_counts"}
        s.add(run)
        s.commit()
    assert db.run_history(engine) == history
