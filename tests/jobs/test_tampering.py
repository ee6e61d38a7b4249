"""Tampering with what a report is rebuilt from, one kind per case: `auditor verify` exits 1 and
names the first broken link on stderr, never exit 4; `auditor report` refuses a run whose record
does not check out (exit 3). Run records (audit date, waivers, deletion, insertion), findings,
outcomes, input rows and their ingests (insertions under a recorded or a new ingest, deleted
ingests and ingest records, superseded versions), the ledger itself, and unreadable stored
values (bad JSON, wrong types, text that is not UTF-8). SQLite and PostgreSQL, except where
PostgreSQL's column types refuse the tampering itself.

One store is built per backend (two audited runs, one with an expired waiver, and an ingest that
revises a row of the first); every case works on a copy of it (SQLite: the backup API;
PostgreSQL: ``CREATE DATABASE ... TEMPLATE``)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from auditor.store import models
from tests.conftest import postgres_unreachable
from tests.jobs.conftest import AS_OF, invoke, make_slice

PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@dataclass
class Store:
    """A built store: its URL and the ids the cases need."""

    url: str
    run1: str
    run2: str
    ingest1: str
    ingest2: str
    ingest3: str  # revised a row of ingest1; no run has audited it
    request1: str  # a request of ingest1
    revised: str  # the request of ingest1 that ingest3 revised
    finding1: int  # a finding of run1 whose record_id is NULL


def _ok(r) -> None:
    assert r.exit_code == 0, r.output


def _build(work: Path, url: str) -> Store:
    make_slice(work / "d1", n=40)
    make_slice(work / "d2", n=40, start=40)
    _ok(invoke("run", "--data", work / "d1", "--out", work / "o1", "--as-of", AS_OF, "--db", url, "--format", "csv"))
    eng = sa.create_engine(url)
    with eng.connect() as c:
        run1 = c.execute(sa.text("SELECT run_id FROM audit_runs")).scalar_one()
        checks = sorted({r[0] for r in c.execute(sa.text("SELECT check_id FROM findings"))})
    # a waiver that expired before the audit date: the findings are not waived, unless someone
    # moves the stored audit date back or extends the stored waiver
    waivers = work / "waivers.toml"
    waivers.write_text("".join(f'[[waivers]]\ncheck = "{c}"\njustification = "accepted risk"\n'
                               f'approver = "J. Doe"\nexpires = 2026-10-01\n\n' for c in checks))
    _ok(invoke("run", "--data", work / "d2", "--out", work / "o2", "--as-of", AS_OF, "--db", url, "--format", "csv",
               "--waivers", waivers))
    req = pd.read_csv(work / "d1" / "requests.csv", dtype=str, keep_default_na=False)
    req.loc[0, "case_reference"] = "CASE-CORRECTED"
    (work / "d3").mkdir()
    for f in (work / "d1").iterdir():
        shutil.copy(f, work / "d3" / f.name)
    req.to_csv(work / "d3" / "requests.csv", index=False)
    _ok(invoke("ingest", "--data", work / "d3", "--db", url))
    r = invoke("verify", "--db", url)
    _ok(r)
    assert "Ledger intact: 2 run record(s) verified" in r.output and r.stderr == ""
    with eng.connect() as c:
        run2 = c.execute(sa.text("SELECT run_id FROM audit_runs WHERE run_id <> :r"), {"r": run1}).scalar_one()
        ingests = [i for (i,) in c.execute(sa.text("SELECT id FROM ingests ORDER BY started_at"))]
        request1 = c.execute(sa.text("SELECT request_id FROM requests WHERE ingest_id = :i ORDER BY request_id "
                                     "LIMIT 1"), {"i": ingests[0]}).scalar_one()
        revised = c.execute(sa.text("SELECT record_id FROM input_revisions")).scalar_one()
        finding1 = c.execute(sa.text("SELECT MIN(id) FROM findings WHERE run_id = :r AND record_id IS NULL"),
                             {"r": run1}).scalar_one()
        assert c.execute(sa.text("SELECT COUNT(*) FROM input_revisions")).scalar_one() == 1
    eng.dispose()
    assert len(ingests) == 3
    return Store(url, run1, run2, *ingests, request1, revised, finding1)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def base(request, tmp_path_factory):
    work = tmp_path_factory.mktemp(f"tamper-{request.param}")
    if request.param == "sqlite":
        yield request.param, _build(work, f"sqlite:///{work / 'base.db'}")
        return
    try:
        admin = sa.create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT",
                                 connect_args={"connect_timeout": 3})
        admin.connect().close()
    except Exception as exc:  # noqa: BLE001
        postgres_unreachable(PG_SERVER, exc)
    name = f"tamper_base_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield request.param, _build(work, f"{PG_SERVER}/{name}")
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture
def store(base, tmp_path):
    """A fresh copy of the built store, for one case."""
    backend, built = base
    if backend == "sqlite":
        copy = tmp_path / "copy.db"
        src, dst = sqlite3.connect(built.url.removeprefix("sqlite:///")), sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        yield backend, Store(**{**vars(built), "url": f"sqlite:///{copy}"})
        return
    name, template = f"tamper_{uuid.uuid4().hex[:10]}", built.url.rsplit("/", 1)[1]
    admin = sa.create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                          "AND pid <> pg_backend_pid()", (template,))
        c.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield backend, Store(**{**vars(built), "url": f"{PG_SERVER}/{name}"})
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _tamper(url: str, *statements: tuple[str, dict] | sa.Executable) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as c:
        for s in statements:
            if isinstance(s, tuple):
                c.execute(sa.text(s[0]), s[1])
            else:
                c.execute(s)
    eng.dispose()


def _broken(url: str, *expected: str) -> str:
    r = invoke("verify", "--db", url)
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith("Ledger BROKEN after "), r.stderr
    for e in expected:
        assert e in r.stderr, r.stderr
    return r.stderr


def _refused(url: str, tmp_path: Path, run: str | None, *expected: str) -> None:
    args = ["report", "--out", tmp_path / "out", "--db", url, "--format", "csv"]
    r = invoke(*args, *(["--run", run] if run else []))
    assert r.exit_code == 3, r.output
    assert "does not verify, so it is not reported" in r.stderr and "Fix: run `auditor verify`" in r.stderr
    for e in expected:
        assert e in r.stderr, r.stderr
    assert not (tmp_path / "out" / "findings.csv").exists()


RUNS = models.AuditRun.__table__


# ---------------------------------------------------------------- the run record
def test_moving_the_stored_audit_date_is_caught_and_the_run_is_not_reported(store, tmp_path):
    """The issue's case: the waiver expired before the audit date; moving the stored date back
    would show the findings as WAIVED under the fake date."""
    _backend, s = store
    _tamper(s.url, sa.update(RUNS).where(RUNS.c.run_id == s.run2).values(as_of=dt.datetime(2026, 9, 1, tzinfo=dt.UTC)))
    _broken(s.url, f"the stored run record of run {s.run2} (record 2) was changed after the run: "
                   "its audit date (as_of)")
    _refused(s.url, tmp_path, None, f"run {s.run2} does not verify")  # latest
    _refused(s.url, tmp_path, s.run2, "its audit date (as_of)")
    r = invoke("report", "--run", s.run1, "--out", tmp_path / "o1", "--db", s.url, "--format", "csv")
    _ok(r)  # the other run is intact and still reported


def test_extending_a_stored_waiver_is_caught(store, tmp_path):
    _backend, s = store
    eng = sa.create_engine(s.url)
    with eng.connect() as c:
        params = c.execute(sa.select(RUNS.c.params).where(RUNS.c.run_id == s.run2)).scalar_one()
    eng.dispose()
    assert params["waivers"]["waivers"][0]["expires"] == "2026-10-01"
    params["waivers"]["waivers"][0]["expires"] = "2099-12-31"
    _tamper(s.url, sa.update(RUNS).where(RUNS.c.run_id == s.run2).values(params=params))
    _broken(s.url, f"run {s.run2} (record 2) was changed after the run: its parameters (packs and their "
                   "versions, parameter values, waivers, attestations)")
    _refused(s.url, tmp_path, s.run2, "its parameters")


@pytest.mark.parametrize("column, value, label", [
    ("summary", {"findings": 0}, "its summary"),
    ("aggregates", {}, "its aggregates"),
    ("status", "finished ", "its status"),
    ("pack_version", "1.0", "its pack version"),
])
def test_editing_any_column_of_the_stored_run_is_caught(store, column, value, label):
    _backend, s = store
    _tamper(s.url, sa.update(RUNS).where(RUNS.c.run_id == s.run1).values({column: value}))
    _broken(s.url, f"the stored run record of run {s.run1} (record 1) was changed after the run: {label}")


def test_deleting_the_stored_run_is_caught(store, tmp_path):
    _backend, s = store
    _tamper(s.url, ("DELETE FROM audit_runs WHERE run_id = :r", {"r": s.run1}))
    _broken(s.url, f"Ledger BROKEN after 0 intact record(s): the stored run record of run {s.run1} (record 1) "
                   "was deleted")


def test_a_run_inserted_without_a_record_is_caught_and_not_reported(store, tmp_path):
    _backend, s = store
    eng = sa.create_engine(s.url)
    with eng.connect() as c:
        row = dict(c.execute(sa.select(RUNS).where(RUNS.c.run_id == s.run2)).mappings().one())
    eng.dispose()
    row.update(run_id="run-forged", started_at=row["started_at"] + dt.timedelta(days=1))
    _tamper(s.url, sa.insert(RUNS).values(row))
    _broken(s.url, "Ledger BROKEN after 2 intact record(s): run run-forged has no ledger record")
    _refused(s.url, tmp_path, None, "run run-forged has no ledger record")  # it is the latest run now


def test_deleting_the_last_ledger_record_is_caught(store):
    _backend, s = store
    _tamper(s.url, ("DELETE FROM ledger WHERE seq = (SELECT MAX(seq) FROM ledger)", {}))
    _broken(s.url, f"run {s.run2} has no ledger record")


# ---------------------------------------------------------------- findings and outcomes
def test_deleting_a_finding_is_caught_with_the_counts(store):
    _backend, s = store
    _tamper(s.url, ("DELETE FROM findings WHERE id = :i", {"i": s.finding1}))
    _broken(s.url, f"stored findings of run {s.run1} (record 1) were changed after the run (4 rows recorded, 3 "
                   "stored)")


def test_findings_inserted_under_an_unknown_run_are_caught(store):
    _backend, s = store
    _tamper(s.url, ("INSERT INTO findings (run_id, fingerprint, check_id, family, instrument, article, severity, "
                    "legal_basis_status, message) SELECT 'run-ghost', fingerprint, check_id, family, instrument, "
                    "article, severity, legal_basis_status, message FROM findings WHERE id = :i",
                    {"i": s.finding1}))
    _broken(s.url, "findings are stored for run run-ghost, which has no ledger record")


def test_editing_an_outcome_is_caught(store):
    _backend, s = store
    _tamper(s.url, ("UPDATE check_outcomes SET failed = failed + 1 WHERE run_id = :r AND check_id = "
                    "(SELECT MIN(check_id) FROM check_outcomes WHERE run_id = :r)", {"r": s.run1}))
    _broken(s.url, f"stored outcomes of run {s.run1} (record 1) were changed after the run")


def test_a_null_finding_field_set_to_the_old_null_marker_is_caught(store):
    _backend, s = store
    _tamper(s.url, ("UPDATE findings SET record_id = :m WHERE id = :i", {"m": "\x1a", "i": s.finding1}))
    _broken(s.url, f"stored findings of run {s.run1} (record 1) were changed after the run")


# ---------------------------------------------------------------- input rows and their ingests
def test_a_null_input_field_set_to_the_old_null_marker_is_caught(store):
    """Format 1 wrote NULL as the marker SUB itself: this edit went unnoticed."""
    _backend, s = store
    _tamper(s.url, ("UPDATE requests SET validating_authority = :m WHERE request_id = :r",
                    {"m": "\x1a", "r": s.request1}))
    _broken(s.url, f"stored input rows of ingest {s.ingest1} were changed or deleted after run {s.run1} "
                   "(record 1) audited them")


def test_a_row_added_to_a_recorded_ingest_is_caught(store):
    _backend, s = store
    _tamper(s.url, ("INSERT INTO parties (party, row_hash, ingest_id) VALUES ('ZZ', 'x', :i)", {"i": s.ingest1}))
    _broken(s.url, f"stored input rows of ingest {s.ingest1} were changed or deleted after run {s.run1} (record 1)")


def test_a_row_added_to_an_unaudited_ingest_is_caught(store):
    """No run has audited ingest 3 yet; its rows are compared with the digest it recorded when
    it finished."""
    _backend, s = store
    _tamper(s.url, ("INSERT INTO parties (party, row_hash, ingest_id) VALUES ('ZZ', 'x', :i)", {"i": s.ingest3}))
    _broken(s.url, f"stored input rows of ingest {s.ingest3} differ from what that ingest stored")


def test_rows_under_a_new_ingest_id_are_not_verified_by_the_next_run(store, tmp_path):
    """Rows inserted under an ingest id that has no ingest record: `verify` warns (an ingest may
    be running), the next run records them as unfinished, and `verify` then reports them."""
    _backend, s = store
    cols = "party, cets224_ratified_at, row_hash, ingest_id"
    _tamper(s.url, (f"INSERT INTO parties ({cols}) VALUES ('ZZ', NULL, 'x', 'ing-forged')", {}))
    r = invoke("verify", "--db", s.url)
    _ok(r)
    assert "Warning: 1 stored input row(s) belong to ingest ing-forged, which has no finished ingest record" \
        in r.stderr
    r = invoke("audit", "--db", s.url, "--as-of", AS_OF)
    assert r.exit_code in (0, 1), r.output
    assert "ingest ing-forged, which has no finished ingest record" in r.stderr  # the run warns too
    _broken(s.url, "Ledger BROKEN after 2 intact record(s): run ", "(record 3) audited input rows of ingest "
                   "ing-forged, which still has no finished ingest record")


def test_deleting_an_ingest_is_caught(store):
    _backend, s = store
    _tamper(s.url, *[(f"DELETE FROM {t} WHERE ingest_id = :i", {"i": s.ingest2})
                     for t in ("custody_events", "disclosures", "requests")])
    _broken(s.url, f"Ledger BROKEN after 1 intact record(s): stored input rows of ingest {s.ingest2} were changed "
                   f"or deleted after run {s.run2} (record 2)")


def test_deleting_an_ingest_record_is_caught(store):
    _backend, s = store
    _tamper(s.url, ("DELETE FROM ingests WHERE id = :i", {"i": s.ingest1}))
    _broken(s.url, f"the ingest record of ingest {s.ingest1} was deleted after run {s.run1} (record 1)")


def test_editing_an_ingest_record_is_caught(store):
    _backend, s = store
    ingests = models.Ingest.__table__
    eng = sa.create_engine(s.url)
    with eng.connect() as c:
        files = c.execute(sa.select(ingests.c.files).where(ingests.c.id == s.ingest2)).scalar_one()
    eng.dispose()
    files[0]["read"] += 1
    _tamper(s.url, sa.update(ingests).where(ingests.c.id == s.ingest2).values(files=files))
    _broken(s.url, f"the ingest record of ingest {s.ingest2} (its files, counts, folder or dates) was changed "
                   f"after run {s.run2} (record 2)")


def test_editing_a_superseded_row_version_is_caught(store):
    _backend, s = store
    _tamper(s.url, ("UPDATE input_revisions SET old_content = replace(old_content, 'CASE', 'CAZE')", {}))
    _broken(s.url, f"stored input rows of ingest {s.ingest1} were changed or deleted after run {s.run1} (record 1)")


# ---------------------------------------------------------------- the ledger itself
def _rewrite_last_record(url: str, text: str) -> None:
    import hashlib

    _tamper(url, ("UPDATE ledger SET record = :t, record_hash = :h WHERE seq = (SELECT MAX(seq) FROM ledger)",
                  {"t": text, "h": hashlib.sha256(text.encode()).hexdigest()}))


@pytest.mark.parametrize("mutate, expected", [
    (lambda rec: "not json", "is not valid JSON"),
    (lambda rec: json.dumps([rec]), "is not a JSON object"),
    (lambda rec: json.dumps({**rec, "ledger_version": 3}), "has ledger format 3, which this auditor does not know"),
    (lambda rec: json.dumps({**rec, "ingests": ["x"]}), "is malformed: ingests is not a map of digests"),
    (lambda rec: json.dumps({**rec, "outputs": {}}), "is malformed: outputs of findings are missing"),
])
def test_a_rehashed_last_record_that_cannot_be_read_is_reported(store, mutate, expected):
    """The last record has no successor to betray a recomputed hash: what it says is checked."""
    _backend, s = store
    eng = sa.create_engine(s.url)
    with eng.connect() as c:
        rec = json.loads(c.execute(sa.text("SELECT record FROM ledger ORDER BY seq DESC LIMIT 1")).scalar_one())
    eng.dispose()
    _rewrite_last_record(s.url, mutate(rec))
    _broken(s.url, "Ledger BROKEN after 1 intact record(s): record 2", expected)


# ---------------------------------------------------------------- unreadable stored values (SQLite)
@pytest.fixture
def sqlite_store(store):
    backend, s = store
    if backend != "sqlite":
        pytest.skip("PostgreSQL's column types refuse these values")
    return s


@pytest.mark.parametrize("sql, expected", [
    ("UPDATE requests SET issued_at = 'garbage' WHERE request_id = :r",
     "column issued_at holds a value that is not a timestamp"),
    ("UPDATE requests SET identifiers_count = 'abc' WHERE request_id = :r",
     "column identifiers_count holds a value of the wrong type (str, not a 64-bit integer)"),
    ("UPDATE requests SET emergency = 7 WHERE request_id = :r",
     "column emergency holds a value of the wrong type (int, not a boolean)"),
    ("UPDATE requests SET case_reference = CAST(X'41FF42' AS TEXT) WHERE request_id = :r",
     "column case_reference holds text that is not UTF-8"),
    ("UPDATE requests SET provider = X'00FF' WHERE request_id = :r",
     "column provider holds a value of the wrong type (bytes, not text)"),
])
def test_an_unreadable_input_value_is_reported_with_its_row(sqlite_store, sql, expected):
    s = sqlite_store
    _tamper(s.url, (sql, {"r": s.request1}))
    _broken(s.url, f"Ledger BROKEN after 0 intact record(s): stored input row requests {s.request1} (ingest "
                   f"{s.ingest1}): {expected}")


@pytest.mark.parametrize("sql, expected", [
    ("UPDATE audit_runs SET as_of = 'yesterday' WHERE run_id = :r", "its audit date (as_of) is not a timestamp"),
    ("UPDATE audit_runs SET params = '{broken' WHERE run_id = :r",
     "its parameters (packs and their versions, parameter values, waivers, attestations) is not valid JSON"),
    ("UPDATE audit_runs SET summary = CAST(X'7BFF7D' AS TEXT) WHERE run_id = :r",
     "its summary holds text that is not UTF-8"),
])
def test_an_unreadable_run_record_is_reported_and_not_reported_on(sqlite_store, tmp_path, sql, expected):
    s = sqlite_store
    _tamper(s.url, (sql, {"r": s.run1}))
    _broken(s.url, f"the stored run record of run {s.run1} (record 1): {expected}")
    _refused(s.url, tmp_path, s.run1, expected)


@pytest.mark.parametrize("sql, expected", [
    ("UPDATE findings SET message = X'00FF' WHERE id = :i",
     "stored findings of run {run1} (record 1): column message holds a value of the wrong type (bytes, not text)"),
    ("UPDATE findings SET check_id = CAST(X'C0' AS TEXT) WHERE id = :i",
     "stored findings of run {run1} (record 1): column check_id holds text that is not UTF-8"),
    ("UPDATE check_outcomes SET passed = 1.5 WHERE run_id = :r",
     "stored outcomes of run {run1} (record 1): column passed holds a value of the wrong type (float"),
    ("UPDATE ingests SET files = '[{' WHERE id = :g",
     "the ingest record of ingest {ingest1}: column files is not valid JSON"),
    ("UPDATE input_revisions SET old_content = CAST(X'1AFF' AS TEXT)",
     "superseded input row requests (input_revisions) {revised} (ingest {ingest1}): column old_content holds "
     "text that is not UTF-8"),
    ("UPDATE ledger SET record = CAST(X'7BFF7D' AS TEXT) WHERE seq = 1",
     "record 1 (run {run1}) is not UTF-8 text"),
])
def test_other_unreadable_values_are_reported(sqlite_store, sql, expected):
    s = sqlite_store
    _tamper(s.url, (sql, {"r": s.run1, "i": s.finding1, "g": s.ingest1}))
    _broken(s.url, expected.format(**vars(s)))
