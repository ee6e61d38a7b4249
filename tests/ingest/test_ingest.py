"""Ingest: every format, every row stored or quarantined with a reason, file-level errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from auditor.errors import InputError
from auditor.ingest.pipeline import ingest_folder
from auditor.store import db, models
from tests.conftest import KEY

REQ = {
    "request_id": "R1", "instrument": "cets224_art7", "issuing_party": "FR", "issuing_authority": "Parquet",
    "receiving_party": "US", "provider": "examplemail", "data_requested": "subscriber",
    "issued_at": "2025-03-01T10:00:00+02:00", "subscriber_identifier": "alice@example.org",
    "emergency": "No", "protocol_statement": "YES",
}


def _requests(n: int = 3, **over) -> pd.DataFrame:
    rows = []
    for i in range(n):
        r = dict(REQ, request_id=f"R{i + 1}")
        r.update(over)
        rows.append(r)
    return pd.DataFrame(rows)


def _write(folder, name, frame, fmt):
    folder.mkdir(exist_ok=True)
    if fmt == "csv":
        frame.to_csv(folder / f"{name}.csv", index=False)
    elif fmt == "parquet":
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    else:
        frame.to_json(folder / f"{name}.jsonl", orient="records", lines=True)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_each_format_stores_the_same_normalised_rows(tmp_path, engine, fmt):
    _write(tmp_path / "d", "requests", _requests(), fmt)
    res = ingest_folder(tmp_path / "d", engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (3, 3, 0)
    stored = db.load_table(engine, "requests").set_index("request_id")
    assert str(stored.loc["R1", "issued_at"]) == "2025-03-01 08:00:00+00:00"  # offset -> UTC
    assert stored.loc["R1", "emergency"] == False  # noqa: E712  "No" -> false
    assert stored.loc["R1", "protocol_statement"] == True  # noqa: E712
    assert stored.loc["R1", "subscriber_identifier"].startswith("psn_")


def test_parquet_native_types_are_accepted(tmp_path, engine):
    frame = _requests(2)
    frame["issued_at"] = pd.to_datetime(["2025-03-01T08:00:00Z", "2025-03-02"], utc=True, format="ISO8601")
    frame["emergency"] = [True, False]
    frame["identifiers_count"] = [1.0, 2.0]
    _write(tmp_path / "d", "requests", frame, "parquet")
    res = ingest_folder(tmp_path / "d", engine, KEY)
    assert res.count("requests").stored == 2


def test_names_and_case_variants_are_normalised(tmp_path, engine):
    frame = _requests(1, issuing_party="france", receiving_party="United States",
                      data_requested=" Traffic ; subscriber", instrument="CETS224_ART8", issued_at="2025-03-01")
    frame.columns = [c.upper() for c in frame.columns]  # column names are case-insensitive
    _write(tmp_path / "d", "requests", frame, "csv")
    ingest_folder(tmp_path / "d", engine, KEY)
    r = db.load_table(engine, "requests").iloc[0]
    assert (r.issuing_party, r.receiving_party, r.data_requested, r.instrument) == (
        "FR", "US", "subscriber;traffic", "cets224_art8")
    assert str(r.issued_at) == "2025-03-01 00:00:00+00:00"  # bare date = 00:00 UTC


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("issued_at", "2025-03-01T10:00:00", "not an ISO 8601 timestamp with Z or an offset"),  # naive
        ("issued_at", "2025-02-30", "not an ISO 8601 timestamp"),
        ("receiving_party", "Narnia", "not an ISO 3166-1 alpha-2 code"),
        ("instrument", "art7", "is not one of"),
        ("data_requested", "subscriber;emails", "outside the categories"),
        ("emergency", "maybe", "is not a boolean"),
        ("identifiers_count", "two", "not a whole number"),
        ("provider", "", "provider is required"),
        ("issuing_authority", "", "required value missing"),
    ],
)
def test_bad_value_is_quarantined_with_row_column_and_reason(tmp_path, engine, column, value, reason):
    frame = _requests(3)
    frame.loc[1, column] = value
    _write(tmp_path / "d", "requests", frame, "csv")
    res = ingest_folder(tmp_path / "d", engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (3, 2, 1)
    q = res.quarantine
    assert len(q) == 1
    assert q.iloc[0]["row"] == 3  # header is row 1, so the second record is row 3
    assert q.iloc[0]["column"] == column
    assert reason in q.iloc[0]["reason"]
    assert "alice@example.org" not in q.iloc[0]["record"]
    assert json.loads(q.iloc[0]["record"])["request_id"] == "R2"
    assert db.count_rows(engine, "requests") == 2


def test_duplicate_ids_and_orphan_disclosures_are_quarantined(tmp_path, engine):
    frame = _requests(3)
    frame.loc[2, "request_id"] = "R1"
    _write(tmp_path / "d", "requests", frame, "csv")
    disc = pd.DataFrame([
        {"disclosure_id": "D1", "request_id": "R2", "responded_at": "2025-03-05Z", "outcome": "disclosed"},
        {"disclosure_id": "D2", "request_id": "R1", "responded_at": "2025-03-05", "outcome": "disclosed"},
        {"disclosure_id": "D3", "request_id": "R9", "responded_at": "2025-03-05", "outcome": "disclosed"},
    ])
    _write(tmp_path / "d", "disclosures", disc, "csv")
    res = ingest_folder(tmp_path / "d", engine, KEY)
    assert res.count("requests").quarantined == 2  # both rows sharing R1
    d = res.count("disclosures")
    # D1 stored; D2 points at a quarantined request; D3 at an unknown one; "2025-03-05Z" is not a valid form
    assert d.read == d.stored + d.quarantined
    reasons = dict(enumerate(res.quarantine["reason"]))
    assert any("appears on more than one row" in r for r in reasons.values())
    assert any("does not match a stored request" in r for r in reasons.values())


def test_malformed_csv_line_is_quarantined_not_dropped(tmp_path, engine):
    folder = tmp_path / "d"
    folder.mkdir()
    _requests(2).to_csv(folder / "requests.csv", index=False)
    with (folder / "requests.csv").open("a") as fh:
        fh.write("R9" + ",x" * 20 + "\n")  # more fields than the header
    res = ingest_folder(folder, engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (3, 2, 1)
    assert "line cannot be parsed" in res.quarantine.iloc[0]["reason"]
    assert res.quarantine.iloc[0]["row"] == 4


def test_missing_required_column_stops_with_file_and_fix(tmp_path, engine):
    _write(tmp_path / "d", "requests", _requests().drop(columns=["issued_at"]), "csv")
    with pytest.raises(InputError) as err:
        ingest_folder(tmp_path / "d", engine, KEY)
    assert "requests.csv: required column(s) missing: issued_at" in str(err.value)
    assert err.value.hint and "add the column" in err.value.hint
    assert db.count_rows(engine, "requests") == 0


@pytest.mark.parametrize(("sep", "named"), [(";", "semicolons (;)"), ("\t", "tabs"), ("|", "vertical bars (|)")])
def test_a_csv_separated_by_another_delimiter_is_named_with_the_fix(tmp_path, engine, sep, named):
    """A spreadsheet's CSV export in a French or German locale separates fields with ";": the
    error says so (not a list of every column as missing) and how to export it."""
    d = tmp_path / "d"
    d.mkdir()
    _requests().to_csv(d / "requests.csv", index=False, sep=sep, encoding="utf-8-sig")
    with pytest.raises(InputError) as err:
        ingest_folder(d, engine, KEY)
    assert f"requests.csv: the header is separated by {named}, not by commas" in str(err.value)
    assert "comma-separated" in err.value.hint and ".xlsx" in err.value.hint
    assert db.count_rows(engine, "requests") == 0


def test_a_one_column_header_naming_no_required_column_is_a_missing_column(tmp_path, engine):
    """Only a header whose other delimiter names the required columns is called mis-delimited."""
    d = tmp_path / "d"
    d.mkdir()
    (d / "requests.csv").write_text("notes;comments\nx;y\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        ingest_folder(d, engine, KEY)
    assert "required column(s) missing" in str(err.value) and "separated by" not in str(err.value)


def test_non_utf8_file_stops_with_a_clear_error(tmp_path, engine):
    folder = tmp_path / "d"
    folder.mkdir()
    text = _requests().to_csv(index=False).replace("Parquet", "Procureur général près la cour")
    (folder / "requests.csv").write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as err:
        ingest_folder(folder, engine, KEY)
    assert "iconv" in err.value.hint


def test_reingest_is_idempotent_and_changed_rows_are_revisions_not_overwrites(tmp_path, engine):
    _write(tmp_path / "d", "requests", _requests(), "csv")
    ingest_folder(tmp_path / "d", engine, KEY)
    again = ingest_folder(tmp_path / "d", engine, KEY).count("requests")
    assert (again.stored, again.unchanged, again.revised, again.quarantined) == (0, 3, 0, 0)
    changed = _requests(4)
    changed.loc[0, "issuing_authority"] = "Another authority"
    _write(tmp_path / "d", "requests", changed, "csv")
    res = ingest_folder(tmp_path / "d", engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.unchanged, c.revised, c.quarantined) == (4, 1, 2, 1, 0)
    assert c.revised_ids == ["R1"]
    stored = db.load_table(engine, "requests").set_index("request_id")
    assert stored.loc["R1", "issuing_authority"] == "Another authority"  # the revision is current
    old = db.read_sql_frame(engine, models.InputRevision)
    assert old[["table_name", "record_id"]].values.tolist() == [["requests", "R1"]]
    assert "Parquet" in old.loc[0, "old_content"]  # the superseded version is kept, not lost


def test_no_requests_file_is_an_input_error(tmp_path, engine):
    (tmp_path / "d").mkdir()
    with pytest.raises(InputError, match="no requests file"):
        ingest_folder(tmp_path / "d", engine, KEY)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_files_are_streamed_and_a_file_changed_meanwhile_is_refused(tmp_path, engine, monkeypatch, fmt):
    """Every format is checked up front by streaming it, keeping no rows, then read chunk by
    chunk when its table is processed; a file rewritten in between is refused and nothing of it
    is stored."""
    from auditor.ingest import pipeline, readers

    d = tmp_path / "d"
    _write(d, "requests", _requests(3), fmt)
    path = d / f"requests.{fmt}"
    checked = readers.read_table(db.TABLES["requests"], path, lazy=True)
    assert checked.lazy and checked.read == 3 and len(checked.frame) == 0
    assert "request_id" in checked.frame.columns
    assert [len(c) for c in checked.chunks(2)] == [2, 1]
    assert list(checked.columns(["request_id"])["request_id"]) == ["R1", "R2", "R3"]

    real = pipeline.read_table

    def rewrite_after_check(spec, path, lazy=False):
        raw = real(spec, path, lazy=lazy)
        _write(d, "requests", _requests(4), fmt)  # someone rewrites the file meanwhile
        return raw

    monkeypatch.setattr(pipeline, "read_table", rewrite_after_check)
    with pytest.raises(InputError, match="changed while it was being ingested") as exc:
        ingest_folder(d, engine, KEY)
    assert exc.value.file == str(path)
    assert db.count_rows(engine, "requests") == 0

    monkeypatch.setattr(pipeline, "read_table", real)
    monkeypatch.setattr(pipeline, "INGEST_CHUNK_ROWS", 3)
    _write(d, "requests", _requests(7), fmt)
    res = ingest_folder(d, engine, KEY)
    assert res.count("requests").stored == 7 and res.count("requests").read == 7


def test_utf8_is_checked_across_read_blocks(tmp_path):
    """The encoding check streams the file in 1 MiB blocks: a character split by a block boundary
    is valid, and a bad byte after it is reported at its exact offset."""
    import hashlib

    from auditor.ingest.readers import sha256_file

    path = tmp_path / "requests.csv"
    good = b"a" * ((1 << 20) - 1) + "\u00e9".encode() + b"z\n"
    path.write_bytes(good)
    assert sha256_file(path, "fix") == hashlib.sha256(good).hexdigest()
    path.write_bytes(good + b"\xff")
    with pytest.raises(InputError, match=f"invalid byte 0xff at byte offset {len(good)}"):
        sha256_file(path, "fix")
    path.write_bytes(good + "\u00e9".encode()[:1])
    with pytest.raises(InputError, match="ends inside a character"):
        sha256_file(path, "fix")


@pytest.mark.parametrize("text", ["", "request_id,issued_at\n"], ids=["no bytes", "header only"])
def test_an_empty_csv_file_is_an_empty_table(tmp_path, engine, text):
    _write(tmp_path / "d", "requests", _requests(2), "csv")
    (tmp_path / "d" / "disclosures.csv").write_text(text)
    if text:  # a header without the required columns is still an error
        with pytest.raises(InputError, match="required column"):
            ingest_folder(tmp_path / "d", engine, KEY)
        return
    res = ingest_folder(tmp_path / "d", engine, KEY)
    assert res.count("disclosures").read == 0 and res.count("requests").stored == 2


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_chunked_ingest_equals_whole_file_ingest(tmp_path, monkeypatch, fmt):
    """Files are read, validated and stored in row chunks (bounded memory); with tiny chunks the
    stored rows, quarantine, counts and ledger digest (spooled and hashed in blocks) equal those
    of one chunk, including an id repeated in two different chunks, a child row whose parent is
    in another chunk and (CSV, JSON Lines) a line that cannot be parsed, which shifts the row
    numbers after it; and the digest equals the one verify recomputes from the stored rows."""
    from auditor import ledger
    from auditor.ingest import pipeline
    from tests.conftest import SAMPLE

    d = tmp_path / "d"
    d.mkdir()
    req = pd.read_csv(SAMPLE / "requests.csv", dtype=str, keep_default_na=False).head(60)
    req.loc[50, "request_id"] = req.loc[3, "request_id"]  # duplicate across chunks
    req.loc[20, "issued_at"] = "not a date"
    _write(d, "requests", req, fmt)
    broken = {"csv": "R-broken" + ",x" * 80, "jsonl": '{"request_id": "R-broken",'}.get(fmt)
    if broken:  # a malformed line in the middle of the file (CSV: read by the tolerant reader)
        path = d / f"requests.{fmt}"
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[:30] + [broken + "\n"] + lines[30:]))
    disc = pd.read_csv(SAMPLE / "disclosures.csv", dtype=str, keep_default_na=False)
    _write(d, "disclosures", disc[disc["request_id"].isin(set(req["request_id"]))].iloc[::-1], fmt)

    def ingest(rows: int):
        monkeypatch.setattr(pipeline, "INGEST_CHUNK_ROWS", rows)
        monkeypatch.setattr(ledger.LineSpool, "RUN_BATCH", rows)  # the digest merged in small batches too
        engine = db.get_engine(f"sqlite:///{tmp_path / f'c{rows}.db'}")
        res = ingest_folder(d, engine, KEY)
        tables = {t: db.load_table(engine, t).sort_values(db.TABLES[t].id_column).reset_index(drop=True)
                  for t in ("requests", "disclosures")}
        with engine.connect() as c:
            digest = c.execute(models.IngestDigest.__table__.select()).one().digest
        q = res.quarantine.sort_values(["table", "row", "column"]).reset_index(drop=True)
        return res, tables, q, digest

    one, t1, q1, d1 = ingest(10_000)
    many, t7, q7, d7 = ingest(7)
    assert [c.as_dict() for c in one.counts] == [c.as_dict() for c in many.counts]
    # both copies of the duplicate, the bad date (and the malformed line)
    assert one.count("requests").quarantined == 3 + bool(broken)
    assert one.count("requests").read == 60 + bool(broken)
    if broken:
        rows = q7[q7["reason"].str.startswith("line cannot be parsed")]["row"].tolist()
        assert rows == [31]  # the 31st line (CSV: the header and 29 records before it)
        dated = q7[q7["column"] == "issued_at"]["row"].tolist()
        assert dated == [22 if fmt == "csv" else 21]  # before the malformed line: not shifted
        dup = sorted(q7[(q7["table"] == "requests") & (q7["column"] == "request_id")]["row"].tolist())
        assert dup == ([5, 53] if fmt == "csv" else [4, 52])  # after it: one further down
    # disclosures of those requests have no stored parent (looked up once for the whole file)
    orphans = q7[(q7["table"] == "disclosures") & (q7["column"] == "request_id")]
    assert len(orphans) == one.count("disclosures").quarantined > 0
    for t in t1:
        pd.testing.assert_frame_equal(t1[t], t7[t])
    pd.testing.assert_frame_equal(q1, q7)
    assert d1 == d7 and len(d1) == 64
    with db.get_engine(f"sqlite:///{tmp_path / 'c7.db'}").connect() as c:
        assert ledger.ingest_digests(c) == {many.ingest_id: d7}
    # the rejected rows of several chunks get their records in one batch (``_Rejected``): the
    # same quarantine, in the same order, as one chunk at a time
    monkeypatch.setattr(pipeline._Rejected, "BATCH", 1)
    (tmp_path / "c7.db").unlink()
    each, *_ = ingest(7)
    pd.testing.assert_frame_equal(each.quarantine, many.quarantine)


def test_damaged_parquet_stops_the_ingest_before_anything_is_written(tmp_path, engine):
    """A truncated Parquet file is a file-level error found by the up-front check: exit 3 with the
    file named, and not even the (valid) requests file is stored."""
    d = tmp_path / "d"
    _write(d, "requests", _requests(3), "parquet")
    _write(d, "disclosures", pd.DataFrame({"disclosure_id": ["D1"], "request_id": ["R1"]}), "parquet")
    data = (d / "disclosures.parquet").read_bytes()
    (d / "disclosures.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cannot be read as Parquet") as exc:
        ingest_folder(d, engine, KEY)
    assert exc.value.file == str(d / "disclosures.parquet")
    assert db.count_rows(engine, "requests") == 0
