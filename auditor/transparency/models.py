"""Tables for imported transparency figures and their quarantine (share ``SQLModel.metadata``,
so ``auditor.store.db.get_engine`` creates them with the other tables)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class TransparencyRow(SQLModel, table=True):
    """One published figure, normalised (see ``auditor.transparency.model``)."""

    __tablename__ = "transparency_rows"

    # sqlmodel needs Optional[...] (noqa: UP045)
    id: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045
    provider: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, index=True))
    side: str = Field(default="provider", sa_column=sa.Column(sa.String(16), nullable=False))
    adapter: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    source_file: str = Field(sa_column=sa.Column(sa.String(255), nullable=False, index=True))
    source_row: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    period: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    period_start: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    period_end: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    party: Optional[str] = Field(  # noqa: UP045
        default=None, sa_column=sa.Column(sa.String(2), index=True)
    )
    country_label: Optional[str] = Field(default=None, sa_column=sa.Column(sa.Text))  # noqa: UP045
    authority: Optional[str] = Field(default=None, sa_column=sa.Column(sa.Text))  # noqa: UP045
    process_published: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    process: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    metric: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    published_metric: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    value: Optional[float] = Field(default=None, sa_column=sa.Column(sa.Float))  # noqa: UP045
    low: Optional[float] = Field(default=None, sa_column=sa.Column(sa.Float))  # noqa: UP045
    high: Optional[float] = Field(default=None, sa_column=sa.Column(sa.Float))  # noqa: UP045
    unknown_reason: Optional[str] = Field(default=None, sa_column=sa.Column(sa.Text))  # noqa: UP045
    is_total: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False))
    note: Optional[str] = Field(default=None, sa_column=sa.Column(sa.Text))  # noqa: UP045
    imported_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=False), nullable=False))


class TransparencyQuarantine(SQLModel, table=True):
    """A source row that could not become normalised rows, with the reason."""

    __tablename__ = "transparency_quarantine"

    id: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045
    provider: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    adapter: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    source_file: str = Field(sa_column=sa.Column(sa.String(255), nullable=False, index=True))
    source_row: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    reason: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    detail: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    raw: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    imported_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=False), nullable=False))
