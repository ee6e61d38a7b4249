"""Readers for a data folder: CSV (UTF-8, header row), Parquet, JSON Lines, and TOML for parties.

A reader returns the file's rows as they were written (column names lower-cased), the source row
number of every row, and any line it could not parse at all (those are quarantined, not dropped).
Row numbers follow what a person sees: in CSV the row a spreadsheet shows (the header is row 1, a
blank line is a row too, a quoted field over several lines is one row); in JSON Lines the line
number; in Parquet and TOML the 1-based record number.

CSV is parsed by Arrow's streaming reader, strictly: a record with more *or fewer* fields than
the header (a stray ``"``, a missing comma, a ``;``-delimited line) cannot be split into the
contract's columns and is a bad line, kept only as a keyed hash. A blank line, or a record whose
fields are all empty, holds nothing and is skipped (its row number is still counted). Should a
record be too large for Arrow's blocks (an unclosed quote running through a large file), the
file is read by the ``csv`` module instead, with the same rules.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import hashlib
import json
import math
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

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
    ".xlsx": "sheet",
    ".xlsm": "sheet",
    ".ods": "sheet",
}


@dataclass
class BadLine:
    row: int
    reason: str
    raw: str
    #: the source it comes from when a table is read from several (``file`` or ``file[sheet]``)
    file: str | None = None


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
    #: CSV: read with the ``csv`` module (a record too large for Arrow's blocks), not Arrow
    tolerant: bool = False
    #: a table read from spreadsheet sheets, several files or through a mapping profile
    #: (``read_sources``/``combine``): the source of each row (``file`` or ``file[sheet]``)
    row_files: np.ndarray | None = None
    #: what names the table's input in the ingest record (default: the path)
    label: str | None = None
    #: cells a mapping profile could not map (``mapping.apply``), indexed by row position
    mapping_defects: list = field(default_factory=list)
    #: warnings about the input (merged cells, hidden rows, unmapped columns), logged by the ingest
    notes: list[str] = field(default_factory=list)
    #: recorded with the ingest's file record (sheets, merged cells, hidden rows, sources, profile)
    info: dict = field(default_factory=dict)

    def defects_in(self, index: pd.Index) -> list:
        """The mapping defects of the rows of ``index`` (a chunk)."""
        if not self.mapping_defects or len(index) == 0:
            return []
        lo, hi = index.min(), index.max()
        return [d for d in self.mapping_defects if lo <= d.index <= hi and d.index in index]

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
        else:  # CSV: the reader the check used, good records only
            batches = (frame for frame, _, _ in _csv_stream(self.path, size, self.tolerant))
        start = 0
        try:
            for batch in batches:
                if not len(batch):
                    continue
                frame = _lower_columns(batch, self.path)
                frame.index = pd.RangeIndex(start, start + len(frame))
                start += len(frame)
                if start > len(self.rows):  # more rows than were checked
                    break
                yield frame
        except (pa.ArrowInvalid, csv.Error, _NotNumbered, UnicodeDecodeError, InputError):
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


def _parquet_batches(path: Path, size: int, arrow: bool = False):
    """The file's rows, ``size`` at a time, as pandas frames (``arrow``: as Arrow record batches,
    decoded but not converted)."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        pf = pq.ParquetFile(path)
        for batch in pf.iter_batches(batch_size=size):
            yield batch if arrow else pa.Table.from_batches([batch]).to_pandas()
    except (OSError, pa.ArrowException, UnicodeDecodeError, ValueError) as exc:
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


def find_tables(data_dir: Path, require_requests: bool = True) -> dict[str, Path]:
    """Map table name -> file for every known table found in ``data_dir`` (``require_requests``:
    an error when there is no requests file; a mapping profile may name other files for it)."""
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
    if "requests" not in found and require_requests:
        raise InputError(
            f"{data_dir}: no requests file found (requests.csv, .parquet, .jsonl, .xlsx or .ods)",
            hint="the requests table is mandatory; see \"Data format\" in README.md",
        )
    return {name: paths[0] for name, paths in found.items()}


