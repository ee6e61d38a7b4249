"""Partitioned audits: memory bounded by the partition size, not by the input size.

Requests are assigned to partitions by a stable hash of their *root* request id (the request a
chain of ``linked_request_id`` references leads back to), so a request, its disclosures, its
custody events and every request linked to it always land in the same partition. Each partition
is loaded from the database on its own (a join with a small partition map table), audited with
the unchanged check functions, and the partitions' outputs and report aggregates are merged
(``runner.merge_outputs``, ``merge_aggregates``). Checks are per request or per Party; Party
profiles are small and given whole to every partition.

``engine="pandas"`` runs the partitions one after another in this process; ``engine="dask"``
sends them to a dask.distributed cluster (``auditor.engine.dask_engine``); both audit a
partition with ``auditor.engine.partition.audit_partition`` (imported here, so
``chunked.audit_partition`` still names it).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from auditor import collector
from auditor.engine import period as _period
from auditor.engine.partition import Aggregator, audit_partition
from auditor.engine.registry import Check
from auditor.engine.runner import AuditOutput, merge_outputs
from auditor.errors import UsageError
from auditor.ingest.spill import FrameSpill, to_frame
from auditor.store import db
from auditor.store.models import INPUT_MODELS

AUDIT_TABLES = ("requests", "disclosures", "custody_events")
_META = sa.MetaData()
#: partition of each request for one audit (rows deleted when the audit ends)
PARTITION_MAP = sa.Table(
    "audit_partition_map",
    _META,
    sa.Column("audit_key", sa.String(40), nullable=False),
    sa.Column("request_id", sa.Text, nullable=False),
    sa.Column("part", sa.Integer, nullable=False),
    sa.Index("ix_audit_partition_map_key_part", "audit_key", "part"),
)


def root_ids(request_id: pd.Series, linked: pd.Series, max_depth: int = 64) -> pd.Series:
    """The root of each request's ``linked_request_id`` chain (itself when unlinked, when the
    linked request is not stored, or on a cycle)."""
    rid = request_id.astype("string").to_numpy(dtype=object)
    parent = pd.Series(linked.astype("string").to_numpy(dtype=object), index=rid)
    parent = parent[parent.notna() & parent.isin(parent.index) & (parent != parent.index.to_series())]
    root = pd.Series(rid, index=rid, dtype=object)
    for _ in range(max_depth):
        step = root.map(parent)
        moved = step.notna()
        if not moved.any():
            break
        root = root.where(~moved, step)
    return pd.Series(root.to_numpy(), index=request_id.index, dtype="string")


def assign_partitions(request_id: pd.Series, linked: pd.Series, n_parts: int) -> pd.Series:
    """Partition number in [0, n_parts) from a stable hash of the root request id."""
    roots = root_ids(request_id, linked)
    h = pd.util.hash_array(roots.to_numpy(dtype=object), categorize=True)
    return pd.Series((h % np.uint64(max(n_parts, 1))).astype(np.int64), index=request_id.index)


def merge_aggregates(parts: list[dict]) -> dict:
    """Report aggregates of the whole data from the aggregates of disjoint partitions."""
    parts = [p for p in parts if p]
    if len(parts) == 1:
        return parts[0]
    keys = ["party", "provider", "instrument"]
    by = pd.DataFrame([r for p in parts for r in p.get("requests_by", [])])
    if not by.empty:
        by = by.groupby(keys, as_index=False, sort=False)[[c for c in by.columns if c not in keys]].sum()
        by = by.sort_values(keys, kind="stable")
    rt = pd.DataFrame([r for p in parts for r in p.get("response_times", [])])
    if not rt.empty:
        rt = rt.groupby([*keys, "days"], as_index=False, sort=True)["count"].sum()
    froms = [p["period"]["from"] for p in parts if p.get("period", {}).get("from")]
    tos = [p["period"]["to"] for p in parts if p.get("period", {}).get("to")]
    profiles: dict[str, dict] = {}
    for p in parts:
        for prof in p.get("profiles", []):
            profiles.setdefault(prof["party"], prof)
    out = dict(parts[0])
    if any(_period.CUT_KEY in p for p in parts):
        out[_period.CUT_KEY] = _period.merge_cuts([p.get(_period.CUT_KEY) for p in parts])
    out.update(
        period={"from": min(froms), "to": max(tos)} if froms else {},
        requests_by=[{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                     for r in by.to_dict("records")],
        response_times=[{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                        for r in rt.to_dict("records")],
        profiles=[profiles[k] for k in sorted(profiles)],
    )
    return out


def partition_frames(engine: Engine, present: dict[str, set[str]], chunk_size: int
                     ) -> Iterator[dict[str, pd.DataFrame]]:
    """The stored input tables, one partition of about ``chunk_size`` requests at a time."""
    if chunk_size < 1:
        raise UsageError(f"--chunk-size {chunk_size} must be at least 1")
    t = INPUT_MODELS["requests"].__table__
    with engine.connect() as conn:
        ids = db._select_frame(conn, sa.select(t.c.request_id, t.c.linked_request_id),
                               ["request_id", "linked_request_id"])
    n_parts = max(1, math.ceil(len(ids) / chunk_size))
    parts = assign_partitions(ids["request_id"], ids["linked_request_id"], n_parts)
    key = uuid.uuid4().hex
    _META.create_all(engine, checkfirst=True)
    with engine.begin() as conn:
        db.insert_frame(conn, PARTITION_MAP, pd.DataFrame({
            "audit_key": key, "request_id": ids["request_id"].astype("string"), "part": parts}))
    del ids
    numbers = [int(k) for k in sorted(pd.unique(parts))]
    try:
        loader = _Prefetcher(engine, present, key, numbers)
        yield from loader if loader.started else (_load_partition(engine, present, key, k) for k in numbers)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.delete(PARTITION_MAP).where(PARTITION_MAP.c.audit_key == key))


def spilled_partition_frames(spill: FrameSpill, present: dict[str, set[str]], chunk_size: int
                             ) -> Iterator[dict[str, pd.DataFrame]]:
    """The same partitions as ``partition_frames``, taken from the Arrow files an ingest of this
    process spilled (``auditor.ingest.spill``) instead of the database. The caller has checked
    that the database holds exactly the spilled rows (``audit._spill_usable``).

    The partition of every spilled row is computed once (a disclosure or custody event takes
    its request's); each partition then keeps its rows from one spill file at a time, so
    memory stays about a partition plus a file, whatever the input size."""
    if chunk_size < 1:
        raise UsageError(f"--chunk-size {chunk_size} must be at least 1")
    names = [n for n in AUDIT_TABLES if n in present]
    if "requests" not in names or not spill.files.get("requests"):
        return
    ids = pa.concat_tables(list(spill.pieces("requests", ["request_id", "linked_request_id"])),
                           promote_options="permissive")
    frame = ids.to_pandas()
    n_parts = max(1, math.ceil(len(frame) / chunk_size))
    parts = assign_partitions(frame["request_id"], frame["linked_request_id"], n_parts).to_numpy()
    request_ids = ids.column("request_id").combine_chunks()
    del ids, frame
    # partition of each row, per table and spill file (-1: no stored request; not audited, as
    # the database's join leaves it out)
    row_parts: dict[str, list[np.ndarray]] = {}
    for n in names:
        if n == "requests":
            sizes = np.cumsum([0, *spill.sizes[n]])
            row_parts[n] = [parts[sizes[i]:sizes[i + 1]] for i in range(len(sizes) - 1)]
            continue
        row_parts[n] = []
        for piece in spill.pieces(n, ["request_id"]):
            pos = pc.fill_null(pc.index_in(piece.column("request_id"), value_set=request_ids), -1).to_numpy()
            row_parts[n].append(np.where(pos >= 0, parts[np.maximum(pos, 0)], -1))
    del request_ids
    for k in np.unique(parts):
        frames = {}
        for n in names:
            kept = [piece.filter(pa.array(where == k))
                    for piece, where in zip(spill.pieces(n), row_parts[n], strict=True) if (where == k).any()]
            frames[n] = to_frame(pa.concat_tables(kept, promote_options="permissive")) if kept else _empty(n)
            del kept
        yield frames
        del frames


def _empty(table: str) -> pd.DataFrame:
    from auditor.ingest import normalise  # noqa: PLC0415
    from auditor.ingest.pipeline import canon_empty  # noqa: PLC0415
    from auditor.ingest.schema import TABLES  # noqa: PLC0415

    return normalise.typed(canon_empty(TABLES[table]), TABLES[table])


def _load_partition(engine: Engine, present: dict[str, set[str]], key: str, part: int) -> dict[str, pd.DataFrame]:
    frames = {}
    with engine.connect() as conn:
        for name in AUDIT_TABLES:
            if name not in present:
                continue
            tt = INPUT_MODELS[name].__table__
            m = PARTITION_MAP
            join = tt.join(m, sa.and_(m.c.request_id == tt.c.request_id, m.c.audit_key == key))
            frames[name] = db.load_table(conn, name, where=m.c.part == part, join=join)
    return frames


class _Prefetcher:
    """Loads the partitions in a forked helper process, one ahead of the checks.

    Reading rows back from the database is about half of a partitioned audit; the helper reads
    partition k+1 (its own connection) while this process checks partition k, and hands the
    frames over through a pipe (Arrow-backed frames pickle cheaply). At most one partition
    waits in the pipe, so memory stays about two partitions. Not used (partitions load inline)
    when forking is unsafe, for in-memory SQLite, or with ``AUDITOR_PREFETCH=0``."""

    def __init__(self, engine: Engine, present: dict[str, set[str]], key: str, parts: list[int]) -> None:
        from auditor import forking  # noqa: PLC0415

        self.parts, self.started = parts, False
        url = engine.url
        if (forking.disabled("AUDITOR_PREFETCH") or len(parts) < 2
                or (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))):
            return
        started = forking.spawn(_serve_partitions, url.render_as_string(hide_password=False), present, key,
                                parts, name="partition-loader")
        if started is not None:
            self.proc, self.conn = started
            self.started = True

    def __iter__(self) -> Iterator[dict[str, pd.DataFrame]]:
        try:
            for _ in self.parts:
                status, value = self.conn.recv()
                if status == "error":
                    raise value
                yield value
        finally:
            self.conn.close()
            self.proc.join(timeout=5)
            if self.proc.is_alive():
                self.proc.kill()


def _serve_partitions(conn, url: str, present, key: str, parts: list[int]) -> None:  # pragma: no cover - forked helper
    engine = sa.create_engine(url)  # never reuse the parent's pooled connections after fork
    for k in parts:
        try:
            frames = _load_partition(engine, present, key, k)
        except Exception as exc:  # noqa: BLE001 - raised in the parent
            conn.send(("error", exc))
            break
        conn.send(("ok", frames))
        del frames
        pa.default_memory_pool().release_unused()  # hand the partition's Arrow memory back
    engine.dispose()


def audit_partitioned(
    engine: Engine,
    checks: list[Check],
    as_of: pd.Timestamp,
    params: dict[str, Any],
    profiles: pd.DataFrame,
    present: dict[str, set[str]],
    aggregator: Aggregator,
    chunk_size: int | None = None,
    engine_name: str = "pandas",
    scheduler: str | None = None,
    spill: FrameSpill | None = None,
    period: _period.AuditPeriod | None = None,
) -> tuple[AuditOutput, dict]:
    """Audit the stored data partition by partition; returns the merged output and aggregates.
    ``spill``: the stored rows as spilled by this process's ingest, read instead of the database
    (only when the database holds exactly those rows). ``period``: each partition is cut to it;
    the merged cut is in the aggregates under ``period.CUT_KEY``."""
    size = chunk_size or 250_000
    frames = (spilled_partition_frames(spill, present, size) if spill is not None
              else partition_frames(engine, present, size))
    if engine_name == "dask":
        from auditor.engine.dask_engine import run_on_dask  # noqa: PLC0415

        results = run_on_dask(frames, as_of, params, profiles, present, [c.id for c in checks],
                              aggregator, scheduler, period=period)
    elif engine_name == "pandas":
        results = []
        for f in frames:
            results.append(audit_partition(f, as_of, params, profiles, present, checks, aggregator, period))
            rows = sum(len(t) for t in f.values())
            del f  # before the next partition arrives, not after
            if rows >= collector.RELEASE_ROWS:
                # what the partition's checks freed, handed back before the next one is loaded: at a
                # million messy requests the process grew ~0.45 GiB per partition otherwise, ~0.1 with it
                collector.release_memory()
    else:
        raise UsageError(f"unknown --engine {engine_name!r}", hint="use pandas or dask")
    results = [r for r in results if r is not None]
    if not results:
        raise UsageError("no requests to audit")
    return merge_outputs([r[0] for r in results]), merge_aggregates([r[1] for r in results])
