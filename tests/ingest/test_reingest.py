"""Re-ingest what changed only (issue 21 item 4): a file whose SHA-256 is the one its table's last
recorded ingest read is skipped; anything else is read, and the counts still reconcile."""

from __future__ import annotations

import pandas as pd

from auditor.ingest import pipeline
from auditor.ingest.pipeline import ingest_folder
from auditor.store import db
from tests.conftest import KEY
from tests.ingest.test_ingest import _requests, _write
from tests.jobs.conftest import AS_OF, invoke, make_slice


def _disclosures(ids=("R1", "R2", "R9")) -> pd.DataFrame:
    return pd.DataFrame([{"disclosure_id": f"D{i}", "request_id": r, "responded_at": "2025-03-05",
                          "outcome": "disclosed"} for i, r in enumerate(ids)])


def _reconciles(res) -> None:
    for c in res.counts:
        assert c.read == c.stored + c.unchanged + c.revised + c.quarantined, c.as_dict()


def test_an_unchanged_file_is_skipped_without_reading_it(tmp_path, engine, monkeypatch):
    _write(tmp_path / "d", "requests", _requests(3), "csv")
    _write(tmp_path / "d", "disclosures", _disclosures(), "csv")  # D2 -> R9: quarantined
    first = ingest_folder(tmp_path / "d", engine, KEY)
    assert first.count("disclosures").quarantined == 1
    read = pipeline.read_table
    monkeypatch.setattr(pipeline, "read_table", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))
    again = ingest_folder(tmp_path / "d", engine, KEY)
    monkeypatch.setattr(pipeline, "read_table", read)
    _reconciles(again)
    r, d = again.count("requests"), again.count("disclosures")
    assert r.skipped and d.skipped
    assert (r.read, r.stored, r.unchanged, r.quarantined) == (3, 0, 3, 0)
    assert (d.read, d.stored, d.unchanged, d.quarantined) == (3, 0, 2, 1)  # as recorded, not again
    assert again.quarantine.empty
    assert len(db.read_sql_frame(engine, pipeline.models.QuarantineRow)) == 1  # not duplicated


def test_a_changed_file_is_read_and_a_file_changed_back_is_a_change(tmp_path, engine):
    _write(tmp_path / "d", "requests", _requests(3), "csv")
    ingest_folder(tmp_path / "d", engine, KEY)
    changed = _requests(4)
    changed.loc[0, "issuing_authority"] = "Another authority"
    _write(tmp_path / "d", "requests", changed, "csv")
    b = ingest_folder(tmp_path / "d", engine, KEY).count("requests")
    assert not b.skipped and (b.stored, b.unchanged, b.revised) == (1, 2, 1)
    _write(tmp_path / "d", "requests", _requests(3), "csv")  # back to the first version
    a = ingest_folder(tmp_path / "d", engine, KEY).count("requests")
    assert not a.skipped and (a.read, a.stored, a.unchanged, a.revised) == (3, 0, 2, 1)
    stored = db.load_table(engine, "requests").set_index("request_id")
    assert stored.loc["R1", "issuing_authority"] == "Parquet"  # the first version is current again
    assert ingest_folder(tmp_path / "d", engine, KEY).count("requests").skipped
    # --rescan (e.g. after a key change) reads the unchanged file all the same
    again = ingest_folder(tmp_path / "d", engine, KEY, rescan=True).count("requests")
    assert not again.skipped and again.unchanged == again.read


def test_a_child_is_read_again_when_its_parent_changed(tmp_path, engine):
    _write(tmp_path / "d", "requests", _requests(2), "csv")
    _write(tmp_path / "d", "disclosures", _disclosures(("R1", "R3")), "csv")
    assert ingest_folder(tmp_path / "d", engine, KEY).count("disclosures").quarantined == 1
    _write(tmp_path / "d", "requests", _requests(3), "csv")  # R3 arrives: D1 now has its parent
    d = ingest_folder(tmp_path / "d", engine, KEY).count("disclosures")
    assert not d.skipped and (d.stored, d.unchanged, d.quarantined) == (1, 1, 0)


def test_ledger_verifies_after_a_skipped_reingest(tmp_path):
    url = f"sqlite:///{tmp_path / 'l.db'}"
    make_slice(tmp_path / "d", n=20)
    for i in range(2):
        r = invoke("run", "--data", tmp_path / "d", "--out", tmp_path / f"o{i}", "--as-of", AS_OF, "--db", url,
                   "--format", "csv")
        assert r.exit_code == 0, r.output
    assert "unchanged, skipped" in r.output
    r = invoke("verify", "--db", url)
    assert r.exit_code == 0, r.output
