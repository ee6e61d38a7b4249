"""Ingest a data folder: read -> normalise (pseudonymise) -> validate (great-expectations) ->
quarantine or store. Every row read is added (new id), recognised as already stored
(unchanged), stored as a revision of a known id, or quarantined with a reason, and the counts
reconcile: ``read = stored + unchanged + revised + quarantined`` (``stored`` = added).

Revisions: a row whose id is already stored with different content becomes the current row and
the superseded version is moved, unchanged, to ``input_revisions`` with the ingest that brought
it. Nothing is overwritten silently: every revision is counted, listed in the ingest summary and
covered by the run ledger (``auditor.ledger``).

Files are read and checked for file-level errors before anything is written; each table is then
written in its own transaction (holding the database write lock), so a failure or a kill leaves
no half-ingested file and the next ingest completes the rest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.util
import itertools
import logging
import os
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from auditor import ledger, logs
from auditor.errors import InputError
from auditor.forking import Ahead, Prefetched
from auditor.ingest import normalise, safety
from auditor.ingest.readers import (
    RawTable,
    changed_error,
    combine,
    content_sha,
    find_tables,
    key_columns,
    read_sources,
    read_table,
    sha256_file,
)
from auditor.ingest.schema import TABLES
from auditor.ingest.spill import FrameSpill
from auditor.store import db, models
from auditor.store.writer import ForkedWriter, table_writer

log = logging.getLogger("auditor.ingest")

QUARANTINE_COLUMNS = ["table", "file", "row", "column", "reason", "record"]


@dataclass
class TableCount:
    table: str
    file: str
    sha256: str
    read: int = 0
    stored: int = 0
    unchanged: int = 0
    quarantined: int = 0
    columns: list[str] = field(default_factory=list)
    revised: int = 0
    revised_ids: list[str] = field(default_factory=list)
    #: the file's content is the one its table's last recorded ingest read: not read again
    skipped: bool = False
    #: the mapping profile the table was read through (``Profile.provenance()``), if any
    profile: dict | None = None
    #: what the reader recorded of the input (sheets, merged cells, hidden rows, sources)
    info: dict = field(default_factory=dict)

    @property
    def added(self) -> int:
        return self.stored

    @property
    def reconciles(self) -> bool:
        return self.read == self.stored + self.unchanged + self.revised + self.quarantined

    def as_dict(self) -> dict:
        return {
            "table": self.table,
            "file": self.file,
            "sha256": self.sha256,
            "read": self.read,
            "stored": self.stored,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "columns": self.columns,
            "added": self.stored,
            "revised": self.revised,
            "revised_ids": self.revised_ids,
            **({"profile": self.profile, "profile_sha256": self.profile["sha256"]} if self.profile else {}),
            **self.info,
        }


@dataclass
class IngestResult:
    ingest_id: str
    data_dir: str
    counts: list[TableCount]
    quarantine: pd.DataFrame
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: the stored rows spilled to disk for a partitioned audit (``ingest_folder(spill=True)``)
    spill: FrameSpill | None = None

    def release(self) -> None:
        """Drop the kept frames and remove the spill files."""
        self.frames.clear()
        if self.spill is not None:
            self.spill.close()
            self.spill = None

    def count(self, table: str) -> TableCount | None:
        return next((c for c in self.counts if c.table == table), None)


def new_id(prefix: str) -> str:
    now = datetime.now(UTC)
    return f"{prefix}{now:%Y%m%dT%H%M%S}-{hashlib.sha256(str(now.timestamp()).encode() + np.random.bytes(8)).hexdigest()[:6]}"


def _hash_text(h: np.ndarray, index: pd.Index) -> pd.Series:
    """64-bit hashes as their decimal text (how they are stored), cast in Arrow (numpy's
    ``astype(str)`` took ~0.8 s per million rows)."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.array(h, type=pa.uint64()).cast(pa.string())), index=index,
                     dtype="string")


def _row_hash(canon: pd.DataFrame) -> pd.Series:
    """The stored content hash of each canonical row: pandas ``hash_pandas_object`` of the frame
    with every missing value as ``"\x00"``, without index (vectorised, no per-row Python).

    Computed column by column as pandas does (``_combine_hashes``), so that a column with no
    missing value is not copied to fill none, and a column missing throughout (a third of a
    messy requests file) is one hashed value repeated: the very hashes of filling the frame
    (~2 s of a 1M-request ingest went to the fill). Text columns only (``normalise.canonical``
    gives nothing else); any other frame is hashed as before, whole."""
    n = len(canon)
    if not all(isinstance(dt, pd.StringDtype) for dt in canon.dtypes):  # canonical text is; else as pandas
        h = pd.util.hash_pandas_object(canon.fillna("\x00"), index=False).to_numpy(dtype=np.uint64)
        return _hash_text(h, canon.index)
    hashes = []
    for name in canon.columns:
        s = canon[name]
        missing = int(s.isna().sum())
        if missing == n and n:
            one = pd.util.hash_pandas_object(pd.Series(["\x00"], dtype=s.dtype), index=False).iloc[0]
            hashes.append(np.full(n, one, dtype=np.uint64))
            continue
        values = s.fillna("\x00") if missing else s
        hashes.append(pd.util.hash_pandas_object(values, index=False).to_numpy(dtype=np.uint64))
    return _hash_text(_combine_hashes(hashes, n), canon.index)


