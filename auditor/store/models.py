"""Database tables (sqlmodel). Input tables are generated from the contract in ``schema.py`` so
the two cannot drift; audit bookkeeping tables are written out.

All timestamps are stored as UTC without a zone (``timestamp without time zone`` on PostgreSQL),
so SQLite and PostgreSQL hold identical values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from auditor.ingest.schema import TABLES, TableSpec

_SA_TYPES = {
    "timestamp": sa.DateTime(timezone=False),
    "bool": sa.Boolean(),
    "int": sa.BigInteger(),
    "float": sa.Float(),
}
_PY_TYPES = {"timestamp": datetime, "bool": bool, "int": int, "float": float}


def _input_model(spec: TableSpec, class_name: str) -> type[SQLModel]:
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__tablename__": spec.name, "__annotations__": annotations}
    for col in spec.columns:
        py = _PY_TYPES.get(col.kind, str)
        sa_type = _SA_TYPES.get(col.kind, sa.Text())
        is_pk = col.name == spec.id_column
        annotations[col.name] = py if is_pk else Optional[py]  # noqa: UP045 (sqlmodel needs Optional)
        namespace[col.name] = Field(
            default=None,
            sa_column=sa.Column(col.name, sa_type, primary_key=is_pk, index=(col.name == "request_id" and not is_pk)),
        )
    annotations["row_hash"] = str
    namespace["row_hash"] = Field(sa_column=sa.Column("row_hash", sa.String(64), nullable=False))
    annotations["ingest_id"] = str
    namespace["ingest_id"] = Field(sa_column=sa.Column("ingest_id", sa.String(40), nullable=False))
    # the hash of the row as read, before normalisation (``ingest.pipeline._raw_hash``): a re-ingest
    # counts a row whose raw hash is its stored row's as unchanged without normalising it again.
    # NULL for rows stored before it existed (added to older databases by ``db.add_missing_columns``)
    annotations["raw_hash"] = Optional[str]  # noqa: UP045
    namespace["raw_hash"] = Field(default=None, sa_column=sa.Column("raw_hash", sa.String(64), nullable=True))
    return type(class_name, (SQLModel,), namespace, table=True)


Request = _input_model(TABLES["requests"], "Request")
Disclosure = _input_model(TABLES["disclosures"], "Disclosure")
CustodyEvent = _input_model(TABLES["custody_events"], "CustodyEvent")
PartyProfileRow = _input_model(TABLES["parties"], "PartyProfileRow")

INPUT_MODELS: dict[str, type[SQLModel]] = {
    "requests": Request,
    "disclosures": Disclosure,
    "custody_events": CustodyEvent,
    "parties": PartyProfileRow,
}


class Ingest(SQLModel, table=True):
    __tablename__ = "ingests"
    id: str = Field(primary_key=True, max_length=40)
    data_dir: str
    started_at: datetime
    finished_at: Optional[datetime] = None  # noqa: UP045
    files: list = Field(default_factory=list, sa_column=Column(JSON))


class QuarantineRow(SQLModel, table=True):
    __tablename__ = "quarantine"
    id: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045
    ingest_id: str = Field(index=True, max_length=40)
    table_name: str
    file: str
    row: int
    column_name: str
    reason: str
    record: str  # the row as written, JSON, personal columns pseudonymised


class AuditRun(SQLModel, table=True):
    __tablename__ = "audit_runs"
    run_id: str = Field(primary_key=True, max_length=40)
    as_of: datetime
    pack: str
    pack_version: str
    tool_version: str
    status: str = "running"
    started_at: datetime
    finished_at: Optional[datetime] = None  # noqa: UP045
    params: dict = Field(default_factory=dict, sa_column=Column(JSON))
    inputs: list = Field(default_factory=list, sa_column=Column(JSON))
    summary: dict = Field(default_factory=dict, sa_column=Column(JSON))
    aggregates: dict = Field(default_factory=dict, sa_column=Column(JSON))


class CheckOutcome(SQLModel, table=True):
    """One row per check per run: the check's overall outcome."""

    __tablename__ = "check_outcomes"
    run_id: str = Field(primary_key=True, max_length=40)
    check_id: str = Field(primary_key=True, max_length=20)
    outcome: str  # pass | fail | not_evaluated | error
    reason: Optional[str] = None  # noqa: UP045
    evaluated: int = 0
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    advisory: int = 0  # failed records whose finding is advisory (policy, not the text)


