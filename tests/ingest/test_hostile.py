"""Hostile input (issue 18, items 1, 2 and the ingest part of 7): shifted rows never leave an
identifier in clear, one bad cell is one quarantined row (file, row, column, reason) and the run
goes on, blank lines do not shift row numbers, and re-ingesting the same content records its
inputs and quarantine rows once."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.ingest import readers, safety
from auditor.ingest.pipeline import ingest_folder
from auditor.store import db, models
from tests.conftest import AS_OF, KEY, SAMPLE
from tests.store.conftest import _reset_pg, any_engine, pg_url  # noqa: F401  (fixtures)

LEAK = ("@mail.example", "target1", "target2", "target3")


def _sample(folder: Path, n: int = 12) -> pd.DataFrame:
    """The first ``n`` sample requests (CSV, as written) with their disclosures, custody events
    and the parties file, in ``folder``; returns the requests."""
    folder.mkdir(parents=True, exist_ok=True)
    req = pd.read_csv(SAMPLE / "requests.csv", dtype=str, keep_default_na=False).head(n)
    req.to_csv(folder / "requests.csv", index=False)
    ids = set(req["request_id"])
    for name in ("disclosures", "custody_events"):
        t = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        t[t["request_id"].isin(ids)].to_csv(folder / f"{name}.csv", index=False)
    shutil.copy(SAMPLE / "parties.csv", folder / "parties.csv")
    return req


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _fields(line: str) -> list[str]:
    return next(csv.reader([line]))


def _join(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue()


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON objects, without their empty cells."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: v for k, v in r.items() if v not in (None, "")} for r in rows]


def _invoke(*args, **env):
    return CliRunner().invoke(main, [str(a) for a in args], env={"AUDITOR_GX_WORKER": "0", **env})


def _dump(db_file: Path) -> str:
    con = sqlite3.connect(db_file)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def _assert_no_identifier(*texts: str) -> None:
    for text in texts:
        for marker in LEAK:
            assert marker not in text


# ----------------------------------------------------------------------- item 1: shifted rows
def _stray_quote(line: str, hdr: list[str]) -> str:
    parts = line.split(",")
    k = hdr.index("necessity_rationale")
    return ",".join(parts[:k]) + ',"' + ",".join(parts[k:])


def _missing_comma(line: str, hdr: list[str]) -> str:
    f = _fields(line)
    k = hdr.index("subscriber_identifier")
    return _join(f[: k - 1] + [f[k - 1] + f[k]] + f[k + 1 :])


def _semicolons(line: str, hdr: list[str]) -> str:
    return ";".join(_fields(line)) + "\n"


def _extra_field(line: str, hdr: list[str]) -> str:
    f = _fields(line)
    k = hdr.index("subscriber_identifier")
    return _join(f[:k] + ["stray"] + f[k:])


@pytest.mark.parametrize("mutate", [_stray_quote, _missing_comma, _semicolons, _extra_field])
def test_a_shifted_csv_row_is_quarantined_as_a_hash(tmp_path, mutate):
    """The row's fields no longer match the header: it is one quarantined row (its spreadsheet
    row, the reason), kept as the keyed hash of the line; the identifier appears nowhere: not in
    quarantine.csv, the database, the console or `auditor quarantine`."""
    d = tmp_path / "d"
    _sample(d)
    path = d / "requests.csv"
    lines = _lines(path)
    hdr = _fields(lines[0])
    lines[4] = mutate(lines[4], hdr)  # row 5 (the header is row 1)
    path.write_text("".join(lines), encoding="utf-8")
    dbf = tmp_path / "a.db"
    r = _invoke("ingest", "--data", d, "--db", f"sqlite:///{dbf}", "--quarantine-out", tmp_path / "q.csv")
    assert r.exit_code == 0, r.output
    q = pd.read_csv(tmp_path / "q.csv", dtype=str, keep_default_na=False)
    bad = q[q["table"] == "requests"]
    assert bad["row"].tolist() == ["5"]
    assert bad["reason"].iloc[0].startswith("line cannot be parsed: ")
    record = json.loads(bad["record"].iloc[0])
    assert list(record) == ["unparsed_line"] and record["unparsed_line"].startswith("psn_")
    shown = _invoke("quarantine", "--db", f"sqlite:///{dbf}")
    assert "requests.csv:5 [-] line cannot be parsed" in shown.output
    _assert_no_identifier((tmp_path / "q.csv").read_text(), _dump(dbf), r.output, shown.output)


def test_a_stray_quote_that_merges_two_lines_into_a_well_formed_record_is_caught(tmp_path, engine):
    """A stray ``"`` whose field closes at a quote in the same column of the next line gives a
    record with exactly the header's number of fields, the rest of the first line (with its
    identifier) inside one free-text field: a bad line, not a stored row."""
    d = tmp_path / "d"
    _sample(d)
    path = d / "requests.csv"
    lines = _lines(path)
    hdr = _fields(lines[0])
    k = hdr.index("legal_basis")
    f4 = [v.replace(",", " ") for v in _fields(lines[4])]
    f5 = [v.replace(",", " ") for v in _fields(lines[5])]
    lines[4] = ",".join(f4[:k]) + ',"' + ",".join(f4[k:]) + "\n"
    lines[5] = ",".join(f'"{v}"' if i == k else v for i, v in enumerate(f5)) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    res = ingest_folder(d, engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (11, 10, 1)  # two lines, one record
    q = res.quarantine[res.quarantine["table"] == "requests"]
    assert q["row"].tolist() == [5] and "stray quote" in q["reason"].iloc[0]
    stored = db.load_table(engine, "requests")
    assert not stored.astype(str).apply(lambda s: s.str.contains("@mail.example")).any().any()


def test_json_lines_extra_and_misplaced_fields_are_pseudonymised(tmp_path):
    """Extra fields (their values, and names that look like an identifier) and an identifier in
    a wrong field: quarantined with nothing in clear but safe cells, and the reasons echo none."""
    d = tmp_path / "d"
    req = _sample(d).head(4)
    (d / "requests.csv").unlink()
    records = _records(req)
    ident = [r["subscriber_identifier"] for r in records]
    records[0]["instrument"] = "bogus"  # quarantined, with two extra fields
    records[0]["note"] = ident[0]
    records[0][ident[0]] = "x"
    records[1]["emergency"] = ident[1]  # misplaced: the identifier in a boolean column
    del records[1]["subscriber_identifier"]
    records[2]["issued_at"] = ident[2]  # and in a timestamp column
    records[3]["extra"] = ident[3]  # a valid row with an extra field: stored, the extra dropped
    (d / "requests.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for name in ("disclosures", "custody_events"):
        (d / f"{name}.csv").unlink()
    dbf = tmp_path / "a.db"
    r = _invoke("ingest", "--data", d, "--db", f"sqlite:///{dbf}", "--quarantine-out", tmp_path / "q.csv")
    assert r.exit_code == 0, r.output
    q = pd.read_csv(tmp_path / "q.csv", dtype=str, keep_default_na=False)
    q = q[q["table"] == "requests"].set_index("row")
    assert sorted(q.index.astype(int)) == [1, 2, 3]
    assert q.loc["1", "column"] == "instrument" and q.loc["1", "reason"].startswith("value is not one of")
    rec = json.loads(q.loc["1", "record"])
    assert rec["request_id"] == records[0]["request_id"]  # an id is safe
    assert rec["issuing_party"] == records[0]["issuing_party"]  # a valid Party code is safe
    assert rec["instrument"].startswith("psn_")  # an invalid value is not
    assert rec["issuing_authority"].startswith("psn_")  # free text never is
    assert rec["note"].startswith("psn_")  # an extra field's value never is
    names = [k for k in rec if k.startswith("psn_")]
    assert len(names) == 1 and rec[names[0]].startswith("psn_")  # its name looked like an e-mail
    assert rec["subscriber_identifier"].startswith("psn_")
    assert q.loc["2", "column"] == "emergency" and q.loc["3", "column"] == "issued_at"
    _assert_no_identifier((tmp_path / "q.csv").read_text(), _dump(dbf), r.output)


def test_reasons_echo_only_safe_ids(tmp_path, engine):
    d = tmp_path / "d"
    req = _sample(d, n=4)
    req.loc[0, "channel"] = "alice@mail.example"
    req.loc[1, "request_id"] = req.loc[2, "request_id"]
    req.to_csv(d / "requests.csv", index=False)
    res = ingest_folder(d, engine, KEY)
    reasons = res.quarantine["reason"].tolist()
    assert "value is not one of: direct, central_authority, network_24_7, provider_portal, " \
           "eu_decentralised, other" in reasons
    dup = req.loc[2, "request_id"]
    assert f"request_id {dup!r} appears on more than one row of this file; ids must be unique" in reasons
    _assert_no_identifier("\n".join(reasons), "\n".join(res.quarantine["record"]))


def test_what_a_quarantine_record_shows():
    """The documented rule, cell by cell (``auditor.ingest.safety``)."""
    from auditor.ingest import normalise
    from auditor.ingest.schema import TABLES

    spec = TABLES["requests"]
    raw = pd.DataFrame({
        "request_id": ["FR-2025-00001", "alice@mail.example", "0612345678", "R 1"],
        "instrument": ["cets224_art7", "CETS224_ART8", "art7", None],
        "issuing_party": ["france", "FR", "Narnia", "FR"],
        "identifiers_count": ["3", "1234567", "٣", "-2"],
        "issued_at": ["2025-03-01", "2025-02-30", "2025-03-01T10:00:00+01:00", "soon"],
        "purpose": ["criminal investigation", "x", None, "y"],
        "subscriber_identifier": ["a@b.example", None, "c", "d"],
        "extra": ["1", "2", "3", "4"],
        "tel +33 6 12 34 56 78": ["1", "2", "3", "4"],
    }, dtype="string")
    canon = normalise.canonical(raw, spec, KEY)
    recs = [json.loads(r) for r in safety.quarantine_records(spec, raw, canon, KEY)]
    psn = {k: [str(r[k]).startswith("psn_") if r[k] is not None else None for r in recs] for k in recs[0]}
    assert [r["request_id"] for r in recs][:1] == ["FR-2025-00001"]
    assert psn["request_id"] == [False, True, True, True]  # id shape, nothing identifying
    assert [r["instrument"] for r in recs][:2] == ["cets224_art7", "CETS224_ART8"]  # valid, as written
    assert psn["instrument"] == [False, False, True, None]
    assert [r["issuing_party"] for r in recs][:2] == ["france", "FR"] and psn["issuing_party"][2]
    assert recs[0]["identifiers_count"] == "3"
    assert psn["identifiers_count"][1:] == [True, True, True]  # 7 digits; not ASCII; out of range
    assert psn["issued_at"] == [False, True, False, True]
    assert psn["purpose"] == [True, True, None, True]  # free text: never in clear
    assert psn["subscriber_identifier"] == [True, None, True, True]
    assert psn["extra"] == [True, True, True, True]
    assert "extra" in recs[0] and not any("33" in k for k in recs[0])  # an unsafe column name


@pytest.mark.parametrize(("text", "identifying"), [
    ("alice@mail.example", True), ("+33 6 12 34 56 78", True), ("0612345678", True),
    ("(555) 123-4567", True), ("IMEI356938035643809", True), ("192.168.0.1", True),
    ("2001:db8::1", True), ("aa:bb:cc:dd:ee:ff", True), ("https://example.org/u/alice", True),
    ("FR-2025-00001", False), ("D-FR-2025-00001", False), ("E-000001", False), ("CASE-FR-9656", False),
    ("R1", False), ("REQ-7/2025", False),
])
def test_what_looks_like_an_identifier(text, identifying):
    assert safety.looks_identifying(pd.Series([text], dtype="string"))[0] == identifying


# --------------------------------------------------------------- item 2: one cell, one row
CASES = [
    ("issued_at", "2025-02-05T24:00:00Z", "hour 24 is not a time of day"),
    ("issued_at", "2025-02-05T23:59:60Z", "second 60 (a leap second)"),
    ("issued_at", "2025-02-30", "day 30 does not exist in month 02"),
    ("issued_at", "2025-13-01T10:00:00Z", "month 13 does not exist"),
    ("issued_at", "9999-12-31T00:00:00Z", "out of the range of issued_at (years 1678 to 2261)"),
    ("issued_at", "٢٠٢٥-03-01", "non-ASCII digits"),
    ("identifiers_count", "٣", "not a whole number: it holds non-ASCII digits"),
    ("identifiers_count", "１２", "not a whole number: it holds non-ASCII digits"),
    ("identifiers_count", str(2**64), "out of range (a 64-bit whole number"),
    ("identifiers_count", "-1", "out of the range of identifiers_count (at least 0)"),
    ("return_timeframe_days", "1000000", "out of the range of return_timeframe_days (0 to 100000)"),
    ("offence_max_penalty_years", "9" * 400, "not a number: out of range"),
    ("offence_max_penalty_years", "٥", "not a number: it holds non-ASCII digits"),
    ("issuing_authority", "Parquet\x00de Paris", "NUL character"),
    ("subscriber_identifier", "bob\x00@mail.example", "NUL character"),
]


def _write(folder: Path, frame: pd.DataFrame, fmt: str, name: str = "requests") -> Path:
    path = folder / f"{name}.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in _records(frame)), encoding="utf-8")
    else:
        frame.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize(("column", "value", "reason"), CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_one_bad_cell_is_one_quarantined_row_and_the_run_goes_on(tmp_path, engine, fmt, column, value, reason):
    d = tmp_path / "d"
    req = _sample(d, n=4)
    (d / "requests.csv").unlink()
    req.loc[2, column] = value
    path = _write(d, req, fmt)
    res = ingest_folder(d, engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (4, 3, 1) and c.reconciles
    q = res.quarantine[res.quarantine["table"] == "requests"]
    assert len(q) == 1
    row = q.iloc[0]
    assert (row["file"], row["row"], row["column"]) == (str(path), 4 if fmt == "csv" else 3, column)
    assert reason in row["reason"]
    assert "\x00" not in row["record"] and "\x00" not in row["reason"]
    _assert_no_identifier(row["reason"], row["record"])
    assert db.count_rows(engine, "requests") == 3


def test_native_json_and_parquet_numbers_beyond_the_column(tmp_path, engine):
    """Numbers as native values: a JSON integer beyond 64 bits, a JSON number beyond the float
    range (Python would read infinity), NaN; a Parquet unsigned 64-bit value and an infinite
    float. Each is one quarantined row; an integer just below 2**63 is stored exactly."""
    d = tmp_path / "d"
    req = _sample(d, n=6)
    (d / "requests.csv").unlink()
    lines = [json.dumps(r) for r in _records(req)]
    patch = ['"identifiers_count": 1180591620717411303424', '"identifiers_count": 1e400',
             '"offence_max_penalty_years": 1e400', '"identifiers_count": NaN',
             '"identifiers_count": 9223372036854775807', '"identifiers_count": 9007199254740993']
    lines = [ln[:-1] + ", " + p + "}" for ln, p in zip(lines, patch, strict=True)]
    (d / "requests.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = ingest_folder(d, engine, KEY)
    q = res.quarantine[res.quarantine["table"] == "requests"].sort_values("row")
    assert q["row"].tolist() == [1, 2, 3, 4]
    assert "out of range (a 64-bit" in q["reason"].iloc[0]
    assert "not a whole number" in q["reason"].iloc[1] and "not a number: out of range" in q["reason"].iloc[2]
    stored = db.load_table(engine, "requests").set_index("request_id")["identifiers_count"]
    assert stored.loc[req.loc[4, "request_id"]] == 2**63 - 1
    assert stored.loc[req.loc[5, "request_id"]] == 9007199254740993  # not rounded through a float

    e2 = db.get_engine(f"sqlite:///{tmp_path / 'p.db'}")
    (d / "requests.jsonl").unlink()
    frame = req.head(3).copy()
    frame["identifiers_count"] = pd.array([2**64 - 1, 2, 3], dtype="UInt64")
    frame["offence_max_penalty_years"] = [np.inf, 7.0, 1e300]
    frame.to_parquet(d / "requests.parquet", index=False)
    res = ingest_folder(d, e2, KEY)
    q = res.quarantine[res.quarantine["table"] == "requests"].sort_values(["row", "column"])
    assert q[["row", "column"]].values.tolist() == [[1, "identifiers_count"], [1, "offence_max_penalty_years"],
                                                      [3, "offence_max_penalty_years"]]
    assert res.count("requests").stored == 1


def test_parties_integers_beyond_64_bits_csv_and_toml(tmp_path, engine):
    d = tmp_path / "d"
    _sample(d, n=3)
    parties = pd.read_csv(d / "parties.csv", dtype=str, keep_default_na=False)
    parties.loc[1, "retention_max_days"] = str(2**70)
    parties.to_csv(d / "parties.csv", index=False)
    res = ingest_folder(d, engine, KEY)
    q = res.quarantine[res.quarantine["table"] == "parties"]
    assert q[["row", "column"]].values.tolist() == [[3, "retention_max_days"]]
    assert res.count("parties").reconciles

    (d / "parties.csv").unlink()
    (d / "parties.toml").write_text(
        '[[party]]\nparty = "FR"\nretention_max_days = 99999999999999999999999\n'
        '[[party]]\nparty = "DE"\nincident_notice_hours = 72\n'
        '[[party]]\nparty = "NL"\nincident_notice_hours = inf\n'
        "party = [1, 2]\n", encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - a key given twice is a TOML syntax error (exit 3)
        ingest_folder(d, engine, KEY)
    (d / "parties.toml").write_text(
        '[parties.FR]\nretention_max_days = 99999999999999999999999\n'
        '[parties.DE]\nincident_notice_hours = 72\n'
        '[parties.NL]\nincident_notice_hours = inf\n'
        "[parties]\nXX = 5\n", encoding="utf-8")
    res = ingest_folder(d, engine, KEY)
    c = res.count("parties")
    assert (c.read, c.stored, c.quarantined) == (4, 1, 3) and c.reconciles
    q = res.quarantine[res.quarantine["table"] == "parties"].sort_values("row")
    assert q[["row", "column"]].values.tolist() == [[1, "retention_max_days"], [3, "incident_notice_hours"],
                                                      [4, ""]]
    assert "a party entry must be a table" in q["reason"].iloc[2]


@pytest.mark.postgres
def test_a_nul_byte_is_quarantined_not_sent_to_postgresql(tmp_path, pg_url):  # noqa: F811
    """PostgreSQL refuses a NUL in text (the COPY used to fail and the run exit 4): every NUL,
    in a stored column, the personal column or a free-text one, quarantines its row."""
    _reset_pg(pg_url)
    engine = db.get_engine(pg_url)
    d = tmp_path / "d"
    req = _sample(d, n=5)
    req.loc[1, "issuing_authority"] = "Parquet\x00"
    req.loc[2, "subscriber_identifier"] = "x\x00@mail.example"
    req.loc[3, "request_id"] = req.loc[3, "request_id"] + "\x00"
    req["extra"] = ["", "", "", "", "\x00"]  # an unknown column is not stored: no defect
    req.to_csv(d / "requests.csv", index=False)
    res = ingest_folder(d, engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (5, 2, 3)
    q = res.quarantine[res.quarantine["table"] == "requests"]
    assert set(q["column"]) >= {"issuing_authority", "subscriber_identifier", "request_id"}
    with engine.connect() as conn:
        stored = pd.read_sql("SELECT record, reason FROM quarantine", conn)
    assert len(stored) >= 3 and not stored["record"].str.contains("@mail.example").any()
    engine.dispose()


def test_a_field_over_128_kib_with_a_line_with_too_many_fields(tmp_path, engine, monkeypatch):
    """The csv module's 128 KiB field limit used to crash the fallback reader: now the long
    field is stored whole and the long line is one quarantined row; and when a record is larger
    than Arrow's parsing block, the csv module reads the file with the same result."""
    d = tmp_path / "d"
    req = _sample(d, n=6)
    req.loc[1, "purpose"] = "x" * 200_000
    req.to_csv(d / "requests.csv", index=False)
    lines = _lines(d / "requests.csv")
    lines[4] = lines[4].rstrip("\n") + ",one,two\n"
    (d / "requests.csv").write_text("".join(lines), encoding="utf-8")
    results = []
    for block in (readers._CSV_BLOCK, 64 * 1024):
        monkeypatch.setattr(readers, "_CSV_BLOCK", block)
        eng = db.get_engine(f"sqlite:///{tmp_path / f'b{block}.db'}")
        res = ingest_folder(d, eng, KEY)
        c = res.count("requests")
        assert (c.read, c.stored, c.quarantined) == (6, 5, 1)
        stored = db.load_table(eng, "requests").set_index("request_id")
        assert len(stored.loc[req.loc[1, "request_id"], "purpose"]) == 200_000
        q = res.quarantine[res.quarantine["table"] == "requests"]
        results.append(q[["row", "column", "reason"]].values.tolist())
    assert results[0] == results[1] == [[5, "", "line cannot be parsed: has 58 field(s), the header has 56"]]
    assert readers.read_table(db.TABLES["requests"], d / "requests.csv", lazy=True).tolerant