def _combine_hashes(arrays: list[np.ndarray], n: int) -> np.ndarray:
    """pandas' combination of a frame's column hashes into row hashes (``hash_pandas_object`` of
    a DataFrame, pandas.core.util.hashing.combine_hash_arrays: CPython's tuple hash)."""
    if not arrays:
        return np.full(n, 0x345678 + 97531, dtype=np.uint64)
    mult = np.uint64(1000003)
    out = np.full(n, 0x345678, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, a in enumerate(arrays):
            inverse_i = len(arrays) - i
            out ^= a
            out *= mult
            mult += np.uint64(82520 + inverse_i + inverse_i)
        out += np.uint64(97531)
    return out


#: the format of ``_raw_hash``. It, the code that reads, normalises and validates rows
#: (``_RAW_HASH_CODE``), the package version, the pseudonymisation key, the contract and the
#: mapping profile are all in each raw hash: a change of any of them makes every stored raw hash
#: stale, so every row of a changed file takes the full path again
RAW_HASH_FORMAT = "2"
_RAW_HASH_CODE = ("auditor.ingest.pipeline", "auditor.ingest.readers", "auditor.ingest.normalise",
                  "auditor.ingest.validate", "auditor.ingest.schema", "auditor.ingest.mapping",
                  "auditor.ingest.safety", "auditor.privacy", "auditor.iso")
_MIX = np.uint64(0x9E3779B97F4A7C15)


@functools.cache
def _code_digest() -> str:
    """SHA-256 of the package version and the source of the modules a row's fate depends on
    (read, not imported: the validation module would import great-expectations)."""
    from auditor import __version__  # noqa: PLC0415

    h = hashlib.sha256(f"{RAW_HASH_FORMAT}\x00{__version__}".encode())
    for name in _RAW_HASH_CODE:
        spec = importlib.util.find_spec(name)
        try:
            h.update(Path(spec.origin).read_bytes())  # type: ignore[union-attr, arg-type]
        except (OSError, TypeError, AttributeError):
            h.update(f"\x00{name}: no source".encode())
    return h.hexdigest()


def _raw_salt(spec, key: bytes, profile_sha: str | None) -> str:
    """What every raw hash of a table depends on besides the row (see ``RAW_HASH_FORMAT``); the
    key only through a one-way digest."""
    return "\x1f".join([_code_digest(), hashlib.sha256(b"auditor.raw-row\x00" + key).hexdigest(),
                        profile_sha or "", repr(spec)])


#: a column whose sample is at least this share distinct is hashed value by value; else its
#: distinct values are hashed once each (pandas ``categorize``: the same hashes, either way)
_DISTINCT_SHARE = 0.5
_SAMPLE = 4096


#: the hash ``hash_pandas_object`` gives a missing value when it hashes through categories
_MISSING_HASH = np.uint64(2**64 - 1)


def _value_hashes(values: pd.Series) -> np.ndarray:
    """pandas' 64-bit hash of each value (``hash_pandas_object``). A mostly-distinct column
    (ids, identifiers) skips the dictionary encoding pandas does first by default: ~35 % less
    time for such a column, and the very same hashes."""
    head = values.iloc[:_SAMPLE]
    distinct = len(head) > 0 and head.nunique(dropna=False) >= _DISTINCT_SHARE * len(head)
    out = pd.util.hash_pandas_object(values, index=False, categorize=not distinct).to_numpy(dtype=np.uint64, copy=True)
    # a missing value: the one hash the dictionary path gives it (the value-by-value path hashes
    # pandas' NA object instead), so a row's hash never depends on the rows read beside it
    out[values.isna().to_numpy(dtype=bool)] = _MISSING_HASH
    return out


def _raw_hash(frame: pd.DataFrame, spec, salt: str) -> pd.Series:
    """A 64-bit hash of each row as read, before normalisation (text, like ``_row_hash``).

    It covers the contract columns the file has, by name and dtype, each value and whether it is
    missing (so a missing value never equals a written one), and ``salt``: rows with equal raw
    hashes normalise, validate and hash to the same canonical row. Object columns (mixed Python
    values) are hashed as the text ``normalise.canonical`` reads them as. Each column's value
    hashes (``_value_hashes``) are chained by an odd multiplier and xor, so rows that differ in
    one column always differ before the final mix. Vectorised (pandas hashing, numpy), no Python
    object per row."""
    names = [c for c in spec.names if c in frame.columns]
    cols = {n: frame[n].astype("string") if frame[n].dtype == object else frame[n] for n in names}
    layout = "\x1f".join([salt, *(f"{n}:{cols[n].dtype}" for n in names)])
    seed = np.frombuffer(hashlib.sha256(layout.encode()).digest()[:8], dtype=np.uint64)[0]
    n = len(frame)
    if n == 0:
        return pd.Series([], index=frame.index, dtype="string")
    h = np.full(n, seed, dtype=np.uint64)
    if names:
        sub = pd.DataFrame(cols, index=frame.index)
        with np.errstate(over="ignore"):
            for name in names:  # each column's value hashes, chained in the contract's order
                h = (h * _MIX) ^ _value_hashes(cols[name])
        missing = np.packbits(sub.isna().to_numpy(dtype=bool), axis=1)
        missing = np.ascontiguousarray(np.pad(missing, ((0, 0), (0, -missing.shape[1] % 8)))).view(np.uint64)
        with np.errstate(over="ignore"):
            for j in range(missing.shape[1]):
                h = (h * _MIX) ^ missing[:, j]
    h = pd.util.hash_array(h)  # a bijective mix of the whole word
    return _hash_text(h, frame.index)


def _holds_rows(engine: Engine, table: str) -> bool:
    """Whether ``table`` held a stored row when the ingest looked (outside its transaction: only
    decides whether raw hashes are compared before normalising, which is safe either way)."""
    t = models.INPUT_MODELS[table].__table__
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() is not None


def _quarantine_frame(raw: RawTable, canon: pd.DataFrame, defects: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Quarantine rows of one chunk (``raw.frame``, its canonical ``canon``) and of the file's
    lines that could not be split into columns (``raw.bad_lines``). Nothing personal in clear,
    whatever column it sits in: see ``auditor.ingest.safety`` for what a record keeps."""
    parts = []
    if not defects.empty:
        idx = pd.Index(defects["index"].unique())
        records = safety.quarantine_records(raw.spec, raw.frame.loc[idx], canon.loc[idx], key)
        q = pd.DataFrame(
            {
                "table": raw.spec.name,
                "file": (raw.row_files[defects["index"].to_numpy(dtype=np.int64)] if raw.row_files is not None
                         else str(raw.path)),
                "row": raw.rows[defects["index"].to_numpy(dtype=np.int64)],
                "column": defects["column"].to_numpy(),
                "reason": defects["reason"].to_numpy(),
                "record": records.reindex(defects["index"]).to_numpy(),
            }
        )
        parts.append(q)
    if raw.bad_lines:
        # A line that cannot be split may hold personal data anywhere: keep only its keyed hash.
        parts.append(
            pd.DataFrame(
                {
                    "table": raw.spec.name,
                    "file": [b.file or str(raw.path) for b in raw.bad_lines],
                    "row": [b.row for b in raw.bad_lines],
                    "column": "",
                    "reason": [f"line cannot be parsed: {b.reason}" for b in raw.bad_lines],
                    "record": [safety.line_record(b.raw, key) for b in raw.bad_lines],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def _layout(frame: pd.DataFrame) -> tuple:
    """Columns and dtypes (a categorical's with its categories: dtype equality)."""
    return tuple(frame.columns), tuple(frame.dtypes)


class _Batches:
    """Items (tuples of frames and series of the same rows) joined in order, part by part, into
    batches of at least ``rows`` rows (the last one smaller). Items are joined only while their
    frames' columns and dtypes are the same, so a row in a batch is what it was in its own item."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self._items: list[tuple] = []
        self._count = 0

    @staticmethod
    def _layout(item: tuple) -> tuple:
        return tuple(_layout(p) for p in item if isinstance(p, pd.DataFrame))

    def add(self, *item: pd.DataFrame | pd.Series) -> list[tuple]:
        """The batches ready once ``item`` is added: none, one or two."""
        ready = []
        if self._items and self._layout(self._items[-1]) != self._layout(item):
            ready.append(self._take())
        self._items.append(item)
        self._count += len(item[0])
        if self._count >= self.rows:
            ready.append(self._take())
        return ready

    def rest(self) -> list[tuple]:
        return [self._take()] if self._items else []

    def _take(self) -> tuple:
        items, self._items, self._count = self._items, [], 0
        return items[0] if len(items) == 1 else tuple(pd.concat(parts) for parts in zip(*items, strict=True))


class _Rejected:
    """The rejected rows of a table's chunks, their quarantine records (``_quarantine_frame``)
    made a batch of chunks at a time (``_Batches``, up to ``BATCH`` rows): per call, the records'
    pandas work costs ~0.14 s whatever the number of rows (a 1M-request delta spent 2.8 s on
    ~4,100 rejected rows in 19 chunks). Each row's record is the one its own chunk would give."""

    BATCH = 50_000

    def __init__(self, raw: RawTable, key: bytes) -> None:
        self.raw, self.key = raw, key
        self._batches = _Batches(self.BATCH)
        self._done: list[pd.DataFrame] = []

    def _made(self, batches: list[tuple]) -> None:
        for frame, canon, defects in batches:
            self._done.append(_quarantine_frame(dataclasses.replace(self.raw, frame=frame, bad_lines=[]), canon,
                                                defects, self.key))

    def add(self, chunk: pd.DataFrame, canon: pd.DataFrame, defects: pd.DataFrame) -> None:
        if not defects.empty:
            idx = pd.Index(defects["index"].unique())
            self._made(self._batches.add(chunk.loc[idx], canon.loc[idx], defects))

    def records(self) -> list[pd.DataFrame]:
        """The quarantine rows of every chunk added, in the order they were added."""
        self._made(self._batches.rest())
        return self._done


def _recorded_files(engine: Engine, counts: list[TableCount], profile_text: str | None = None) -> list[dict]:
    """The ingest record's ``files``: a file whose content (table and SHA-256) an earlier ingest
    already recorded, and from which this ingest stored and revised nothing, is not recorded
    again (it brought no row: its rows are the earlier ingest's, and the inputs table of a
    report lists each content once, however many nights it is re-ingested)."""
    seen = {(f.get("table"), f.get("sha256"), f.get("profile_sha256"))
            for ing in db.ingests(engine) for f in (ing.files or [])}
    out = [c.as_dict() for c in counts
           if c.stored or c.revised or (c.table, c.sha256, (c.profile or {}).get("sha256")) not in seen]
    for rec in out:  # the profile's exact bytes, once per ingest (covered by the ledger's ingest record)
        if rec.get("profile") and profile_text is not None:
            rec["profile_text"] = profile_text
            break
    return out


def _last_recorded(engine: Engine) -> dict[str, tuple[int, dict]]:
    """Per table, the file record of the latest finished ingest that recorded a file of it, with
    that ingest's position (oldest first). An ingest record is saved only when the ingest has
    finished, and it records a table's file whenever the file's content is new or brought rows,
    so this is the content the table's stored rows were last brought in line with."""
    last: dict[str, tuple[int, dict]] = {}
    for pos, ing in enumerate(db.ingests(engine)):
        if ing.finished_at is None:
            continue
        for f in ing.files or []:
            if isinstance(f, dict) and f.get("table") and f.get("sha256"):
                last[str(f["table"])] = (pos, f)
    return last


def _skippable(files: dict[str, list[Path]], engine: Engine,
               profile_shas: dict[str, str | None] | None = None) -> dict[str, TableCount]:
    """The tables whose file is, byte for byte (SHA-256), the file their last recorded ingest read:
    re-reading it could store, revise and quarantine nothing new, so it is not read again.

    Size and modification time are not evidence of identical content; the SHA-256 is (it is also
    what the ingest record and the run's inputs name). A table that refers to a parent table is
    skipped only if the parent's content has not changed since that table was last ingested:
    else rows quarantined then for a missing parent may now have one. A table read through a
    mapping profile is skipped only when the profile is the same too (``profile_sha256``)."""
    last = _last_recorded(engine)
    skipped: dict[str, TableCount] = {}
    for name in TABLES:  # dependency order: a parent is decided before its children
        if name not in files or name not in last:
            continue
        pos, rec = last[name]
        parent = TABLES[name].parent
        if parent:
            parent_table = parent[1]
            if parent_table in files and parent_table not in skipped:
                continue  # the parent's content changed in this ingest
            if last.get(parent_table, (-1, {}))[0] > pos:
                continue  # the parent changed after this table was last ingested
        if (profile_shas or {}).get(name) != rec.get("profile_sha256"):
            continue  # read through another profile (or none) last time
        sha = content_sha(files[name])
        if sha != rec.get("sha256"):
            continue
        rows, quarantined = int(rec.get("read", 0)), int(rec.get("quarantined", 0))
        # its rows are as stored, and its quarantined rows as recorded, by the earlier ingest
        skipped[name] = TableCount(name, _label(files[name]), sha, read=rows, unchanged=rows - quarantined,
                                   quarantined=quarantined,
                                   columns=list(rec.get("columns") or []), skipped=True,
                                   profile=rec.get("profile"))
    return skipped


def _fault_point(table: str, when: str = "after") -> None:
    """Fault injection for the crash tests: ``AUDITOR_FAULT_INJECT=kill-after:<table>`` kills the
    process (SIGKILL) right after that table's transaction commits, ``kill-during:<table>`` after
    its rows are written but before the commit; ``raise-after:<table>`` raises an unexpected
    error. Unset in normal use."""
    spec = os.environ.get("AUDITOR_FAULT_INJECT", "")
    if spec == f"kill-{when}:{table}":
        os.kill(os.getpid(), signal.SIGKILL)
    if spec == f"raise-{when}:{table}":
        raise RuntimeError(f"injected fault {when} {table}")


def _fold(name: str) -> str:
    import unicodedata  # noqa: PLC0415

    return unicodedata.normalize("NFC", str(name)).strip().casefold()


def _label(paths: list[Path]) -> str:
    return ", ".join(str(p) for p in paths)


def _plan(data_dir: Path, profile) -> dict[str, list[Path]]:
    """Table -> its input files: the files named like the table, or, for a table of the mapping
    profile, the files its ``files`` globs match (relative to ``data_dir``); a ``from`` table
    reads its source table's files."""
    canonical = find_tables(data_dir, require_requests=profile is None or profile.table("requests") is None)
    if profile is None:
        return {name: [path] for name, path in canonical.items()}
    out: dict[str, list[Path]] = {}
    for name in TABLES:
        m = profile.table(name)
        if m is None or m.source is not None:
            if name in canonical and m is None:
                out[name] = [canonical[name]]
            continue
        if m.files:
            found = sorted({p for pattern in m.files for p in data_dir.glob(pattern) if p.is_file()})
            if not found:
                raise InputError(
                    f"{data_dir}: no file matches files = {list(m.files)} of [tables.{name}] in {profile.path}",
                    hint="check the glob patterns (relative to --data) in the mapping profile")
            out[name] = found
        elif name in canonical:
            out[name] = [canonical[name]]
    for name in TABLES:
        m = profile.table(name)
        if m is not None and m.source is not None and m.source in out:
            out[name] = out[m.source]
    if "requests" not in out:
        raise InputError(f"{data_dir}: no requests file found (requests.csv, .xlsx, ..., or files = [...] under "
                         f"[tables.requests] in {profile.path})",
                         hint="the requests table is mandatory; see \"Data format\" in README.md")
    return out


def _read_plan(data_dir: Path, files: dict[str, list[Path]], profile) -> dict[str, RawTable]:
    """Every table file read (checked) once before anything is written; a mapped table is read
    whole through the profile (``readers.combine``), sources shared with its ``from`` tables."""
    raws: dict[str, RawTable] = {}
    read: dict[str, list] = {}  # source table -> its sources as written
    for name, paths in files.items():
        m = profile.table(name) if profile is not None else None
        if m is None:
            raws[name] = read_table(TABLES[name], paths[0], lazy=True)
            continue
        origin = m.source or name
        if origin not in read:
            read[origin] = read_sources(files[origin], profile.table(origin))
        shared = frozenset(_fold(h) for t in profile.tables.values() if t.source == origin
                           for h in (*t.columns, *t.when_any))
        raws[name] = combine(TABLES[name], read[origin], m, content_sha(paths), profile_name=profile.path.name,
                             label=_label(paths), shared=shared)
        if m.source is not None:  # the source's lines that cannot be parsed are the source table's
            raws[name].bad_lines = []
    return raws


def ingest_folder(data_dir: str | Path, engine: Engine, key: bytes, keep_frames: bool | int = False,
                  spill: bool = False, rescan: bool = False, profile=None) -> IngestResult:
    """Ingest every table file of ``data_dir`` (see the module docstring).

    ``keep_frames`` keeps the typed rows this ingest stored in ``IngestResult.frames`` (per
    table), so an audit in the same process need not read them back (``audit_store(fresh=...)``);
    an int N keeps them only when the requests file holds at most N rows (larger inputs are
    audited in partitions).
    ``spill``: when the frames are not kept in memory, write them to Arrow files instead
    (``IngestResult.spill``, see ``auditor.ingest.spill``), for a partitioned audit in the same
    process; the caller removes them with ``IngestResult.release()``.
    A file whose SHA-256 is that of its table's last recorded ingest is not read again (counted
    as unchanged, ``TableCount.skipped``; see ``_skippable``); ``rescan`` reads every file.
    The digest of the ingest's rows for the run ledger is computed here from those rows and
    cached; ``auditor verify`` recomputes it from the stored rows.
    ``profile``: a mapping profile (``auditor.ingest.mapping.Profile``) the tables it names are
    read through; its provenance and exact bytes are recorded with the ingest."""
    from auditor.ingest.validate import ContractWorker  # heavy import (great-expectations), lazily

    data_dir = Path(data_dir)
    files = _plan(data_dir, profile)
    profile_shas = {name: profile.sha256 for name in files if profile is not None and profile.table(name)}
    skipped = {} if rescan else _skippable(files, engine, profile_shas)
    for name in skipped:
        log.info("%s: unchanged since its last ingest (SHA-256), skipped", _label(files.pop(name)),
                 extra={"table": name, "skipped": True})
    # the helper imports great-expectations beside the reading and pre-checks; the spool keeps
    # the ingest's ledger lines on disk, table by table (removed however the ingest ends)
    # nothing to read (every file skipped): no contract helper to start
    with (ContractWorker() if files else contextlib.nullcontext()) as worker, ledger.LineSpool() as spool:
        # every file is read once before anything is written, so a file-level error stops the
        # ingest here. Files are only checked (streamed) now and read chunk by chunk when their
        # table's turn comes: memory is bounded by the chunk size, not by the files (spreadsheets
        # and tables read through a mapping profile are read whole).
        raws = _read_plan(data_dir, files, profile)
        if "requests" in raws and not isinstance(keep_frames, bool):
            keep_frames = raws["requests"].read <= keep_frames
        spilled = FrameSpill() if spill and not keep_frames else None
        try:
            return _ingest(data_dir, raws, engine, key, keep_frames, worker, spool, spilled, skipped, profile,
                           rescan=rescan)
        except BaseException:
            if spilled is not None:
                spilled.close()
            raise


#: rows of an input file normalised, validated and stored at a time (memory is bounded by this,
#: not by the file); ``AUDITOR_INGEST_CHUNK_ROWS`` overrides it. Each chunk is held in three
#: processes at once (the ingest, the contract helper, the table writer) in several forms: at
#: 250,000 the process tree of a 1M-request ingest peaked at 3.4 GiB PSS, at 125,000 at 2.5 GiB,
#: no slower (docs/performance.md)
INGEST_CHUNK_ROWS = 125_000


def chunk_rows() -> int:
    try:
        return max(1, int(os.environ.get("AUDITOR_INGEST_CHUNK_ROWS", INGEST_CHUNK_ROWS)))
    except ValueError:
        return INGEST_CHUNK_ROWS


def canon_empty(spec) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="string") for c in spec.names})


