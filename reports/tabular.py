"""``findings.parquet``: every finding as a typed, compressed table (``--format parquet``).

The same rows and columns as ``findings.csv`` (``aggregate.ALL_FINDING_COLUMNS`` and, when the
run has waivers, ``aggregate.WAIVER_COLUMNS``), without the CSV's formula guard (Parquet cells
are typed data, never formulas): text columns as dictionary-encoded strings, ``waived`` as a
boolean, zstd-compressed. Written ``chunk`` findings at a time into one row group each, so a
million findings never become one Arrow table. On the 200,000-request messy bench profile the
186,006 findings take 6.6 MB, against 58 MB of CSV and 143 MB of JSON.
"""

from __future__ import annotations

from pathlib import Path

from . import aggregate

__all__ = ["CHUNK", "write_findings_parquet"]

#: findings per row group
CHUNK = 100_000


def _schema(columns: list[str]):  # noqa: ANN202 - pyarrow is imported lazily
    import pyarrow as pa

    return pa.schema([pa.field(c, pa.bool_() if c == "waived" else pa.string()) for c in columns])


def write_findings_parquet(records: list[dict], path: Path, chunk: int = CHUNK) -> Path:
    """Write ``records`` (``aggregate.findings_records``) to ``path`` as Parquet; return it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = list(aggregate.ALL_FINDING_COLUMNS) + aggregate.waiver_columns(records)
    schema = _schema(columns)
    with pq.ParquetWriter(str(path), schema, compression="zstd", use_dictionary=True) as writer:
        if not records:
            writer.write_table(schema.empty_table())
        for start in range(0, len(records), chunk):
            part = records[start:start + chunk]
            arrays = []
            for c in columns:
                if c == "waived":
                    arrays.append(pa.array([bool(r.get(c)) for r in part], pa.bool_()))
                else:
                    arrays.append(pa.array([None if r.get(c) is None else str(r.get(c)) for r in part],
                                           pa.string()))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    return path
