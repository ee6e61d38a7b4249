"""Frames to the report model's plain records, fast and small.

The report model holds a run's findings as a list of dicts (``audit.build_model``). At a million
findings, ``DataFrame.to_dict("records")`` boxes every cell through pandas one at a time and
gives each row its own copy of the strings every finding repeats (check, family, article,
Party, provider, severity, ...): about 3 KB per finding. :func:`to_records` builds the same
dicts (same keys, same values, ``None`` for a missing value) column by column, and one string
object per distinct value of a repeated column is shared by every row that has it.

Outputs that summarise the findings by group (JUnit's cases, SARIF's grouped results) need per
group only a count and its first few findings: :func:`heads` gives them from the dicts, or from a
:class:`FrameRecords` of the frame without a dict per finding (the same groups, counts and dicts).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FrameRecords", "Head", "heads", "iso_utc", "python_values", "shared_key_dicts", "to_records"]

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


def _pooled(s: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``(codes, pool)`` when :func:`python_values` shares the repeated values of ``s``: row ``i``
    holds ``pool[codes[i]]`` (code -1, a missing value, picks the pool's trailing ``None``); else
    None (each row's own value)."""
    if (s.dtype == object or isinstance(s.dtype, pd.StringDtype | pd.CategoricalDtype)) and _repeated(s):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        if len(uniques) * 2 <= len(s):  # repeated values: one object each, shared
            pool = np.empty(len(uniques) + 1, dtype=object)
            pool[:-1] = np.asarray(uniques, dtype=object)
            pool[-1] = None
            return codes, pool
    return None


def _own_values(s: pd.Series) -> list[Any]:
    """Each value of ``s`` as a Python object, ``None`` where missing (no sharing)."""
    values = s.astype(object)
    return values.where(values.notna(), None).tolist()