def _file_ids(keys: pd.DataFrame, spec, key: bytes) -> pd.Series | None:
    """Every row's id as normalised (by position), or None when the file has no id column."""
    if spec.id_column not in keys.columns:
        return None
    return normalise.canonical_column(keys[spec.id_column], spec.column(spec.id_column), key)


def _duplicated_ids(keys: pd.DataFrame, spec, key: bytes, ids: pd.Series | None = None) -> pd.Series:
    """True for rows whose id (as normalised) occurs more than once in the file (by position);
    ``ids``: the file's ids as ``_file_ids`` gives them, when the caller has them."""
    if spec.id_column not in keys.columns:
        return pd.Series(False, index=keys.index)
    if ids is None:
        ids = _file_ids(keys, spec, key)
    return pd.Series(normalise.repeated(ids), index=ids.index)


def _missing_parents(keys: pd.DataFrame, spec, key: bytes, parent_ids: pa.Array) -> pd.Series | None:
    """True for rows whose parent reference (as normalised) is not in ``parent_ids``, by position:
    one Arrow hash look-up for the whole file (per chunk, Arrow would rebuild the set each time)."""
    column = spec.parent[0]
    if column not in keys.columns:
        return None
    refs = normalise.canonical_column(keys[column], spec.column(column), key)
    return pd.Series(normalise.index_in(refs, parent_ids) < 0, index=refs.index)


