"""Readers for a data folder: CSV (UTF-8, header row), Parquet, JSON Lines, and TOML for parties.

A reader returns the file's rows as they were written (column names lower-cased), the source row
number of every row, and any line it could not parse at all (those are quarantined, not dropped).
Row numbers follow what a person sees: in CSV the header is row 1, so the first record is row 2;
in JSON Lines the row is the line number; in Parquet and TOML the 1-based record number.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    ``read_table(..., lazy=True)`` (CSV, JSON Lines, Parquet): then ``frame`` has the columns and
    no rows, the whole file has been checked once (encoding, header, every line parsed, rows
    counted, ``keys`` read), and ``chunks()`` reads the rows again, a chunk at a time."""

    spec: TableSpec
    path: Path
    sha256: str
    frame: pd.DataFrame
    rows: np.ndarray
    bad_lines: list[BadLine] = field(default_factory=list)
    lazy: bool = False
    #: JSON Lines: every key seen in the file, as written, in the order first seen
    written_columns: list[str] = field(default_factory=list)
    #: CSV and JSON Lines: the id and parent columns of every row, kept by the check (the ingest
    #: needs them whole before its first chunk; reading them again would parse the whole file)
    keys: pd.DataFrame | None = None

    @property
    def kind(self) -> str:
        return EXTENSIONS[self.path.suffix.lower()]

    @property
    def read(self) -> int:
        return (len(self.rows) if self.lazy else len(self.frame)) + len(self.bad_lines)

    def chunks(self, size: int):
        """The rows, ``size`` at a time, indexed by their position in the file (among the rows
        that could be parsed)."""
        if not self.lazy:
            for start in range(0, len(self.frame), size):
                yield self.frame.iloc[start : start + size]
            return
        if len(self.rows) == 0:  # nothing parsed when checked (an empty file is not read again)
            return
        if self.kind == "parquet":
            batches = _parquet_batches(self.path, size)
        elif self.kind == "jsonl":
            batches = _jsonl_frames(self.path, size, self.written_columns)
        elif self.bad_lines:  # CSV with malformed lines: the tolerant reader, as in the check
            batches = _csv_tolerant_frames(self.path, size)
        else:
            batches = _csv_frames(self.path, size)
        start = 0
        try:
            for batch in batches:
                frame = _lower_columns(batch, self.path)
                frame.index = pd.RangeIndex(start, start + len(frame))
                start += len(frame)
                if start > len(self.rows):  # more rows than were checked
                    break
                yield frame
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            start = -1  # the file no longer parses as it did when it was checked
        if start != len(self.rows):
            raise changed_error(self.path)

    def columns(self, names: list[str]) -> pd.DataFrame:
        """Those of ``names`` the file has, for every row (by position). A lazy file gives them
        from its ``keys``, or reads only these columns (Parquet), or streams its chunks."""
        names = [n for n in names if n in self.frame.columns]
        if not self.lazy:
            return self.frame[names]
        if not names or len(self.rows) == 0:
            return self.frame[names].reindex(pd.RangeIndex(len(self.rows)))
        if self.keys is not None and set(names) <= set(self.keys.columns):
            return self.keys[names]
        if self.kind == "parquet":
            import pyarrow.parquet as pq  # noqa: PLC0415

            written = {str(c).strip().lower(): c for c in pq.ParquetFile(self.path).schema_arrow.names}
            table = pq.read_table(self.path, columns=[written[n] for n in names])
            parts = [pd.DataFrame({n: table.column(i).to_pandas() for i, n in enumerate(names)})]
        else:
            parts = [chunk[names] for chunk in self.chunks(_CHECK_ROWS)]
        whole = pd.concat(parts, ignore_index=True) if parts else self.frame[names]
        if len(whole) != len(self.rows):
            raise changed_error(self.path)
        return whole.reset_index(drop=True)


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


def changed_error(path: Path) -> InputError:
    """The error for a file that no longer is the file its check read (its table rolls back)."""
    return InputError(f"{path}: the file changed while it was being ingested",
                      hint="write input files completely before running the auditor, then run it again",
                      file=str(path))


def sha256_file(path: Path, utf8_hint: str | None = None) -> str:
    """SHA-256 of the file, streamed. With ``utf8_hint``, the same pass checks that the file is
    UTF-8 text (an ``InputError`` with that hint names the first invalid byte's offset)."""
    h = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")() if utf8_hint is not None else None
    offset = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            if decoder is not None:
                _decode(decoder, block, offset, path, utf8_hint)
            offset += len(block)
    if decoder is not None:
        _decode(decoder, b"", offset, path, utf8_hint)
    return h.hexdigest()


