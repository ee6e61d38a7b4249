"""Partitioned (chunked) and dask audits give exactly the findings, outcomes, per-scope counts and
report aggregates of the ordinary in-memory audit, on the committed sample data."""

from __future__ import annotations

import pandas as pd
import pytest

from auditor import audit
from auditor.engine import chunked
from auditor.store import db
from tests.conftest import AS_OF, KEY, SAMPLE


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path = tmp_path_factory.mktemp("partitioned") / "a.db"
    engine = db.get_engine(f"sqlite:///{path}")
    audit.ingest_data(SAMPLE, engine, KEY)
    return engine


def _run(engine, **kw):
    res = audit.audit_store(engine, "cets224", audit.parse_as_of(AS_OF), **kw)
    return res


def _same(a, b) -> None:
    assert [r.as_dict() for r in a.output.runs] == [r.as_dict() for r in b.output.runs]
    fa = a.output.findings.reset_index(drop=True)
    fb = b.output.findings.reset_index(drop=True)
    assert len(fa) > 0
    pd.testing.assert_frame_equal(fa.astype(object), fb.astype(object))
    key = ["check_id", "party", "provider"]
    sa_ = a.output.scope.sort_values(key).reset_index(drop=True).astype(object)
    sb_ = b.output.scope.sort_values(key).reset_index(drop=True).astype(object)
    pd.testing.assert_frame_equal(sa_, sb_)
    assert a.run.aggregates == b.run.aggregates
    assert a.run.summary["findings"] == b.run.summary["findings"]


@pytest.fixture(scope="module")
def baseline(stored):
    return _run(stored)


def _partition_sizes(monkeypatch) -> list[int]:
    """Requests per audited partition, recorded as the audit runs."""
    seen: list[int] = []
    real = chunked.audit_partition

    def spy(tables, *a, **k):
        seen.append(len(tables["requests"]))
        return real(tables, *a, **k)

    monkeypatch.setattr(chunked, "audit_partition", spy)
    return seen