def _new_lines(worker, ticket: int | None, table: str, typed_new: pd.DataFrame) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Ledger lines (ids, lines) of the rows stored from one chunk: those the contract helper
    computed for every passing row, kept for the stored rows only; else computed here."""
    got = worker.collect_lines(ticket) if ticket is not None else None
    if got is None:
        return ledger.frame_lines(table, typed_new, with_ids=True)
    ids, lines = got
    keep = pc.is_in(ids, value_set=normalise.arrow_text(typed_new[TABLES[table].id_column]))
    if pc.sum(keep).as_py() != len(typed_new):  # pragma: no cover - ids are unique in a chunk
        return ledger.frame_lines(table, typed_new, with_ids=True)
    return ids.filter(keep), lines.filter(keep)


def _unchanged(raw: RawTable) -> None:
    """A file read in batches must still be the file that was checked (else: roll back)."""
    if raw.lazy and sha256_file(raw.path) != raw.sha256:
        raise changed_error(raw.path)


def _stored(writer) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Ids, row hashes and raw hashes stored in the writer's table, as Arrow (no Python object
    per row)."""
    stored_rows = writer.stored_hashes()
    return tuple(normalise.arrow_text(stored_rows[c]) for c in db.HASH_COLUMNS)


def _taken(stored: pa.Array, pos: np.ndarray, index: pd.Index) -> pd.Series:
    """``stored[pos]`` as a string Series on ``index`` (null where ``pos`` < 0), taken in Arrow."""
    taken = stored.take(pa.array(pos, mask=pos < 0)) if len(stored) else pa.nulls(len(pos), pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=index).astype("string")