# ------------------------------------------------------------------ item 7: the ingest part
def test_blank_lines_do_not_shift_row_numbers(tmp_path, engine):
    """The row is the one a spreadsheet shows: blank lines, lines of spaces or only commas count
    (and are skipped, not read), a quoted field over two lines is one row."""
    d = tmp_path / "d"
    req = _sample(d, n=6)
    req.loc[0, "purpose"] = "two\nlines"
    req.loc[4, "instrument"] = "bogus"
    req.to_csv(d / "requests.csv", index=False)
    lines = _lines(d / "requests.csv")  # the header, a record over 2 lines, then 5 records
    assert len(lines) == 8
    blank = ["\n", "   \n", "," * 55 + "\n"]
    (d / "requests.csv").write_text("".join(lines[:3] + blank + lines[3:]), encoding="utf-8")
    res = ingest_folder(d, engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (6, 5, 1)
    # spreadsheet rows: 1 header, 2 the two-line record, 3-5 blank, 6-8 records 2-4, 9 the bad one
    assert res.quarantine[res.quarantine["table"] == "requests"]["row"].tolist() == [9]

    (d / "requests.csv").unlink()
    text = "".join(("\n\n" if i == 2 else "") + json.dumps(r) + "\n" for i, r in enumerate(_records(req)))
    (d / "requests.jsonl").write_text(text, encoding="utf-8")
    e2 = db.get_engine(f"sqlite:///{tmp_path / 'j.db'}")
    res = ingest_folder(d, e2, KEY)
    assert res.quarantine[res.quarantine["table"] == "requests"]["row"].tolist() == [7]  # its line


def test_reingesting_the_same_content_records_inputs_and_quarantine_once(tmp_path):
    """Three nightly runs of the same files (the third from another folder): `auditor quarantine`
    lists each defect once, the report's inputs table has one row per file, and the ledger still
    verifies. A changed file is recorded again, with its new defects."""
    d = tmp_path / "d"
    req = _sample(d, n=10)
    req.loc[3, "instrument"] = "bogus"
    req.loc[5, "issued_at"] = "2025-02-30"
    req.to_csv(d / "requests.csv", index=False)
    url = f"sqlite:///{tmp_path / 'a.db'}"
    for i, folder in enumerate((d, d, tmp_path / "copy")):
        if folder != d:
            shutil.copytree(d, folder)
        r = _invoke("run", "--data", folder, "--db", url, "--out", tmp_path / f"o{i}", "--as-of", AS_OF,
                    "--format", "json")
        assert r.exit_code in (0, 1), r.output
        if i == 0:
            first = _invoke("quarantine", "--db", url).output.splitlines()
    assert first[0] == "8 quarantined defect(s)"  # 2 requests, and the 6 children of those
    assert _invoke("quarantine", "--db", url).output.splitlines() == first
    summary = json.loads((tmp_path / "o2" / "summary.json").read_text())
    tables = [i["table"] for i in summary["inputs"]]
    assert sorted(tables) == ["custody_events", "disclosures", "parties", "requests"]
    assert _invoke("verify", "--db", url).exit_code == 0

    req.loc[7, "receiving_party"] = "Narnia"
    req.to_csv(d / "requests.csv", index=False)
    r = _invoke("run", "--data", d, "--db", url, "--out", tmp_path / "o3", "--as-of", AS_OF, "--format", "json")
    assert r.exit_code in (0, 1), r.output
    assert _invoke("quarantine", "--db", url).output.splitlines()[0] == "9 quarantined defect(s)"
    summary = json.loads((tmp_path / "o3" / "summary.json").read_text())
    assert [i["table"] for i in summary["inputs"]].count("requests") == 2  # the new content
    assert _invoke("verify", "--db", url).exit_code == 0
    engine = db.get_engine(url)
    ingests = db.read_sql_frame(engine, models.Ingest)
    assert len(ingests) == 4  # every ingest is still recorded, with the files it brought


def test_quarantine_csv_is_written_when_every_request_is_quarantined(tmp_path):
    d = tmp_path / "d"
    req = _sample(d, n=4)
    req["instrument"] = "bogus"
    req.to_csv(d / "requests.csv", index=False)
    r = _invoke("run", "--data", d, "--db", f"sqlite:///{tmp_path / 'a.db'}", "--out", tmp_path / "o",
                "--as-of", AS_OF)
    assert r.exit_code == 3, r.output  # nothing to audit: an input error
    assert "see quarantine.csv" in r.output
    q = pd.read_csv(tmp_path / "o" / "quarantine.csv", dtype=str)
    assert len(q[q["table"] == "requests"]) == 4
    _assert_no_identifier((tmp_path / "o" / "quarantine.csv").read_text(), r.output)
