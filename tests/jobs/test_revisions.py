"""Idempotent, incremental ingest; revisions of known ids; per-table run summary that reconciles."""

from __future__ import annotations

import pandas as pd

from auditor.ingest.pipeline import ingest_folder
from auditor.store import db, models
from tests.jobs.conftest import AS_OF, KEY, invoke, make_slice


def _reconciles(res):
    for c in res.counts:
        assert c.read == c.stored + c.unchanged + c.revised + c.quarantined, c.as_dict()


def test_same_files_twice_add_nothing(tmp_path, engine):
    counts = make_slice(tmp_path / "d", n=40)
    first = ingest_folder(tmp_path / "d", engine, KEY)
    second = ingest_folder(tmp_path / "d", engine, KEY)
    _reconciles(first)
    _reconciles(second)
    for c in second.counts:
        assert (c.stored, c.revised) == (0, 0)
        assert c.unchanged == first.count(c.table).stored
    for table, n in counts.items():
        assert db.count_rows(engine, table) == first.count(table).stored <= n


def test_overlapping_file_adds_only_the_new_rows(tmp_path, engine):
    make_slice(tmp_path / "a", n=40)
    make_slice(tmp_path / "b", n=60)  # first 40 requests known, 20 new
    ingest_folder(tmp_path / "a", engine, KEY)
    res = ingest_folder(tmp_path / "b", engine, KEY)
    _reconciles(res)
    r = res.count("requests")
    assert (r.read, r.unchanged, r.revised) == (60, 40 - first_quarantined(tmp_path / "a"), 0)
    assert db.count_rows(engine, "requests") == r.stored + r.unchanged


def first_quarantined(folder):
    import tempfile

    with tempfile.TemporaryDirectory() as t:
        e = db.get_engine(f"sqlite:///{t}/x.db")
        return ingest_folder(folder, e, KEY).count("requests").quarantined


def test_changed_row_is_a_revision_with_old_values_kept(tmp_path, engine):
    make_slice(tmp_path / "d", n=30)
    ingest_folder(tmp_path / "d", engine, KEY)
    req = pd.read_csv(tmp_path / "d" / "requests.csv", dtype=str, keep_default_na=False)
    target = req.loc[5, "request_id"]
    before = db.load_table(engine, "requests").set_index("request_id").loc[target]
    req.loc[5, "case_reference"] = "CASE-CORRECTED-1"
    req.to_csv(tmp_path / "d" / "requests.csv", index=False)
    res = ingest_folder(tmp_path / "d", engine, KEY)
    _reconciles(res)
    c = res.count("requests")
    assert (c.stored, c.revised, c.revised_ids) == (0, 1, [target])
    assert res.count("disclosures").revised == 0
    now = db.load_table(engine, "requests").set_index("request_id").loc[target]
    assert now["case_reference"] == "CASE-CORRECTED-1"
    rev = db.read_sql_frame(engine, models.InputRevision)
    assert len(rev) == 1 and rev.loc[0, "record_id"] == target
    assert before["case_reference"] in rev.loc[0, "old_content"]
    assert rev.loc[0, "new_ingest_id"] == res.ingest_id and rev.loc[0, "old_ingest_id"] != res.ingest_id
    # re-ingesting the corrected file is idempotent again
    again = ingest_folder(tmp_path / "d", engine, KEY).count("requests")
    assert (again.stored, again.revised) == (0, 0)
    assert len(db.read_sql_frame(engine, models.InputRevision)) == 1


def test_run_summary_shows_added_unchanged_revised_quarantined(tmp_path):
    make_slice(tmp_path / "d", n=30)
    dburl = f"sqlite:///{tmp_path / 'a.db'}"
    r = invoke("ingest", "--data", tmp_path / "d", "--db", dburl)
    assert r.exit_code == 0, r.output
    req = pd.read_csv(tmp_path / "d" / "requests.csv", dtype=str, keep_default_na=False)
    req.loc[0, "case_reference"] = "CASE-X"
    req.to_csv(tmp_path / "d" / "requests.csv", index=False)
    r = invoke("run", "--data", tmp_path / "d", "--db", dburl, "--out", tmp_path / "o", "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    assert "added  unchanged  revised  quarantined" in r.output
    line = next(ln for ln in r.output.splitlines() if ln.strip().startswith("requests "))
    read, added, unchanged, revised, quarantined = map(int, line.split()[1:])
    assert (read, added, revised) == (30, 0, 1) and read == added + unchanged + revised + quarantined
    assert f"requests: 1 revised row(s), earlier versions kept: {req.loc[0, 'request_id']}" in r.output
