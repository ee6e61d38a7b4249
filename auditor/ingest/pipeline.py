"""Ingest a data folder: read -> normalise (pseudonymise) -> validate (great-expectations) ->
quarantine or store. Every row read is stored, recognised as already stored, or quarantined
with a reason, and the counts reconcile: ``read = stored + unchanged + quarantined``.

Files are read and checked for file-level errors before anything is written; each table is then
written in its own transaction, so a failure leaves no half-ingested file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from auditor.ingest import normalise
from auditor.ingest.readers import RawTable, find_tables, read_table
from auditor.ingest.schema import TABLES
from auditor.privacy import pseudonymise
from auditor.store import db, models

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

    @property
    def reconciles(self) -> bool:
        return self.read == self.stored + self.unchanged + self.quarantined

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
        }


@dataclass
class IngestResult:
    ingest_id: str
    data_dir: str
    counts: list[TableCount]
    quarantine: pd.DataFrame
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    def count(self, table: str) -> TableCount | None:
        return next((c for c in self.counts if c.table == table), None)


def new_id(prefix: str) -> str:
    now = datetime.now(UTC)
    return f"{prefix}{now:%Y%m%dT%H%M%S}-{hashlib.sha256(str(now.timestamp()).encode() + np.random.bytes(8)).hexdigest()[:6]}"


def _row_hash(canon: pd.DataFrame) -> pd.Series:
    h = pd.util.hash_pandas_object(canon.fillna("\x00"), index=False).to_numpy(dtype=np.uint64)
    return pd.Series(h.astype(str), index=canon.index, dtype="string")  # vectorised, no per-row Python


def _records_json(raw: pd.DataFrame, canon: pd.DataFrame, index: pd.Index, personal: list[str]) -> pd.Series:
    sub = raw.loc[index].copy()
    for col in personal:
        if col in sub.columns:
            sub[col] = canon.loc[index, col]
    sub = sub.astype(object).where(sub.notna(), None)
    return pd.Series([json.dumps(r, default=str, ensure_ascii=False) for r in sub.to_dict("records")], index=index)


def _quarantine_frame(raw: RawTable, canon: pd.DataFrame, defects: pd.DataFrame, key: bytes) -> pd.DataFrame:
    personal = [c.name for c in raw.spec.columns if c.personal]
    parts = []
    if not defects.empty:
        idx = pd.Index(defects["index"].unique())
        records = _records_json(raw.frame, canon, idx, personal)
        q = pd.DataFrame(
            {
                "table": raw.spec.name,
                "file": str(raw.path),
                "row": raw.rows[defects["index"].to_numpy(dtype=np.int64)],
                "column": defects["column"].to_numpy(),
                "reason": defects["reason"].to_numpy(),
                "record": records.reindex(defects["index"]).to_numpy(),
            }
        )
        parts.append(q)
    if raw.bad_lines:
        # An unparseable line may hold personal data in clear: keep only its keyed hash.
        lines = pd.Series([b.raw for b in raw.bad_lines])
        parts.append(
            pd.DataFrame(
                {
                    "table": raw.spec.name,
                    "file": str(raw.path),
                    "row": [b.row for b in raw.bad_lines],
                    "column": "",
                    "reason": [f"line cannot be parsed: {b.reason}" for b in raw.bad_lines],
                    "record": [json.dumps({"unparsed_line": p}) for p in pseudonymise(lines, key)],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def ingest_folder(data_dir: str | Path, engine: Engine, key: bytes) -> IngestResult:
    from auditor.ingest.validate import (
        validate,  # heavy import (great-expectations), only when ingesting
    )

    data_dir = Path(data_dir)
    files = find_tables(data_dir)
    raws = {name: read_table(TABLES[name], path) for name, path in files.items()}  # file errors stop here
    ingest = models.Ingest(id=new_id("ing-"), data_dir=str(data_dir), started_at=datetime.now(UTC))
    counts: list[TableCount] = []
    quarantines: list[pd.DataFrame] = []
    frames: dict[str, pd.DataFrame] = {}
    valid_request_ids: pd.Series | None = None

    for name in TABLES:  # dependency order: requests first
        raw = raws.get(name)
        if raw is None:
            continue
        spec = raw.spec
        count = TableCount(name, str(raw.path), raw.sha256, read=raw.read,
                           columns=[c for c in spec.names if c in raw.frame.columns])
        canon = normalise.canonical(raw.frame, spec, key)
        parent_ids = None
        if spec.parent:
            with engine.connect() as conn:
                stored = db.stored_hashes(conn, "requests")["id"]
            parent_ids = pd.concat([stored, valid_request_ids if valid_request_ids is not None else stored.iloc[:0]])
        defects = validate(canon, spec, parent_ids)
        dframe = pd.DataFrame(
            [(d.index, d.column, d.reason) for d in defects], columns=["index", "column", "reason"]
        )
        bad_idx = pd.Index(dframe["index"].unique()) if not dframe.empty else pd.Index([])
        good = canon.drop(index=bad_idx)
        hashes = _row_hash(good)
        with engine.begin() as conn:
            stored = db.stored_hashes(conn, name).set_index("id")["row_hash"]
            ids = good[spec.id_column]
            known = ids.isin(stored.index)
            same = known & (hashes == ids.map(stored).astype("string")).fillna(False)
            revised = known & ~same
            if revised.any():
                extra = pd.DataFrame(
                    {
                        "index": good.index[revised.to_numpy()],
                        "column": spec.id_column,
                        "reason": [
                            f"{spec.id_column} {i!r} is already stored with different content; the stored "
                            "version is kept. Correct the row or give the revision a new id"
                            for i in ids[revised]
                        ],
                    }
                )
                dframe = pd.concat([dframe, extra], ignore_index=True)
            new_rows = good[~known]
            typed_new = normalise.typed(new_rows, spec)
            typed_new["row_hash"] = hashes[~known]
            typed_new["ingest_id"] = ingest.id
            count.stored = db.insert_frame(conn, name, typed_new)
            count.unchanged = int(same.sum())
            q = _quarantine_frame(raw, canon, dframe, key)
            count.quarantined = int(dframe["index"].nunique()) + len(raw.bad_lines)
            if not q.empty:
                qdb = q.rename(columns={"table": "table_name", "column": "column_name"})
                qdb["ingest_id"] = ingest.id
                qdb["row"] = qdb["row"].astype("int64")
                db.insert_frame(conn, models.QuarantineRow.__table__, qdb)
        kept = good[~revised]
        frames[name] = normalise.typed(kept, spec)
        if name == "requests":
            valid_request_ids = kept["request_id"]
        quarantines.append(q)
        counts.append(count)
        if not count.reconciles:  # pragma: no cover - guarded by tests
            raise AssertionError(f"{raw.path}: counts do not reconcile: {count.as_dict()}")
        log.info(
            "%s: read %d = stored %d + unchanged %d + quarantined %d",
            raw.path, count.read, count.stored, count.unchanged, count.quarantined,
        )
    ingest.finished_at = datetime.now(UTC)
    ingest.files = [c.as_dict() for c in counts]
    db.save(engine, [ingest])
    quarantine = pd.concat(quarantines, ignore_index=True) if quarantines else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return IngestResult(ingest.id, str(data_dir), counts, quarantine, frames)