def _unchanged_raw(pos: pd.Series, raw_hashes: pd.Series, stored_raw: pa.Array) -> pd.Series:
    """Rows whose id is stored (at ``pos`` among the stored rows, -1: new) with this very raw hash:
    they would normalise, validate and hash to the stored row (see ``_raw_hash``)."""
    same = (raw_hashes == _taken(stored_raw, pos.to_numpy(), pos.index)).fillna(False).astype(bool)
    return (pos >= 0) & same


def _settle(pending: tuple | None) -> None:
    """Wait for a table's commit (``store.writer``), then report the table."""
    if pending is None:
        return None
    writer, name, count = pending
    writer.wait()
    _fault_point(name)
    log.info(
        "%s: read %d = added %d + unchanged %d + revised %d + quarantined %d",
        count.file, count.read, count.stored, count.unchanged, count.revised, count.quarantined,
        extra={"table": name, "read": count.read, "added": count.stored, "unchanged": count.unchanged,
               "revised": count.revised, "quarantined": count.quarantined},
    )
    return None


#: bytes of chunks (as pandas counts them, without deep inspection) read and raw-hashed ahead
#: while a re-ingest's look-ups run (``_look_up``): two chunks of a million-request file's
#: requests (~150 MB each), or a two-million-row custody file whole (~25 MB a chunk)
_HOLD_BYTES = 400 * 2**20


