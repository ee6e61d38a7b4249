"""Spreadsheet input (.xlsx, .ods): cells as text, spreadsheet row numbers, cached formula
results, merged cells and hidden rows reported (never filled), and a workbook named like a table
ingested like CSV. The .ods files are written here as plain ODF XML (no extra package)."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

from auditor.errors import InputError
from auditor.ingest import sheets
from auditor.ingest.pipeline import ingest_folder
from auditor.store import db
from tests.conftest import KEY


@pytest.fixture(autouse=True)
def _inline_contract_suite(monkeypatch):
    # the contract suite runs in this process (imported once), not in a helper forked per ingest
    monkeypatch.setenv("AUDITOR_GX_WORKER", "0")


def _local(text: str) -> dt.datetime:
    """A spreadsheet date-and-time cell: a naive local time (Excel has no time zones)."""
    return dt.datetime.fromisoformat(text)


def _xlsx(path: Path, sheets_rows: dict[str, list[list]], cached: dict[str, str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets_rows.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    if cached:  # what a spreadsheet program saves: the formula and its last result
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        for ref, value in cached.items():
            xml = re.sub(rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>', rf"\1<v>{value}</v>", xml)
        parts["xl/worksheets/sheet1.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n, b in parts.items():
                z.writestr(n, b)
    return path


def _ods_cell(c) -> str:
    if c is None:
        return "<table:table-cell/>"
    kind = c[0] if isinstance(c, tuple) else None
    if kind == "covered":
        return "<table:covered-table-cell/>"
    if kind == "date":
        return f'<table:table-cell office:value-type="date" office:date-value="{c[1]}"/>'
    if kind == "formula":
        cached = "" if c[2] is None else f' office:value-type="float" office:value="{c[2]}"'
        return f'<table:table-cell table:formula="{escape(c[1])}"{cached}/>'
    if kind == "merge":
        return (f'<table:table-cell table:number-rows-spanned="{c[2]}" office:value-type="string">'
                f"<text:p>{escape(c[1])}</text:p></table:table-cell>")
    if isinstance(c, bool):
        return f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(c).lower()}"/>'
    if isinstance(c, int | float):
        return f'<table:table-cell office:value-type="float" office:value="{c}"/>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p></table:table-cell>'


def _ods(path: Path, sheets_rows: dict[str, list]) -> Path:
    """A minimal OpenDocument spreadsheet; a row given as ("hidden", cells) is collapsed."""
    body = []
    for name, rows in sheets_rows.items():
        body.append(f'<table:table table:name="{escape(name)}">')
        for r in rows:
            hidden = isinstance(r, tuple) and r[0] == "hidden"
            cells = r[1] if hidden else r
            vis = ' table:visibility="collapse"' if hidden else ""
            body.append(f"<table:table-row{vis}>" + "".join(_ods_cell(c) for c in cells) + "</table:table-row>")
        body.append("</table:table>")
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               "<office:body><office:spreadsheet>" + "".join(body)
               + "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_xlsx_cells_are_text_and_rows_are_numbered_as_the_spreadsheet_shows(tmp_path):
    path = _xlsx(tmp_path / "j.xlsx", {"2026": [
        ["titre du journal"],  # row 1: a title above the header
        ["Ref", "Quand", "Jour", "N", "Taux", "Urgent"],  # row 2: the header
        ["A1", _local("2026-03-01T10:30"), dt.date(2026, 3, 2), 3, 2.5, True],
        [None, None, None, None, None, None],  # row 4: blank, skipped, its number kept
        ["A2", "01/02/2026", None, 12345678901, None, False],
    ]})
    sf = sheets.read_sheet(path, "2026", header_row=2)
    assert list(sf.frame.columns) == ["Ref", "Quand", "Jour", "N", "Taux", "Urgent"]
    assert sf.rows.tolist() == [3, 5]
    assert sf.frame.iloc[0].tolist() == ["A1", "2026-03-01T10:30:00", "2026-03-02", "3", "2.5", "true"]
    assert sf.frame.iloc[1].tolist() == ["A2", "01/02/2026", None, "12345678901", None, "false"]
    assert sf.dates["Quand"].tolist() == [True, False]  # typed as a date; the text cell is not
    assert sf.label == f"{path}[2026]"
    # without a profile, a date-and-time cell is UTC; a date stays a bare date; text is untouched
    assert sf.utc_frame()["Quand"].tolist() == ["2026-03-01T10:30:00Z", "01/02/2026"]
    assert sf.utc_frame({"Quand"})["Quand"].tolist() == ["2026-03-01T10:30:00", "01/02/2026"]
    assert sf.utc_frame()["Jour"].tolist()[0] == "2026-03-02"


def test_formulas_are_read_as_their_cached_results_never_evaluated(tmp_path):
    path = _xlsx(tmp_path / "f.xlsx", {"S": [["a", "b"], [2, "=A2*2"], [3, "=A3*2"]]}, cached={"B2": "5"})
    sf = sheets.read_sheet(path, "S")
    assert sf.frame["b"].tolist() == ["5", None]  # the saved 5, not 2*2; no saved result: empty
    assert (sf.formulas, sf.formulas_without_value) == (1, 1)
    assert any("1 formula cell(s) have no saved result" in n for n in sf.notes)


def test_merged_cells_and_hidden_rows_are_reported_and_never_filled(tmp_path):
    path = tmp_path / "m.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for r in (["ref", "authority"], ["R1", "Parquet"], ["R2", None], ["R3", "Juge"]):
        ws.append(r)
    ws.merge_cells("B2:B3")
    ws.row_dimensions[4].hidden = True
    ws.column_dimensions["A"].hidden = True
    wb.save(path)
    sf = sheets.read_sheet(path, "S")
    assert sf.frame["authority"].tolist() == ["Parquet", None, "Juge"]  # R2 is not given R1's value
    assert sf.frame["ref"].tolist() == ["R1", "R2", "R3"]  # the hidden row and column are read
    assert (sf.merged, sf.hidden_rows, sf.hidden_columns) == (1, 1, 1)
    notes = "\n".join(sf.notes)
    assert f"{path}[S]: 1 merged cell range(s) (B2:B3)" in notes
    assert "read empty in that column, not filled" in notes
    assert f"{path}[S]: 1 hidden row(s) (4) read like every other row" in notes


def test_ods_is_read_like_xlsx_with_its_merges_hidden_rows_and_cached_formulas(tmp_path):
    path = _ods(tmp_path / "j.ods", {
        "Feuille 1": [
            ["Réf", "Date", "N", "F"],
            ["A1", ("date", "2026-03-01T10:30:00"), 3, ("formula", "of:=[.C2]*2", 99)],
            ("hidden", [("merge", "A2", 2), ("date", "2026-03-02"), 2.5, ("formula", "of:=1", None)]),
            [("covered",), "x", True, None],
        ],
        "Autre": [["a"], ["b"]],
    })
    assert sheets.sheet_names(path) == ["Feuille 1", "Autre"]
    sf = sheets.read_sheet(path, "Feuille 1")
    assert sf.frame.to_dict("list") == {"Réf": ["A1", "A2", None], "Date": ["2026-03-01T10:30:00", "2026-03-02", "x"],
                                        "N": ["3", "2.5", "true"], "F": ["99", None, None]}
    assert sf.rows.tolist() == [2, 3, 4]
    assert (sf.merged, sf.hidden_rows, sf.formulas, sf.formulas_without_value) == (1, 1, 1, 1)
    assert any("(A3:A4)" in n for n in sf.notes)


def test_a_missing_sheet_and_a_repeated_header_name_the_file_and_sheet(tmp_path):
    path = _xlsx(tmp_path / "d.xlsx", {"S": [["ref", "Ref"], ["a", "b"]]})
    with pytest.raises(InputError, match=r"no sheet named 'T' \(sheets: S\)"):
        sheets.read_sheet(path, "T")
    with pytest.raises(InputError) as err:
        sheets.read_sheet(path, "S")
    assert str(err.value).startswith(f"{path}[S]: column(s) 'Ref', 'ref' appear more than once in the header (row 1")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot be read as a spreadsheet"):
        sheets.sheet_names(tmp_path / "bad.xlsx")


REQ_HEADER = ["request_id", "instrument", "issuing_party", "issuing_authority", "receiving_party", "provider",
              "data_requested", "issued_at"]


def test_a_workbook_named_like_a_table_is_ingested_with_sheet_and_row_in_quarantine(tmp_path, engine, caplog):
    data = tmp_path / "d"
    data.mkdir()
    row = ["cets224_art7", "FR", "Parquet", "US", "examplemail", "subscriber"]
    _xlsx(data / "requests.xlsx", {
        "2025": [REQ_HEADER, ["R1", *row, _local("2025-03-01T10:00")], [None] * 8,
                 ["R2", "bogus", *row[1:], "2025-03-02"]],
        "2026": [REQ_HEADER, ["R3", *row, _local("2026-01-05T09:00")]],  # same header: read too
        "notes": [["anything else"], ["x"]],  # another header: not read, and said so
    })
    with caplog.at_level("WARNING", logger="auditor.ingest"):
        res = ingest_folder(data, engine, KEY)
    assert f"{data / 'requests.xlsx'}[notes]: not read (its header differs from the first sheet's)" in caplog.text
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (3, 2, 1)
    assert c.as_dict()["sheets"] == ["2025", "2026"]
    stored = db.load_table(engine, "requests").set_index("request_id")
    assert str(stored.loc["R1", "issued_at"]) == "2025-03-01 10:00:00+00:00"  # a typed date is UTC
    q = res.quarantine.iloc[0]
    assert (q["file"], q["row"], q["column"]) == (f"{data / 'requests.xlsx'}[2025]", 4, "instrument")
    assert json.loads(q["record"])["request_id"] == "R2"