def python_values(s: pd.Series) -> list[Any]:
    """The values of ``s`` as Python objects, ``None`` where missing; a repeated value is one
    shared object."""
    pooled = _pooled(s)
    if pooled is None:
        return _own_values(s)
    codes, pool = pooled
    return pool[codes].tolist()


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame``'s rows as dicts of Python values (``None`` for a missing value), as
    ``frame.astype(object).where(frame.notna(), None).to_dict("records")`` gives them."""
    cols = [str(c) for c in frame.columns]
    columns = [python_values(frame.iloc[:, i]) for i in range(len(cols))]
    # zip without strict=True: the columns are one frame's, of one length; the check took the
    # dicts of a million findings from 1.3 s to 2.3 s
    return shared_key_dicts(cols, zip(*columns))  # noqa: B905


def shared_key_dicts(keys: list[str], rows: Iterable[Iterable[Any]]) -> list[dict[str, Any]]:
    """One dict per row, ``dict(zip(keys, row))`` each, all sharing one table of their keys.

    They are plain ``dict`` objects (equal, ordered, serialised and changed as any other), made
    as the ``__dict__`` of instances of one class: CPython then keeps the keys once for all of
    them (PEP 412's key-sharing dictionaries) and each dict only its values. A finding's record
    has 22-24 keys, more than the 21 a 32-slot table holds: ~830 bytes each as ``dict(zip(...))``,
    ~290 this way (at 5 million findings, 2.5 GB less for the report's records), and faster to
    make. A dict given a key it did not have, or losing one, gets its own table, as usual; on
    another Python they are ordinary dicts."""
    holder = type("Record", (), {})
    out: list[dict[str, Any]] = []
    append = out.append
    for row in rows:
        d = holder().__dict__
        d.update(zip(keys, row))  # noqa: B905 - the caller's rows are of its keys' length
        append(d)
    return out


class Head:
    """A group of findings as a summary needs it: ``count``, ``listed``, its first findings (in
    the findings' order), and ``rows``, their positions among the findings."""

    __slots__ = ("count", "listed", "rows")

    def __init__(self) -> None:
        self.count = 0
        self.listed: list[dict[str, Any]] = []
        self.rows: list[int] = []

    def __repr__(self) -> str:
        return f"Head(count={self.count}, rows={self.rows!r}, listed={self.listed!r})"

    def _add(self, row: int, f: dict[str, Any]) -> None:
        self.listed.append(f)
        self.rows.append(row)

    @classmethod
    def merged(cls, parts: Iterable[Head], k: int) -> Head:
        """One group of ``parts`` (groups of ``k`` listed findings or fewer): their count, their
        first ``k`` findings."""
        out = cls()
        firsts: list[tuple[int, dict[str, Any]]] = []
        for h in parts:
            out.count += h.count
            firsts += zip(h.rows, h.listed, strict=True)
        for row, f in sorted(firsts, key=lambda rf: rf[0])[:k]:
            out._add(row, f)
        return out


def heads(findings: Iterable[dict[str, Any]] | FrameRecords, key: Callable[[dict[str, Any]], Hashable], k: int,
          columns: Mapping[str, Callable[[Any], Hashable]] | None = None,
          fields: Iterable[str] | None = None) -> dict[Hashable, Head]:
    """The findings grouped by ``key(finding)``: per group its count and its first ``k`` (>= 1)
    findings. ``findings``: the dicts, or a :class:`FrameRecords` (then ``columns``, see
    :meth:`FrameRecords.heads`: the same groups, counts and dicts, without a dict per finding).
    ``fields``: the keys a caller reads of a group's listed findings after the first (None: all);
    from a frame those hold only these, from dicts they are the whole dicts."""
    if isinstance(findings, FrameRecords):
        if columns is None:
            raise TypeError("heads of a FrameRecords need the columns its key reads")
        return findings.heads(columns, key, k, fields)
    out: dict[Hashable, Head] = {}
    for row, f in enumerate(findings):
        h = out.get(g := key(f))
        if h is None:
            h = out[g] = Head()
        h.count += 1
        if len(h.listed) < k:
            h._add(row, f)
    return out


class FrameRecords:
    """A findings frame read as :func:`to_records` would give its rows, without a dict per row:
    rows are grouped on codes computed column by column (pandas, numpy), and only the rows a
    summary shows become dicts (:meth:`records`), equal to ``to_records(frame)``'s dicts of them
    (same keys, same values: a repeated value is the one :func:`python_values` shares, so an
    object column holding ``1`` and ``True``, equal as keys, reads as the full column gives it).
    At a million findings a dict per finding was most of the time of JUnit and SARIF."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._names = [str(c) for c in frame.columns]
        self._pools: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def _pooled(self, i: int) -> tuple[np.ndarray, np.ndarray] | None:
        if i not in self._pools:
            self._pools[i] = _pooled(self.frame.iloc[:, i])
        return self._pools[i]

    def _values_at(self, i: int, rows: np.ndarray) -> list[Any]:
        """Column ``i``'s values at ``rows``, as ``python_values`` of the whole column gives them."""
        s = self.frame.iloc[:, i]
        # text only: a shared value and the row's own are equal strings, no need to factorise
        pooled = None if isinstance(s.dtype, pd.StringDtype) else self._pooled(i)
        if pooled is None:
            return _own_values(s.iloc[rows])
        codes, pool = pooled
        return pool[codes[rows]].tolist()

    def records(self, rows: np.ndarray, fields: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The dicts of ``rows`` (positions), as ``[to_records(frame)[i] for i in rows]``;
        with ``fields``, only those of their keys."""
        keep = None if fields is None else set(fields)
        at = [i for i, c in enumerate(self._names) if keep is None or c in keep]
        columns = [self._values_at(i, rows) for i in at]
        names = [self._names[i] for i in at]
        if not names:
            return [{} for _ in range(len(rows))]
        return [dict(zip(names, row)) for row in zip(*columns)]  # noqa: B905 (as to_records)

    def codes(self, name: str, fn: Callable[[Any], Hashable]) -> tuple[np.ndarray, int]:
        """``(codes, n)``: per row a code in ``range(n)``, equal for two rows exactly when ``fn``
        of their dicts' ``name`` value (``None`` when the frame has no such column) is equal.
        ``fn`` runs once per distinct value where the values are shared or their dtype is exact
        under factorising (text, bool, integers), else once per row."""
        n = len(self.frame)
        where = [i for i, c in enumerate(self._names) if c == name]
        if not where:  # to_records' dicts have no such key: f.get(name) is None on every row
            return np.zeros(n, dtype=np.intp), 1
        i = where[-1]  # a repeated name: the dict keeps the last column's value
        s = self.frame.iloc[:, i]
        pooled = self._pooled(i)
        if pooled is None and (isinstance(s.dtype, pd.StringDtype) or s.dtype.kind in "biu"):
            # equal values are the same Python value: factorise the column itself
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            pool = np.empty(len(uniques) + 1, dtype=object)
            pool[:-1] = np.asarray(uniques, dtype=object)
            pool[-1] = None
            pooled = codes, pool
        if pooled is None:  # floats, times, unshared objects: fn of each row's own value
            mapped = np.empty(n, dtype=object)
            mapped[:] = [fn(v) for v in _own_values(s)]
            codes, uniques = pd.factorize(mapped, use_na_sentinel=False)
            return codes, len(uniques)
        codes, pool = pooled
        mapped = np.empty(len(pool), dtype=object)
        mapped[:] = [fn(v) for v in pool]
        pool_codes, uniques = pd.factorize(mapped, use_na_sentinel=False)
        return pool_codes[codes], len(uniques)  # code -1 picks the trailing None's

    def heads(self, columns: Mapping[str, Callable[[Any], Hashable]], key: Callable[[dict[str, Any]], Hashable],
              k: int, fields: Iterable[str] | None = None) -> dict[Hashable, Head]:
        """``heads(to_records(frame), key, k, fields=fields)`` without a dict per row. ``key``
        must be a function of ``fn(f.get(name))`` for the ``name: fn`` of ``columns``: rows are
        grouped on those (:meth:`codes`), then each group's first ``k`` rows become dicts (after
        the first, of ``fields`` only) and ``key`` of its first names the group (groups of one
        key merged, their rows in order)."""
        n = len(self.frame)
        if n == 0:
            return {}
        group = np.zeros(n, dtype=np.intp)
        for name, fn in columns.items():
            codes, m = self.codes(name, fn)
            group, _ = pd.factorize(group * m + codes)  # a code per combination seen, kept small
        counts = np.bincount(group)
        rank = pd.Series(group).groupby(group).cumcount().to_numpy()
        rows = np.flatnonzero(rank < k)
        first = rank[rows] == 0
        firsts, others = iter(self.records(rows[first])), iter(self.records(rows[~first], fields))
        of_group: dict[int, Head] = {}
        out: dict[Hashable, Head] = {}
        for row, g, is_first in zip(rows.tolist(), group[rows].tolist(), first.tolist(), strict=True):
            if is_first:
                f = next(firsts)
                h = of_group[g] = out.setdefault(key(f), Head())
                h.count += int(counts[g])
            else:
                f, h = next(others), of_group[g]
            if len(h.listed) < k:
                h._add(row, f)
        return out


def iso_utc(s: pd.Series) -> pd.Series:
    """``s`` as ISO 8601 UTC text (``2025-05-26T02:00:05Z``; naive times are read as UTC),
    ``None`` where missing: the vectorised form of ``audit._iso`` for a datetime column."""
    t = s.dt.tz_localize("UTC") if s.dt.tz is None else s.dt.tz_convert("UTC")
    text = t.dt.strftime(_ISO).astype(object)
    return text.where(t.notna(), None)
