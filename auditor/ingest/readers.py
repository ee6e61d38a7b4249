"""Readers for a data folder: CSV (UTF-8, header row), Parquet, JSON Lines, and TOML for parties.

A reader returns the file's rows as they were written (column names lower-cased), the source row
number of every row, and any line it could not parse at all (those are quarantined, not dropped).
Row numbers follow what a person sees: in CSV the header is row 1, so the first record is row 2;
in JSON Lines the row is the line number; in Parquet and TOML the 1-based record number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.errors import InputError
from auditor.ingest.schema import TABLES, TableSpec

EXTENSIONS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".toml": "toml",
}


@dataclass
class BadLine:
    row: int
    reason: str
    raw: str


@dataclass
class RawTable:
    """A file's rows as written. ``frame`` holds them all, except for a file opened with
    ``read_table(..., lazy=True)`` (Parquet): then ``frame`` has the columns and no rows, and
    ``chunks()`` reads the rows batch by batch."""

    spec: TableSpec
    path: Path
    sha256: str
    frame: pd.DataFrame
    rows: np.ndarray
    bad_lines: list[BadLine] = field(default_factory=list)
    lazy: bool = False

    @property
    def read(self) -> int:
        return (len(self.rows) if self.lazy else len(self.frame)) + len(self.bad_lines)

    def chunks(self, size: int):
        """The rows, ``size`` at a time, indexed by their position in the file."""
        if not self.lazy:
            for start in range(0, len(self.frame), size):
                yield self.frame.iloc[start : start + size]
            return
        start = 0
        for batch in _parquet_batches(self.path, size):
            frame = _lower_columns(batch, self.path)
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
        if start != len(self.rows):
            raise InputError(f"{self.path}: the file changed while it was being ingested",
                             hint="write input files completely before running the auditor, then run it again",
                             file=str(self.path))

    def column(self, name: str) -> pd.Series:
        """One column of every row (read on its own from a lazy Parquet file)."""
        if not self.lazy:
            return self.frame[name]
        import pyarrow.parquet as pq  # noqa: PLC0415

        names = {str(c).strip().lower(): c for c in pq.ParquetFile(self.path).schema_arrow.names}
        values = pq.read_table(self.path, columns=[names[name]]).column(0).to_pandas()
        return values.reset_index(drop=True)


def _parquet_batches(path: Path, size: int):
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        pf = pq.ParquetFile(path)
        for batch in pf.iter_batches(batch_size=size):
            yield pa.Table.from_batches([batch]).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise InputError(
            f"{path}: cannot be read as Parquet ({exc})",
            hint="check the file is a complete Parquet file, or export it again",
            file=str(path),
        ) from None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_tables(data_dir: Path) -> dict[str, Path]:
    """Map table name -> file for every known table found in ``data_dir``."""
    if not data_dir.is_dir():
        raise InputError(
            f"data folder {data_dir} does not exist or is not a folder",
            hint="pass --data with a folder holding requests.csv (or .parquet/.jsonl)",
        )
    found: dict[str, list[Path]] = {}
    for path in sorted(data_dir.iterdir()):
        ext = path.suffix.lower()
        name = path.stem.lower()
        if ext in EXTENSIONS and name in TABLES and path.is_file():
            if ext == ".toml" and name != "parties":
                continue
            found.setdefault(name, []).append(path)
    for name, paths in found.items():
        if len(paths) > 1:
            listed = ", ".join(p.name for p in paths)
            raise InputError(
                f"{data_dir}: table '{name}' is given by more than one file ({listed})",
                hint=f"keep one file per table in the folder; move the others out of {data_dir}",
            )
    if "requests" not in found:
        raise InputError(
            f"{data_dir}: no requests file found (requests.csv, requests.parquet or requests.jsonl)",
            hint="the requests table is mandatory; see \"Data format\" in README.md",
        )
    return {name: paths[0] for name, paths in found.items()}


def _lower_columns(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    lowered = [str(c).strip().lower() for c in frame.columns]
    dupes = sorted({c for c in lowered if lowered.count(c) > 1})
    if dupes:
        raise InputError(
            f"{path}: column(s) {', '.join(dupes)} appear more than once (names are case-insensitive)",
            hint="rename or remove the duplicate header",
            file=str(path),
        )
    frame.columns = lowered
    return frame


def _read_csv(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[BadLine]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (invalid byte 0x{exc.object[exc.start]:02x} at byte offset {exc.start})",
            hint="re-save the file as UTF-8 (for example: iconv -f latin1 -t utf-8 in.csv > out.csv)",
            file=str(path),
        ) from None
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], engine="c"
        )
        rows = np.arange(2, len(frame) + 2)
        return frame, rows, []
    except pd.errors.ParserError:
        pass
    # Slow path: some lines have the wrong number of fields. Keep every good line, quarantine the rest.
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    good: list[list[str]] = []
    rows_l: list[int] = []
    bad: list[BadLine] = []
    record = 1
    for fields in reader:
        record += 1
        if len(fields) == len(header):
            good.append(fields)
            rows_l.append(record)
        elif fields:
            bad.append(
                BadLine(record, f"has {len(fields)} fields, the header has {len(header)}", ",".join(fields))
            )
    frame = pd.DataFrame(good, columns=header, dtype="string").replace("", pd.NA)
    return frame, np.asarray(rows_l, dtype=np.int64), bad


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[BadLine]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (invalid byte at offset {exc.start})",
            hint="re-save the file as UTF-8",
            file=str(path),
        ) from None
    records: list[dict] = []
    rows: list[int] = []
    bad: list[BadLine] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(BadLine(n, f"not valid JSON ({exc.msg} at column {exc.colno})", line))
            continue
        if not isinstance(obj, dict):
            bad.append(BadLine(n, "a JSON Lines record must be an object", line))
            continue
        records.append(obj)
        rows.append(n)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    return frame, np.asarray(rows, dtype=np.int64), bad


def _read_toml(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[BadLine]]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})", hint="fix the TOML syntax", file=str(path)) from None
    entries = doc.get("party") or doc.get("parties")
    if isinstance(entries, dict):  # [parties.JP] style
        entries = [{"party": k, **v} for k, v in entries.items()]
    if not isinstance(entries, list):
        raise InputError(
            f"{path}: expected [[party]] entries",
            hint='write one [[party]] table per Party, e.g. [[party]]\\nparty = "JP"',
            file=str(path),
        )
    frame = pd.DataFrame.from_records(entries)
    return frame, np.arange(1, len(frame) + 1), []


def read_table(spec: TableSpec, path: Path, lazy: bool = False) -> RawTable:
    """Read a table file (file-level errors raise ``InputError``). ``lazy`` (Parquet only):
    check the whole file by streaming it, but keep no rows; ``RawTable.chunks`` reads them."""
    kind = EXTENSIONS[path.suffix.lower()]
    if lazy and kind == "parquet":
        return _check_parquet(spec, path)
    if kind == "csv":
        frame, rows, bad = _read_csv(path)
    elif kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types
            raise InputError(
                f"{path}: cannot be read as Parquet ({exc})",
                hint="check the file is a complete Parquet file, or export it again",
                file=str(path),
            ) from None
        frame = frame.reset_index(drop=True)
        rows, bad = np.arange(1, len(frame) + 1), []
    elif kind == "jsonl":
        frame, rows, bad = _read_jsonl(path)
    else:
        frame, rows, bad = _read_toml(path)
    frame = _lower_columns(frame, path)
    missing = [c for c in spec.required if c not in frame.columns]
    if missing and not (frame.empty and not bad and len(frame.columns) == 0):
        raise InputError(
            f"{path}: required column(s) missing: {', '.join(missing)}",
            hint=f"add the column(s) to the header; {spec.name} needs {', '.join(spec.required)}",
            file=str(path),
        )
    if missing:  # empty file: nothing to read
        frame = pd.DataFrame(columns=spec.names)
    frame = frame.reset_index(drop=True)
    return RawTable(spec, path, sha256_file(path), frame, rows, bad)


def _check_parquet(spec: TableSpec, path: Path) -> RawTable:
    """Every batch of a Parquet file is read (so a damaged file stops the ingest before anything
    is written) and dropped; what is kept is the column set and the row count."""
    n = 0
    head: pd.DataFrame | None = None
    for batch in _parquet_batches(path, 250_000):
        n += len(batch)
        if head is None:
            head = batch.iloc[:0]
    if head is None:  # no rows: the schema alone
        import pyarrow.parquet as pq  # noqa: PLC0415

        head = pq.ParquetFile(path).schema_arrow.empty_table().to_pandas()
    head = _lower_columns(head.reset_index(drop=True), path)
    missing = [c for c in spec.required if c not in head.columns]
    if missing and not (n == 0 and len(head.columns) == 0):
        raise InputError(
            f"{path}: required column(s) missing: {', '.join(missing)}",
            hint=f"add the column(s) to the header; {spec.name} needs {', '.join(spec.required)}",
            file=str(path),
        )
    if missing:
        head = pd.DataFrame(columns=spec.names)
    return RawTable(spec, path, sha256_file(path), head, np.arange(1, n + 1), [], lazy=True)
