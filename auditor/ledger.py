"""Tamper-evident run ledger.

Every audit run appends one record to the ``ledger`` table. The record is canonical JSON holding:
the SHA-256 of every input file, the rule pack file and its parameter values, the config file,
the waivers file, the tool version, a digest of the run's stored findings and outcomes, and a
digest of the stored input rows of every ingest the run audited. Each record carries the hash
of the previous record, so the records form a chain; ``verify`` recomputes everything and
reports the first broken link.

Input-row digests are kept per ingest. A revision (see ``auditor.ingest.pipeline``) moves the
superseded row to ``input_revisions`` with its original ingest id, so the set of row versions
an ingest brought never changes: the digest of an ingest recorded by an old run still verifies
after later ingests and revisions, while any edit of a stored row (current or superseded) is
caught.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from auditor.ingest.schema import TABLES
from auditor.store import models
from auditor.store.models import INPUT_MODELS

GENESIS = "0" * 64
LEDGER_VERSION = 1
_NULL = "\x1a"  # marks NULL in canonical content (PostgreSQL text cannot hold NUL)


def begin_write(conn: sa.Connection) -> None:
    """Take the database write lock at the start of a read-then-write transaction.

    SQLite: ``BEGIN IMMEDIATE`` (waits up to busy_timeout instead of failing on a stale
    snapshot). PostgreSQL: a transaction-scoped advisory lock, so two processes never both
    decide that the same id is new."""
    name = conn.dialect.name
    if name == "sqlite":
        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(224202301543)"))


def sha256_file(path: str | Path | None) -> str | None:
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        return None
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- canonical input-row content
def _canon(s: pd.Series, kind: str) -> pd.Series:
    if kind == "timestamp":
        out = pd.to_datetime(s, utc=True, format="ISO8601").dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    elif kind == "bool":
        out = s.astype("boolean").map({True: "1", False: "0"}, na_action="ignore")
    elif kind == "int":
        out = pd.to_numeric(s).astype("Int64").astype("string")
    elif kind == "float":
        out = pd.to_numeric(s).astype("Float64").astype("string")
    else:
        out = s.astype("string")
    return out.astype("string").fillna(_NULL)


def row_contents(conn: sa.Connection, table: str, ids: list[str] | None = None) -> pd.DataFrame:
    """``id``, ``ingest_id`` and a canonical content string of stored rows of an input table.

    The string does not depend on the database (SQLite and PostgreSQL give the same one)."""
    spec = TABLES[table]
    t = INPUT_MODELS[table].__table__
    stmt = sa.select(*[t.c[c] for c in spec.names], t.c.ingest_id)
    frames = []
    chunks = [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        q = stmt if chunk is None else stmt.where(t.c[spec.id_column].in_(chunk))
        frames.append(pd.read_sql(q, conn))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*spec.names, "ingest_id"])
    if frame.empty:
        return pd.DataFrame({"id": pd.Series(dtype="string"), "ingest_id": pd.Series(dtype="string"),
                             "content": pd.Series(dtype="string")})
    parts = [_canon(frame[c.name], c.kind) for c in spec.columns]
    content = parts[0].str.cat(parts[1:], sep="\x1f") if len(parts) > 1 else parts[0]
    return pd.DataFrame({"id": frame[spec.id_column].astype("string"),
                         "ingest_id": frame["ingest_id"].astype("string"), "content": content})


def ingest_digests(conn: sa.Connection) -> dict[str, str]:
    """SHA-256 per ingest over every row version it brought (current rows and superseded ones)."""
    parts = []
    for table in TABLES:
        rc = row_contents(conn, table)
        if not rc.empty:
            parts.append(table + "\x1e" + rc["id"] + "\x1e" + rc["content"])
            parts[-1].index = rc["ingest_id"].to_numpy()
    rv = models.InputRevision.__table__
    rev = pd.read_sql(sa.select(rv.c.table_name, rv.c.record_id, rv.c.old_ingest_id, rv.c.old_content), conn)
    if not rev.empty:
        s = (rev["table_name"].astype("string") + "\x1e" + rev["record_id"].astype("string") + "\x1e"
             + rev["old_content"].astype("string"))
        s.index = rev["old_ingest_id"].to_numpy()
        parts.append(s)
    if not parts:
        return {}
    lines = pd.concat(parts)
    out = {}
    for ingest_id, group in lines.groupby(level=0, sort=True):
        out[str(ingest_id)] = sha256_text("\n".join(sorted(group.tolist())))
    return out


# ---------------------------------------------------------------- run outputs
def _rows_digest(conn: sa.Connection, table: sa.Table, run_id: str, drop: tuple[str, ...]) -> str:
    frame = pd.read_sql(sa.select(table).where(table.c.run_id == run_id), conn)
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    frame = frame.astype(object).where(frame.notna(), None)
    rows = sorted(canonical_json(r) for r in frame.to_dict("records"))
    return sha256_text("\n".join(rows))


def run_digests(conn: sa.Connection, run_id: str) -> dict[str, str]:
    return {
        "findings_sha256": _rows_digest(conn, models.Finding.__table__, run_id, ("id",)),
        "outcomes_sha256": _rows_digest(conn, models.CheckOutcome.__table__, run_id, ()),
        "scope_sha256": _rows_digest(conn, models.CheckScopeResult.__table__, run_id, ("id",)),
    }


def _inputs(engine: Engine) -> list[dict]:
    from auditor.store import db  # noqa: PLC0415

    return [
        {"ingest_id": ing.id, "table": f.get("table"), "file": f.get("file"), "sha256": f.get("sha256")}
        for ing in db.ingests(engine)
        for f in (ing.files or [])
    ]


def append_run(engine: Engine, run: models.AuditRun, extra: dict[str, Any]) -> models.LedgerRecord:
    """Append the ledger record of a stored run, chained to the last record. Retries on a race."""
    inputs = _inputs(engine)
    last_error: Exception | None = None
    for _attempt in range(5):
        try:
            with engine.begin() as conn:
                begin_write(conn)
                lt = models.LedgerRecord.__table__
                prev = conn.execute(sa.select(lt.c.record_hash).order_by(lt.c.seq.desc()).limit(1)).scalar()
                record = {
                    "ledger_version": LEDGER_VERSION,
                    "run_id": run.run_id,
                    "as_of": run.as_of.strftime("%Y-%m-%d"),
                    "tool_version": run.tool_version,
                    "pack": {"name": run.pack, "version": run.pack_version, **(extra.get("pack") or {})},
                    "config_sha256": extra.get("config_sha256"),
                    "waivers_sha256": extra.get("waivers_sha256"),
                    "inputs": inputs,
                    "ingests": ingest_digests(conn),
                    **run_digests(conn, run.run_id),
                    "prev_hash": prev or GENESIS,
                }
                text = canonical_json(record)
                rec = {"run_id": run.run_id, "created_at": datetime.now(UTC),
                       "prev_hash": prev or GENESIS, "record_hash": sha256_text(text), "record": text}
                seq = conn.execute(sa.insert(lt).returning(lt.c.seq), rec).scalar_one()
            return models.LedgerRecord(seq=seq, **rec)
        except sa.exc.IntegrityError as exc:  # another run appended first: chain to it instead
            last_error = exc
    raise RuntimeError(f"could not append to the run ledger: {last_error}")


@dataclass
class VerifyResult:
    records: int
    broken: str | None = None
    seq: int | None = None
    run_id: str | None = None
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(engine: Engine) -> VerifyResult:
    """Recompute the chain: record hashes, links, findings/outcomes digests, input-row digests."""
    with engine.connect() as conn:
        lt = models.LedgerRecord.__table__
        rows = conn.execute(sa.select(lt).order_by(lt.c.seq)).mappings().all()
        digests = ingest_digests(conn) if rows else {}
        prev = GENESIS
        for i, row in enumerate(rows):
            where = dict(seq=row["seq"], run_id=row["run_id"])

            def broken(msg: str, i: int = i, where: dict = where) -> VerifyResult:
                return VerifyResult(i, msg, **where)

            if row["prev_hash"] != prev:
                return broken(f"link broken: record {row['seq']} (run {row['run_id']}) points to "
                              f"{row['prev_hash'][:12]}…, but the previous record hashes to {prev[:12]}…")
            if sha256_text(row["record"]) != row["record_hash"]:
                return broken(f"record {row['seq']} (run {row['run_id']}) was edited: its hash does not match")
            try:
                record = json.loads(row["record"])
            except ValueError:
                return broken(f"record {row['seq']} (run {row['run_id']}) is not valid JSON")
            if record.get("prev_hash") != row["prev_hash"]:
                return broken(f"record {row['seq']} (run {row['run_id']}): stored link differs from the hashed one")
            now = run_digests(conn, row["run_id"])
            for k, v in now.items():
                if record.get(k) != v:
                    what = k.removesuffix("_sha256")
                    return broken(f"stored {what} of run {row['run_id']} (record {row['seq']}) were changed "
                                  "after the run")
            for ingest_id, digest in sorted((record.get("ingests") or {}).items()):
                if digests.get(ingest_id) != digest:
                    return broken(f"stored input rows of ingest {ingest_id} were changed or deleted after run "
                                  f"{row['run_id']} (record {row['seq']}) audited them")
            prev = row["record_hash"]
        return VerifyResult(len(rows))
