"""Spreadsheets (.xlsx, .xlsm, .ods) read like CSV: one sheet at a time, every cell as text.

Cells are read by calamine (python-calamine), which reads the value a spreadsheet program saved:
a formula is read as its *cached* result and never evaluated; a formula saved without a result
(a file written by a library and never opened in a spreadsheet program) is read empty and
reported. Numbers are written as text the way the cell holds them (``3`` not ``3.0``), booleans
``true``/``false``, and cells typed as dates as ISO text without an offset (``YYYY-MM-DD`` for a
date, ``YYYY-MM-DDTHH:MM:SS`` for a date and time): a mapping profile takes them as local times
in its declared zone; without one they are UTC (``SheetFrame.utc_frame``).

Row numbers are those the spreadsheet program shows (the header is row ``header_row``, 1 by
default); a row whose cells are all empty is skipped, its number kept. Merged cells and hidden
rows and columns are read from the file's XML and *reported* (``SheetFrame.notes`` and counts),
never silently used: a merged range's value is in its first cell only, so the other rows of the
range are read empty in that column, not filled.

``sheet_names(path)`` lists the sheets; ``read_sheet(path, sheet, header_row)`` returns a
``SheetFrame``. Added beyond the spec: ``SheetFrame.dates`` (per column, the rows whose cell is
typed as a date), ``merged``, ``hidden_rows``, ``hidden_columns``, ``formulas``,
``formulas_without_value`` counts, ``label`` (``file[sheet]``), ``utc_frame()``; ``EXTENSIONS``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from auditor.errors import InputError

EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods"}

_HINT = "check the file opens in a spreadsheet program and is not password-protected; save it again as .xlsx"


@dataclass
class SheetFrame:
    frame: pd.DataFrame  # str cells (missing: None), the headers as written
    rows: np.ndarray  # the spreadsheet row number of each frame row
    notes: list[str] = field(default_factory=list)
    #: per column, the rows whose cell is typed as a date (ISO text without an offset)
    dates: dict[str, np.ndarray] = field(default_factory=dict)
    path: Path | None = None
    sheet: str = ""
    merged: int = 0
    hidden_rows: int = 0
    hidden_columns: int = 0
    formulas: int = 0
    formulas_without_value: int = 0

    @property
    def label(self) -> str:
        """``file[sheet]``, as quarantine records name the source."""
        return f"{self.path}[{self.sheet}]"

    def utc_frame(self, local: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
        """The frame with date-and-time cells typed as dates marked UTC (``...Z``), except in the
        columns ``local`` (taken as local times by a mapping profile's declared time zone)."""
        out = self.frame
        for col, mask in self.dates.items():
            if col in local or not mask.any():
                continue
            if out is self.frame:
                out = self.frame.copy()
            s = out[col]
            timed = mask & s.astype("string").str.contains("T", regex=False).fillna(False).to_numpy(dtype=bool)
            out[col] = s.where(~timed, s.astype("string") + "Z")
        return out


def _open(path: Path):
    from python_calamine import CalamineWorkbook  # noqa: PLC0415

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types (zip, XML, password)
        raise InputError(f"{path}: cannot be read as a spreadsheet ({type(exc).__name__}: {exc})",
                         hint=_HINT, file=str(path)) from None


def sheet_names(path: Path | str) -> list[str]:
    """The sheets of a workbook, in order (hidden ones too)."""
    path = Path(path)
    wb = _open(path)
    try:
        return list(wb.sheet_names)
    finally:
        wb.close()


def _letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(v: object) -> object:
    """A calamine value as text; None when empty. Dates are ``datetime``/``date`` (kept, marked)."""
    if v is None or v == "":
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 2**53:
            return str(int(v))
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="seconds" if not v.microsecond else "microseconds")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.isoformat()
    return str(v)