@pytest.mark.parametrize("chunk_size", [300, 1000, 10**9])
def test_chunked_equals_unchunked(stored, baseline, chunk_size, monkeypatch):
    seen = _partition_sizes(monkeypatch)
    res = _run(stored, chunk_size=chunk_size)
    n = db.count_rows(stored, "requests")
    assert sum(seen) == n  # every request audited exactly once
    assert len(seen) == max(1, -(-n // chunk_size))
    assert max(seen) < n or chunk_size >= n  # really partitioned
    _same(baseline, res)


def test_linked_requests_share_a_partition():
    rid = pd.Series(["a", "b", "c", "d", "e", "f", "g"], dtype="string")
    linked = pd.Series([None, "a", "b", None, "zz", "g", "f"], dtype="string")  # chain, orphan, cycle
    roots = chunked.root_ids(rid, linked)
    assert roots.iloc[:3].tolist() == ["a", "a", "a"]
    assert roots.iloc[3] == "d" and roots.iloc[4] == "e"
    assert roots.iloc[5] in ("f", "g") and roots.iloc[6] in ("f", "g")
    for n in (2, 3, 7, 50):
        parts = chunked.assign_partitions(rid, linked, n)
        assert parts.iloc[0] == parts.iloc[1] == parts.iloc[2]
        assert parts.between(0, n - 1).all()


def test_sample_has_linked_requests_split_across_hash_partitions(stored):
    """The equality test above is meaningful for the linked-request checks: without root
    co-partitioning, linked requests would fall into different partitions."""
    r = db.load_table(stored, "requests")
    linked = r[r["linked_request_id"].notna()]
    assert len(linked) >= 5
    own = chunked.assign_partitions(r["request_id"], pd.Series(pd.NA, index=r.index, dtype="string"), 7)
    by_id = dict(zip(r["request_id"], own, strict=True))
    split = [(a, b) for a, b in zip(linked["request_id"], linked["linked_request_id"], strict=True)
             if by_id[a] != by_id[b]]
    assert split  # plain hashing would separate them ...
    co = chunked.assign_partitions(r["request_id"], r["linked_request_id"], 7)
    by_id = dict(zip(r["request_id"], co, strict=True))
    assert all(by_id[a] == by_id[b] for a, b in split)  # ... the root hash does not


def test_dask_engine_equals_pandas_engine(stored, baseline, monkeypatch):
    monkeypatch.setenv("AUDITOR_DASK_WORKERS", "3")
    res = _run(stored, chunk_size=500, engine_name="dask")
    _same(baseline, res)


def test_partition_map_rows_are_removed(stored):
    import sqlalchemy as sa

    _run(stored, chunk_size=800)
    with stored.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(chunked.PARTITION_MAP)).scalar_one()
    assert left == 0


_PREFETCH_SCRIPT = """
import json, sys
import pandas as pd
from auditor import audit
from auditor.engine import chunked
from auditor.store import db
from tests.conftest import AS_OF, KEY, SAMPLE
engine = db.get_engine(f"sqlite:///{sys.argv[1]}")
audit.ingest_data(SAMPLE, engine, KEY)
started = []
real = chunked._Prefetcher.__init__
def spy(self, *a, **k):
    real(self, *a, **k)
    started.append(self.started)
chunked._Prefetcher.__init__ = spy
as_of = audit.parse_as_of(AS_OF)
base = audit.audit_store(engine, "cets224", as_of)
part = audit.audit_store(engine, "cets224", as_of, chunk_size=700)
cols = [c for c in base.output.findings.columns if c != "run_id"]
same = base.output.findings[cols].astype(object).equals(part.output.findings[cols].astype(object))
print(json.dumps({"started": started, "same": bool(same), "findings": len(part.output.findings),
                  "runs": [r.as_dict() for r in base.output.runs] == [r.as_dict() for r in part.output.runs],
                  "aggregates": base.run.aggregates == part.run.aggregates}))
"""


@pytest.mark.parametrize("prefetch", ["1", "0"])
def test_partitions_loaded_by_the_helper_give_the_same_audit(tmp_path, prefetch):
    """Partitions read by the forked loader (one ahead of the checks) or inline give the findings
    of an unpartitioned audit. In a fresh interpreter: threads left by other tests (dask) rightly
    keep this process from forking."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "AUDITOR_PREFETCH": prefetch, "GX_ANALYTICS_ENABLED": "false"}
    out = subprocess.run([sys.executable, "-c", _PREFETCH_SCRIPT, str(tmp_path / "p.db")], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["started"] == [prefetch == "1"]
    assert got["same"] and got["runs"] and got["aggregates"] and got["findings"] > 0


def test_large_stores_are_partitioned_automatically(stored, baseline, monkeypatch):
    """No --chunk-size: above AUTO_PARTITION_REQUESTS stored requests the audit is partitioned
    (same findings); --chunk-size 0 keeps it in one piece."""
    seen = _partition_sizes(monkeypatch)
    monkeypatch.setattr(audit, "AUTO_PARTITION_REQUESTS", 1000)
    monkeypatch.setattr(audit, "DEFAULT_PARTITION", 700)
    res = _run(stored)
    n = db.count_rows(stored, "requests")
    assert n > 1000 and len(seen) == -(-n // 700) and sum(seen) == n
    _same(baseline, res)
    seen.clear()
    _same(baseline, _run(stored, chunk_size=0))
    assert seen == []


def test_partitions_findings_merged_a_column_at_a_time_as_concat_and_sort_would():
    """``runner._merged_findings`` gives the rows, order and dtypes of ``concat`` + a stable sort
    by check, request and record (missing ids first), and uses up the partitions' frames; frames
    whose columns differ are merged as before."""
    from auditor.engine import runner

    def parts():
        a = pd.DataFrame({"check_id": pd.Series(["B", "A", "A"], dtype="str"),
                          "request_id": pd.Series(["r2", None, "r1"], dtype="str"),
                          "record_id": pd.Series(["x", "y", None], dtype=object),
                          "message": pd.Series(["m1", "m2", "m3"], dtype="str"),
                          "issued_at": pd.to_datetime(["2026-01-01", None, "2026-01-03"], utc=True)})
        b = pd.DataFrame({"check_id": pd.Series(["A", "B"], dtype="str"),
                          "request_id": pd.Series(["r1", "r1"], dtype="str"),
                          "record_id": pd.Series([None, "z"], dtype=object),
                          "message": pd.Series(["m4", None], dtype="str"),
                          "issued_at": pd.to_datetime(["2026-02-01", "2026-02-02"], utc=True)})
        return [a, b]

    keys = ["check_id", "request_id", "record_id"]
    want = pd.concat(parts(), ignore_index=True).sort_values(keys, na_position="first", kind="stable"
                                                            ).reset_index(drop=True)
    found = parts()
    got = runner._merged_findings(found)
    pd.testing.assert_frame_equal(got, want)
    assert got["message"].fillna("-").tolist() == ["m2", "m3", "m4", "-", "m1"]
    assert all(f.shape[1] == 0 for f in found)  # used up
    odd = parts()
    odd[1] = odd[1].drop(columns="message")
    pd.testing.assert_frame_equal(runner._merged_findings(odd),
                                  pd.concat(parts()[:1] + [parts()[1].drop(columns="message")], ignore_index=True)
                                  .sort_values(keys, na_position="first", kind="stable").reset_index(drop=True))
