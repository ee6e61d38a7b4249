"""Frames to the report model's plain records, fast and small.

The report model holds a run's findings as a list of dicts (``audit.build_model``). At a million
findings, ``DataFrame.to_dict("records")`` boxes every cell through pandas one at a time and
gives each row its own copy of the strings every finding repeats (check, family, article,
Party, provider, severity, ...): about 3 KB per finding. :func:`to_records` builds the same
dicts (same keys, same values, ``None`` for a missing value) column by column, and one string
object per distinct value of a repeated column is shared by every row that has it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["iso_utc", "to_records"]

_ISO = "%Y-%m-%dT%H:%M:%SZ"


def _column(s: pd.Series) -> list[Any]:
    """The values of ``s`` as Python objects, ``None`` where missing; a repeated value is one
    shared object."""
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype | pd.CategoricalDtype):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        if len(uniques) * 2 <= len(s):  # repeated values: one object each, shared
            pool = np.empty(len(uniques) + 1, dtype=object)
            pool[:-1] = np.asarray(uniques, dtype=object)
            pool[-1] = None
            return pool[codes].tolist()  # code -1 picks the trailing None
    values = s.astype(object)
    return values.where(values.notna(), None).tolist()


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame``'s rows as dicts of Python values (``None`` for a missing value), as
    ``frame.astype(object).where(frame.notna(), None).to_dict("records")`` gives them."""
    cols = [str(c) for c in frame.columns]
    columns = [_column(frame.iloc[:, i]) for i in range(len(cols))]
    return [dict(zip(cols, row, strict=True)) for row in zip(*columns, strict=True)]


def iso_utc(s: pd.Series) -> pd.Series:
    """``s`` as ISO 8601 UTC text (``2025-05-26T02:00:05Z``; naive times are read as UTC),
    ``None`` where missing: the vectorised form of ``audit._iso`` for a datetime column."""
    t = s.dt.tz_localize("UTC") if s.dt.tz is None else s.dt.tz_convert("UTC")
    text = t.dt.strftime(_ISO).astype(object)
    return text.where(t.notna(), None)