def read_sheet(path: Path | str, sheet: str, header_row: int = 1) -> SheetFrame:
    """One sheet as text (see the module docstring). A sheet that does not exist, or headers
    that repeat, raise ``InputError`` naming ``file[sheet]``."""
    path = Path(path)
    label = f"{path}[{sheet}]"
    wb = _open(path)
    try:
        if sheet not in wb.sheet_names:
            raise InputError(f"{path}: no sheet named {sheet!r} (sheets: {', '.join(wb.sheet_names)})",
                             hint="check the sheet name in the mapping profile (sheets = [...]); names are exact",
                             file=str(path))
        try:
            ws = wb.get_sheet_by_name(sheet)
            data = ws.to_python(skip_empty_area=False)
            merges = list(getattr(ws, "merged_cell_ranges", None) or [])
        except Exception as exc:
            raise InputError(f"{label}: cannot be read ({type(exc).__name__}: {exc})", hint=_HINT,
                             file=str(path)) from None
    finally:
        wb.close()
    out = SheetFrame(pd.DataFrame(), np.zeros(0, dtype=np.int64), path=path, sheet=sheet)
    layout = _layout(path, sheet)
    if len(data) < header_row:
        _notes(out, layout, merges, header_row, [])
        return out
    width = max((len(r) for r in data), default=0)
    grid = np.empty((len(data) - header_row, width), dtype=object)
    for i, r in enumerate(data[header_row:]):
        grid[i, : len(r)] = r
    header = [_cell(v) for v in data[header_row - 1]] + [None] * (width - len(data[header_row - 1]))
    is_date = np.zeros(grid.shape, dtype=bool)
    cells = grid.copy()
    for j in range(grid.shape[1]):  # per column: most hold one type, converted in one pass
        col = grid[:, j]
        kinds = {type(v) for v in col}
        if kinds <= {str, type(None)}:
            cells[:, j] = np.where(col == "", None, col)
            continue
        is_date[:, j] = [isinstance(v, dt.date) for v in col]
        cells[:, j] = [_cell(v) for v in col]
    filled = pd.DataFrame(cells).notna().to_numpy(dtype=bool) if cells.size else np.zeros(cells.shape, dtype=bool)
    names: list[str] = []
    keep: list[int] = []
    for j, h in enumerate(header):
        text = (h or "").strip()
        if not text:
            if not filled[:, j].any():
                continue  # an empty column without a header: nothing there
            text = f"(column {_letters(j)})"
        names.append(text)
        keep.append(j)
    folded = [n.casefold() for n in names]
    dupes = sorted({n for n, f in zip(names, folded, strict=True) if folded.count(f) > 1})
    if dupes:
        raise InputError(f"{label}: column(s) {', '.join(repr(d) for d in dupes)} appear more than once in the header "
                         f"(row {header_row}; names are case-insensitive)",
                         hint="rename or remove the duplicate header", file=str(path))
    nonblank = filled[:, keep].any(axis=1) if keep else np.zeros(len(cells), dtype=bool)
    rows = np.arange(header_row + 1, header_row + 1 + len(cells), dtype=np.int64)[nonblank]
    frame = pd.DataFrame({n: cells[nonblank, j] for n, j in zip(names, keep, strict=True)},
                         index=pd.RangeIndex(len(rows)), dtype=object)
    out.frame, out.rows = frame, rows
    out.dates = {n: is_date[nonblank, j] for n, j in zip(names, keep, strict=True) if is_date[nonblank, j].any()}
    _notes(out, layout, merges, header_row, rows)
    return out


def _span(a: tuple[int, int], b: tuple[int, int]) -> str:
    return f"{_letters(a[1])}{a[0] + 1}:{_letters(b[1])}{b[0] + 1}"


def _few(numbers: list[int], n: int = 10) -> str:
    shown = ", ".join(str(x) for x in numbers[:n])
    return shown + (f" and {len(numbers) - n} more" if len(numbers) > n else "")


def _notes(out: SheetFrame, layout: dict, merges: list, header_row: int, rows) -> None:
    label = out.label
    merges = merges or layout.get("merges", [])
    out.merged = len(merges)
    if merges:
        shown = ", ".join(_span(a, b) for a, b in merges[:10]) + (" …" if len(merges) > 10 else "")
        out.notes.append(f"{label}: {len(merges)} merged cell range(s) ({shown}): a merged value is read in the "
                         "range's first cell only; the other rows of the range are read empty in that column, "
                         "not filled (unmerge and fill each row to keep them)")
    last = int(rows[-1]) if len(rows) else header_row
    hidden = sorted(r for r in layout.get("hidden_rows", ()) if r <= last)
    out.hidden_rows = len(hidden)
    if hidden:
        out.notes.append(f"{label}: {len(hidden)} hidden row(s) ({_few(hidden)}) read like every other row")
    cols = sorted(layout.get("hidden_columns", ()))
    out.hidden_columns = len(cols)
    if cols:
        out.notes.append(f"{label}: {len(cols)} hidden column(s) ({', '.join(_letters(c) for c in cols[:10])}) "
                         "read like every other column")
    out.formulas = layout.get("formulas", 0)
    out.formulas_without_value = layout.get("formulas_without_value", 0)
    if out.formulas:
        out.notes.append(f"{label}: {out.formulas} formula cell(s) read as their saved results (never recalculated)")
    if out.formulas_without_value:
        out.notes.append(f"{label}: {out.formulas_without_value} formula cell(s) have no saved result (the file "
                         "was never recalculated by a spreadsheet program) and are read empty; open and save it "
                         "in a spreadsheet program to store their results")


