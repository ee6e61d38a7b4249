"""Tamper-evident run ledger: `auditor verify` recomputes the chain and names the first broken
link. Edited findings, edited input rows, edited records and broken links are all caught, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import importlib
import json

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
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
    assert all(len(d) == 64 and d == d.upper() for d in cached.values())  # format 2: upper-case hex
    # a cached digest of format 1 (lower case) is not used: the next run hashes that ingest again
    first = sorted(cached)[0]
    with eng.begin() as c:
        c.execute(sa.text("UPDATE ingest_digests SET digest = :d WHERE ingest_id = :i"),
                  {"d": cached[first].lower(), "i": first})
    r = invoke("run", "--data", tmp_path / "d1", "--out", tmp_path / "o-3", "--as-of", AS_OF, "--db", db_url,
               "--format", "csv")
    assert r.exit_code == 0, r.output
    with eng.connect() as c:
        third = json.loads(c.execute(sa.text("SELECT record FROM ledger ORDER BY seq DESC LIMIT 1")).scalar_one())
        assert c.execute(sa.text("SELECT digest FROM ingest_digests WHERE ingest_id = :i"),
                         {"i": first}).scalar_one() == cached[first]
    assert third["ingests"] == cached
    assert invoke("verify", "--db", db_url).exit_code == 0
    # a forged cache value of format 2 ends up in the next record, which verify then rejects
    with eng.begin() as c:
        c.execute(sa.text("UPDATE ingest_digests SET digest = :d"), {"d": "A" * 64})
    r = invoke("verify", "--db", db_url)  # already before the next run: the cache is not what the rows hash to
    assert r.exit_code == 1 and "differ from what that ingest stored" in r.output
    r = invoke("run", "--data", tmp_path / "d1", "--out", tmp_path / "o-4", "--as-of", AS_OF, "--db", db_url,
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


def test_output_digests_do_not_depend_on_the_batch_size(tmp_path, db_url, monkeypatch):
    """A run's findings, outcomes and per-Party counts are hashed batch by batch (never all held
    as Python rows): batches of 7 rows and of one row (a batch whose column is all NULL, record_id,
    infers no type) give the digests recorded when the run was written, and the run checks out."""
    from auditor import ledger

    eng = _two_runs(tmp_path, db_url)
    with eng.connect() as c:
        runs = [r for (r,) in c.execute(sa.text("SELECT run_id FROM audit_runs ORDER BY started_at"))]
        whole = {r: ledger._outputs(c, r)[0] for r in runs}
        assert c.execute(sa.text("SELECT COUNT(*) FROM findings WHERE record_id IS NULL")).scalar() > 0
        for size in (7, 1):
            monkeypatch.setattr(ledger, "_STREAM_ROWS", size)
            assert {r: ledger._outputs(c, r)[0] for r in runs} == whole, size
        assert ledger.check_run(c, runs[0])[1] is None and ledger.check_run(c, None)[1] is None


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


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=4), max_size=12), st.booleans())
def test_keys_already_in_order_are_told_as_the_sort_would(keys, ordered):
    """``_in_order`` (which lets the ledger skip sorting lines that come in id order) says yes
    exactly when the code-point sort would leave the keys where they are: non-ASCII, prefixes,
    the empty text and repeated keys included."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from auditor import ledger

    if ordered:
        keys = sorted(keys)
    arr = pa.array(keys, pa.string())
    assert ledger._in_order(arr) == (keys == sorted(keys))
    if ledger._in_order(arr):
        assert pc.sort_indices(arr).to_pylist() == list(range(len(keys)))  # a stable sort's order
    assert not ledger._in_order(pa.array(["b", None, "c"], pa.string()))


def test_frame_lines_in_id_order_whatever_order_the_rows_come_in():
    import pandas as pd

    from auditor import ledger

    frame = pd.DataFrame({"request_id": pd.Series(["R3", "R1", "R10", "Ré", "R2"], dtype="string"),
                          "issuing_authority": pd.Series(["c", "a", "x", "e", None], dtype="string")})
    full = frame.reindex(columns=[c.name for c in ledger.TABLES["requests"].columns])
    ids, lines = ledger.frame_lines("requests", full, with_ids=True)
    assert ids.to_pylist() == ["R1", "R10", "R2", "R3", "Ré"]
    again = ledger.frame_lines("requests", full.iloc[[1, 2, 4, 0, 3]], with_ids=True)
    assert again[0].equals(ids) and again[1].equals(lines)


