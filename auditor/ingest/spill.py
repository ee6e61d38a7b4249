"""The typed rows an ingest stored, spilled to Arrow IPC files for the audit that follows it.

A partitioned audit (more than ``audit.AUTO_PARTITION_REQUESTS`` requests, or ``--chunk-size``)
used to read every stored row back from the database, partition by partition: at a million
requests that was most of the audit stage (SQLite returns Python objects, one per value). When
``auditor run`` ingests and audits in one process, the rows it has just stored are already typed
in memory chunk by chunk; the spill writes each chunk to an uncompressed Arrow IPC file (about a
second per GB) and the audit reads them back one file at a time, memory-mapped, keeping the rows
of the partition it is building (``engine.chunked.spilled_partition_frames``): memory still
depends on the partition and chunk sizes, not on the input size.

The files hold what the database holds: pseudonymised rows, never raw subscriber identifiers.
They live in a private temporary directory (mode 0700; ``TMPDIR`` chooses where) that is removed
when the run ends, however it ends. The audit uses them only if the database still holds exactly
these rows and no others (see ``audit._spill_usable``); otherwise it reads the database as before.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc


class FrameSpill:
    """Per-table Arrow IPC files of typed frames, one file per chunk, in a private temp dir."""

    def __init__(self) -> None:
        self.dir: Path | None = Path(tempfile.mkdtemp(prefix="auditor-spill-"))
        self.files: dict[str, list[Path]] = defaultdict(list)
        self.sizes: dict[str, list[int]] = defaultdict(list)  # rows per file
        self.rows: Counter[str] = Counter()

    def add(self, table: str, frame: pd.DataFrame) -> None:
        """Append one chunk of ``table``'s typed rows."""
        if self.dir is None:
            raise RuntimeError("the spill was closed")
        self.rows[table] += len(frame)
        if frame.empty:
            return
        data = pa.Table.from_pandas(frame, preserve_index=False)
        path = self.dir / f"{table}-{len(self.files[table]):05d}.arrow"
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, data.schema) as writer:
            writer.write_table(data)
        self.files[table].append(path)
        self.sizes[table].append(len(frame))

    def pieces(self, table: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """The spilled chunks of ``table`` in order, each memory-mapped while it is used (its
        pages are read when touched and unmapped when the returned table is dropped)."""
        for path in self.files.get(table, []):
            data = ipc.open_file(pa.memory_map(str(path), "r")).read_all()
            yield data.select(columns) if columns is not None else data

    def close(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        self.files.clear()
        self.sizes.clear()

    def __enter__(self) -> FrameSpill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten spill must not stay on disk
        self.close()


def to_frame(data: pa.Table) -> pd.DataFrame:
    """Spilled rows back as the typed frame they were written from (dtypes from the pandas
    metadata Arrow keeps in the file)."""
    return data.to_pandas()