# ---------------------------------------------------------------- layout (hidden rows, merges, formulas)
#: a hidden row (rare: matched directly, not every row parsed)
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b([^>]*?\shidden="(?:1|true)"[^>]*)>')
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
#: a cell holding a formula and no cached value (an empty or absent <v>)
_NO_VALUE = re.compile(rb"<(?:\w+:)?c\b[^>]*>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
                       rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")


def _attrs(blob: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode() for k, v in _ATTR.findall(blob)}


def _true(v: str | None) -> bool:
    return v in ("1", "true")


def _layout(path: Path, sheet: str) -> dict:
    """Hidden rows/columns, formula counts (and merges for .ods) of one sheet, from its XML."""
    try:
        with zipfile.ZipFile(path) as z:
            if path.suffix.lower() == ".ods":
                return _ods_layout(z, sheet)
            return _xlsx_layout(z, sheet)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError):
        return {}


def _xlsx_layout(z: zipfile.ZipFile, sheet: str) -> dict:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rid = None
    for s in wb.iterfind("m:sheets/m:sheet", ns):
        if html.unescape(s.get("name", "")) == sheet:
            rid = s.get(f"{{{ns['r']}}}id")
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None)
    if target is None:
        return {}
    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
    xml = z.read(target)
    hidden_rows = []
    anything_hidden = b'hidden="1"' in xml or b'hidden="true"' in xml  # a substring test first: C speed
    for m in _HIDDEN_ROW.finditer(xml) if anything_hidden else ():
        a = _attrs(m.group(1))
        if a.get("r", "").isdigit():
            hidden_rows.append(int(a["r"]))
    hidden_cols = []
    for m in _COL.finditer(xml) if anything_hidden else ():
        a = _attrs(m.group(1))
        if _true(a.get("hidden")) and a.get("min", "").isdigit() and a.get("max", "").isdigit():
            hidden_cols.extend(range(int(a["min"]) - 1, min(int(a["max"]), int(a["min"]) + 1000)))
    formulas = sum(xml.count(t) for t in (b"<f>", b"<f ", b"<f/>"))  # the usual (unprefixed) forms first
    if not formulas and b":f" in xml:
        formulas = len(_FORMULA.findall(xml))
    no_value = len(_NO_VALUE.findall(xml)) if formulas else 0
    return {"hidden_rows": hidden_rows, "hidden_columns": hidden_cols,
            "formulas": formulas - no_value, "formulas_without_value": no_value}


_T = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_O = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_layout(z: zipfile.ZipFile, sheet: str) -> dict:
    hidden_rows: list[int] = []
    hidden_cols: list[int] = []
    merges: list = []
    formulas = without = 0
    inside = False
    row = col = colpos = 0
    with z.open("content.xml") as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start" and tag == f"{{{_T}}}table":
                inside = el.get(f"{{{_T}}}name") == sheet
                row = colpos = 0
            if not inside:
                if event == "end":
                    el.clear()
                continue
            if event == "start" and tag == f"{{{_T}}}table-column":
                n = int(el.get(f"{{{_T}}}number-columns-repeated", "1"))
                if el.get(f"{{{_T}}}visibility") in ("collapse", "filter"):
                    hidden_cols.extend(range(colpos, colpos + min(n, 1000)))
                colpos += n
            elif event == "start" and tag == f"{{{_T}}}table-row":
                col = 0
                reps = int(el.get(f"{{{_T}}}number-rows-repeated", "1"))
                if el.get(f"{{{_T}}}visibility") in ("collapse", "filter"):
                    hidden_rows.extend(range(row + 1, row + 1 + min(reps, 100_000)))
            elif event == "end" and tag == f"{{{_T}}}table-row":
                row += int(el.get(f"{{{_T}}}number-rows-repeated", "1"))
                el.clear()
            elif event == "end" and tag in (f"{{{_T}}}table-cell", f"{{{_T}}}covered-table-cell"):
                reps = int(el.get(f"{{{_T}}}number-columns-repeated", "1"))
                rs = int(el.get(f"{{{_T}}}number-rows-spanned", "1"))
                cs = int(el.get(f"{{{_T}}}number-columns-spanned", "1"))
                if tag.endswith("}table-cell") and (rs > 1 or cs > 1):
                    merges.append(((row, col), (row + rs - 1, col + cs - 1)))
                if el.get(f"{{{_T}}}formula") is not None:
                    if el.get(f"{{{_O}}}value-type") is None:
                        without += 1
                    else:
                        formulas += 1
                col += reps
            elif event == "end" and tag == f"{{{_T}}}table":
                inside = False
    return {"hidden_rows": hidden_rows, "hidden_columns": hidden_cols, "merges": merges,
            "formulas": formulas, "formulas_without_value": without}
