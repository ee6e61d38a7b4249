"""The files (and spreadsheet sheets) of an export, read as text with their headers as written,
for ``intake suggest`` and ``intake check``. Nothing here stores or pseudonymises anything: the
frames stay in memory and only counts, headers and vocabulary values ever reach the output."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.errors import InputError

SHEET_EXT = (".xlsx", ".xlsm", ".ods")
TEXT_EXT = (".csv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")


@dataclass
class Source:
    path: Path
    sheet: str | None
    frame: pd.DataFrame  # text cells (missing: None), headers as written (stripped)
    rows: np.ndarray  # the row number a person sees (header row 1)
    #: per column, the rows whose cell is typed as a date (spreadsheets only)
    dates: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.path.name}[{self.sheet}]" if self.sheet is not None else self.path.name

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.frame.columns]


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    from auditor.ingest.normalise import _as_text  # noqa: PLC0415

    out = pd.DataFrame({str(c).strip(): _as_text(frame[c]) for c in frame.columns}, index=frame.index)
    return out.astype(object).where(out.notna(), None)


def read_file(path: Path, sheet: str | None = None, header_row: int = 1) -> Source:
    """One file (one sheet of a workbook) as text."""
    ext = path.suffix.lower()
    if ext in SHEET_EXT:
        from auditor.ingest import sheets  # noqa: PLC0415

        sf = sheets.read_sheet(path, sheet or sheets.sheet_names(path)[0], header_row)
        return Source(path, sf.sheet, sf.frame, sf.rows, dict(sf.dates), list(sf.notes))
    try:
        if ext == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                                skiprows=header_row - 1)
        elif ext in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_json(path, lines=True, dtype=False)
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot be read ({type(exc).__name__}: {exc})",
                         hint="save it as UTF-8 CSV with a header row, or as .xlsx", file=str(path)) from None
    first = header_row + 1 if ext == ".csv" else 1
    return Source(path, None, _text_frame(frame), np.arange(first, first + len(frame), dtype=np.int64))


def sheet_names(path: Path) -> list[str | None]:
    if path.suffix.lower() in SHEET_EXT:
        from auditor.ingest import sheets  # noqa: PLC0415

        return list(sheets.sheet_names(path))
    return [None]


def data_files(data_dir: Path) -> list[Path]:
    """The files of a data folder that can hold a table (not recursive)."""
    if not data_dir.is_dir():
        raise InputError(f"data folder {data_dir} does not exist or is not a folder",
                         hint="pass --data with the folder that holds the export's files")
    return [p for p in sorted(data_dir.iterdir())
            if p.is_file() and p.suffix.lower() in SHEET_EXT + TEXT_EXT and not p.name.startswith((".", "~$"))]


def read_all(data_dir: Path) -> tuple[list[Source], list[tuple[str, str]]]:
    """Every sheet of every file of the folder (header row 1), and the files that cannot be
    read as a table (name, why), which a draft lists instead of stopping."""
    sources: list[Source] = []
    skipped: list[tuple[str, str]] = []
    for path in data_files(data_dir):
        try:
            sources.extend(read_file(path, s) for s in sheet_names(path))
        except InputError as exc:
            skipped.append((path.name, exc.hint or "cannot be read as a table"))
    return sources, skipped


def resolve(data_dir: Path, patterns: tuple[str, ...], sheets: tuple[str, ...] | None,
            default: str) -> tuple[list[tuple[Path, str | None]], list[str]]:
    """The (file, sheet) pairs a profile table reads, and what it names that is not there.
    ``patterns``: globs relative to the folder (empty: files named ``default``.*); ``sheets``:
    None = the first sheet, ("*",) = every sheet."""
    files = data_files(data_dir)
    chosen: list[Path] = []
    missing: list[str] = []
    if not patterns:
        chosen = [p for p in files if p.stem.lower() == default]
        if not chosen:
            missing.append(f"{default}.*")
    for pattern in patterns:
        hit = [p for p in files if fnmatch.fnmatchcase(p.name, pattern) or p.name == pattern]
        if not hit:
            missing.append(pattern)
        chosen.extend(p for p in hit if p not in chosen)
    out: list[tuple[Path, str | None]] = []
    for path in chosen:
        names = sheet_names(path)
        if names == [None]:
            out.append((path, None))
        elif sheets is None:
            out.append((path, names[0]))
        elif tuple(sheets) == ("*",):
            out.extend((path, s) for s in names)
        else:
            for s in sheets:
                if s in names:
                    out.append((path, s))
                else:
                    missing.append(f"{path.name}[{s}]")
    return out, missing
