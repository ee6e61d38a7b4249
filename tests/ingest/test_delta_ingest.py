"""Re-ingest of a changed file (issue 21 item 4): rows whose raw hash (the row as read) is the one
stored with their id are counted as unchanged without being normalised again; every other row
takes the full path. The outcome is that of a full re-read (``rescan``) row for row."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import audit, ledger
from auditor.ingest import normalise, pipeline
from auditor.ingest.pipeline import ingest_folder
from auditor.store import db, models
from tests.conftest import AS_OF, KEY, SAMPLE, examples
from tests.ingest.test_ingest import _requests, _write
from tests.store.conftest import any_engine, pg_url  # noqa: F401  (SQLite and PostgreSQL)

N = 30  # requests of the first export (the sample's first ones, with their child rows)


@pytest.fixture(autouse=True)
def _inline_contract_suite(monkeypatch):
    # the contract suite runs in this process (imported once), not in a helper forked per ingest
    monkeypatch.setenv("AUDITOR_GX_WORKER", "0")


@pytest.fixture
def normalised(monkeypatch) -> dict[str, int]:
    """Rows each table sent through ``normalise.canonical`` (the full path), per ingest."""
    seen: dict[str, int] = {}
    canonical = normalise.canonical

    def counting(frame, spec, *args, **kwargs):
        seen[spec.name] = seen.get(spec.name, 0) + len(frame)
        return canonical(frame, spec, *args, **kwargs)

    monkeypatch.setattr(normalise, "canonical", counting)
    return seen


def _export(folder, n: int, edits: bool = False) -> None:
    """The sample's first ``n`` requests and their child rows, plus a request that is always
    quarantined (bad instrument) and a disclosure of a request that does not exist. ``edits``: one
    request changed (a revision) and one only written differently (same canonical row)."""
    folder.mkdir(parents=True, exist_ok=True)
    req = pd.read_csv(SAMPLE / "requests.csv", dtype=str, keep_default_na=False).iloc[:n]
    bad = req.iloc[[0]].assign(request_id="RBAD-1", instrument="carrier_pigeon")
    req = pd.concat([req, bad], ignore_index=True)
    if edits:
        req.loc[3, "issuing_authority"] = "Another authority"
        req.loc[5, "offence"] = "  " + req.loc[5, "offence"] + "  "  # stripped: the same canonical row
    req.to_csv(folder / "requests.csv", index=False)
    ids = set(req["request_id"])
    for name in ("disclosures", "custody_events"):
        t = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        t = t[t["request_id"].isin(ids)]
        if name == "disclosures":
            orphan = t.iloc[[0]].assign(disclosure_id="DORPHAN-1", request_id="RMISSING-1")
            t = pd.concat([t, orphan], ignore_index=True)
        t.to_csv(folder / f"{name}.csv", index=False)
    pd.read_csv(SAMPLE / "parties.csv", dtype=str, keep_default_na=False).to_csv(folder / "parties.csv", index=False)


def _ordinals(engine) -> dict[str, int]:
    return {ing.id: i for i, ing in enumerate(db.ingests(engine))}


def _content(engine) -> dict[str, list]:
    """Everything an ingest wrote, with ingest ids replaced by their position (the ids differ)."""
    pos = _ordinals(engine)
    out: dict[str, list] = {}
    with engine.connect() as conn:
        for name, model in models.INPUT_MODELS.items():
            t = model.__table__
            rows = conn.execute(sa.select(t)).mappings().all()
            out[name] = sorted(str({**r, "ingest_id": pos[r["ingest_id"]]}) for r in rows)
        q = models.QuarantineRow.__table__
        out["quarantine"] = sorted(str({**r, "id": None, "ingest_id": pos[r["ingest_id"]]})
                                   for r in conn.execute(sa.select(q)).mappings())
        rv = models.InputRevision.__table__
        out["revisions"] = sorted(str({**r, "id": None, "revised_at": None, "old_ingest_id": pos[r["old_ingest_id"]],
                                       "new_ingest_id": pos[r["new_ingest_id"]]})
                                  for r in conn.execute(sa.select(rv)).mappings())
    return out


def _counts(res) -> dict[str, tuple]:
    return {c.table: (c.read, c.stored, c.unchanged, c.revised, c.quarantined, tuple(c.revised_ids))
            for c in res.counts}


def _findings(engine) -> list[str]:
    found = audit.audit_store(engine, as_of=pd.Timestamp(AS_OF, tz="UTC")).output.findings
    assert len(found)
    found = found.drop(columns=[c for c in ("run_id", "id") if c in found.columns])
    return sorted(str(r) for r in found.to_dict("records"))


def test_fast_path_gives_what_a_full_reread_gives(tmp_path, normalised, any_engine, monkeypatch):  # noqa: F811
    if any_engine.dialect.name != "sqlite":  # SQLite: the forked table writer; PostgreSQL: inline
        monkeypatch.setenv("AUDITOR_WRITER", "0")
    _export(tmp_path / "first", N)
    _export(tmp_path / "next", N + 3, edits=True)  # 3 new requests (and their child rows), 2 edits
    fast, full = any_engine, db.get_engine(f"sqlite:///{tmp_path / 'full.db'}")  # full re-read: SQLite
    for engine in (fast, full):
        first = ingest_folder(tmp_path / "first", engine, KEY)
    assert first.count("requests").quarantined == 1 and first.count("disclosures").quarantined == 1
    normalised.clear()
    a = ingest_folder(tmp_path / "next", fast, KEY)
    on_full_path = dict(normalised)
    b = ingest_folder(tmp_path / "next", full, KEY, rescan=True)

    assert _counts(a) == _counts(b)
    r = a.count("requests")
    assert (r.read, r.stored, r.revised, r.quarantined) == (N + 4, 3, 1, 1) and r.reconciles
    assert a.count("disclosures").quarantined == 1  # still quarantined
    assert _content(fast) == _content(full)  # rows, row and raw hashes, owners, quarantine, revisions
    assert a.quarantine.equals(b.quarantine)  # the same rows, reasons and records as the first ingest's
    assert sorted(a.quarantine["column"]) == ["instrument", "request_id"]
    assert sorted(a.quarantine["reason"]) == sorted(first.quarantine["reason"])  # quarantined again, same reasons
    # only the new, changed, re-written and quarantined requests were normalised again
    assert on_full_path["requests"] == 3 + 2 + 1
    assert on_full_path["disclosures"] < a.count("disclosures").read
    if fast.dialect.name == "sqlite":  # the findings follow from the rows, compared above on both
        assert _findings(fast) == _findings(full)
    stored = db.load_table(fast, "requests").set_index("request_id")
    first_ids = pd.read_csv(tmp_path / "next" / "requests.csv", dtype=str)["request_id"]
    assert stored.loc[first_ids[3], "issuing_authority"] == "Another authority"

    # the row written differently now has its new raw hash: the same file again (forced past the
    # SHA-256 skip) normalises only the quarantined rows
    normalised.clear()
    (tmp_path / "next" / "requests.csv").write_text((tmp_path / "next" / "requests.csv").read_text() + "\n")
    c = ingest_folder(tmp_path / "next", fast, KEY)
    assert normalised["requests"] == 1 and c.count("requests").unchanged == N + 3
    with fast.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM requests WHERE raw_hash IS NULL")).scalar_one() == 0
    assert ledger.verify(fast).ok


@pytest.mark.parametrize("writer", ["forked", "inline"])
def test_a_stored_id_repeated_in_the_next_file_is_quarantined_as_a_full_reread_does(tmp_path, writer, monkeypatch):
    """A re-ingest finds repeated ids from each id's place among the stored ones (its look-ups run
    in a thread beside the reading, or here with an inline writer): a stored id written twice in
    the next file sends both rows to the full path, which quarantines them, as a full re-read does."""
    if writer == "inline":
        monkeypatch.setenv("AUDITOR_WRITER", "0")
    _export(tmp_path / "first", N)
    _export(tmp_path / "next", N + 3)
    req = pd.read_csv(tmp_path / "next" / "requests.csv", dtype=str, keep_default_na=False)
    twice = req.iloc[[7]].assign(issuing_authority="Another authority")  # a stored id, again
    pd.concat([req, twice], ignore_index=True).to_csv(tmp_path / "next" / "requests.csv", index=False)
    fast, full = (db.get_engine(f"sqlite:///{tmp_path / f'{n}.db'}") for n in ("fast", "full"))
    for engine in (fast, full):
        ingest_folder(tmp_path / "first", engine, KEY)
    a = ingest_folder(tmp_path / "next", fast, KEY)
    b = ingest_folder(tmp_path / "next", full, KEY, rescan=True)
    assert _counts(a) == _counts(b) and _content(fast) == _content(full)
    assert a.quarantine.equals(b.quarantine)
    repeated = a.quarantine[(a.quarantine["table"] == "requests") & (a.quarantine["column"] == "request_id")]
    assert len(repeated) == 2 and a.count("requests").quarantined == 3  # both copies, and RBAD-1


def _profile(path, version: str):
    from auditor.ingest import mapping  # noqa: PLC0415

    columns = "\n".join(f'"{c}" = "{c}"' for c in _requests(1).columns)
    path.write_text(f'[profile]\nname = "t"\nversion = "{version}"\n\n[tables.requests]\nfiles = ["export.csv"]\n\n'
                    f"[tables.requests.columns]\n{columns}\n", encoding="utf-8")
    return mapping.load_profile(path)


def test_a_profile_key_or_code_change_takes_the_full_path(tmp_path, engine, normalised, monkeypatch):
    frame = _requests(4)
    frame.to_csv(tmp_path / "export.csv", index=False)
    ingest_folder(tmp_path, engine, KEY, profile=_profile(tmp_path / "p1.toml", "1"))
    frame.loc[0, "issuing_authority"] = "Changed"
    frame.to_csv(tmp_path / "export.csv", index=False)
    normalised.clear()
    r = ingest_folder(tmp_path, engine, KEY, profile=_profile(tmp_path / "p1.toml", "1")).count("requests")
    assert normalised["requests"] == 1 and (r.revised, r.unchanged) == (1, 3)  # the same profile: fast path
    frame.loc[1, "issuing_authority"] = "Changed"
    frame.to_csv(tmp_path / "export.csv", index=False)
    normalised.clear()
    r = ingest_folder(tmp_path, engine, KEY, profile=_profile(tmp_path / "p2.toml", "2")).count("requests")
    assert normalised["requests"] == 4 and (r.revised, r.unchanged) == (1, 3)  # another profile: full path

    # another key: every row normalised again (and pseudonyms differ: every row is revised)
    engine = db.get_engine(f"sqlite:///{tmp_path / 'key.db'}")
    _write(tmp_path / "d", "requests", _requests(3), "csv")
    ingest_folder(tmp_path / "d", engine, KEY)
    _write(tmp_path / "d", "requests", _requests(4), "csv")
    normalised.clear()
    r = ingest_folder(tmp_path / "d", engine, b"another-key-0123456789").count("requests")
    assert normalised["requests"] == 4 and (r.stored, r.revised, r.unchanged) == (1, 3, 0)
    # another version of the code that reads rows: full path
    _write(tmp_path / "d", "requests", _requests(5), "csv")
    monkeypatch.setattr(pipeline, "_code_digest", lambda: "another version")
    normalised.clear()
    r = ingest_folder(tmp_path / "d", engine, b"another-key-0123456789").count("requests")
    assert normalised["requests"] == 5 and (r.stored, r.unchanged) == (1, 4)


def test_raw_hash_tells_missing_from_written_values():
    spec = pipeline.TABLES["requests"]
    salt = pipeline._raw_salt(spec, KEY, None)
    frame = pd.DataFrame({"request_id": ["R1", "R1", "R1", "R1"], "offence": [None, "None", "", "nan"]},
                         dtype=object)
    h = pipeline._raw_hash(frame, spec, salt)
    assert h.nunique() == 4
    assert not h.equals(pipeline._raw_hash(frame, spec, pipeline._raw_salt(spec, KEY, "profile-sha")))
    assert h.equals(pipeline._raw_hash(frame.astype("string"), spec, salt))  # object columns: as text
    counts = pd.DataFrame({"request_id": ["R1"], "identifiers_count": [1]})
    assert not pipeline._raw_hash(counts, spec, salt).equals(
        pipeline._raw_hash(counts.astype({"identifiers_count": "float64"}), spec, salt))  # another dtype


def test_a_database_without_raw_hashes_is_migrated_and_filled(tmp_path, normalised):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.get_engine(url)
    _write(tmp_path / "d", "requests", _requests(3), "csv")
    ingest_folder(tmp_path / "d", engine, KEY)
    with engine.begin() as conn:  # as an earlier version left it: no raw_hash column
        conn.exec_driver_sql("ALTER TABLE requests DROP COLUMN raw_hash")
    engine.dispose()
    engine = db.get_engine(url)  # adds the column back (NULL for the stored rows)
    _write(tmp_path / "d", "requests", _requests(4), "csv")
    normalised.clear()
    r = ingest_folder(tmp_path / "d", engine, KEY).count("requests")
    assert normalised["requests"] == 4 and (r.stored, r.unchanged) == (1, 3)  # no raw hash yet: full path
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM requests WHERE raw_hash IS NULL")).scalar_one() == 0
    _write(tmp_path / "d", "requests", _requests(5), "csv")
    normalised.clear()
    r = ingest_folder(tmp_path / "d", engine, KEY).count("requests")
    assert normalised["requests"] == 1 and (r.stored, r.unchanged) == (1, 4)


def test_the_full_path_rows_of_several_chunks_are_one_batch(tmp_path, monkeypatch):
    """With chunks of 4 rows, a delta's few new, changed and rejected rows are gathered across
    chunks (``pipeline._Batches``) and normalised in batches of about a chunk, not one pass per
    chunk; the outcome is a full re-read's, row for row."""
    calls: list[tuple[str, int]] = []
    canonical = normalise.canonical

    def counting(frame, spec, *args, **kwargs):
        calls.append((spec.name, len(frame)))
        return canonical(frame, spec, *args, **kwargs)

    monkeypatch.setattr(normalise, "canonical", counting)
    _export(tmp_path / "first", N)
    _export(tmp_path / "next", N + 3, edits=True)
    fast, full = (db.get_engine(f"sqlite:///{tmp_path / f'{n}.db'}") for n in ("fast", "full"))
    for engine in (fast, full):  # in one chunk: a chunk's size changes nothing stored (test_ingest.py)
        ingest_folder(tmp_path / "first", engine, KEY)
    calls.clear()
    with monkeypatch.context() as m:
        m.setattr(pipeline, "INGEST_CHUNK_ROWS", 4)
        a = ingest_folder(tmp_path / "next", fast, KEY)
    batches = [n for t, n in calls if t == "requests"]
    b = ingest_folder(tmp_path / "next", full, KEY, rescan=True)
    assert _counts(a) == _counts(b) and _content(fast) == _content(full)
    assert a.quarantine.equals(b.quarantine)
    # 6 requests take the full path, spread over the 9 chunks of 34 rows: 2 batches, not 5 or 6
    assert sum(batches) == 6 and len(batches) == 2 and all(n >= 4 for n in batches[:-1])


