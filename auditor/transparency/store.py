"""Import a published file into the database and read normalised rows back."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from auditor.transparency.adapters import read_file
from auditor.transparency.model import ROW_COLUMNS
from auditor.transparency.models import TransparencyQuarantine, TransparencyRow


@dataclass
class ImportResult:
    source_file: str
    adapter: str
    rows_read: int
    rows_stored: int
    values_stored: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)
    unknown_values: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def import_file(engine: Engine, path: str | Path, provider: str) -> ImportResult:
    """Read ``path`` with the provider's adapter and store it, replacing an earlier import of a
    file with the same name (imports are idempotent)."""
    parsed = read_file(path, provider)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [{**r, "imported_at": now} for r in parsed.rows]
    quarantine = [{**q, "imported_at": now} for q in parsed.quarantine]
    rt, qt = TransparencyRow.__table__, TransparencyQuarantine.__table__
    with engine.begin() as conn:
        conn.execute(sa.delete(rt).where(rt.c.source_file == parsed.source_file))
        conn.execute(sa.delete(qt).where(qt.c.source_file == parsed.source_file))
        for start in range(0, len(rows), 20_000):
            conn.execute(sa.insert(rt), rows[start : start + 20_000])
        if quarantine:
            conn.execute(sa.insert(qt), quarantine)
    return ImportResult(
        source_file=parsed.source_file,
        adapter=parsed.adapter,
        rows_read=parsed.rows_read,
        rows_stored=len(parsed.rows_stored),
        values_stored=len(rows),
        quarantined=len({q["source_row"] for q in parsed.quarantine}),
        reasons=dict(Counter(q["reason"] for q in parsed.quarantine)),
        unknown_values=sum(1 for r in parsed.rows if r["unknown_reason"]),
    )


def load_rows(
    engine: Engine,
    provider: str | None = None,
    party: str | None = None,
    period: str | None = None,
    side: str | None = None,
) -> pd.DataFrame:
    """Stored normalised rows (filtered), ordered by provider, period, Party, process, metric."""
    t = TransparencyRow.__table__
    stmt = sa.select(*[t.c[c] for c in ROW_COLUMNS])
    if provider:
        stmt = stmt.where(t.c.provider == provider.lower())
    if party:
        stmt = stmt.where(t.c.party == party.upper())
    if period:
        stmt = stmt.where(t.c.period == period)
    if side:
        stmt = stmt.where(t.c.side == side)
    with engine.connect() as conn:
        frame = pd.read_sql(stmt, conn)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ROW_COLUMNS})
    frame["is_total"] = frame["is_total"].astype(bool)
    for c in ("period_start", "period_end"):
        frame[c] = pd.to_datetime(frame[c]).dt.date
    return frame.sort_values(
        [
            "provider",
            "period_start",
            "period_end",
            "party",
            "process_published",
            "metric",
            "source_file",
        ],
        na_position="first",
        kind="stable",
    ).reset_index(drop=True)


def load_quarantine(engine: Engine, provider: str | None = None) -> pd.DataFrame:
    t = TransparencyQuarantine.__table__
    stmt = sa.select(t)
    if provider:
        stmt = stmt.where(t.c.provider == provider.lower())
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def has_data(engine: Engine) -> bool:
    t = TransparencyRow.__table__
    with engine.connect() as conn:
        return conn.execute(sa.select(t.c.id).limit(1)).first() is not None
