"""A partitioned audit in the process that ingested the rows reads them from the ingest's spill
files (auditor.ingest.spill), not from the database, and gives exactly the findings of an audit
that reads the database; the spill is not used when the database holds other rows than the
spilled ones, and its files never outlive the run."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from auditor import audit
from auditor.engine import chunked
from auditor.store import db
from tests.jobs.conftest import AS_OF, KEY, make_slice
from tests.jobs.test_fresh_ingest import _findings, _revise


def _same(a, b) -> None:
    assert len(a.output.findings) > 0
    pd.testing.assert_frame_equal(_findings(a), _findings(b))
    assert [r.as_dict() for r in a.output.runs] == [r.as_dict() for r in b.output.runs]
    assert a.run.aggregates == b.run.aggregates


@pytest.fixture
def no_database_reads(monkeypatch):
    """Fails the test if a partition is read from the database."""
    def refuse(*_a, **_k):
        raise AssertionError("partition read from the database although the spill was usable")

    monkeypatch.setattr(chunked, "partition_frames", refuse)


def test_spilled_partitions_equal_stored_ones(tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("AUDITOR_INGEST_CHUNK_ROWS", "37")  # several spill files per table
    engine = db.get_engine(db_url)
    make_slice(tmp_path / "a", n=80)
    fresh = audit.ingest_data(tmp_path / "a", engine, KEY, spill=True)
    spill = fresh.spill
    assert spill is not None and len(spill.files["requests"]) > 1
    assert stat.S_IMODE(os.stat(spill.dir).st_mode) == 0o700  # private: pseudonymised rows only
    for n in ("requests", "disclosures", "custody_events"):
        assert spill.rows[n] == fresh.count(n).stored > 0
    as_of = audit.parse_as_of(AS_OF)
    whole = audit.audit_store(engine, "cets224", as_of, chunk_size=0)
    from_db = audit.audit_store(engine, "cets224", as_of, chunk_size=25)
    real = chunked.partition_frames
    monkeypatch.setattr(chunked, "partition_frames", lambda *a, **k: pytest.fail("read from the database"))
    sizes: list[int] = []
    spied = chunked.spilled_partition_frames

    def spy(*a, **k):
        for frames in spied(*a, **k):
            sizes.append(len(frames["requests"]))
            yield frames

    monkeypatch.setattr(chunked, "spilled_partition_frames", spy)
    from_spill = audit.audit_store(engine, "cets224", as_of, chunk_size=25, fresh=fresh)
    assert len(sizes) == -(-db.count_rows(engine, "requests") // 25) and sum(sizes) == db.count_rows(engine, "requests")
    _same(whole, from_spill)
    _same(from_db, from_spill)
    monkeypatch.setattr(chunked, "partition_frames", real)
    where = spill.dir
    fresh.release()
    assert not where.exists() and fresh.spill is None


def test_spill_not_used_with_other_ingests_rows(tmp_path, engine, no_database_reads):
    make_slice(tmp_path / "a", n=60)
    make_slice(tmp_path / "b", n=60, start=60)
    audit.ingest_data(tmp_path / "a", engine, KEY)
    fresh = audit.ingest_data(tmp_path / "b", engine, KEY, spill=True)
    assert audit._spill_usable(engine, fresh, ["requests", "disclosures", "custody_events"]) is None
    with pytest.raises(AssertionError, match="read from the database"):
        audit.audit_store(engine, "cets224", audit.parse_as_of(AS_OF), chunk_size=30, fresh=fresh)
    fresh.release()


def test_spill_not_used_after_a_revision(tmp_path, engine, monkeypatch):
    make_slice(tmp_path / "a", n=60)
    _revise(tmp_path / "a", tmp_path / "a2")
    fresh = audit.ingest_data(tmp_path / "a", engine, KEY, spill=True)
    names = ["requests", "disclosures", "custody_events"]
    assert audit._spill_usable(engine, fresh, names) is fresh.spill
    audit.ingest_data(tmp_path / "a2", engine, KEY)  # revises 5 of the spilled rows
    assert audit._spill_usable(engine, fresh, names) is None
    as_of = audit.parse_as_of(AS_OF)
    stale = audit.audit_store(engine, "cets224", as_of, chunk_size=30, fresh=fresh)
    _same(audit.audit_store(engine, "cets224", as_of, chunk_size=0), stale)
    fresh.release()


def test_no_spill_when_frames_are_kept_in_memory(tmp_path, engine):
    make_slice(tmp_path / "a", n=30)
    fresh = audit.ingest_data(tmp_path / "a", engine, KEY, keep_frames=True, spill=True)
    assert fresh.spill is None and fresh.frames
    # read again (unchanged files are otherwise skipped): 30 > 5, spilled
    big = audit.ingest_data(tmp_path / "a", engine, KEY, keep_frames=5, spill=True, rescan=True)
    assert big.spill is not None and not big.frames
    big.release()


def test_failed_ingest_leaves_no_spill(tmp_path, engine, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    make_slice(tmp_path / "a", n=30)
    monkeypatch.setenv("AUDITOR_FAULT_INJECT", "raise-after:disclosures")
    with pytest.raises(RuntimeError, match="injected fault"):
        audit.ingest_data(tmp_path / "a", engine, KEY, spill=True)
    assert not [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith("auditor-spill-")]


def test_cli_run_partitioned_leaves_no_spill(tmp_path, slice_dir):
    """`auditor run --chunk-size N` audits from the spill and removes it: same findings as a run
    in one piece, nothing left in TMPDIR."""
    import json

    from tests.jobs.conftest import cli_subprocess

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    counts = {}
    for label, size in (("parts", "40"), ("whole", "0")):
        p = cli_subprocess("run", "--data", slice_dir, "--db", f"sqlite:///{tmp_path / label}.db", "--out",
                           tmp_path / label, "--as-of", AS_OF, "--chunk-size", size, "--format", "json",
                           env={"TMPDIR": str(tmp)})
        _out, err = p.communicate(timeout=600)
        assert p.returncode in (0, 1), err
        found = json.loads((tmp_path / label / "findings.json").read_text())
        counts[label] = sorted((f["check_id"], str(f["record_id"]), f["severity"]) for f in found)
    assert counts["parts"] == counts["whole"] and counts["whole"]
    assert list(tmp.iterdir()) == []