@pytest.mark.parametrize("rows", [1, 2, 3, 5])
def test_frame_lines_made_in_slices_are_the_lines_made_at_once(monkeypatch, rows):
    """The lines of a frame made ``LINE_SLICE`` rows at a time: the same ids and lines, in the same
    (id) order, when the ids are out of order across slices and a column is NULL throughout one
    slice but not another (it is left out of that slice's join, as the join skips it anyway)."""
    import pandas as pd

    from auditor import ledger

    frame = pd.DataFrame({"request_id": pd.Series(["R3", "R1", "R10", "Ré", "R2"], dtype="string"),
                          "issuing_authority": pd.Series([None, None, "x", "e\x1fq", None], dtype="string"),
                          "legal_basis": pd.Series(["a\nb", None, None, None, "\\N"], dtype="string")})
    full = frame.reindex(columns=[c.name for c in ledger.TABLES["requests"].columns])
    ids, lines = ledger.frame_lines("requests", full, with_ids=True)
    monkeypatch.setattr(ledger, "LINE_SLICE", rows)
    got_ids, got_lines = ledger.frame_lines("requests", full, with_ids=True)
    assert got_ids.to_pylist() == ids.to_pylist() == ["R1", "R10", "R2", "R3", "Ré"]
    assert got_lines.to_pylist() == lines.to_pylist()
    assert ledger.frame_lines("requests", full).to_pylist() == lines.to_pylist()


# ---------------------------------------------------------------- canonical content (format 2)
def _two_columns(a: list, b: list):
    import pyarrow as pa

    from auditor import ledger

    cols = {"a": (pa.array(a, pa.string()), None), "b": (pa.array(b, pa.string()), None)}
    v2 = ledger._content([("a", "str"), ("b", "str")], cols, ledger._TAG).to_pylist()
    v1 = [f"{x if x is not None else ledger._V1_NULL}\x1f{y if y is not None else ledger._V1_NULL}"
          for x, y in zip(a, b, strict=True)]
    return v2, v1


def test_format_2_content_tells_apart_what_format_1_confused():
    """NULL, the empty text and the old NULL marker; a separator moved from one field to the
    next; newlines and separators inside values: distinct contents, and no raw separator."""
    a = [None, "\x1a", "", "\\N", "x\x1fy", "x", "l1\nl2", "a\\b"]
    b = ["z", "z", "z", "z", "z", "y\x1fz", "\x1e", "\\"]
    v2, v1 = _two_columns(a, b)
    assert len(set(v2)) == len(v2)
    assert v1[0] == v1[1] and v1[4] == v1[5]  # what format 1 could not tell apart
    for content in v2:
        assert content.startswith("\x1a") and "\n" not in content and "\x1e" not in content
        assert content[1:].count("\x1f") == (0 if content.count("=") == 1 else 1)
    assert v2[0] == "\x1ab=z"  # a NULL column is absent, so a column added later changes nothing


@settings(max_examples=examples(100), deadline=None)
@given(st.text())
def test_escaping_round_trips(text):
    from auditor import ledger

    escaped = ledger._escape_text(text)
    assert not {"\n", "\x1e", "\x1f"} & set(escaped)
    assert ledger._unescape(escaped) == text


