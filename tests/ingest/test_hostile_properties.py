"""Property-based hostile input (issue 18, item 2): hypothesis generates hostile cells for every
column type, identifiers misplaced into other columns and extra fields, and (CSV) shifted lines,
in CSV, JSON Lines and Parquet, and runs the real ingest. Whatever it generates:

- nothing crashes: the library never raises, ``auditor ingest`` exits 0 (never 4);
- per table, read = stored + unchanged + revised + quarantined;
- no subscriber identifier appears in clear in quarantine.csv, the database or the console/log.

Bounded (a few dozen examples per format, inline helpers) so that the module adds well under a
minute to the suite.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.cli import main
from auditor.ingest import normalise, safety, validate
from auditor.ingest.schema import TABLES
from tests.conftest import KEY, SAMPLE, examples

#: the subscriber identifiers of the generated rows: distinctive, so a leak is unmistakable
IDENTS = ["zulu.alpha@mail.example", "+44 7700 900123", "yankee-bravo@mail.example", "356938035643809"]
LEAK = [*IDENTS, "zulu.alpha", "yankee-bravo", "7700 900123"]

OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳０１２３４５６７８９"
SPECIAL = [
    "", " ", "\x00", "a\x00b", "NaN", "nan", "inf", "-Infinity", "1e400", "-1e400", "9" * 400, str(2**63),
    str(-(2**63) - 1), str(2**64), "٣", "１２", "+5", " 7 ", "0x1A", "1_000", "2025-02-05T24:00:00Z",
    "2025-02-05T23:59:60Z", "2025-02-30", "2025-13-01", "9999-12-31T00:00:00Z", "0000-01-01", "2025-03-01T10:00:00",
    '"', "a,b", "a;b", "two\nlines", "cr\rhere", "=HYPERLINK(\"x\")", "\u202eevil", "\t", "true\x00", "FR\x00",
]


def _text(max_size: int = 24):
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size)


def _digits(value: int) -> str:
    """An integer written with other digits (Arabic-Indic, Persian, full-width)."""
    table = OTHER_DIGITS[:10] if value % 3 == 0 else OTHER_DIGITS[-10:] if value % 3 == 1 else OTHER_DIGITS[10:14] * 3
    return "".join(table[int(c) % len(table)] if c.isdigit() else c for c in str(value))


TIMESTAMPS = st.builds(
    lambda y, m, d, h, mi, s, z, date_only: f"{y:04d}-{m:02d}-{d:02d}" if date_only
    else f"{y:04d}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{z}",
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 61),
    st.integers(0, 61), st.sampled_from(["Z", "+02:00", "-14:00", "", "z", "+25:00"]), st.booleans())
INTS = st.one_of(st.integers(-(2**70), 2**70).map(str), st.integers(0, 10**6).map(_digits),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr))
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.decimals(allow_nan=False).map(str),
                   st.integers(-(2**70), 2**70).map(str), st.integers(0, 10**6).map(_digits))
BOOLS = st.sampled_from(["true", "false", "TRUE", " yes ", "No", "1", "0", "t", "maybe", "ja", "１"])


def _kind_values(col) -> st.SearchStrategy[str]:
    if col.kind == "timestamp":
        return TIMESTAMPS
    if col.kind == "int":
        return INTS
    if col.kind == "float":
        return FLOATS
    if col.kind == "bool":
        return BOOLS
    if col.kind in ("enum", "set"):
        return st.sampled_from([*col.values, "other;" + col.values[0], col.values[0].upper() + " ", "nope"])
    if col.kind == "party":
        return st.sampled_from(["FR", "de", "United States", "Narnia", "XK", "ZZ", "fr "])
    return _text()


def _cell(col) -> st.SearchStrategy[str]:
    """A hostile value for a column; the identifier itself only where it makes the row
    defective or is pseudonymised (structured and personal columns): a free-text or id column
    of a valid row is, by contract, not personal (see the report on issue 18)."""
    options = [_kind_values(col), st.sampled_from(SPECIAL), _text()]
    if col.personal or col.kind not in ("str",):
        options.append(st.sampled_from(IDENTS).map(lambda v: v if col.personal else v))
    if col.personal:
        options.append(st.sampled_from(IDENTS).map(lambda v: f" {v.upper()}\x00"))
    return st.one_of(options)


# ------------------------------------------------------------------ the rows of an example
def _base() -> dict[str, pd.DataFrame]:
    req = pd.read_csv(SAMPLE / "requests.csv", dtype=str, keep_default_na=False).head(4)
    req["subscriber_identifier"] = IDENTS
    ids = set(req["request_id"])
    out = {"requests": req}
    for name in ("disclosures", "custody_events"):
        t = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        out[name] = t[t["request_id"].isin(ids)].head(4).reset_index(drop=True)
    out["parties"] = pd.read_csv(SAMPLE / "parties.csv", dtype=str, keep_default_na=False).head(3)
    return out


BASE = _base()


@st.composite
def edits(draw, max_edits: int = 6):
    """(table, row, column, value) cell edits, and extra fields (name, value) on some rows."""
    cells = []
    for _ in range(draw(st.integers(1, max_edits))):
        table = draw(st.sampled_from(sorted(BASE)))
        spec = TABLES[table]
        col = draw(st.sampled_from([c for c in spec.columns if c.name in BASE[table].columns]))
        row = draw(st.integers(0, len(BASE[table]) - 1))
        cells.append((table, row, col.name, draw(_cell(col))))
    extras = draw(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["note", "Remark", *IDENTS[:2]]),
                                     st.one_of(st.sampled_from(IDENTS), _text())), max_size=2))
    return cells, extras


def _frames(cells, extras) -> dict[str, pd.DataFrame]:
    frames = {k: v.copy() for k, v in BASE.items()}
    for table, row, column, value in cells:
        frames[table].loc[row, column] = value
    for row, name, value in extras:
        if name not in frames["requests"].columns:
            frames["requests"][name] = ""
        frames["requests"].loc[row, name] = value
    return frames


def _run(folder: Path, tmp: Path) -> tuple[int, str, str, str, dict]:
    dbf = tmp / "a.db"
    q = tmp / "q.csv"
    r = CliRunner().invoke(main, ["ingest", "--data", str(folder), "--db", f"sqlite:///{dbf}", "--quarantine-out",
                                  str(q)], env={"AUDITOR_GX_WORKER": "0", "AUDITOR_WRITER": "0"})
    con = sqlite3.connect(dbf)
    try:
        dump = "\n".join(con.iterdump())
        files = json.loads(con.execute("SELECT files FROM ingests").fetchone()[0]) if r.exit_code == 0 else []
    finally:
        con.close()
    return r.exit_code, r.output, q.read_text(encoding="utf-8") if q.exists() else "", dump, \
        {f["table"]: f for f in files}


def _check(code: int, output: str, quarantine: str, dump: str, files: dict, expected_read: dict | None = None):
    assert code == 0, output
    assert "Internal error" not in output
    for table, f in files.items():
        assert f["read"] == f["stored"] + f["unchanged"] + f["revised"] + f["quarantined"], f
        if expected_read and table in expected_read:
            assert f["read"] == expected_read[table], (table, f)
    assert set(files) == set(BASE)
    for marker in LEAK:
        assert marker not in quarantine, marker
        assert marker not in dump, marker
        assert marker not in output, marker


def _fresh(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("h")
    (tmp / "d").mkdir()
    return tmp / "d", tmp


PROPS = settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


# --------------------------------------------------------------------------------- CSV
def _csv_text(frame: pd.DataFrame) -> list[str]:
    return frame.to_csv(index=False, lineterminator="\n").splitlines(keepends=True)


@st.composite
def line_damage(draw):
    """One structural change to one record line of the requests file (or none)."""
    kind = draw(st.sampled_from(["none", "quote", "comma", "semicolons", "field", "blanks"]))
    return kind, draw(st.integers(1, 4)), draw(st.integers(0, 10_000))


def _damage(lines: list[str], kind: str, at: int, where: int) -> list[str]:
    line = lines[at]
    commas = [i for i, ch in enumerate(line) if ch == ","]
    if kind == "quote" and commas:
        i = commas[where % len(commas)]
        lines[at] = line[: i + 1] + '"' + line[i + 1 :]
    elif kind == "comma" and commas:
        i = commas[where % len(commas)]
        lines[at] = line[:i] + line[i + 1 :]
    elif kind == "semicolons":
        lines[at] = line.replace(",", ";")
    elif kind == "field" and commas:
        i = commas[where % len(commas)]
        lines[at] = line[:i] + "," + IDENTS[where % len(IDENTS)] + line[i:]
    elif kind == "blanks":
        lines[at:at] = ["\n", "  \n", "," * (line.count(",")) + "\n"]
    return lines


@PROPS
@given(edit=edits(), damage=line_damage())
def test_csv_hostile_cells_and_lines(tmp_path_factory, edit, damage):
    folder, tmp = _fresh(tmp_path_factory)
    frames = _frames(*edit)
    for name, frame in frames.items():
        lines = _csv_text(frame)
        if name == "requests":
            lines = _damage(lines, *damage)
        (folder / f"{name}.csv").write_text("".join(lines), encoding="utf-8")
    _check(*_run(folder, tmp))


# ------------------------------------------------------------------------- JSON Lines
JSON_SPECIAL = ["NaN", "Infinity", "-Infinity", "1e400", str(2**70), "9" * 5000, '"\\ud800"', '"\\u0000"',
                "[1, 2]", '{"a": "zulu.alpha@mail.example"}', "true", "null", '"\\udfff\\ud800"']


@st.composite
def json_damage(draw):
    """A raw JSON value spliced into one record, or a line that is not a JSON object."""
    kind = draw(st.sampled_from(["none", "value", "array", "broken", "deep", "case"]))
    return kind, draw(st.integers(0, 3)), draw(st.sampled_from(sorted(TABLES["requests"].names))), \
        draw(st.sampled_from(JSON_SPECIAL))


def _jsonl(frame: pd.DataFrame) -> list[str]:
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [json.dumps({k: v for k, v in r.items() if v not in (None, "")}) for r in rows]


@PROPS
@given(edit=edits(), damage=json_damage())
def test_jsonl_hostile_cells_records_and_fields(tmp_path_factory, edit, damage):
    folder, tmp = _fresh(tmp_path_factory)
    frames = _frames(*edit)
    kind, at, column, raw = damage
    for name, frame in frames.items():
        lines = _jsonl(frame)
        if name == "requests":
            obj = json.loads(lines[at])
            obj.pop(column, None)
            head = json.dumps(obj)[:-1]
            if kind == "value":
                lines[at] = f'{head}{", " if obj else ""}"{column}": {raw}}}'
            elif kind == "array":
                lines[at] = f"[{json.dumps(IDENTS[0])}]"
            elif kind == "broken":
                lines[at] = head + f', "x": "{IDENTS[at]}'
            elif kind == "deep":
                lines[at] = "[" * 5000 + "]" * 5000
            elif kind == "case":
                lines[at] = f'{head}{", " if obj else ""}"{column.upper()}": {raw}}}'
            lines.insert(at, "")  # a blank line: not a record, still a line
        (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = {name: len(frame) for name, frame in frames.items()}
    _check(*_run(folder, tmp), expected_read=expected)


# ---------------------------------------------------------------------------- Parquet
NATIVE = {
    "int": st.one_of(st.integers(-(2**63), 2**63 - 1), st.none()),
    "uint": st.integers(0, 2**64 - 1),
    "float": st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none()),
    "bool": st.one_of(st.booleans(), st.none()),
    "ts": st.one_of(st.integers(-(2**62), 2**62), st.none()),
}


@st.composite
def native_columns(draw):
    """Columns written with native Parquet types instead of text (one value per request row)."""
    spec = TABLES["requests"]
    out = {}
    for name in draw(st.lists(st.sampled_from([c.name for c in spec.columns if not c.required]), max_size=3,
                              unique=True)):
        kind = draw(st.sampled_from(sorted(NATIVE)))
        out[name] = (kind, draw(st.lists(NATIVE[kind], min_size=4, max_size=4)))
    return out


def _native(kind: str, values: list):
    if kind == "int":
        return pd.array(values, dtype="Int64")
    if kind == "uint":
        return pd.array(values, dtype="UInt64")
    if kind == "float":
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    if kind == "bool":
        return pd.array(values, dtype="boolean")
    return pd.to_datetime(pd.array([None if v is None else v for v in values], dtype="Int64"), unit="us", utc=True)


@PROPS
@given(edit=edits(), native=native_columns())
def test_parquet_hostile_cells_and_native_types(tmp_path_factory, edit, native):
    folder, tmp = _fresh(tmp_path_factory)
    frames = _frames(*edit)
    for name, frame in frames.items():
        frame = frame.replace("", None)
        if name == "requests":
            for column, (kind, values) in native.items():
                frame[column] = _native(kind, values)
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    expected = {name: len(frame) for name, frame in frames.items()}
    _check(*_run(folder, tmp), expected_read=expected)


# ------------------------------------------------------------- the library, many examples
@settings(max_examples=examples(60), deadline=None)
@given(table=st.sampled_from(sorted(TABLES)), data=st.data())
def test_normalise_validate_type_never_raise_and_records_hold_no_identifier(table, data):
    """Without files or a database (fast, so many examples): any hostile cells in any column
    normalise, validate and type without an exception; rows that pass convert exactly as
    validated; quarantine records and reasons never show an identifier."""
    spec = TABLES[table]
    frame = pd.DataFrame({c.name: data.draw(st.lists(_cell(c), min_size=3, max_size=3)) for c in spec.columns},
                         dtype="string")
    nul: dict = {}
    canon = normalise.canonical(frame, spec, KEY, nul=nul)
    converted: dict = {}
    defects = validate.precheck(canon, spec, None, nul=nul, converted=converted)
    bad = sorted({d.index for d in defects})
    good = canon.drop(index=bad)
    normalise.typed(good, spec, converted=converted)  # never raises
    normalise.typed(good, spec)  # nor converting again
    for d in defects:
        for marker in LEAK:
            assert marker not in d.reason
    if bad:
        records = safety.quarantine_records(spec, frame.loc[bad], canon.loc[bad], KEY)
        for r in records:
            json.loads(r)
            for marker in LEAK:
                assert marker not in r


@pytest.mark.parametrize("text", ["0", "-0", "9223372036854775807", "-9223372036854775808", "0009", "12"])
def test_whole_numbers_convert_exactly(text):
    values, ok = normalise.to_int64(pd.Series([text], dtype="string"))
    assert ok[0] and values.iloc[0] == int(text)


@settings(max_examples=examples(200), deadline=None)
@given(st.one_of(st.integers(-(2**70), 2**70).map(str), _text(12), st.integers(0, 10**6).map(_digits)))
def test_whole_number_rule_is_python_s_within_64_bits(text):
    """The int rule (``normalise.to_int64``): ASCII digits with an optional ``-``, within 64 bits."""
    _, ok = normalise.to_int64(pd.Series([text], dtype="string"))
    import re

    expected = bool(re.fullmatch(r"-?[0-9]+", text)) and -(2**63) <= int(text) <= 2**63 - 1
    assert bool(ok[0]) == expected


@pytest.mark.parametrize("dtype", ["string", "str", object])
@pytest.mark.parametrize("n", [0, 1, 4])
def test_a_timestamp_column_empty_throughout_converts_as_when_parsed(dtype, n):
    """``to_timestamps`` skips parsing a column with no value (a wide file has many): the same
    values, dtype and verdicts as parsing it, and one value is enough to parse the column."""
    text = pd.Series([None] * n, index=pd.RangeIndex(n) + 7, dtype=dtype)
    values, ok = normalise.to_timestamps(text)
    parsed = pd.to_datetime(text.astype("string").where(pd.Series(False, index=text.index)), utc=True,
                            format="ISO8601", errors="coerce")
    pd.testing.assert_series_equal(values, parsed.astype("datetime64[us, UTC]"), check_index_type=True)
    assert ok.dtype == bool and len(ok) == n and not ok.any()
    one = pd.Series([None] * n + ["2025-02-28T10:00:00Z"], dtype=dtype)
    values, ok = normalise.to_timestamps(one)
    assert ok.tolist() == [False] * n + [True] and values.iloc[-1] == pd.Timestamp("2025-02-28T10:00:00Z")


def test_native_timestamps_beyond_python_years_are_quarantined_not_a_crash():
    """A Parquet timestamp column may hold instants outside years 1-9999 (int64 microseconds
    reach year 294,000): pandas cannot format them through Python's datetime, so they are written
    as numpy spells them and judged (quarantined) like any other bad timestamp."""
    spec = TABLES["requests"]
    frame = pd.DataFrame({c.name: pd.array(["x", "y", None], dtype="string") for c in spec.columns})
    frame["served_at"] = pd.to_datetime(pd.array([2**62, -(2**62), 0], dtype="Int64"), unit="us", utc=True)
    text = normalise._as_text(frame["served_at"])
    assert text.tolist() == ["148108-07-06T14:00:27.387904Z", "-144169-06-28T09:59:32.612096Z",
                             "1970-01-01T00:00:00Z"]
    nul: dict = {}
    canon = normalise.canonical(frame, spec, KEY, nul=nul)
    defects = validate.precheck(canon, spec, None, nul=nul, converted={})
    assert {d.index for d in defects if d.column == "served_at"} == {0, 1}
    records = safety.quarantine_records(spec, frame.loc[[0, 1]], canon.loc[[0, 1]], KEY)
    assert len(records) == 2 and all("served_at" in r for r in records)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["", "R1", "r1", "R1 ", "é", "e\u0301", "\x00"]), _text(4)),
                max_size=40))
def test_repeated_ids_are_pandas_duplicated(values):
    """``normalise.repeated`` (Arrow) flags exactly what pandas' ``duplicated(keep=False)`` flags
    among present values; a missing value is never repeated."""
    s = pd.Series(values, dtype="string")
    expected = (s.notna() & s.duplicated(keep=False)).fillna(False).astype(bool).to_numpy()
    assert normalise.repeated(s).tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["", "R1", "r1", "R1 ", "é", "e\u0301", "\x00"]), _text(4)),
                max_size=40),
       st.lists(st.one_of(st.sampled_from(["", "R1", "r1", "é", "\x00", "R9"]), _text(4)), max_size=20, unique=True))
def test_repeated_ids_given_their_place_among_stored_ids(values, stored):
    """``normalise.repeated_at`` (a re-ingest's: counts of each id's place among the stored ids,
    which are distinct, and ``repeated`` for the ids not stored) flags what ``repeated`` flags."""
    s = pd.Series(values, dtype="string", index=pd.RangeIndex(3, 3 + len(values)))
    pos = normalise.index_in(s, normalise.arrow_text(pd.Series(stored, dtype="string")))
    assert normalise.repeated_at(s, pos).tolist() == normalise.repeated(s).tolist()
