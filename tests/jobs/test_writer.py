"""The forked table writer (auditor.store.writer) stores exactly what the inline writer stores,
archives the same revisions, and a failure in it stops the ingest with the table rolled back.
In a fresh interpreter: threads left by other tests rightly keep this process from forking."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

_SCRIPT = """
import json, sys
import pandas as pd
from auditor import audit, ledger
from auditor.store import db, writer
from tests.jobs.conftest import KEY, make_slice
from tests.jobs.test_fresh_ingest import _revise

tmp, mode, url = sys.argv[1], sys.argv[2], sys.argv[3]
from pathlib import Path
tmp = Path(tmp)
used = []
real = writer.ForkedWriter.__init__
def spy(self, *a):
    used.append(True)
    real(self, *a)
writer.ForkedWriter.__init__ = spy
engine = db.get_engine(url)
make_slice(tmp / "a", n=80)
_revise(tmp / "a", tmp / "a2")
out = {}
if mode == "fail":
    real_insert = db.insert_frame
    def broken(conn, table, frame, *a, **k):
        name = table if isinstance(table, str) else table.name
        if name == "custody_events":
            raise ValueError("disk full (injected)")
        return real_insert(conn, table, frame, *a, **k)
    db.insert_frame = broken
    try:
        audit.ingest_data(tmp / "a", engine, KEY)
        out["raised"] = None
    except ValueError as exc:
        out["raised"] = str(exc)
    out["stored"] = {t: db.count_rows(engine, t) for t in ("requests", "disclosures", "custody_events")}
else:
    audit.ingest_data(tmp / "a", engine, KEY)
    second = audit.ingest_data(tmp / "a2", engine, KEY)
    out["revised"] = second.count("requests").revised
    with engine.connect() as c:
        out["rows"] = {t: pd.read_sql(f"SELECT * FROM {t} ORDER BY 1", c).astype(str).to_dict("list")
                       for t in ("requests", "disclosures", "custody_events")}
        out["digests"] = sorted(ledger.ingest_digests(c).values())
        out["revisions"] = int(c.exec_driver_sql("select count(*) from input_revisions").scalar())
        def rows(t):
            return sorted(map(list, t.to_pandas().astype(str).values.tolist())) if t is not None else None
        out["snapshots"] = {t: rows(db.read_hash_snapshot(c, t)) for t in ("requests", "disclosures", "custody_events")}
        out["fetched"] = {t: rows(db.stored_hash_table(c, t)) if engine.dialect.name != "sqlite" else
                          sorted(map(list, db.stored_hashes(c, t, raw=True).astype(str).values.tolist()))
                          for t in ("requests", "disclosures", "custody_events")}
    # a writer ended unused, and one whose hashes (sent unasked) were never asked for
    made = writer.table_writer(engine, "requests")
    made.discard()
    with writer.table_writer(engine, "requests") as w:
        pass
    w.wait()
    out["after_unused"] = db.count_rows(engine, "requests")
out["forked"] = len(used)
print(json.dumps(out))
"""


def _run(tmp_path, mode: str, writer: str, url: str) -> dict:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "AUDITOR_WRITER": writer}
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path), mode, url], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the writer process is used on multi-core machines")
def test_forked_writer_stores_what_the_inline_writer_stores(tmp_path, db_url):
    if db_url.startswith("sqlite"):
        urls = [f"sqlite:///{tmp_path / 'forked.db'}", f"sqlite:///{tmp_path / 'inline.db'}"]
    else:  # the inline run gets its own, empty schema
        import uuid

        import sqlalchemy as sa

        base, _, _ = db_url.partition("?")
        other = f"writer_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(base)
        with admin.begin() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {other}")
        urls = [db_url, f"{base}?options=-csearch_path%3D{other}"]
    (tmp_path / "f").mkdir()
    (tmp_path / "i").mkdir()
    try:
        forked = _run(tmp_path / "f", "store", "1", urls[0])
        inline = _run(tmp_path / "i", "store", "0", urls[1])
    finally:
        if not db_url.startswith("sqlite"):
            with admin.begin() as c:
                c.exec_driver_sql(f"DROP SCHEMA {other} CASCADE")
            admin.dispose()
    assert forked["forked"] >= 6 and inline["forked"] == 0  # one writer per table and ingest
    assert forked["revised"] == inline["revised"] == 5
    assert forked["revisions"] == inline["revisions"] == 5
    assert forked["digests"] == inline["digests"]
    assert forked["after_unused"] == inline["after_unused"] == len(forked["rows"]["requests"]["row_hash"])
    for got in (forked, inline):  # each ingest left snapshots equal to the tables (SQLite only)
        if db_url.startswith("sqlite"):
            assert got["snapshots"] == got["fetched"] and all(got["snapshots"].values())
        else:
            assert got["snapshots"] == dict.fromkeys(got["snapshots"])
    for t in ("requests", "disclosures", "custody_events"):
        assert len(forked["rows"][t]["row_hash"]) > 0
        forked["rows"][t].pop("ingest_id"), inline["rows"][t].pop("ingest_id")
        assert forked["rows"][t] == inline["rows"][t]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the writer process is used on multi-core machines")
def test_writer_failure_stops_the_ingest_and_rolls_the_table_back(tmp_path):
    got = _run(tmp_path, "fail", "1", f"sqlite:///{tmp_path / 'w.db'}")
    assert got["forked"] >= 3
    assert got["raised"] == "disk full (injected)"
    assert got["stored"]["requests"] > 0 and got["stored"]["disclosures"] > 0  # committed before
    assert got["stored"]["custody_events"] == 0  # rolled back
