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

__all__ = ["iso_utc", "python_values", "to_records"]

_ISO = "%Y-%m-%dT%H:%M:%SZ"


#: rows of a column :func:`_repeated` looks at
SAMPLE = 4096


def _repeated(s: pd.Series) -> bool:
    """Whether ``s`` looks like a column of repeated values (worth one shared object per value):
    at most half of an evenly spread sample of its rows distinct. A column of (nearly) unique
    values (messages, fingerprints, times) is not factorised first: at a million findings that
    was about 1.5 s for nothing. Either way :func:`python_values` gives equal values."""
    if len(s) <= SAMPLE:
        return True
    sample = s.iloc[:: len(s) // SAMPLE]
    return sample.nunique(dropna=True) * 2 <= len(sample)


def python_values(s: pd.Series) -> list[Any]:
    """The values of ``s`` as Python objects, ``None`` where missing; a repeated value is one
    shared object."""
    if (s.dtype == object or isinstance(s.dtype, pd.StringDtype | pd.CategoricalDtype)) and _repeated(s):
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
    columns = [python_values(frame.iloc[:, i]) for i in range(len(cols))]
    # zip without strict=True: the columns are one frame's, of one length; the check took the
    # dicts of a million findings from 1.3 s to 2.3 s
    return [dict(zip(cols, row)) for row in zip(*columns)]  # noqa: B905


def iso_utc(s: pd.Series) -> pd.Series:
    """``s`` as ISO 8601 UTC text (``2025-05-26T02:00:05Z``; naive times are read as UTC),
    ``None`` where missing: the vectorised form of ``audit._iso`` for a datetime column."""
    t = s.dt.tz_localize("UTC") if s.dt.tz is None else s.dt.tz_convert("UTC")
    text = t.dt.strftime(_ISO).astype(object)
    return text.where(t.notna(), None)