def test_stored_rows_hash_like_the_rows_being_stored(tmp_path, db_url):
    """Every column kind, NULLs and hostile text (separators, newline, backslash, the old NULL
    marker, text that looks like the new markers): the digest of the rows as stored equals the
    one taken from the frame while ingesting."""
    import pandas as pd

    from auditor import ledger
    from auditor.ingest.schema import TABLES
    from auditor.store import db

    spec = TABLES["parties"]
    n = 6
    hostile = ["a\x1fb", "\x1a", "", "line\nbreak\x1e", "\\N\\T x", None]
    frame = {}
    for c in spec.columns:
        if c.name == "party":
            frame[c.name] = pd.Series(["AT", "B\x1fE", "C\\Z", "D\nE", "\x1aF", "Ü"], dtype="string")
        elif c.kind == "timestamp":
            frame[c.name] = pd.Series(pd.to_datetime(["2024-02-29T23:59:59.123456Z", None, "1970-01-01T00:00:00Z",
                                                      "2038-01-19T03:14:08Z", None, "2026-06-30T00:00:00Z"],
                                                     utc=True, format="ISO8601")).astype("datetime64[us, UTC]")
        elif c.kind == "bool":
            frame[c.name] = pd.Series([True, False, None, True, False, None], dtype="boolean")
        elif c.kind == "int":
            frame[c.name] = pd.Series([0, -1, None, 2**62, 9_007_199_254_740_993, 7], dtype="Int64")
        else:
            frame[c.name] = pd.Series(hostile, dtype="string")
    typed = pd.DataFrame(frame)
    assert len(typed) == n
    engine = db.get_engine(db_url)
    with engine.begin() as conn:
        db.insert_frame(conn, "parties", typed.assign(row_hash="h", ingest_id="ing-hostile"))
    with ledger.LineSpool() as spool:
        spool.add_run("parties", *ledger.frame_lines("parties", typed, with_ids=True))
        spool.finish_table("parties")
        expected = spool.digest()
    with engine.connect() as conn:
        assert ledger.ingest_digests(conn) == {"ing-hostile": expected}
        contents = ledger.row_contents(conn, "parties")
    assert contents["content"].str.startswith("\x1a").all()
    assert not contents["content"].str.contains("\n").any()
    r = invoke("verify", "--db", db_url)  # rows of an ingest with no ingest record: a warning, not a break
    assert r.exit_code == 0 and "Warning: 6 stored input row(s) belong to ingest ing-hostile" in r.stderr
    engine.dispose()


@pytest.mark.parametrize(("slice_rows", "sort_bytes"), [(None, None), (3, None), (3, 1)])
def test_findings_digested_as_written_hash_like_the_rows_read_back(db_url, monkeypatch, slice_rows, sort_bytes):
    """An audit's findings are digested from the values it writes (``ledger._written_digest``), not
    read back: the digest equals the one of the rows read back in the same transaction, on both
    backends, over text the canonical form escapes, empty text, NULLs, non-ASCII and a column the
    frame lacks. Where the stored text might not be the written text (a value that is not text,
    rows of the run written otherwise) it declines and the rows are read back. ``slice_rows``: the
    written rows' lines made and hashed 3 at a time (``ledger.LINE_SLICE``), the same digests;
    ``sort_bytes``: each slice's lines sorted and spooled to a run file, the runs merged
    (``ledger.SORT_BYTES``), the same digests."""
    import pandas as pd
    import pytest

    from auditor import ledger
    from auditor.store import db, models

    if slice_rows is not None:
        monkeypatch.setattr(ledger, "LINE_SLICE", slice_rows)
    if sort_bytes is not None:
        monkeypatch.setattr(ledger, "SORT_BYTES", sort_bytes)

    t = models.Finding.__table__
    cols = ledger._output_columns("findings")
    hostile = ["a\\b", "line\nbreak", "\x1e\x1f", "", "é\u2028ü", "\\N", "tab\tx", "plain"]
    n = len(hostile)
    frame = pd.DataFrame({c: pd.Series([f"{c}-{i}" for i in range(n)], dtype="string")
                          for c in cols if c not in ("receiving_party", "request_id")})
    frame["message"] = pd.Series(hostile, dtype="string")
    frame["party"] = pd.Series(["FR", None, "", "DE", None, "ÅÄ", "x\ny", "US"], dtype="string")
    frame["run_id"] = "run-w"
    frame["kind"] = pd.Series(hostile[::-1], dtype=object)  # object column of str: written as it is
    frame["record_id"] = pd.Series([*hostile[1:], None], dtype="string[pyarrow]")
    frame["provider"] = pd.Series([*hostile[2:], None, "x"], dtype="str")  # pandas' default text dtype (NaN)
    engine = db.get_engine(db_url)
    try:
        with engine.begin() as conn:
            ahead = ledger.DigestAhead("findings", frame, conn.dialect.name)  # hashed while it is written
            db.insert_frame(conn, t, frame)
            fast = ledger._written_digest(conn, "findings", "run-w", cols, frame)
            assert fast is not None and fast == ledger._output_digest(conn, "findings", "run-w", cols)[:2]
            assert ledger._written_digest(conn, "findings", "run-w", cols, ahead) == fast
            assert ledger._outputs(conn, "run-w", {"findings": frame})[0] == ledger._outputs(conn, "run-w")[0]
            # another row of the run, written otherwise: the counts differ, the rows are read back
            db.insert_frame(conn, t, frame.iloc[:1])
            assert ledger._written_digest(conn, "findings", "run-w", cols, frame) is None
            assert ledger._outputs(conn, "run-w", {"findings": frame})[0] == ledger._outputs(conn, "run-w")[0]
        odd = frame.assign(run_id="run-o", pack=pd.Series([1, "a", None, 2.5, "b", "c", "d", "e"], dtype=object))
        with engine.begin() as conn:
            ahead = ledger.DigestAhead("findings", odd, conn.dialect.name)
            db.insert_frame(conn, t, odd)  # SQLAlchemy's way: the database converts the numbers
            assert ledger._written_digest(conn, "findings", "run-o", cols, odd) is None
            assert ledger._written_digest(conn, "findings", "run-o", cols, ahead) is None
            # a digest ahead that failed: raised where it is asked for, and the rows are read back
            real = ledger._frame_digest
            try:
                ledger._frame_digest = lambda *a: (_ for _ in ()).throw(ValueError("arrow said no"))
                failed = ledger.DigestAhead("findings", odd, conn.dialect.name)
                failed._ahead._thread.join()  # computed while the patch holds
            finally:
                ledger._frame_digest = real
            with pytest.raises(ValueError, match="arrow said no"):
                failed.result()
            assert ledger._outputs(conn, "run-o", {"findings": failed})[0] == ledger._outputs(conn, "run-o")[0]
    finally:
        engine.dispose()


