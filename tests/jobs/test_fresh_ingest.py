"""`auditor run` reuses what its own ingest holds in memory, without changing any result:

- the ledger digest of an ingest is computed from the rows being stored and cached; it must equal
  the digest `auditor verify` recomputes from the stored rows (every column kind, nulls,
  revisions), on SQLite and on PostgreSQL;
- the audit takes the ingest's rows from memory and reads back only the other ingests' rows; the
  findings must equal those of an audit that reads everything back, and a stale in-memory copy
  (rows revised by a later ingest) must not be used.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from auditor import audit, ledger
from auditor.store import db, models
from tests.jobs.conftest import AS_OF, KEY, make_slice


def _cached(engine) -> dict[str, str]:
    with engine.connect() as c:
        return {r.ingest_id: r.digest for r in c.execute(sa.select(models.IngestDigest.__table__))}


def _recomputed(engine) -> dict[str, str]:
    with engine.connect() as c:
        return ledger.ingest_digests(c)


def _revise(src, dst, n: int = 5) -> None:
    """A copy of ``src`` where ``n`` requests carry a changed rationale (revisions on ingest)."""
    make_slice(dst, n=0)
    for f in src.iterdir():
        t = pd.read_csv(f, dtype=str, keep_default_na=False)
        if f.name == "requests.csv":
            t.loc[: n - 1, "necessity_rationale"] = "revised rationale"
        t.to_csv(dst / f.name, index=False)


def test_digest_cached_at_ingest_equals_the_recomputed_one(tmp_path, db_url):
    engine = db.get_engine(db_url)
    make_slice(tmp_path / "a", n=60)
    make_slice(tmp_path / "b", n=60, start=60)
    _revise(tmp_path / "a", tmp_path / "a2")
    first = audit.ingest_data(tmp_path / "a", engine, KEY)
    audit.ingest_data(tmp_path / "b", engine, KEY)
    third = audit.ingest_data(tmp_path / "a2", engine, KEY)
    assert third.count("requests").revised == 5
    cached, recomputed = _cached(engine), _recomputed(engine)
    assert len(cached) == 3 and all(len(d) == 64 for d in cached.values())
    assert cached == recomputed
    assert first.ingest_id in cached


def test_tampered_row_still_caught_after_ingest_time_digest(tmp_path, db_url):
    engine = db.get_engine(db_url)
    make_slice(tmp_path / "a", n=30)
    res = audit.ingest_data(tmp_path / "a", engine, KEY)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE requests SET offence = 'edited' WHERE request_id = "
                          "(SELECT MIN(request_id) FROM requests)"))
    assert _cached(engine)[res.ingest_id] != _recomputed(engine)[res.ingest_id]


def _findings(res) -> pd.DataFrame:
    f = res.output.findings.drop(columns=["run_id"], errors="ignore")
    return f.sort_values(["check_id", "record_id", "request_id"]).reset_index(drop=True).astype(object)


def test_audit_from_memory_equals_audit_from_store(tmp_path, db_url):
    engine = db.get_engine(db_url)
    make_slice(tmp_path / "a", n=80)
    make_slice(tmp_path / "b", n=80, start=80)
    audit.ingest_data(tmp_path / "a", engine, KEY)  # an earlier ingest: read back from the store
    fresh = audit.ingest_data(tmp_path / "b", engine, KEY, keep_frames=True)
    assert set(fresh.frames) >= {"requests", "disclosures", "custody_events"}
    as_of = audit.parse_as_of(AS_OF)
    mem = audit.audit_store(engine, "cets224", as_of, fresh=fresh)
    disk = audit.audit_store(engine, "cets224", as_of)
    assert len(mem.output.findings) > 0
    pd.testing.assert_frame_equal(_findings(mem), _findings(disk))
    assert [r.as_dict() for r in mem.output.runs] == [r.as_dict() for r in disk.output.runs]
    assert mem.run.aggregates == disk.run.aggregates


def test_stale_memory_copy_is_not_used(tmp_path, db_url):
    engine = db.get_engine(db_url)
    make_slice(tmp_path / "a", n=60)
    _revise(tmp_path / "a", tmp_path / "a2")
    fresh = audit.ingest_data(tmp_path / "a", engine, KEY, keep_frames=True)
    audit.ingest_data(tmp_path / "a2", engine, KEY)  # revises 5 of the rows held in memory
    with engine.connect() as c:
        assert not audit._fresh_intact(c, fresh, ["requests", "disclosures", "custody_events"])
    as_of = audit.parse_as_of(AS_OF)
    mem = audit.audit_store(engine, "cets224", as_of, fresh=fresh)
    disk = audit.audit_store(engine, "cets224", as_of)
    pd.testing.assert_frame_equal(_findings(mem), _findings(disk))
    tables = audit._load_tables(engine, {"requests": set()}, fresh)
    assert (tables["requests"]["necessity_rationale"] == "revised rationale").sum() == 5