def test_a_rows_raw_hash_does_not_depend_on_the_rows_beside_it():
    """Each column is hashed value by value or through its distinct values, as a sample of the
    chunk suggests (``pipeline._value_hashes``): the same row gets the same raw hash either way."""
    spec = pipeline.TABLES["requests"]
    salt = pipeline._raw_salt(spec, KEY, None)
    row = {"request_id": "R1", "offence": "fraud", "identifiers_count": "3"}
    distinct = pd.DataFrame([row, *({"request_id": f"R{i}", "offence": f"o{i}", "identifiers_count": str(i)}
                                    for i in range(2, 50))], dtype="string")
    repeated = pd.DataFrame([row] * 40 + [{**row, "offence": None}], dtype="string")
    a, b = pipeline._raw_hash(distinct, spec, salt), pipeline._raw_hash(repeated, spec, salt)
    assert a.iloc[0] == b.iloc[0] == b.iloc[39] and b.iloc[40] != b.iloc[0]
    assert a.nunique() == len(distinct)
    for values in (distinct["request_id"], repeated["offence"]):
        assert (pipeline._value_hashes(values) == pd.util.hash_pandas_object(values, index=False).to_numpy()).all()
    # a missing value hashes alike in a mostly distinct column (value by value) and a repeated one
    with_gap = pd.DataFrame([*({"request_id": f"R{i}", "offence": f"o{i}"} for i in range(2, 50)),
                             {**row, "offence": None}], dtype="string")
    assert pipeline._raw_hash(with_gap, spec, salt).iloc[-1] == b.iloc[40]


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, "", "\x00", "a", "é", "R1"]),
                          st.sampled_from([None, "x", "\x00"]), st.text(max_size=3)), max_size=12),
       st.booleans(), st.sampled_from(["string", "str", "object"]))
def test_the_row_hash_is_pandas_hash_of_the_frame_filled(rows, empty_column, dtype):
    """``_row_hash`` (stored; a re-ingest compares it) hashes column by column, with a column
    missing throughout as one value repeated: the very hashes of pandas' ``hash_pandas_object`` of
    the frame with every missing value as ``"\\x00"``, as stored by every earlier version."""
    import numpy as np

    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=dtype, index=pd.RangeIndex(len(rows)) + 3)
    if empty_column:
        frame["d"] = pd.Series([None] * len(rows), dtype=dtype, index=frame.index)
    for f in (frame, frame[[]]):
        expected = pd.util.hash_pandas_object(f.fillna("\x00"), index=False).to_numpy(dtype=np.uint64)
        got = pipeline._row_hash(f)
        assert got.index.equals(f.index)
        assert got.tolist() == [str(int(v)) for v in expected]