def test_columns_null_in_every_row_are_left_out_of_the_lines_as_the_join_would():
    """``ledger._content`` leaves out a column NULL in every row before the join: the lines are
    the ones the join of every column gives. A row with no value at all is refused, not dropped
    (Arrow's join drops it, which would shift every later line)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pytest

    from auditor import ledger

    n = 5
    cols = {"id": (pa.array(["a", "b\n", None, "d", "e"]), None),
            "empty": (pa.nulls(n, pa.string()), None),
            "tagged": (pa.nulls(n, pa.string()), pa.array([None, "x:bad", None, None, None])),
            "sparse": (pa.array([None, None, "s", None, "t"]), None),
            "zz": (pa.nulls(n, pa.int64()).cast(pa.string()), None)}
    kinds = [(c, "str") for c in cols]
    fields = [pc.binary_join_element_wise(f"{c}=", ledger._with_tags(t, g, True), "") for c, (t, g) in sorted(cols.items())]
    every = pc.binary_join_element_wise(*fields, ledger._US, null_handling="skip")
    assert ledger._content(kinds, cols).to_pylist() == every.to_pylist()
    assert ledger._content(kinds, cols, ledger._TAG).to_pylist() == [ledger._TAG + t for t in every.to_pylist()]
    assert ledger._content(kinds, cols).to_pylist()[2] == "sparse=s"
    hole = {**cols, "sparse": (pa.nulls(n, pa.string()), None)}  # row 2 has no value left
    with pytest.raises(ValueError, match="no value in any column"):
        ledger._content(kinds, hole)
    with pytest.raises(ValueError, match="no value in any column"):
        ledger._content([("empty", "str")], cols)


def test_an_audit_digests_its_findings_as_written_and_verifies(tmp_path, monkeypatch):
    """``auditor run`` takes its findings' digest from what it writes (not read back), and the
    record it makes checks out against the stored rows (``auditor verify``, the report)."""
    from auditor import ledger

    seen = []
    real = ledger._written_digest
    passed = []
    monkeypatch.setattr(ledger, "_written_digest",
                        lambda *a: (passed.append(a[4]), seen.append(r := real(*a)), r)[2])
    make_slice(tmp_path / "d", n=40)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    r = invoke("run", "--data", tmp_path / "d", "--out", tmp_path / "o", "--as-of", AS_OF, "--db", url,
               "--format", "csv")
    assert r.exit_code == 0, r.output
    assert len(seen) == 1 and seen[0] is not None and seen[0][1] > 0
    assert isinstance(passed[0], ledger.DigestAhead)  # hashed while the findings were written
    r = invoke("verify", "--db", url)
    assert r.exit_code == 0 and "Ledger intact: 1 run record(s) verified" in r.output, r.output


def test_format_2_contents_convert_to_the_format_1_lines(tmp_path):
    """A row revised after the upgrade keeps a format-2 content in input_revisions; records of
    format 1 that covered it recompute its format-1 line from that content."""
    from auditor import ledger
    from auditor.ingest.schema import TABLES
    from auditor.store import db, models

    make_slice(tmp_path / "d", n=40)
    url = f"sqlite:///{tmp_path / 'conv.db'}"
    assert invoke("ingest", "--data", tmp_path / "d", "--db", url).exit_code == 0
    engine = db.get_engine(url)
    with engine.connect() as conn:
        for table, spec in TABLES.items():
            t = models.INPUT_MODELS[table].__table__
            rows = conn.execute(sa.select(*[t.c[c] for c in spec.names]).order_by(t.c[spec.id_column])).fetchall()
            raw = conn.exec_driver_sql(f"SELECT {', '.join(spec.names)} FROM {table} "
                                       f"ORDER BY {spec.id_column}").fetchall()
            v1 = ledger._lines_v1(table, list(zip(*raw, strict=True))).to_pylist()
            v2 = ledger.row_contents(conn, table).set_index("id")["content"]
            assert len(rows) == len(v1) > 0
            for row, line in zip(raw, v1, strict=True):
                assert f"{table}\x1e{row[0]}\x1e{ledger._v1_content(table, v2[row[0]])}" == line
    engine.dispose()


# ---------------------------------------------------------------- a ledger of format 1
@contextlib.contextmanager
def _writing_format_1(monkeypatch):
    """Ingests and runs of the auditor before format 2: its ledger module (kept verbatim in
    tests/jobs/legacy) computes the lines, revisions, cached digests and records."""
    from auditor import ledger
    from auditor.store import db

    v1 = importlib.import_module("tests.jobs.legacy.ledger_v1")
    with monkeypatch.context() as m:
        for name in ("LineSpool", "frame_lines", "row_contents"):
            m.setattr(ledger, name, getattr(v1, name))

        def append_run(engine, run, extra, store=None):
            if store is not None:  # the earlier auditor stored the rows, then the run, then the record
                with engine.begin() as conn:
                    store(conn)
            db.save(engine, [run])
            return v1.append_run(engine, run, extra)

        m.setattr(ledger, "append_run", append_run)
        m.setattr(ledger, "require_verified_run", lambda engine, run_id: run_id)
        yield


def _revise(src, dst, row: int, value: str) -> None:
    import pandas as pd

    dst.mkdir(exist_ok=True)
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    req = pd.read_csv(src / "requests.csv", dtype=str, keep_default_na=False)
    req.loc[row, "case_reference"] = value
    req.to_csv(dst / "requests.csv", index=False)


def test_a_ledger_of_format_1_still_verifies(tmp_path, db_url, monkeypatch):
    make_slice(tmp_path / "d1", n=30)
    make_slice(tmp_path / "d2", n=30, start=30)

    def run(d: str, out: str) -> None:
        r = invoke("run", "--data", tmp_path / d, "--out", tmp_path / out, "--as-of", AS_OF, "--db", db_url,
                   "--format", "csv")
        assert r.exit_code == 0, r.output

    with _writing_format_1(monkeypatch):
        run("d1", "o1")
        run("d2", "o2")
        _revise(tmp_path / "d1", tmp_path / "d3", 0, "CASE-FIRST-FIX")  # a revision stored by format 1
        run("d3", "o3")
    eng = sa.create_engine(db_url)
    with eng.connect() as c:
        recs = [json.loads(t) for (t,) in c.execute(sa.text("SELECT record FROM ledger ORDER BY seq"))]
        run1, ingest1 = recs[0]["run_id"], sorted(recs[0]["ingests"])[0]
        request1 = c.execute(sa.text("SELECT MIN(request_id) FROM requests WHERE ingest_id = :i"),
                             {"i": ingest1}).scalar_one()
    assert [r["ledger_version"] for r in recs] == [1, 1, 1]
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 0, r.output
    assert "Ledger intact: 3 run record(s) verified" in r.output and "3 of them in ledger format 1" in r.output
    # this version goes on: a row a format-1 record covers is revised (its old version is kept in
    # format 2), a run of format 2 hashes the ingests whose cached digest was of format 1
    _revise(tmp_path / "d1", tmp_path / "d4", 1, "CASE-SECOND-FIX")
    assert invoke("ingest", "--data", tmp_path / "d4", "--db", db_url).exit_code == 0
    assert invoke("verify", "--db", db_url).exit_code == 0
    run("d2", "o4")
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 0, r.output
    assert "Ledger intact: 4 run record(s) verified" in r.output and "3 of them in ledger format 1" in r.output
    with eng.connect() as c:
        cached = [d for (d,) in c.execute(sa.text("SELECT digest FROM ingest_digests WHERE digest <> ''"))]
    assert cached and all(d == d.upper() for d in cached)
    r = invoke("report", "--run", run1, "--out", tmp_path / "r1", "--db", db_url, "--format", "csv")
    assert r.exit_code == 0, r.output  # a run of format 1 is still reported
    # the old NULL marker in a NULL field: format 1 cannot see it, the format-2 record does
    with eng.begin() as c:
        c.execute(sa.text("UPDATE requests SET validating_authority = :m WHERE request_id = :r"),
                  {"m": "\x1a", "r": request1})
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 1 and "Ledger BROKEN after 3 intact record(s)" in r.stderr, r.output
    assert f"stored input rows of ingest {ingest1} were changed or deleted" in r.stderr and "(record 4)" in r.stderr
    with eng.begin() as c:
        c.execute(sa.text("UPDATE requests SET validating_authority = NULL WHERE request_id = :r"), {"r": request1})
        c.execute(sa.text("UPDATE requests SET necessity_rationale = 'edited' WHERE request_id = :r"),
                  {"r": request1})
    r = invoke("verify", "--db", db_url)
    assert r.exit_code == 1 and "Ledger BROKEN after 0 intact record(s)" in r.stderr, r.output
    assert f"ingest {ingest1} were changed or deleted after run {run1} (record 1)" in r.stderr
    eng.dispose()


def test_a_stored_runs_findings_read_in_arrow_hash_as_recorded(tmp_path, monkeypatch, request):
    """A stored run's findings are read from a SQLite file in Arrow when it is checked
    (``ledger._arrow_lines``, above ``db.ARROW_READ_ABOVE`` rows; 0 here): the digest is the one
    the run recorded and the one the row-by-row read gives, also once the stored text holds the
    characters the canonical text escapes and a column of NULLs only; an edit is still caught, and
    text that is not UTF-8 is read the usual way and named as before. With ``ledger.SORT_BYTES``
    1, every batch of lines read back is sorted and spooled as a run of its own: the same digests."""
    from auditor import ledger
    from auditor.store import db
    from tests.conftest import alone

    if alone(request):
        return
    url = f"sqlite:///{tmp_path / 'l.db'}"
    eng = _two_runs(tmp_path, url)
    monkeypatch.setattr(db, "ARROW_READ_ABOVE", 0)
    taken = []
    real = ledger._arrow_lines
    monkeypatch.setattr(ledger, "_arrow_lines", lambda *a: (taken.append(r := real(*a)), r)[1])
    cols = ledger._output_columns("findings")

    def both(c, run):
        fast = ledger._output_digest(c, "findings", run, cols, committed=True)
        assert taken[-1] is not None
        assert fast == ledger._output_digest(c, "findings", run, cols)
        with monkeypatch.context() as m:  # runs of one batch each, spooled and merged
            m.setattr(ledger, "SORT_BYTES", 1)
            assert fast == ledger._output_digest(c, "findings", run, cols, committed=True)
            assert fast == ledger._output_digest(c, "findings", run, cols)
        return fast

    with eng.connect() as c:
        runs = [r for (r,) in c.execute(sa.text("SELECT run_id FROM audit_runs ORDER BY started_at"))]
        for run in runs:
            assert both(c, run)[0] == ledger._outputs(c, run)[0]["findings_sha256"]
            assert ledger.check_run(c, run)[1] is None and taken[-1] is not None  # as recorded
    with eng.begin() as c:
        c.execute(sa.text("UPDATE findings SET message = :m WHERE id = (SELECT MIN(id) FROM findings "
                          "WHERE run_id = :r)"), {"m": "a\\b\nc\x1ed\x1fe\u2028é", "r": runs[0]})
        # a column of NULLs only (the driver reads it as integers)
        c.execute(sa.text("UPDATE findings SET record_id = NULL WHERE run_id = :r"), {"r": runs[0]})
    with eng.connect() as c:
        both(c, runs[0])
        problem = ledger.check_run(c, runs[0])[1]
        assert problem and "were changed after the run" in problem
    with eng.begin() as c:
        c.execute(sa.text("UPDATE findings SET message = CAST(X'FF41' AS TEXT) WHERE id = (SELECT MIN(id) FROM "
                          "findings WHERE run_id = :r)"), {"r": runs[1]})
    verdict = ledger.run_verdict(eng, runs[1])
    assert taken[-1] is None  # not UTF-8: read value by value
    monkeypatch.setattr(ledger, "_arrow_lines", lambda *a: None)
    assert verdict == ledger.run_verdict(eng, runs[1]) and verdict[1]


def test_a_run_checked_in_a_helper_is_read_the_usual_way(tmp_path, monkeypatch, request):
    """The report checks a run in a forked helper (``audit.build_model``). A daemonic helper may
    fork nothing, so there the findings are read row by row (no Arrow read) and the verdict is the
    same, never an error (the Arrow read's first version failed the report of a run of more than
    ``ARROW_READ_ABOVE`` findings: "daemonic processes are not allowed to have children"). The
    report's helper is started as one that may have children, and there the Arrow read runs."""
    from auditor import audit, forking, ledger
    from auditor.store import db
    from tests.conftest import alone

    if alone(request):  # the helper must be forked for the test to mean anything
        return
    url = f"sqlite:///{tmp_path / 'h.db'}"
    eng = _two_runs(tmp_path, url)
    monkeypatch.setattr(db, "ARROW_READ_ABOVE", 0)
    inline = ledger.run_verdict(eng, None)
    helper = forking.Beside(audit._ledger_verdict, eng, inline[0])
    assert helper.result() == inline and inline[1] is None

    def verdict_and_reads(run_id):  # in the helper: the verdict and whether the Arrow read ran
        reads = []
        real = ledger._arrow_lines
        ledger._arrow_lines = lambda *a: (reads.append(r := real(*a)), r)[1]
        try:
            return audit._ledger_verdict(eng, run_id), reads
        finally:
            ledger._arrow_lines = real

    for children, arrow in ((False, False), (True, True)):
        verdict, reads = forking.Beside(verdict_and_reads, inline[0], children=children).result()
        assert verdict == inline
        assert bool(reads) and all(r is not None for r in reads) if arrow else not any(reads), (children, reads)
    out = tmp_path / "report"
    r = invoke("report", "--db", url, "--out", out, "--format", "csv")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("budget", [1, 40, 10**9])