@dataclass
class _LookedUp:
    """What ``_look_up`` found for a table's file (``never``, ``stored``, ``file_pos``: the fast path's)."""

    dup_ids: pd.Series
    no_parent: pd.Series | None
    never: pd.Series | None = None
    stored: tuple[pa.Array, pa.Array, pa.Array] | None = None
    file_pos: pd.Series | None = None


def _look_up(keys: pd.DataFrame, spec, key: bytes, file_ids: pd.Series | None, parent_ids: pa.Array | None,
             unmapped: list[int], fast: tuple | None) -> _LookedUp:
    """Which rows' ids repeat in the file and which rows' parents are missing; with ``fast``
    (a callable that waits for the previous table's commit, and this table's writer), also the
    stored rows' hashes, each row's place among them (-1: new) and the rows that never take the
    fast path (repeated ids, missing parents, ``unmapped`` positions). Run in a thread
    (``forking.Ahead``): Arrow's look-ups and the waits hold no interpreter lock."""
    no_parent = _missing_parents(keys, spec, key, parent_ids) if parent_ids is not None else None
    if fast is None:
        return _LookedUp(_duplicated_ids(keys, spec, key, ids=file_ids), no_parent)
    settle, writer = fast
    settle()
    stored = _stored(writer)
    # every row's place among the stored ids: one Arrow hash look-up for the whole file (per
    # chunk, Arrow would rebuild the set each time); the stored ids are distinct (the primary
    # key), so an id found repeats where its place does
    pos = normalise.index_in(file_ids, stored[0])
    dup_ids = pd.Series(normalise.repeated_at(file_ids, pos), index=file_ids.index)
    never = dup_ids.copy()  # rows that always take the full path
    if no_parent is not None:
        never |= no_parent
    if unmapped:
        never.iloc[unmapped] = True
    return _LookedUp(dup_ids, no_parent, never, stored, pd.Series(pos, index=file_ids.index))


class _Later:
    """``func(*args)`` computed where its result is first asked for (``forking.Ahead``'s calls)."""

    def __init__(self, func, *args) -> None:
        self.func, self.args = func, args

    def done(self) -> bool:
        return True

    def result(self):
        if self.args is not None:
            args, self.args = self.args, None  # made once, even when it fails
            self.value = self.func(*args)
        return self.value


@contextlib.contextmanager
def _joined_on_error(looking: Ahead | _Later):
    """On an error, wait for the look-up thread before the writer is closed (it may be reading
    from the writer) and before anything else waits for a commit; the first error is raised."""
    try:
        yield
    except BaseException:
        if isinstance(looking, Ahead):  # (``_Later``'s are made in this thread: nothing runs)
            with contextlib.suppress(BaseException):
                looking.result()
        raise