def _decode(decoder: codecs.IncrementalDecoder, block: bytes, offset: int, path: Path, hint: str) -> None:
    """Feed ``block`` (at byte ``offset`` of the file; empty: the end) to the UTF-8 decoder."""
    pending = len(decoder.getstate()[0])  # bytes of a character the previous block began
    try:
        decoder.decode(block, final=not block)
    except UnicodeDecodeError as exc:
        if not block:
            raise InputError(f"{path}: not UTF-8 text (the file ends inside a character, at byte offset {offset})",
                             hint=hint, file=str(path)) from None
        raise InputError(
            f"{path}: not UTF-8 text (invalid byte 0x{exc.object[exc.start]:02x} at byte offset "
            f"{offset - pending + exc.start})", hint=hint, file=str(path),
        ) from None


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


#: how pandas reads CSV here: every value as written, only an empty field is missing
_CSV_OPTIONS = {"dtype": str, "keep_default_na": False, "na_values": [""], "engine": "c",
                "encoding": "utf-8-sig"}
_CHECK_ROWS = 250_000  # rows parsed at a time while a file is checked


def key_columns(spec: TableSpec) -> list[str]:
    """Columns the ingest needs for every row before its first chunk (duplicates, parents)."""
    return [spec.id_column] + ([spec.parent[0]] if spec.parent else [])


def _csv_frames(path: Path, size: int):
    with pd.read_csv(path, chunksize=size, **_CSV_OPTIONS) as reader:
        yield from reader