@pytest.mark.parametrize("slice_rows", [1, 2, 5, 50_000])
def test_sorted_digest_of_chunks_in_slices_and_spooled_runs(monkeypatch, budget, slice_rows):
    """The digest of lines in any order is SHA-256 of them sorted in code-point order and joined
    by newlines, whether they come as one array or as chunks (empty ones among them), are taken
    ``LINE_SLICE`` at a time from the chunks they fall in (``_taken_in_slices``: Arrow's ``take``
    of a chunked text array would join every chunk first), or are sorted in runs of about
    ``budget`` bytes spooled to files and merged (``_SortedLines``); duplicates, empty lines and
    non-ASCII text (code points, not UTF-16 or locale order) included."""
    import hashlib
    import random

    import pyarrow as pa
    import pyarrow.compute as pc

    from auditor import ledger

    monkeypatch.setattr(ledger, "LINE_SLICE", slice_rows)
    rng = random.Random(budget * 31 + slice_rows)
    for _ in range(25):
        sizes = [rng.choice([0, 1, 2, 3, 7]) for _ in range(rng.randint(1, 6))]
        values = ["".join(rng.choice("ab\u00e9\U0001f600\uffff=") for _ in range(rng.randint(0, 4)))
                  for _ in range(sum(sizes))]
        chunks, at = [], 0
        for size in sizes:
            chunks.append(pa.array(values[at:at + size], pa.string()))
            at += size
        lines = pa.chunked_array(chunks, pa.string())
        want = hashlib.sha256("\n".join(sorted(values)).encode()).hexdigest()
        assert ledger._sorted_digest(lines) == want
        assert ledger._sorted_digest(pa.array(values, pa.string())) == want
        sorter = ledger._SortedLines(budget)
        for chunk in chunks:
            sorter.add(chunk)
        assert sorter.digest() == want
        assert sorter._dir is None  # the run files are gone
        if values:
            taken = ledger._taken_in_slices(lines, pc.sort_indices(lines).to_numpy())
            assert pa.concat_arrays(list(taken)).to_pylist() == sorted(values)
