"""Scenario builders for the safeguard check tests.

Every builder takes rows of *canonical strings* (what ``auditor.ingest.normalise.canonical``
produces: timestamps "2025-03-01T10:00:00Z" or "2025-03-01", booleans "true"/"false", sets
"subscriber;traffic"), fills every other contract column with NA and converts the frame with
``auditor.ingest.normalise.typed`` so the checks see exactly the dtypes of a real run.

The helpers are exposed as fixtures (``make_requests``, ``make_disclosures``, ``make_events``,
``make_parties``, ``make_ctx``, ``run``) so test modules need no import from this file.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pytest

from auditor.engine import packs
from auditor.engine.context import AuditContext
from auditor.engine.profiles import merge_profiles
from auditor.engine.registry import get
from auditor.engine.runner import CheckRun, run_check
from auditor.ingest.normalise import canonical_column, typed
from auditor.ingest.schema import (
    CUSTODY_EVENTS_TABLE,
    DISCLOSURES,
    PARTIES,
    REQUESTS,
    TABLES,
    TableSpec,
)

REQUEST_DEFAULTS = {
    "instrument": "cets224_art7",
    "issuing_party": "FR",
    "issuing_authority": "Parquet",
    "receiving_party": "US",
    "provider": "examplemail",
    "data_requested": "subscriber",
    "issued_at": "2025-03-01T09:00:00Z",
}
DISCLOSURE_DEFAULTS = {
    "request_id": "R1",
    "responded_at": "2025-03-10T12:00:00Z",
    "outcome": "disclosed",
}
EVENT_DEFAULTS = {
    "request_id": "R1",
    "at": "2025-03-10T12:00:00Z",
}

#: ratification dates putting CETS 224 in force. They precede every ratification in the shipped
#: profiles (first: RS, 2023-02-09), so the fifth is IT on 2022-10-15 and the Protocol enters into
#: force on 2023-02-01 for FR, US, GB, ES and IT; DE ratifies later and is bound from 2025-07-01.
IN_FORCE_RATIFICATIONS = {
    "FR": "2022-06-01",
    "US": "2022-07-01",
    "GB": "2022-08-01",
    "ES": "2022-09-01",
    "IT": "2022-10-15",
    "DE": "2025-03-10",
}


def _build(spec: TableSpec, rows: Iterable[dict], defaults: dict, id_prefix: str | None) -> pd.DataFrame:
    records = []
    for i, row in enumerate(rows, start=1):
        unknown = set(row) - set(spec.names)
        if unknown:
            raise KeyError(f"{spec.name}: not contract columns: {sorted(unknown)}")
        rec = dict(defaults)
        if id_prefix is not None:
            rec[spec.id_column] = f"{id_prefix}{i}"
        rec.update(row)
        records.append(rec)
    canon = pd.DataFrame(
        {name: pd.Series([r.get(name) for r in records], dtype="string") for name in spec.names},
        index=range(len(records)),
    )
    for col in spec.columns:  # timestamps as the ingest writes them (a date alone is midnight UTC)
        if col.kind == "timestamp":
            canon[col.name] = canonical_column(canon[col.name], col, b"")
    return typed(canon, spec)


def build_requests(rows: list[dict]) -> pd.DataFrame:
    """Requests; request_id defaults to R1, R2, ... in row order."""
    return _build(REQUESTS, rows, REQUEST_DEFAULTS, "R")


def build_disclosures(rows: list[dict]) -> pd.DataFrame:
    """Disclosures; disclosure_id defaults to D1, D2, ..., request_id to R1."""
    return _build(DISCLOSURES, rows, DISCLOSURE_DEFAULTS, "D")


def build_events(rows: list[dict]) -> pd.DataFrame:
    """Custody events; event_id defaults to E1, E2, ..., request_id to R1 (``event`` is required)."""
    return _build(CUSTODY_EVENTS_TABLE, rows, EVENT_DEFAULTS, "E")


def build_parties(rows: list[dict]) -> pd.DataFrame:
    """Party profile rows (``party`` is required)."""
    return _build(PARTIES, rows, {}, None)


def in_force_parties(extra: dict[str, dict] | None = None) -> list[dict]:
    """Party rows with ratifications putting CETS 224 in force, plus per-Party extra fields."""
    extra = extra or {}
    rows = [{"party": p, "cets224_ratified_at": d} for p, d in IN_FORCE_RATIFICATIONS.items()]
    for row in rows:
        row.update(extra.get(row["party"], {}))
    rows += [{"party": p, **v} for p, v in extra.items() if p not in IN_FORCE_RATIFICATIONS]
    return rows


def build_ctx(
    requests: pd.DataFrame,
    disclosures: pd.DataFrame | None = None,
    custody_events: pd.DataFrame | None = None,
    parties: pd.DataFrame | None = None,
    as_of: str = "2026-06-30",
    params: dict | None = None,
    present: dict[str, set[str]] | None = None,
    absent: dict[str, Iterable[str]] | None = None,
) -> AuditContext:
    """An AuditContext over the given tables (only those passed). ``present`` defaults to every
    contract column of each table; ``absent`` removes columns from that default."""
    values = packs.select().values()
    values.update(params or {})
    tables = {"requests": requests}
    if disclosures is not None:
        tables["disclosures"] = disclosures
    if custody_events is not None:
        tables["custody_events"] = custody_events
    if parties is not None:
        tables["parties"] = parties
    if absent:
        present = {name: set(TABLES[name].names) for name in tables} | dict(present or {})
        for name, cols in absent.items():
            present[name] = present[name] - set(cols)
    return AuditContext(
        as_of=pd.Timestamp(as_of, tz="UTC"),
        tables=tables,
        params=values,
        profiles=merge_profiles(parties, values),
        present=dict(present or {}),
    )


def run_id(check_id: str, ctx: AuditContext) -> tuple[CheckRun, pd.DataFrame]:
    """Run one registered check: (CheckRun, findings)."""
    check_run, _scope, findings = run_check(get(check_id), ctx)
    return check_run, findings


@pytest.fixture
def make_requests():
    return build_requests


@pytest.fixture
def make_disclosures():
    return build_disclosures


@pytest.fixture
def make_events():
    return build_events


@pytest.fixture
def make_parties():
    return build_parties


@pytest.fixture
def parties_in_force():
    return in_force_parties


@pytest.fixture
def make_ctx():
    return build_ctx


@pytest.fixture
def run():
    return run_id
