"""What of a rejected row may be shown in clear (quarantine records, defect reasons, errors).

A row is quarantined because something in it is wrong, and when its fields are shifted (a stray
``"``, a missing comma, a ``;``-delimited line, a misplaced JSON field) the subscriber identifier
can sit in any column. So a quarantine record keeps a cell in clear only when it is *safely not
personal*, by this rule:

1. a structured cell (enumeration, Party, boolean, category set, timestamp, number) whose value
   is valid for its column: a closed vocabulary, an instant or a quantity; a number only when
   it has at most ``MAX_NUMBER_DIGITS`` digits (a longer one may be a phone or account number);
2. an id cell (``request_id``, ``disclosure_id``, ``event_id``, ``linked_request_id``) that has
   the shape of an id (``ID_SHAPE``: ASCII letters, digits and ``. _ : / # -``, at most 64
   characters) and does not look like an identifier (``looks_identifying``);

and nothing else: free text, personal columns, unknown extra columns (CSV) and extra fields
(JSON Lines) are replaced by their keyed pseudonym (``psn_...``, the same HMAC as the personal
columns, so equal values still match). An unknown column's *name* is shown only when it has the
shape of a column name (``NAME_SHAPE``) and does not look like an identifier. A line that cannot
be split into the header's columns at all is kept only as the pseudonym of the whole line.
Defect reasons echo a value only when it is a safe id (duplicate ids, unknown parents); every
other reason describes the problem without the value.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from auditor.ingest.schema import TableSpec
from auditor.privacy import pseudonymise, pseudonymise_value
from auditor.textsafe import IDENTIFYING

#: columns holding ids (by contract not personal), shown in clear when they have an id's shape
ID_COLUMNS = frozenset({"request_id", "disclosure_id", "event_id", "linked_request_id"})
ID_SHAPE = r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$"
NAME_SHAPE = r"^[a-z][a-z0-9_]{0,63}$"
#: a number with more digits than this is not shown (it may be a phone or account number)
MAX_NUMBER_DIGITS = 6
_STRUCTURED = ("enum", "party", "bool", "set", "timestamp", "int", "float")


def looks_identifying(text: pd.Series) -> np.ndarray:
    """Rows whose text looks like an identifier (``IDENTIFYING``); False for a missing value."""
    if len(text) == 0:
        return np.zeros(0, dtype=bool)
    return text.astype("string").str.contains(IDENTIFYING, regex=True).fillna(False).to_numpy(dtype=bool)


def _shaped(text: pd.Series, pattern: str) -> np.ndarray:
    return text.astype("string").str.match(pattern).fillna(False).to_numpy(dtype=bool)


def safe_ids(text: pd.Series) -> np.ndarray:
    """Rows whose (canonical) id may be shown: an id's shape, nothing identifying in it."""
    return _shaped(text, ID_SHAPE) & ~looks_identifying(text)


def safe_id(value: Any) -> bool:
    """``safe_ids`` for one value."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(safe_ids(pd.Series([str(value)], dtype="string"))[0])


def safe_name(name: Any) -> bool:
    """An extra column's name may be shown: a column name's shape, nothing identifying in it."""
    text = pd.Series([str(name)], dtype="string")
    return bool(_shaped(text, NAME_SHAPE)[0] and not looks_identifying(text)[0])


def shown_name(name: Any, key: bytes) -> str:
    """An extra column's name as a quarantine record or a message shows it."""
    return str(name) if safe_name(name) else pseudonymise_value(str(name), key)


def redacted_names(names: list[str]) -> list[str]:
    """Column names for an error message (no key at hand): an unsafe one is not shown."""
    return [n if safe_name(n) else "<a column name not shown: it may hold personal data>" for n in names]


def safe_cells(spec: TableSpec, canon: pd.DataFrame) -> pd.DataFrame:
    """Per contract column, the rows of ``canon`` (canonical text of rejected rows) whose cell
    is safely not personal (see the module docstring). Per-row work only on rejected rows."""
    from auditor.ingest.validate import value_ok  # noqa: PLC0415  (validate imports this module)

    out: dict[str, np.ndarray] = {}
    for col in spec.columns:
        s = canon[col.name] if col.name in canon.columns else pd.Series(pd.NA, index=canon.index, dtype="string")
        present = s.notna().to_numpy(dtype=bool)
        if col.personal:
            ok = np.zeros(len(s), dtype=bool)
        elif col.name in ID_COLUMNS:
            ok = safe_ids(s)
        elif col.kind in _STRUCTURED:
            ok = value_ok(spec, col.name, s)
            if col.kind in ("int", "float"):
                digits = s.astype("string").str.count(r"[0-9]").fillna(0).to_numpy(dtype=np.int64)
                ok &= digits <= MAX_NUMBER_DIGITS
        else:
            ok = np.zeros(len(s), dtype=bool)
        out[col.name] = ok & present
    return pd.DataFrame(out, index=canon.index)


def _text(values: pd.Series) -> pd.Series:
    """Values as written, as text (native numbers as their text), missing where empty."""
    from auditor.ingest.normalise import _as_text  # noqa: PLC0415

    return _as_text(values)


def _plain(v: Any) -> Any:
    """A value as JSON can hold it (numpy scalars, timestamps, bytes as text)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool | int | str) or v is None:
        return v
    if isinstance(v, float):
        return v if np.isfinite(v) else str(v)
    return str(v)


def quarantine_records(spec: TableSpec, raw: pd.DataFrame, canon: pd.DataFrame, key: bytes) -> pd.Series:
    """The quarantine record (JSON) of each rejected row: ``raw`` its values as written, every
    column of the file; ``canon`` their canonical text (contract columns), same index. Safe
    cells as written, every other present cell as its pseudonym; personal columns as stored."""
    safe = safe_cells(spec, canon)
    columns: list[tuple[str, list[Any]]] = []
    for name in raw.columns:
        values = raw[name]
        text = _text(values)
        present = text.notna().to_numpy(dtype=bool)
        if name in spec.names and spec.column(name).personal:
            shown = canon[name].astype(object).where(canon[name].notna(), None).tolist()
        else:
            hidden = pseudonymise(text, key).astype(object).to_numpy()
            keep = safe[name].to_numpy(dtype=bool) if name in safe.columns else np.zeros(len(raw), dtype=bool)
            written = values.astype(object).to_numpy()
            shown = [(_plain(w) if k else h) if p else None
                     for w, h, k, p in zip(written, hidden, keep, present, strict=True)]
        label = name if name in spec.names else shown_name(name, key)
        columns.append((label, shown))
    rows = [dict(zip([c for c, _ in columns], vals, strict=True)) for vals in zip(*[v for _, v in columns], strict=True)]
    if not columns:
        rows = [{} for _ in range(len(raw))]
    return pd.Series([json.dumps(r, ensure_ascii=False) for r in rows], index=raw.index, dtype=object)


def line_record(line: str, key: bytes) -> str:
    """The record of a line that could not be split into columns: its pseudonym only."""
    return json.dumps({"unparsed_line": pseudonymise_value(line, key)})