class CheckScopeResult(SQLModel, table=True):
    """Per check, Party and provider: how many records were evaluated, passed, failed, unknown."""

    __tablename__ = "check_scope_results"
    id: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045
    run_id: str = Field(index=True, max_length=40)
    check_id: str = Field(max_length=20)
    party: Optional[str] = None  # noqa: UP045
    provider: Optional[str] = None  # noqa: UP045
    evaluated: int = 0
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    advisory: int = 0


class Finding(SQLModel, table=True):
    __tablename__ = "findings"
    id: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045
    run_id: str = Field(index=True, max_length=40)
    fingerprint: str = Field(index=True, max_length=64)
    check_id: str = Field(max_length=20)
    family: str
    instrument: str
    article: str
    severity: str
    legal_basis_status: str
    kind: Optional[str] = None  # noqa: UP045  breach | advisory
    pack: Optional[str] = None  # noqa: UP045  the rule pack the check ran in
    request_instrument: Optional[str] = None  # noqa: UP045  the request's instrument (cets224_art7, ...)
    party: Optional[str] = None  # noqa: UP045
    receiving_party: Optional[str] = None  # noqa: UP045
    provider: Optional[str] = None  # noqa: UP045
    request_id: Optional[str] = None  # noqa: UP045
    record_id: Optional[str] = None  # noqa: UP045
    message: str


class InputRevision(SQLModel, table=True):
    """A stored input row superseded by a later ingest: the old content is kept here, never lost.

    The row in the input table is the current version; this table holds every earlier version
    with the ingest that brought it, so a reviewer can see what changed and when."""

    __tablename__ = "input_revisions"
    id: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045
    table_name: str = Field(max_length=40)
    record_id: str = Field(index=True)
    old_ingest_id: str = Field(max_length=40)
    new_ingest_id: str = Field(max_length=40)
    old_row_hash: str = Field(max_length=64)
    new_row_hash: str = Field(max_length=64)
    old_content: str = Field(sa_column=Column(sa.Text, nullable=False))  # canonical content, see ledger
    revised_at: datetime = Field(sa_column=Column(sa.DateTime(timezone=False), nullable=False))  # UTC


class IngestDigest(SQLModel, table=True):
    """Cache of the input-row digest of a finished ingest, so a run hashes only new ingests.
    ``auditor verify`` never trusts it: it recomputes the digests from the stored rows."""

    __tablename__ = "ingest_digests"
    ingest_id: str = Field(primary_key=True, max_length=40)
    digest: str = Field(max_length=64)  # "" when the ingest owns no stored row


class LedgerRecord(SQLModel, table=True):
    """Tamper-evident run ledger: one record per audit run, chained by hash (see auditor.ledger)."""

    __tablename__ = "ledger"
    seq: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045
    run_id: str = Field(index=True, max_length=40)
    created_at: datetime
    prev_hash: str = Field(max_length=64, unique=True)  # one successor per record, even under races
    record_hash: str = Field(max_length=64)
    record: str = Field(sa_column=Column(sa.Text, nullable=False))  # canonical JSON


class HashSnapshot(SQLModel, table=True):
    """The ids, row hashes and raw hashes of an input table's stored rows, as one compressed Arrow
    stream, so a re-ingest reads them in a fraction of a second instead of fetching a row per
    stored row (``store.db.stored_hash_table``). A cache, never the record: it is written in the
    same transaction as the table's rows, used only while the table's row count and largest rowid
    are the ones it was written with, and dropped by a trigger when any stored row is updated or
    deleted (SQLite only; elsewhere the hashes are fetched from the table)."""

    __tablename__ = "hash_snapshots"
    table_name: str = Field(primary_key=True, max_length=40)
    format: int
    row_count: int = Field(sa_column=Column(sa.BigInteger, nullable=False))
    max_rowid: int = Field(sa_column=Column(sa.BigInteger, nullable=False))
    data: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