def _csv_tolerant(path: Path, size: int):
    """A CSV file some of whose lines have the wrong number of fields, read with the csv module,
    ``size`` good records at a time: (frame of good records, their record numbers, bad lines).
    The header is record 1; a blank line counts as a record and is skipped."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        good: list[list[str]] = []
        rows: list[int] = []
        bad: list[BadLine] = []
        for record, fields in enumerate(reader, start=2):
            if len(fields) == len(header):
                good.append(fields)
                rows.append(record)
                if len(good) == size:
                    yield pd.DataFrame(good, columns=header, dtype="string").replace("", pd.NA), rows, bad
                    good, rows, bad = [], [], []
            elif fields:
                bad.append(BadLine(record, f"has {len(fields)} fields, the header has {len(header)}",
                                   ",".join(fields)))
        if good or bad or not rows:
            yield pd.DataFrame(good, columns=header, dtype="string").replace("", pd.NA), rows, bad


def _csv_tolerant_frames(path: Path, size: int):
    for frame, _, _ in _csv_tolerant(path, size):
        if len(frame):
            yield frame


def _check_csv(spec: TableSpec, path: Path) -> RawTable:
    """Stream the whole file once: UTF-8, header, every line parsed, rows counted, key columns
    kept. A line with too many fields makes pandas' parser fail; the file is then read with the
    tolerant reader (every good line kept, the others quarantined), here and in ``chunks``."""
    sha = sha256_file(path, "re-save the file as UTF-8 (for example: iconv -f latin1 -t utf-8 in.csv > out.csv)")
    wanted = key_columns(spec)
    head: pd.DataFrame | None = None
    keys: list[pd.DataFrame] = []  # the key columns of each chunk
    numbers: list[int] = []
    bad: list[BadLine] = []

    def keep(frame: pd.DataFrame) -> None:
        nonlocal head
        frame = _lower_columns(frame, path)
        head = frame.iloc[:0] if head is None else head
        keys.append(frame[[k for k in wanted if k in frame.columns]])

    try:
        for frame in _csv_frames(path, _CHECK_ROWS):
            keep(frame)
        rows = np.arange(2, 2 + sum(map(len, keys)))
    except pd.errors.EmptyDataError:  # not even a header
        rows = np.arange(0)
    except pd.errors.ParserError:  # start again with the tolerant reader
        head = None
        keys.clear()
        for frame, rows_c, bad_c in _csv_tolerant(path, _CHECK_ROWS):
            keep(frame)
            numbers.extend(rows_c)
            bad.extend(bad_c)
        rows = np.asarray(numbers, dtype=np.int64)
    key_frame = pd.concat(keys, ignore_index=True) if len(rows) else None
    return _checked(spec, path, sha, head, rows, bad, keys=key_frame)


def _jsonl_records(path: Path):
    """(line number, record) for each non-blank line of a JSON Lines file; a line that is not a
    JSON object gives a ``BadLine`` as its record."""
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, BadLine(n, f"not valid JSON ({exc.msg} at column {exc.colno})", line)
                continue
            yield n, obj if isinstance(obj, dict) else BadLine(n, "a JSON Lines record must be an object", line)


def _jsonl_frames(path: Path, size: int, columns: list[str]):
    """The records ``size`` at a time, each chunk with every column seen in the file
    (``columns``, as written), missing where a record lacks one."""
    records: list[dict] = []
    for _, obj in _jsonl_records(path):
        if isinstance(obj, BadLine):
            continue
        records.append(obj)
        if len(records) == size:
            yield pd.DataFrame.from_records(records, columns=columns)
            records = []
    if records:
        yield pd.DataFrame.from_records(records, columns=columns)


def _check_jsonl(spec: TableSpec, path: Path) -> RawTable:
    """Stream the whole file once: UTF-8, every line parsed, the columns of all records (in the
    order first seen), key columns kept. Records themselves are not kept."""
    sha = sha256_file(path, "re-save the file as UTF-8")
    wanted = key_columns(spec)
    # the keys of a record, in order (few distinct ones) -> where its key columns are
    shapes: dict[tuple, list[tuple[str, str | None]]] = {}
    values: dict[str, list] = {k: [] for k in wanted}
    numbers: list[int] = []
    bad: list[BadLine] = []
    for n, obj in _jsonl_records(path):
        if isinstance(obj, BadLine):
            bad.append(obj)
            continue
        numbers.append(n)
        shape = tuple(obj)
        found = shapes.get(shape)
        if found is None:
            lowered = {str(c).strip().lower(): c for c in shape}
            found = shapes[shape] = [(k, lowered.get(k)) for k in wanted]
        for k, name in found:
            values[k].append(None if name is None else obj[name])
    columns = list(dict.fromkeys(c for shape in shapes for c in shape))
    head = _lower_columns(pd.DataFrame(columns=columns), path)
    keys = pd.DataFrame({k: pd.Series(v) for k, v in values.items() if k in head.columns}) if numbers else None
    return _checked(spec, path, sha, head, np.asarray(numbers, dtype=np.int64), bad, keys=keys,
                    written_columns=columns)


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
    """Read a table file; file-level errors (encoding, header, damaged Parquet) raise
    ``InputError``, lines that cannot be parsed become ``bad_lines``. ``lazy`` (CSV, JSON Lines,
    Parquet): check the whole file by streaming it, but keep no rows; ``RawTable.chunks`` reads
    them (memory is bounded by the chunk size, not by the file)."""
    kind = EXTENSIONS[path.suffix.lower()]
    if kind == "toml":
        frame, rows, bad = _read_toml(path)
        return _checked(spec, path, sha256_file(path), _lower_columns(frame, path), rows, bad, frame)
    raw = {"csv": _check_csv, "jsonl": _check_jsonl, "parquet": _check_parquet}[kind](spec, path)
    if lazy:
        return raw
    parts = list(raw.chunks(max(len(raw.rows), 1)))
    frame = pd.concat(parts) if parts else raw.frame
    return dataclasses.replace(raw, frame=frame.reset_index(drop=True), lazy=False, keys=None)


def _checked(spec: TableSpec, path: Path, sha: str, head: pd.DataFrame | None, rows: np.ndarray,
             bad: list[BadLine], frame: pd.DataFrame | None = None, **lazy: Any) -> RawTable:
    """The table of a checked file, once its header holds the required columns. A file with no
    columns and no rows at all (empty) is read as an empty table. ``frame``: all rows (eager);
    else ``lazy`` sets the lazy table's other fields (``keys``, ``written_columns``)."""
    head = pd.DataFrame() if head is None else head
    missing = [c for c in spec.required if c not in head.columns]
    if missing and not (len(rows) == 0 and not bad and len(head.columns) == 0):
        raise InputError(
            f"{path}: required column(s) missing: {', '.join(missing)}",
            hint=f"add the column(s) to the header; {spec.name} needs {', '.join(spec.required)}",
            file=str(path),
        )
    if missing:  # empty file: nothing to read
        head = pd.DataFrame(columns=spec.names)
        frame = None if frame is None else head
    if frame is not None:
        return RawTable(spec, path, sha, frame.reset_index(drop=True), rows, bad)
    return RawTable(spec, path, sha, head.iloc[:0].reset_index(drop=True), rows, bad, lazy=True, **lazy)


def _check_parquet(spec: TableSpec, path: Path) -> RawTable:
    """Every batch of a Parquet file is read (so a damaged file stops the ingest before anything
    is written) and dropped; what is kept is the column set and the row count."""
    n = 0
    head: pd.DataFrame | None = None
    for batch in _parquet_batches(path, _CHECK_ROWS):
        n += len(batch)
        head = _lower_columns(batch, path).iloc[:0] if head is None else head
    if head is None:  # no rows: the schema alone
        import pyarrow.parquet as pq  # noqa: PLC0415

        head = _lower_columns(pq.ParquetFile(path).schema_arrow.empty_table().to_pandas(), path)
    return _checked(spec, path, sha256_file(path), head, np.arange(1, n + 1), [])
