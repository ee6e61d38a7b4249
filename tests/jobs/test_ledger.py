"""Tamper-evident run ledger: `auditor verify` recomputes the chain and names the first broken
link. Edited findings, edited input rows, edited records and broken links are all caught, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.jobs.conftest import AS_OF, invoke, make_slice


def _two_runs(tmp_path, url):
    make_slice(tmp_path / "d1", n=40)
    make_slice(tmp_path / "d2", n=40, start=40)
    for d in ("d1", "d2"):
        r = invoke("run", "--data", tmp_path / d, "--out", tmp_path / f"o-{d}", "--as-of", AS_OF, "--db", url,
                   "--format", "csv")
        assert r.exit_code == 0, r.output
    r = invoke("verify", "--db", url)
    assert r.exit_code == 0, r.output
    assert "Ledger intact: 2 run record(s) verified" in r.output
    return sa.create_engine(url)


def test_verify_catches_an_edited_finding(tmp_path, db_url):
    eng = _two_runs(tmp_path, db_url)
    with eng.begin() as c:
        fid, run_id = c.execute(sa.text("SELECT id, run_id FROM findings ORDER BY id LIMIT 1")).one()
        c.execute(sa.text("UPDATE findings SET severity = 'info' WHERE id = :i"), {"i": fid})
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 1
    assert f"stored findings of run {run_id}" in r.output and "were changed after the run" in r.output


def test_verify_catches_an_edited_input_row(tmp_path, db_url):
    eng = _two_runs(tmp_path, db_url)
    with eng.begin() as c:
        rid, ingest_id = c.execute(sa.text("SELECT request_id, ingest_id FROM requests ORDER BY request_id LIMIT 1")).one()
        c.execute(sa.text("UPDATE requests SET necessity_rationale = 'edited later' WHERE request_id = :r"),
                  {"r": rid})
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 1
    assert f"stored input rows of ingest {ingest_id} were changed or deleted" in r.output


def test_verify_catches_a_deleted_input_row(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    eng = _two_runs(tmp_path, db_url)
    with eng.begin() as c:
        c.execute(sa.text("DELETE FROM custody_events WHERE event_id = (SELECT MIN(event_id) FROM custody_events)"))
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 1 and "were changed or deleted" in r.output


def test_verify_catches_a_rewritten_record_and_a_broken_link(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    eng = _two_runs(tmp_path, db_url)
    with eng.begin() as c:
        seq, text = c.execute(sa.text("SELECT seq, record FROM ledger ORDER BY seq LIMIT 1")).one()
        rec = json.loads(text)
        rec["tool_version"] = "9.9.9"
        c.execute(sa.text("UPDATE ledger SET record = :t WHERE seq = :s"), {"t": json.dumps(rec), "s": seq})
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 1 and f"record {seq}" in r.output and "was edited" in r.output
    # an attacker who also rewrites the record hash breaks the link to the next record
    import hashlib

    new_text = json.dumps(rec)
    with eng.begin() as c:
        c.execute(sa.text("UPDATE ledger SET record_hash = :h WHERE seq = :s"),
                  {"h": hashlib.sha256(new_text.encode()).hexdigest(), "s": seq})
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 1 and "link broken" in r.output


def test_ledger_survives_later_ingests_and_revisions(tmp_path, db_url):
    """Legitimate later work (new rows, a revision) does not break older records."""
    eng = _two_runs(tmp_path, db_url)
    import pandas as pd

    req = pd.read_csv(tmp_path / "d1" / "requests.csv", dtype=str, keep_default_na=False)
    req.loc[0, "case_reference"] = "CASE-CORRECTED"
    req.to_csv(tmp_path / "d1" / "requests.csv", index=False)
    r = invoke("ingest", "--data", tmp_path / "d1", "--db", db_url)
    assert r.exit_code == 0 and "1 revised row(s)" in r.output
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 0, r.output
    with eng.connect() as c:
        recs = [json.loads(t) for (t,) in c.execute(sa.text("SELECT record FROM ledger ORDER BY seq"))]
    assert recs[1]["prev_hash"] != recs[0]["prev_hash"]
    assert {i["sha256"] for i in recs[0]["inputs"]} and recs[0]["pack"]["sha256"]
    assert recs[0]["tool_version"] and recs[0]["findings_sha256"]


def test_cached_ingest_digests_equal_recomputed_ones_and_are_not_trusted_by_verify(tmp_path, db_url):
    """A run hashes only ingests it has not hashed before (cache ``ingest_digests``); the cache
    holds exactly what a full recomputation gives, and tampering with it is caught by verify."""
    from auditor import ledger

    eng = _two_runs(tmp_path, db_url)
    with eng.connect() as c:
        cached = {r.ingest_id: r.digest for r in c.execute(sa.text("SELECT ingest_id, digest FROM ingest_digests"))}
        assert len(cached) == 2
        assert cached == ledger.ingest_digests(c)
        second = json.loads(c.execute(sa.text("SELECT record FROM ledger ORDER BY seq DESC LIMIT 1")).scalar_one())
    assert second["ingests"] == cached  # the second record covers both ingests
    # a forged cache value ends up in the next record, which verify then rejects
    with eng.begin() as c:
        c.execute(sa.text("UPDATE ingest_digests SET digest = :d"), {"d": "0" * 64})
    r = invoke("run", "--data", tmp_path / "d1", "--out", tmp_path / "o-3", "--as-of", AS_OF, "--db", db_url,
               "--format", "csv")
    assert r.exit_code == 0, r.output
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 1 and "were changed or deleted" in r.output


def test_streamed_digests_do_not_depend_on_the_batch_size(tmp_path, db_url, monkeypatch):
    """Digests are streamed in batches (bounded memory); batch boundaries, several ingests and a
    revision merged into the order must give the digests of one single batch."""
    import pandas as pd

    from auditor import ledger

    eng = _two_runs(tmp_path, db_url)
    req = pd.read_csv(tmp_path / "d1" / "requests.csv", dtype=str, keep_default_na=False)
    req.loc[3, "case_reference"] = "CASE-CORRECTED"
    req.to_csv(tmp_path / "d1" / "requests.csv", index=False)
    assert invoke("ingest", "--data", tmp_path / "d1", "--db", db_url).exit_code == 0
    with eng.connect() as c:
        whole = ledger.ingest_digests(c)
        monkeypatch.setattr(ledger, "_STREAM_ROWS", 7)
        assert ledger.ingest_digests(c) == whole
        assert len(whole) == 3  # two ingests plus the one that brought the revision
        one = sorted(whole)[0]
        assert ledger.ingest_digests(c, [one]) == {one: whole[one]}


def test_line_spool_merges_sorted_runs_into_one_id_order(monkeypatch):
    """The spool writes each chunk's lines as a sorted run and merges the runs batch by batch;
    the table's lines come out in the order of one sort over all of them (Arrow's byte order,
    i.e. code points: non-ASCII ids and ids that are prefixes of others included), whatever the
    batch size, with runs that interleave, runs that do not overlap, a single run and none."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from auditor import ledger

    rng = np.random.default_rng(7)
    alphabet = list("abcXYZ019-é漢")
    ids = sorted({"".join(rng.choice(alphabet, size=rng.integers(1, 6))) for _ in range(3000)})
    ids = [str(i) for i in rng.permutation(ids)]
    lines = [f"t\x1e{i}\x1econtent {n}" for n, i in enumerate(ids)]

    def spooled(cuts: list[int], batch: int) -> bytes:
        monkeypatch.setattr(ledger.LineSpool, "RUN_BATCH", batch)
        with ledger.LineSpool() as spool:
            for a, b in zip([0, *cuts], [*cuts, len(ids)], strict=True):
                part_ids, part_lines = pa.array(ids[a:b], pa.string()), pa.array(lines[a:b], pa.string())
                order = pc.sort_indices(part_ids)
                spool.add_run("t", part_ids.take(order), part_lines.take(order))
            spool.finish_table("t")
            assert [p.name for p in spool.files["t"].parent.iterdir()] == ["t"]  # runs removed
            return spool.files["t"].read_bytes()

    expected = "\n".join(line for _, line in sorted(zip(ids, lines, strict=True),
                                                        key=lambda p: p[0].encode())).encode()
    for cuts, batch in [([], 64), ([1000, 2000], 1), ([7, 1500, 1501, 2999], 50), ([500], 100_000)]:
        assert spooled(cuts, batch) == expected
    with ledger.LineSpool() as spool:  # a table with no rows: an empty file, skipped by the digest
        spool.finish_table("t")
        assert spool.files["t"].read_bytes() == b"" and spool.digest() == ""