def _lower_columns(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    lowered = [str(c).strip().lower() for c in frame.columns]
    dupes = sorted({c for c in lowered if lowered.count(c) > 1})
    if dupes:
        from auditor.ingest.safety import redacted_names  # noqa: PLC0415

        raise InputError(
            f"{path}: column(s) {', '.join(redacted_names(dupes))} appear more than once (names are case-insensitive)",
            hint="rename or remove the duplicate header",
            file=str(path),
        )
    frame.columns = lowered
    return frame


_CHECK_ROWS = 250_000  # rows parsed at a time while a file is checked
#: bytes Arrow parses at a time; a record larger than this sends the file to the csv module
_CSV_BLOCK = 16 << 20


def key_columns(spec: TableSpec) -> list[str]:
    """Columns the ingest needs for every row before its first chunk (duplicates, parents)."""
    return [spec.id_column] + ([spec.parent[0]] if spec.parent else [])


class _NotNumbered(Exception):
    """Arrow did not give a record number (cannot number the rows: use the csv module)."""


@contextlib.contextmanager
def _any_field_size():
    """The csv module refuses fields over 128 KiB by default; a field of any size is read."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _field_count_reason(actual: int, expected: int) -> str:
    return f"has {actual} field(s), the header has {expected}"


class _RowNumbers:
    """Spreadsheet row numbers of a CSV file's parsed records, in order: the header is row 1,
    every record after it takes the next number, and the records the parser skipped (bad or
    blank lines, whose numbers it reports as it meets them) keep theirs."""

    def __init__(self) -> None:
        self.next = 2
        self.skipped: list[int] = []  # increasing
        self._pos = 0

    def take(self, n: int) -> np.ndarray:
        out = np.empty(n, dtype=np.int64)
        done = 0
        while done < n:
            while self._pos < len(self.skipped) and self.skipped[self._pos] < self.next:
                self._pos += 1
            stop = self.skipped[self._pos] if self._pos < len(self.skipped) else None
            run = n - done if stop is None else min(n - done, stop - self.next)
            out[done : done + run] = np.arange(self.next, self.next + run)
            done += run
            self.next += run
            if done < n and stop is not None and self.next == stop:
                self.next += 1
                self._pos += 1
        return out


def _string_frame(table: pa.Table, names: list[str]) -> pd.DataFrame:
    """An Arrow table of strings as the pandas frame the readers give: ``str`` columns (missing:
    NaN), the written header names."""
    frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow", na_value=np.nan)
                            if t in (pa.string(), pa.large_string()) else None)
    frame.columns = names
    return frame


def _arrow_csv(path: Path, size: int):
    """(frame, row numbers, bad lines) for up to ``size`` good records at a time, read by Arrow's
    streaming CSV reader (one thread, so that it numbers the records)."""
    numbers = _RowNumbers()
    bad: list[BadLine] = []

    def invalid(row) -> str:  # a record with the wrong number of fields: skipped, reported
        if row.number is None:
            raise _NotNumbered
        numbers.skipped.append(row.number)
        if row.text.strip():  # else a line of spaces: blank
            bad.append(BadLine(row.number, _field_count_reason(row.actual_columns, row.expected_columns), row.text))
        return "skip"

    read = pa_csv.ReadOptions(use_threads=False, block_size=_CSV_BLOCK)
    parse = pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=invalid)
    try:
        names = pa_csv.open_csv(path, read_options=read, parse_options=parse).schema.names
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):  # no header at all
            return
        raise
    _lower_columns(pd.DataFrame(columns=names), path)  # duplicate names: refused before any row
    numbers.skipped.clear()
    bad.clear()
    labels = [f"c{i}" for i in range(len(names))]  # unique, whatever the header holds
    read = pa_csv.ReadOptions(use_threads=False, block_size=_CSV_BLOCK, column_names=labels, skip_rows=0)
    convert = pa_csv.ConvertOptions(column_types=dict.fromkeys(labels, pa.string()), strings_can_be_null=True,
                                    null_values=[""], quoted_strings_can_be_null=True)
    header_seen = yielded = False
    pending: list[pa.Table] = []
    pending_numbers: list[np.ndarray] = []
    held = 0
    with pa_csv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert) as reader:
        for batch in reader:
            table = pa.Table.from_batches([batch])
            if not header_seen:  # the header is the first record, read as data here
                table = table.slice(1)
                header_seen = True
            rows = numbers.take(table.num_rows)
            drop = _swallowed(table)
            if drop is not None:  # a stray quote's merged record: a bad line after all
                for i in np.flatnonzero(drop):
                    fields = ["" if v is None else v for v in table.slice(int(i), 1).to_pylist()[0].values()]
                    bad.append(BadLine(int(rows[i]), SWALLOWED, ",".join(fields)))
            blank = _all_null(table)
            if blank is not None or drop is not None:
                keep = ~(_or(blank, drop))
                table, rows = table.filter(pa.array(keep)), rows[keep]
            pending.append(table)
            pending_numbers.append(rows)
            held += table.num_rows
            while held >= size:
                whole = pa.concat_tables(pending)
                nums = np.concatenate(pending_numbers)
                yield _string_frame(whole.slice(0, size), names), nums[:size], bad[:]
                yielded = True
                bad.clear()
                pending, pending_numbers = [whole.slice(size)], [nums[size:]]
                held -= size
    if held or bad or not yielded:  # the rest; at least one frame (the columns of a header-only file)
        whole = pa.concat_tables(pending) if pending else pa.table({c: pa.array([], pa.string()) for c in labels})
        nums = np.concatenate(pending_numbers) if pending_numbers else np.zeros(0, dtype=np.int64)
        yield _string_frame(whole, names), nums, bad[:]


#: the reason of a record one of whose fields ran across a line break and swallowed a line's
#: delimiters: what a stray ``"`` does when the next quote is in a later line
SWALLOWED = "a field runs across a line break and holds a line's delimiters (a stray quote?)"


def _or(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray:
    if a is None:
        return b
    return a if b is None else a | b


def _swallow_commas(columns: int) -> int:
    """Commas that, with a line break, make a field a swallowed line: half a record's."""
    return max(3, (columns - 1) // 2)


def _swallowed(table: pa.Table) -> np.ndarray | None:
    """Rows one of whose fields holds a line break and at least half a record's commas
    (``_swallow_commas``): a stray quote merged the rest of its line with the next line(s), and
    the merged record happens to have the header's number of fields (it is a bad line by its
    field count otherwise). Such a field holds about a whole line's commas; legitimate text with
    a line break rarely holds that many."""
    need = _swallow_commas(table.num_columns)
    found: np.ndarray | None = None
    for column in table.columns:
        breaks = pc.match_substring_regex(column, "[\\r\\n]")
        if not pc.any(breaks).as_py():
            continue
        many = pc.and_(breaks, pc.greater_equal(pc.count_substring(column, ","), need))
        mask = _chunked_bool(many)
        found = _or(found, mask) if mask.any() else found
    return found


def _chunked_bool(values) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.fill_null(False).to_numpy(zero_copy_only=False)


def _all_null(table: pa.Table) -> np.ndarray | None:
    """Rows all of whose fields are empty (a blank line, or only delimiters), or None if none."""
    if table.num_columns == 0 or table.num_rows == 0:
        return None
    blank = table.column(0).is_null()
    if not pc.any(blank).as_py():
        return None
    for i in range(1, table.num_columns):
        blank = pc.and_(blank, table.column(i).is_null())
    mask = _chunked_bool(blank)
    return mask if mask.any() else None


def _tolerant_csv(path: Path, size: int):
    """``_arrow_csv`` by the csv module (fields of any size, per-row Python): for a file with a
    record too large for Arrow's blocks. Same rules, same row numbers."""
    with _any_field_size(), path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        _lower_columns(pd.DataFrame(columns=header), path)
        good: list[list[str]] = []
        rows: list[int] = []
        bad: list[BadLine] = []

        def frame() -> pd.DataFrame:
            f = pd.DataFrame(good, columns=header, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
            return f.mask(f == "") if len(f) else f

        for record, fields in enumerate(reader, start=2):
            if len(fields) == len(header):
                if not any(fields):  # only delimiters: blank
                    continue
                if any(("\n" in f or "\r" in f) and f.count(",") >= _swallow_commas(len(header)) for f in fields):
                    bad.append(BadLine(record, SWALLOWED, ",".join(fields)))
                    continue
                good.append(fields)
                rows.append(record)
                if len(good) == size:
                    yield frame(), np.asarray(rows, dtype=np.int64), bad
                    good, rows, bad = [], [], []
            elif fields and "".join(fields).strip():  # else a blank line
                bad.append(BadLine(record, _field_count_reason(len(fields), len(header)), ",".join(fields)))
        yield frame(), np.asarray(rows, dtype=np.int64), bad


def _csv_stream(path: Path, size: int, tolerant: bool):
    return _tolerant_csv(path, size) if tolerant else _arrow_csv(path, size)


def _check_csv(spec: TableSpec, path: Path) -> RawTable:
    """Stream the whole file once: UTF-8, header, every record parsed, rows numbered and
    counted, key columns kept. Arrow parses it; a record too large for its blocks (or a record
    it cannot number) sends the whole file to the csv module, here and in ``chunks``."""
    sha = sha256_file(path, "re-save the file as UTF-8 (for example: iconv -f latin1 -t utf-8 in.csv > out.csv)")
    wanted = key_columns(spec)
    for tolerant in (False, True):
        head: pd.DataFrame | None = None
        keys: list[pd.DataFrame] = []  # the key columns of each chunk
        numbers: list[np.ndarray] = []
        bad: list[BadLine] = []
        try:
            for frame, rows_c, bad_c in _csv_stream(path, _CHECK_ROWS, tolerant):
                frame = _lower_columns(frame, path)
                head = frame.iloc[:0] if head is None else head
                keys.append(frame[[k for k in wanted if k in frame.columns]])
                numbers.append(rows_c)
                bad.extend(bad_c)
        except (pa.ArrowInvalid, _NotNumbered):
            if tolerant:  # pragma: no cover - the csv module raises nothing Arrow would
                raise
            continue
        break
    rows = np.concatenate(numbers) if numbers else np.zeros(0, dtype=np.int64)
    bad.sort(key=lambda b: b.row)
    key_frame = pd.concat(keys, ignore_index=True) if len(rows) else None
    return _checked(spec, path, sha, head, rows, bad, keys=key_frame, tolerant=tolerant)


def _json_constant(name: str) -> str:
    """``NaN``, ``Infinity``, ``-Infinity`` (not JSON, accepted by Python) stay text: a number
    column then says they are not numbers, rather than reading NaN as a missing value."""
    return name


def _json_float(text: str) -> float | str:
    """A JSON number beyond the float range (``1e400``) stays text, never infinity."""
    value = float(text)
    return value if math.isfinite(value) else text


def _json_int(text: str) -> int | str:
    """An integer too long for Python's int conversion (over 4300 digits) stays text."""
    try:
        return int(text)
    except ValueError:
        return text


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_surrogate(obj: Any) -> bool:
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(obj, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in obj.items())
    if isinstance(obj, list):
        return any(_has_surrogate(v) for v in obj)
    return False


def _json_line(n: int, line: str) -> dict | BadLine:
    try:
        try:
            obj = json.loads(line, parse_constant=_json_constant, parse_float=_json_float)
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            obj = json.loads(line, parse_constant=_json_constant, parse_float=_json_float, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        return BadLine(n, f"not valid JSON ({exc.msg} at column {exc.colno})", line)
    except RecursionError:
        return BadLine(n, "not valid JSON here (nested too deeply)", line)
    if not isinstance(obj, dict):
        return BadLine(n, "a JSON Lines record must be an object", line)
    if _SURROGATE_ESCAPE.search(line) and _has_surrogate(obj):
        return BadLine(n, "holds a \\u escape that is not valid Unicode (a lone surrogate)", line)
    return obj


def _jsonl_records(path: Path):
    """(line number, record) for each non-blank line of a JSON Lines file; a line that is not a
    JSON object, holds text that is not valid Unicode, or has one field twice (names are
    case-insensitive) gives a ``BadLine`` as its record."""
    shapes: dict[tuple, str | None] = {}  # the keys of a record -> why they are refused, or None
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            obj = _json_line(n, line)
            if isinstance(obj, dict) and any(isinstance(v, dict | list) for v in obj.values()):
                obj = _unnest(n, obj, line)
            if isinstance(obj, dict):
                shape = tuple(obj)
                if shape not in shapes:
                    shapes[shape] = _repeated_field(shape)
                if shapes[shape] is not None:
                    obj = BadLine(n, shapes[shape], line)
            yield n, obj


def _unnest(n: int, obj: dict, line: str) -> dict | BadLine:
    """A record some of whose fields hold a JSON array or object. An array of strings is a
    category set as JSON writes it (``["subscriber", "traffic"]``): it becomes the contract's
    ``;``-joined text, and its column's validation judges it. Any other array or object is not a
    value of the contract: the whole line is a bad line (kept only as its keyed hash, since a
    nested value may hold anything)."""
    from auditor.ingest.safety import redacted_names  # noqa: PLC0415

    out = dict(obj)
    nested: list[str] = []
    for k, v in obj.items():
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            out[k] = ";".join(v) if v else None
        elif isinstance(v, dict | list):
            nested.append(str(k).strip().lower())
    if nested:
        return BadLine(n, f"field(s) {', '.join(redacted_names(nested))} hold a JSON object or array; "
                          "a value must be text, a number, a boolean or null", line)
    return out


def _repeated_field(keys: tuple) -> str | None:
    from auditor.ingest.safety import redacted_names  # noqa: PLC0415

    lowered = [str(k).strip().lower() for k in keys]
    dupes = sorted({k for k in lowered if lowered.count(k) > 1})
    if not dupes:
        return None
    return f"has field(s) {', '.join(redacted_names(dupes))} more than once (names are case-insensitive)"


def _exact_numbers(frame: pd.DataFrame, records: list[dict]) -> pd.DataFrame:
    """pandas reads a column of integers with gaps as floats, which cannot hold integers beyond
    2**53 exactly: such a column is taken again from the records, as the values were written."""
    for i, c in enumerate(frame.columns):
        s = frame.iloc[:, i]
        if pd.api.types.is_float_dtype(s.dtype) and len(s):
            with np.errstate(invalid="ignore"):
                big = np.nanmax(np.abs(s.to_numpy(dtype=np.float64, na_value=np.nan)), initial=0.0)
            if big >= 2.0**53:
                frame[c] = pd.Series([r.get(c) for r in records], index=frame.index, dtype=object)
    return frame


def _coalesce_names(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns whose names differ only in case or surrounding spaces (different records wrote
    ``Provider`` and ``provider``; no record has both) become one, named as first written."""
    lowered = [str(c).strip().lower() for c in frame.columns]
    if len(set(lowered)) == len(lowered):
        return frame
    out: dict[str, pd.Series] = {}
    first: dict[str, Any] = {}
    for i, low in enumerate(lowered):
        s = frame.iloc[:, i]
        if low in out:
            out[low] = out[low].combine_first(s) if s.notna().any() else out[low]
        else:
            out[low], first[low] = s, frame.columns[i]
    return pd.DataFrame({first[k]: v for k, v in out.items()}, index=frame.index)


def _record_frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    return _coalesce_names(_exact_numbers(pd.DataFrame.from_records(records, columns=columns), records))


def _jsonl_frames(path: Path, size: int, columns: list[str]):
    """The records ``size`` at a time, each chunk with every column seen in the file
    (``columns``, as written), missing where a record lacks one."""
    records: list[dict] = []
    for _, obj in _jsonl_records(path):
        if isinstance(obj, BadLine):
            continue
        records.append(obj)
        if len(records) == size:
            yield _record_frame(records, columns)
            records = []
    if records:
        yield _record_frame(records, columns)


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
    head = _lower_columns(_coalesce_names(pd.DataFrame(columns=columns)), path)
    keys = None
    if numbers:
        keys = pd.DataFrame({k: pd.Series(v) for k, v in values.items() if k in head.columns})
        keys = _exact_numbers(keys, [dict(zip(keys.columns, row, strict=True))
                                     for row in zip(*(values[k] for k in keys.columns), strict=True)]
                              ) if _needs_exact(keys) else keys
    return _checked(spec, path, sha, head, np.asarray(numbers, dtype=np.int64), bad, keys=keys,
                    written_columns=columns)


def _needs_exact(frame: pd.DataFrame) -> bool:
    return any(pd.api.types.is_float_dtype(t) for t in frame.dtypes)


def _read_toml(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[BadLine]]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        why = exc if not isinstance(exc, RecursionError) else "nested too deeply"
        raise InputError(f"{path}: not valid TOML ({why})", hint="fix the TOML syntax", file=str(path)) from None
    entries = doc.get("party") or doc.get("parties")
    if isinstance(entries, dict):  # [parties.JP] style
        entries = [{"party": k, **v} if isinstance(v, dict) else {"__entry__": f"{k} = {v!r}"}
                   for k, v in entries.items()]
    if not isinstance(entries, list):
        raise InputError(
            f"{path}: expected [[party]] entries",
            hint='write one [[party]] table per Party, e.g. [[party]]\\nparty = "JP"',
            file=str(path),
        )
    good: list[dict] = []
    rows: list[int] = []
    bad: list[BadLine] = []
    for n, entry in enumerate(entries, start=1):
        if isinstance(entry, dict) and "__entry__" not in entry:
            good.append(entry)
            rows.append(n)
        else:
            text = entry["__entry__"] if isinstance(entry, dict) else repr(entry)
            bad.append(BadLine(n, "a party entry must be a table of fields", text))
    frame = _coalesce_names(_exact_numbers(pd.DataFrame.from_records(good), good)) if good else pd.DataFrame()
    return frame, np.asarray(rows, dtype=np.int64), bad


def read_table(spec: TableSpec, path: Path, lazy: bool = False) -> RawTable:
    """Read a table file; file-level errors (encoding, header, damaged Parquet) raise
    ``InputError``, lines that cannot be parsed become ``bad_lines``. ``lazy`` (CSV, JSON Lines,
    Parquet): check the whole file by streaming it, but keep no rows; ``RawTable.chunks`` reads
    them (memory is bounded by the chunk size, not by the file)."""
    kind = EXTENSIONS[path.suffix.lower()]
    if kind == "sheet":  # every sheet with the first sheet's header (no mapping profile)
        return combine(spec, read_sources([path], None), None, sha256_file(path))
    if kind == "toml":
        frame, rows, bad = _read_toml(path)
        return _checked(spec, path, sha256_file(path), _lower_columns(frame, path), rows, bad, frame)
    raw = {"csv": _check_csv, "jsonl": _check_jsonl, "parquet": _check_parquet}[kind](spec, path)
    if lazy:
        return raw
    parts = list(raw.chunks(max(len(raw.rows), 1)))
    frame = pd.concat(parts) if parts else raw.frame
    return dataclasses.replace(raw, frame=frame.reset_index(drop=True), lazy=False, keys=None)


#: delimiters a spreadsheet's CSV export uses instead of commas (a French or German locale: ";")
_OTHER_DELIMITERS = ((";", "semicolons (;)"), ("\t", "tabs"), ("|", "vertical bars (|)"))


def _other_delimiter(columns: pd.Index, spec: TableSpec) -> tuple[str, str] | None:
    """(delimiter, its name) when a CSV header read with commas is one column that, split on
    another delimiter, names the table's required columns; else None."""
    if len(columns) != 1:
        return None
    text = str(columns[0])
    for sep, name in _OTHER_DELIMITERS:
        names = {c.strip().strip('"').strip().lower() for c in text.split(sep)}
        if len(names) > 1 and set(spec.required) <= names:
            return sep, name
    return None


def _checked(spec: TableSpec, path: Path, sha: str, head: pd.DataFrame | None, rows: np.ndarray,
             bad: list[BadLine], frame: pd.DataFrame | None = None, **lazy: Any) -> RawTable:
    """The table of a checked file, once its header holds the required columns. A file with no
    columns and no rows (empty, or only lines that cannot be read) is read as an empty table. ``frame``: all rows (eager);
    else ``lazy`` sets the lazy table's other fields (``keys``, ``written_columns``)."""
    head = pd.DataFrame() if head is None else head
    missing = [c for c in spec.required if c not in head.columns]
    if missing and not (len(rows) == 0 and len(head.columns) == 0):  # else: no record could be read
        other = _other_delimiter(head.columns, spec) if path.suffix.lower() == ".csv" else None
        if other is not None:
            raise InputError(
                f"{path}: the header is separated by {other[1]}, not by commas, so its columns "
                f"({', '.join(missing)} among them) cannot be found",
                hint=f"save the file as comma-separated CSV (RFC 4180: the log format's CSV files use commas; a "
                     f"spreadsheet's 'CSV UTF-8 (comma delimited)'), or export it as .xlsx: {spec.name} needs "
                     f"{', '.join(spec.required)}",
                file=str(path),
            )
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
    is written) and dropped; what is kept is the column set and the row count. The batches are
    decoded, not converted to pandas (every batch has the file's schema; the first is converted,
    as before, for the columns and their dtypes): a third of the time on a million requests."""
    n = 0
    head: pd.DataFrame | None = None
    for batch in _parquet_batches(path, _CHECK_ROWS, arrow=True):
        n += batch.num_rows
        if head is None:
            head = _lower_columns(pa.Table.from_batches([batch]).to_pandas(), path).iloc[:0]
    if head is None:  # no rows: the schema alone
        import pyarrow.parquet as pq  # noqa: PLC0415

        head = _lower_columns(pq.ParquetFile(path).schema_arrow.empty_table().to_pandas(), path)
    return _checked(spec, path, sha256_file(path), head, np.arange(1, n + 1), [])


# ---------------------------------------------------------------- spreadsheets, several sources, mapping profiles
@dataclass
class Source:
    """One source of a table as written: a file, or one sheet of a workbook (headers as written,
    except CSV/JSON Lines/Parquet ones, lower-cased by their readers)."""

    label: str
    path: Path
    frame: pd.DataFrame
    rows: np.ndarray
    bad_lines: list[BadLine] = field(default_factory=list)
    sheet: Any = None  # sheets.SheetFrame
    #: a sheet not read (without a profile: its header is not the first sheet's); only its notes count
    skipped: bool = False


def _sheets_of(path: Path, wanted: tuple[str, ...] | None) -> list[str]:
    from auditor.ingest import sheets  # noqa: PLC0415

    names = sheets.sheet_names(path)
    if wanted is None or "*" in wanted:
        return names
    missing = [w for w in wanted if w not in names]
    if missing:
        raise InputError(f"{path}: no sheet named {', '.join(repr(m) for m in missing)} (sheets: {', '.join(names)})",
                         hint="check sheets = [...] in the mapping profile; names are exact", file=str(path))
    return list(wanted)


def read_sources(paths: list[Path], mapping: Any, header_row: int = 1) -> list[Source]:
    """Every source of a table: each CSV/JSON Lines/Parquet file read whole, and each sheet a
    mapping profile names (``sheets``; default: the first) of each workbook. Without a profile,
    a workbook gives its first sheet and every other sheet with the same header."""
    from auditor.ingest import sheets  # noqa: PLC0415

    free = TableSpec("source", "", ())  # no required column: the profile maps them
    out: list[Source] = []
    for path in paths:
        if EXTENSIONS.get(path.suffix.lower()) == "sheet":
            wanted = None if mapping is None else mapping.sheets
            names = _sheets_of(path, wanted)
            first: list[str] | None = None
            for name in names if (mapping is not None and mapping.sheets) or mapping is None else names[:1]:
                sf = sheets.read_sheet(path, name, mapping.header_row if mapping is not None else header_row)
                if mapping is None:
                    header = [str(c).strip().casefold() for c in sf.frame.columns]
                    if first is None:
                        first = header
                    elif header != first:
                        note = f"{sf.label}: not read (its header differs from the first sheet's)"
                        out.append(Source(sf.label, path, sf.frame.iloc[:0], sf.rows[:0], skipped=True,
                                          sheet=dataclasses.replace(sf, notes=[note], frame=sf.frame.iloc[:0],
                                                                    rows=sf.rows[:0], dates={})))
                        continue
                out.append(Source(sf.label, path, sf.frame, sf.rows, sheet=sf))
            continue
        raw = read_table(free, path)
        out.append(Source(str(path), path, raw.frame, raw.rows, raw.bad_lines))
    return out


def content_sha(paths: list[Path]) -> str:
    """The SHA-256 of a table's input: its file's, or, for several files, of their names and
    SHA-256s (one ``sha256  name`` line each, in order)."""
    if len(paths) == 1:
        return sha256_file(paths[0])
    lines = "".join(f"{sha256_file(p)}  {p.name}\n" for p in paths)
    return hashlib.sha256(lines.encode()).hexdigest()


def combine(spec: TableSpec, sources: list[Source], mapping: Any, sha: str, profile_name: str | None = None,
            label: str | None = None, shared: frozenset[str] = frozenset()) -> RawTable:
    """One eager table from its sources: through the mapping profile (``mapping.apply``; a
    ``from`` table keeps only its ``when_any`` rows), else with the contract's column names
    (case-insensitive) and spreadsheet dates as UTC. Required columns are checked after mapping.
    ``shared``: source headers (folded) that tables taken ``from`` this one use (not unmapped)."""
    from auditor.ingest import mapping as mp  # noqa: PLC0415
    from auditor.ingest.safety import looks_identifying  # noqa: PLC0415

    frames: list[pd.DataFrame] = []
    rows: list[np.ndarray] = []
    files: list[np.ndarray] = []
    bad: list[BadLine] = []
    defects: list = []
    notes: list[str] = []
    info: dict[str, Any] = {}
    offset = 0
    local: set[str] = set()
    if mapping is not None:
        local = {_fold_name(s) for s, c in mapping.columns.items() if c in mapping.dates}
    for src in sources:
        frame, numbers = src.frame, src.rows
        if src.sheet is not None:
            sf = src.sheet
            notes.extend(sf.notes)
            if src.skipped:
                continue
            for k in ("merged", "hidden_rows", "hidden_columns", "formulas", "formulas_without_value"):
                if getattr(sf, k):
                    info[k] = info.get(k, 0) + int(getattr(sf, k))
            info.setdefault("sheets", []).append(sf.sheet)
            frame = sf.utc_frame({c for c in sf.frame.columns if _fold_name(c) in local})
        if mapping is None:
            frame = _lower_columns(frame.copy() if src.sheet is not None else frame, src.path)
        else:
            if mapping.source is not None:
                keep = mp.rows_selected(frame, mapping)
                frame, numbers = frame.loc[keep], numbers[keep]
            else:
                bad.extend(dataclasses.replace(b, file=src.label) for b in src.bad_lines)
            frame = frame.reset_index(drop=True)
            unmapped = [c for c in mp.unmapped_columns(list(frame.columns), mapping, spec)
                        if _fold_name(c) not in shared]
            if unmapped and mapping.source is None:
                shown = [c if not looks_identifying(pd.Series([c]))[0] else "<a name not shown>" for c in unmapped]
                notes.append(f"{src.label}: column(s) {', '.join(repr(c) for c in shown)} not in the mapping "
                             f"profile's [tables.{spec.name}.columns]: ignored (map them, or list them with \"\" "
                             "to ignore them deliberately)")
            frame, found = mp.apply(frame, mapping, spec, source_name=profile_name)
            defects.extend(dataclasses.replace(d, index=int(d.index) + offset) for d in found)
        if mapping is None:
            bad.extend(dataclasses.replace(b, file=src.label) for b in src.bad_lines)
        frame = frame.reset_index(drop=True)
        frame.index = pd.RangeIndex(offset, offset + len(frame))
        frames.append(frame)
        rows.append(np.asarray(numbers, dtype=np.int64))
        files.append(np.full(len(frame), src.label, dtype=object))
        offset += len(frame)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    whole = (pd.concat([f.reindex(columns=columns) for f in frames]) if frames
             else pd.DataFrame(columns=columns))
    whole.index = pd.RangeIndex(len(whole))
    missing = [c for c in spec.required if c not in whole.columns]
    first = sources[0].path if sources else Path(label or spec.name)
    if missing and len(whole):
        where = label or ", ".join(dict.fromkeys(s.label for s in sources))
        if mapping is not None:
            raise InputError(
                f"{where}: required column(s) missing after the mapping profile: {', '.join(missing)}",
                hint=f"map a source column to each under [tables.{spec.name}.columns], or give it under "
                     f"[tables.{spec.name}.constants], in {profile_name or 'the mapping profile'}",
                file=str(first))
        raise InputError(f"{where}: required column(s) missing: {', '.join(missing)}",
                         hint=f"add the column(s) to the header; {spec.name} needs {', '.join(spec.required)}",
                         file=str(first))
    bad.sort(key=lambda b: (b.file or "", b.row))
    if len(sources) > 1 and len({s.path for s in sources}) > 1:
        info["sources"] = [{"file": str(p), "sha256": sha256_file(p)} for p in dict.fromkeys(s.path for s in sources)]
    return RawTable(spec, first, sha, whole, np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64), bad,
                    row_files=np.concatenate(files) if files else np.zeros(0, dtype=object),
                    label=label or ", ".join(dict.fromkeys(str(s.path) for s in sources)) or None,
                    mapping_defects=defects, notes=notes, info=info)


def _fold_name(name: Any) -> str:
    import unicodedata  # noqa: PLC0415

    return unicodedata.normalize("NFC", str(name)).strip().casefold()