def _ingest(data_dir: Path, raws: dict[str, RawTable], engine: Engine, key: bytes,
            keep_frames: bool | int, worker, spool: ledger.LineSpool, spilled: FrameSpill | None,
            skipped: dict[str, TableCount] | None = None, profile=None, rescan: bool = False) -> IngestResult:
    """The tables of ``raws``, in dependency order, each in its own transaction.

    A row whose id is stored with its raw hash (``_raw_hash``: the row as read, and everything
    its normalisation depends on) is counted as unchanged before it is normalised (the fast
    path); every other row is normalised, validated, hashed and compared with the stored row
    hash (the full path). Rows whose id is repeated in the file, whose parent is missing or that a
    mapping profile could not map never take the fast path; nor does any row with ``rescan``."""
    from auditor.ingest.validate import precheck  # noqa: PLC0415

    ingest = models.Ingest(id=new_id("ing-"), data_dir=str(data_dir), started_at=datetime.now(UTC))
    counts: list[TableCount] = []
    quarantines: list[pd.DataFrame] = []
    frames: dict[str, pd.DataFrame] = {}
    valid_request_ids: pd.Series | None = None
    request_ids: pa.Array | None = None  # the stored and valid request ids, once requests are done
    pending: tuple | None = None  # (writer, table, count) of a table whose commit is running

    try:
        for name in logs.progress(list(TABLES), "ingest"):  # dependency order: requests first
            if skipped and name in skipped:
                counts.append(skipped[name])
                continue
            if name not in raws:
                continue
            raw = raws.pop(name)
            spec = raw.spec
            count = TableCount(name, raw.label or str(raw.path), raw.sha256, read=raw.read,
                               columns=[c for c in spec.names if c in raw.frame.columns], info=dict(raw.info))
            if profile is not None and profile.table(name) is not None:
                count.profile = profile.provenance()
            for note in raw.notes:  # merged cells, hidden rows, unmapped columns: said, never silent
                log.warning("%s", note, extra={"table": name})
            parent_ids = None
            if spec.parent and request_ids is None:  # the same for every child table: read once
                with engine.connect() as conn:
                    stored = normalise.arrow_text(db.stored_ids(conn, "requests"))
                request_ids = (stored if valid_request_ids is None else  # converted once, looked up per chunk
                               pa.concat_arrays([stored, normalise.arrow_text(valid_request_ids.dropna())]))
                del stored
            if spec.parent:
                parent_ids = request_ids
            # one transaction per table, holding the write lock; on a multi-core machine a writer
            # process owns it (store.writer), forked here: it takes the lock and reads the stored
            # rows' hashes while the file's ids are read below, and stores chunk k while chunk k+1
            # is prepared
            made = table_writer(engine, name)
            looking = None
            try:
                keys = raw.columns(key_columns(spec))  # only these two columns, whole
                file_ids = _file_ids(keys, spec, key)
                salt = _raw_salt(spec, key, count.profile["sha256"] if count.profile else None)
                # the fast path (see above) needs the stored raw hashes before the first chunk is
                # normalised; a table that held no row has none, and keeps preparing its first chunk
                # while the previous table commits
                fast_path = not rescan and file_ids is not None and _holds_rows(engine, name)
                # ids repeated anywhere in the file, whatever chunk they fall in, parents missing,
                # and (fast path) each row's place among the stored rows: looked up in a thread
                # (Arrow, no interpreter lock) while the first chunks are read and hashed here
                args = (keys, spec, key, file_ids, parent_ids, sorted({d.index for d in raw.mapping_defects}),
                        (lambda p=pending: _settle(p), made) if fast_path else None)
                # an inline writer's transaction begins below, on this thread's connection: its
                # look-ups are made here, where they are first needed
                looking = (Ahead(_look_up, *args, name="auditor-ingest-look-up")
                           if not fast_path or isinstance(made, ForkedWriter) else _Later(_look_up, *args))
                del args, keys
                step = chunk_rows()
                kept_ids: list[pd.Series] = []
                kept_typed: list[pd.DataFrame] = []
                rejected = _Rejected(raw, key)
                quarantined_rows = 0
            except BaseException:
                made.discard()
                raise
            # a re-ingest reads its next chunk in a thread while it hashes this one (most rows end
            # there); a first ingest's chunks are read here, between the chunks' normalisation
            with (made as writer, _joined_on_error(looking),
                  Prefetched(raw.chunks(step), name="auditor-ingest-read") if fast_path
                  else contextlib.nullcontext(raw.chunks(step)) as chunks):
                stored_ids = stored_hash = stored_raw = file_pos = looked = None
                # the rows of several chunks that take the full path (a re-ingest's new, changed and
                # rejected rows, a few per chunk), with their raw hashes, normalised, checked and
                # stored in batches of about a chunk instead of a pass per chunk; a first ingest's
                # chunks are whole and pass through as they are
                gathered = _Batches(step)
                held: list[tuple[pd.DataFrame, pd.Series]] = []  # read and hashed while the look-ups run
                held_bytes = 0
                for piece in itertools.chain(chunks, [None]):
                    end = piece is None
                    if not end:
                        held.append((piece, _raw_hash(piece, spec, salt)))
                        if fast_path and not looking.done():  # read ahead while the look-ups run
                            held_bytes += int(piece.memory_usage(index=False).sum())
                            if held_bytes < _HOLD_BYTES:
                                continue
                        del piece
                    if looked is None:  # (at the latest with the file read: the loop's last turn)
                        looked = looking.result()
                        if fast_path:  # the previous table's commit was waited for, then the stored rows read
                            pending = None
                            stored_ids, stored_hash, stored_raw = looked.stored
                            file_pos = looked.file_pos
                        dup_ids, no_parent = looked.dup_ids, looked.no_parent
                    ready = []
                    for part, raw_hashes in held:
                        if fast_path:
                            fast = (_unchanged_raw(file_pos.loc[part.index], raw_hashes, stored_raw)
                                    & ~looked.never.loc[part.index])
                            if fast.any():
                                count.unchanged += int(fast.sum())
                                if name == "requests":
                                    kept_ids.append(file_ids.loc[part.index][fast].copy())
                                part, raw_hashes = part[~fast], raw_hashes[~fast]
                            del fast
                            if part.empty:
                                continue
                        ready.extend(gathered.add(part, raw_hashes))
                    held, held_bytes, part = [], 0, None  # what is left of them is in ``gathered`` or ``ready``
                    if end:  # the file is read: what is gathered
                        ready.extend(gathered.rest())
                    for chunk, raw_hashes in ready:
                        # each row's position among the stored ids, when looked up above
                        found = file_pos.loc[chunk.index] if fast_path else None
                        nul: dict[str, np.ndarray] = {}
                        canon = normalise.canonical(chunk, spec, key, nul=nul)
                        # layer 1 here; layer 2 (great-expectations) in the helper while rows are hashed
                        converted: dict[str, pd.Series] = {}  # timestamps and numbers, converted once
                        defects = precheck(canon, spec, parent_ids, duplicated=dup_ids.loc[canon.index],
                                           missing_parent=None if no_parent is None else no_parent.loc[canon.index],
                                           nul=nul, converted=converted)
                        mapped = raw.defects_in(canon.index)  # what the mapping profile could not map
                        if mapped:  # its reason replaces the contract's for the same cell
                            cells = {(d.index, d.column) for d in mapped}
                            defects = [d for d in defects if (d.index, d.column) not in cells] + mapped
                        good = canon.drop(index=list({d.index for d in defects}))
                        ticket = worker.submit(good, spec, lines=True, converted=converted) if not good.empty else None
                        hashes = _row_hash(good)
                        typed_good = normalise.typed(good, spec, converted=converted)
                        del converted
                        if ticket is not None and (extra := worker.collect(ticket)):
                            defects.extend(extra)
                            missed = list({d.index for d in extra})
                            good, hashes, typed_good = (good.drop(index=missed), hashes.drop(index=missed),
                                                        typed_good.drop(index=missed))
                        dframe = pd.DataFrame(
                            [(d.index, d.column, d.reason) for d in defects], columns=["index", "column", "reason"]
                        )
                        if stored_ids is None:  # the previous table committed while this chunk was prepared
                            pending = _settle(pending)
                            stored_ids, stored_hash, stored_raw = _stored(writer)
                        ids = good[spec.id_column]  # the file's ids as normalised (``file_ids``)
                        pos = normalise.index_in(ids, stored_ids) if found is None else found.loc[good.index].to_numpy()
                        known = pd.Series(pos >= 0, index=good.index)
                        # the stored hash of each known id (null for a new one), taken in Arrow
                        before = _taken(stored_hash, pos, good.index)
                        same = known & (hashes == before).fillna(False).astype(bool)
                        revised = known & ~same
                        good_raw = raw_hashes.loc[good.index]
                        if same.any():  # unchanged, but written differently (or stored without a raw hash)
                            stale = same & (good_raw != _taken(stored_raw, pos, good.index)).fillna(True).astype(bool)
                            if stale.any():
                                writer.set_raw_hashes(ids[stale], good_raw[stale])
                        if revised.any():
                            writer.archive(ids[revised], before[revised], hashes[revised], ingest.id)
                        typed_new = typed_good[~same] if same.any() else typed_good
                        del typed_good
                        typed_new["row_hash"] = hashes[~same]
                        typed_new["raw_hash"] = good_raw[~same]
                        typed_new["ingest_id"] = ingest.id
                        writer.insert(name, typed_new)
                        spool.add_run(name, *_new_lines(worker, ticket, name, typed_new))  # on disk
                        count.stored += int((~known).sum())
                        count.revised += int(revised.sum())
                        count.revised_ids.extend(str(i) for i in ids[revised])
                        count.unchanged += int(same.sum())
                        quarantined_rows += int(dframe["index"].nunique())
                        rejected.add(chunk, canon, dframe)
                        if name == "requests":
                            kept_ids.append(good["request_id"].copy())
                        if keep_frames:
                            kept_typed.append(typed_new.drop(columns=["row_hash", "raw_hash", "ingest_id"]))
                        elif spilled is not None:
                            spilled.add(name, typed_new.drop(columns=["row_hash", "raw_hash", "ingest_id"]))
                        del chunk, canon, good, hashes, typed_new, dframe, defects, raw_hashes, good_raw, found  # before the next batch
                if stored_ids is None:  # no rows: nothing was read in this table's transaction
                    pending = _settle(pending)
                    writer.stored_hashes()
                del stored_ids, stored_hash, stored_raw, file_pos
                _unchanged(raw)
                _fault_point(name, "during")
                count.revised_ids.sort()
                q_parts = [*rejected.records(),
                           _quarantine_frame(raw, canon_empty(spec), pd.DataFrame(columns=["index", "column", "reason"]), key)]
                del rejected
                q = pd.concat([p for p in q_parts if not p.empty], ignore_index=True) if any(
                    not p.empty for p in q_parts) else pd.DataFrame(columns=QUARANTINE_COLUMNS)
                count.quarantined = quarantined_rows + len(raw.bad_lines)
                if not q.empty:  # what an earlier ingest of the same content quarantined is not stored again
                    qdb = q.rename(columns={"table": "table_name", "column": "column_name"})
                    qdb["ingest_id"] = ingest.id
                    qdb["row"] = qdb["row"].astype("int64")
                    writer.insert_quarantine(qdb)
            pending = (writer, name, count)  # committing while the next table's first chunk is prepared
            spool.finish_table(name)
            if keep_frames:
                frames[name] = (pd.concat(kept_typed, ignore_index=True) if kept_typed
                                else normalise.typed(canon_empty(spec), spec))
            del kept_typed  # not kept otherwise: holding every table dominated peak memory at scale
            if name == "requests":
                valid_request_ids = (pd.concat(kept_ids, ignore_index=True) if kept_ids
                                     else pd.Series([], dtype="string"))
            del raw, q_parts  # before the next (possibly larger) table
            quarantines.append(q)
            counts.append(count)
            if not count.reconciles:  # pragma: no cover - guarded by tests
                raise AssertionError(f"{count.file}: counts do not reconcile: {count.as_dict()}")
        _settle(pending)
    except BaseException:
        if pending is not None:  # a committed table stays committed, as without the writer process
            with contextlib.suppress(Exception):
                pending[0].wait()
        raise
    ingest.finished_at = datetime.now(UTC)
    ingest.files = _recorded_files(engine, counts, profile.text if profile is not None else None)
    # The ingest's rows never change once it has finished (revisions move, not edit, them), so
    # their ledger digest is cached with the ingest record (ledger.current_ingest_digests).
    db.save(engine, [ingest, models.IngestDigest(ingest_id=ingest.id, digest=spool.digest())])
    quarantine = pd.concat(quarantines, ignore_index=True) if quarantines else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return IngestResult(ingest.id, str(data_dir), counts, quarantine, frames, spilled)
