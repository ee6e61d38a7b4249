"""Pure aggregation of the audit model into per-scope summaries.

Nothing here renders anything: every function takes the model dict (or parts
of it) and returns plain Python data (dicts, lists, ints, floats, str, None)
that the HTML, Markdown and JSON writers share.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from auditor.records import shared_key_dicts

from .i18n import translate

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
#: a check's outcome: ``advisory`` = it failed only advisory rules (the auditor's policy, not the text)
OUTCOMES: tuple[str, ...] = ("pass", "fail", "advisory", "not_evaluated", "error")
#: a finding's kind: a breach of the text, or advisory (the auditor's policy threshold); a check's
#: kind may also be ``mixed`` (some of its findings are advisory)
KINDS: tuple[str, ...] = ("breach", "advisory", "mixed")

FINDING_COLUMNS: tuple[str, ...] = (
    "run_id",
    "check_id",
    "family",
    "instrument",
    "article",
    "severity",
    "party",
    "provider",
    "request_id",
    "message",
)
FINDING_EXTRA_COLUMNS: tuple[str, ...] = (
    "record_id",
    "receiving_party",
    "legal_basis_status",
    "issued_at",
    "fingerprint",
    "kind",
    "pack",
    "request_instrument",
    "duty",
)
ALL_FINDING_COLUMNS: tuple[str, ...] = FINDING_COLUMNS + FINDING_EXTRA_COLUMNS
# Optional columns, emitted only when the model's findings carry them (waivers).
WAIVER_COLUMNS: tuple[str, ...] = ("waived", "waiver_reason", "waiver_expires")

#: who must act on a finding (its check's ``duty``, auditor.engine.registry.DUTIES), as reports
#: name it; French in reports.i18n
DUTY_LABELS: dict[str, str] = {
    "issuing_authority": "Issuing authority",
    "requested_party": "Requested Party",
    "provider": "Service provider",
    "receiving_authority": "Receiving authority",
}

# Never emitted, whatever the input holds (pseudonymity).
FORBIDDEN_FIELDS: frozenset[str] = frozenset({"subscriber_identifier"})

_SLUG_BAD = re.compile(r"[^a-z0-9_-]")
_PARTY_BAD = re.compile(r"[^A-Z0-9_-]")
#: characters of a name kept in its file slug; a longer name is cut and gets a hash suffix, so a
#: slug is at most SLUG_MAX + 1 + SLUG_HASH characters (file names stay far below 255 bytes)
SLUG_MAX = 64
SLUG_HASH = 10
#: device names Windows reserves (with any extension): never a slug
RESERVED_SLUGS: frozenset[str] = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})


def name_hash(name: str, length: int = SLUG_HASH) -> str:
    """The stable hash suffix of a name's slug: the first ``length`` hex digits of the SHA-256
    of its UTF-8 text."""
    return hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _slug(name: str, bad: re.Pattern, case: Callable[[str], str]) -> str:
    """The file slug of a name: [a-z0-9_-] (Parties: [A-Z0-9_-]), anything else ``_``; never
    empty, never starting with ``-``; a name longer than ``SLUG_MAX`` is cut and a reserved
    device name kept apart, both with the name's hash (``-<hash>``)."""
    slug = bad.sub("_", case(str(name).strip())) or "_"
    if slug[0] == "-":
        slug = "_" + slug[1:]
    if len(slug) > SLUG_MAX or slug.lower() in RESERVED_SLUGS:
        slug = f"{slug[:SLUG_MAX]}-{name_hash(name)}"
    return slug


def provider_slug(provider: str) -> str:
    """File-name-safe slug for a provider (lower-case, [a-z0-9_-], else ``_``; see ``_slug``)."""
    return _slug(provider, _SLUG_BAD, str.lower)


def party_slug(party: str) -> str:
    """File-name-safe name for a Party (ISO code, upper-case; see ``_slug``)."""
    return _slug(party, _PARTY_BAD, str.upper)


#: severity value -> its rank, for the text values met (a finding's rank is asked for many times)
_RANKS: dict[str, int] = {}


def _severity_rank(severity: Any) -> int:
    if severity.__class__ is str:
        rank = _RANKS.get(severity)
        if rank is None:
            rank = _rank(severity)
            if len(_RANKS) < 1024:  # a handful in practice
                _RANKS[severity] = rank
        return rank
    return _rank(severity)


def _rank(severity: Any) -> int:
    try:
        return SEVERITIES.index(str(severity).lower())
    except ValueError:
        return len(SEVERITIES)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key putting "cets224_art6" before "cets224_art10"."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(str(text)))


def _int(value: Any) -> int:
    """A count from the model (int, float, numeric text); anything else (None, NaN, text) is 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    return int(number) if number == number and abs(number) != float("inf") else 0


def _py(value: Any) -> Any:
    """Convert pandas/numpy scalars to plain Python for JSON."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


# ---------------------------------------------------------------- memo

# One rendering asks for the same aggregates many times (every Party/provider page, the
# index rows, the all-Party comparison...). Inside ``memoized(model)`` those results are
# computed once and shared; outside it every function computes afresh, as before.
# Cached values are shared objects: callers must not mutate them (none does).
_MEMO: contextvars.ContextVar[tuple[dict, dict] | None] = contextvars.ContextVar("reports_memo", default=None)
_T = TypeVar("_T")


@contextlib.contextmanager
def memoized(model: dict) -> Iterator[None]:
    """Within the block, aggregates of ``model`` are computed once (model must not change)."""
    state = _MEMO.get()
    if state is not None and state[0] is model:
        yield
        return
    token = _MEMO.set((model, {}))
    try:
        yield
    finally:
        _MEMO.reset(token)


def memo(model: dict, key: tuple, compute: Callable[[], _T]) -> _T:
    """``compute()``, cached under ``key`` while ``memoized(model)`` is active."""
    state = _MEMO.get()
    if state is None or state[0] is not model:
        return compute()
    cache = state[1]
    if key not in cache:
        cache[key] = compute()
    return cache[key]


# ---------------------------------------------------------------- findings


def findings_records(model: dict, party: str | None = None, provider: str | None = None) -> list[dict]:
    """Findings as flat records in the export column order, sorted.

    Sorted by severity (critical -> info), then check_id, then request_id.
    Optionally restricted to one Party and/or one provider. Only the known
    columns are kept, so no raw record fields leak into the outputs.
    """
    state = _MEMO.get()
    if state is None or state[0] is not model:
        return _findings_records(model, party, provider)
    if party is None and provider is None:
        records = memo(model, ("findings_records",), lambda: _findings_records(model))
        _universe(state[1], records)
    else:
        by_party, by_provider = memo(model, ("findings_by_scope",), lambda: _partition(findings_records(model)))
        if provider is None:
            records = by_party.get(party, [])
        elif party is None:
            records = by_provider.get(provider, [])
        else:
            records = memo(model, ("findings_records", party, provider),
                           lambda: _where(by_party.get(party, []), "provider", provider))
    # a scope's records are shared: their split by kind and waiver is computed once (parts)
    state[1].setdefault(("records", id(records)), records)
    return records


# ---------------------------------------------------------------- columns

# Within ``memoized(model)``, the run's finding records (``findings_records(model)``) have
# numpy columns (``_Columns``), and each shared list made from them (a Party's, its breaches...)
# knows its rows: counting or splitting a list reads arrays, not a million dicts. A list without
# known rows (a caller's own) is read dict by dict, as before; both give the same result.


class _Columns:
    """Columns of the run's finding records, each computed once when first asked for."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records  # held: the lists' rows index it
        self._codes: dict[str, tuple[np.ndarray, list] | None] = {}
        self._masks: dict[str, np.ndarray] = {}
        self._named: dict[tuple, tuple[np.ndarray, list]] = {}
        self._derived: dict[tuple, Any] = {}

    def codes(self, key: str) -> tuple[np.ndarray, list] | None:
        """(code of each record's ``key`` value, the distinct values in order first met): values
        equal as a dict's keys are equal share a code (as a Counter counts them); None when a
        record has no ``key`` or a value is not hashable (the callers then read the dicts)."""
        if key not in self._codes:
            try:
                values = list(map(itemgetter(key), self.records))
                distinct = dict.fromkeys(values)
            except (KeyError, TypeError):
                self._codes[key] = None
            else:
                index = {v: i for i, v in enumerate(distinct)}
                codes = np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))
                self._codes[key] = (codes, list(distinct))
        return self._codes[key]

    def named(self, key: str, norm: Callable[[Any], Any]) -> tuple[np.ndarray, list]:
        """(code of ``norm(value)`` of each record's ``key``, the names by code): values whose
        names are equal share a code (the first one's). Only when :meth:`codes` of ``key`` is
        not None."""
        if (key, norm) not in self._named:
            codes, values = self.codes(key)
            names = [norm(v) for v in values]
            merged = {n: i for i, n in reversed(list(enumerate(names)))}  # equal names: one code
            same = np.fromiter(map(merged.__getitem__, names), dtype=np.int32, count=len(names))
            self._named[(key, norm)] = (same[codes], names)
        return self._named[(key, norm)]

    def values(self, key: str) -> list:
        """Each record's ``key`` (``get``: None where a record has none)."""
        return [f.get(key) for f in self.records]

    def derived(self, key: tuple, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per ``key`` for these records (a column derived from others)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def mask(self, name: str) -> np.ndarray:
        """``advisory`` (kind is "advisory"), ``waived`` (waived is truthy) or ``provider_duty``
        (duty is "provider") for each record, as :func:`_split` and :func:`provider_split` read them."""
        if name not in self._masks:
            key, test = {"advisory": ("kind", lambda v: v == "advisory"), "waived": ("waived", bool),
                         "provider_duty": ("duty", lambda v: v == "provider")}[name]
            col = self.codes(key)
            if col is not None:  # the test once per distinct value
                codes, values = col
                self._masks[name] = np.fromiter(map(test, values), dtype=bool, count=len(values))[codes]
            else:  # a record without the key reads as None (get)
                self._masks[name] = np.fromiter((test(f.get(key)) for f in self.records), dtype=bool,
                                                count=len(self.records))
        return self._masks[name]


def _universe(cache: dict, records: list[dict]) -> None:
    """``records`` are the run's finding records: their columns, and their rows (all, in order)."""
    cols = cache.get(("columns",))
    if cols is None or cols.records is not records:
        cols = cache[("columns",)] = _Columns(records)
        cache[("rows", id(records))] = (records, cols, np.arange(len(records), dtype=np.int32))


def columns_of(records: list[dict], *keys: str) -> tuple[_Columns, np.ndarray] | None:
    """(the run's columns, the rows of ``records`` in them) when ``records`` is a shared list of
    the run's records while memoized and every record has each of ``keys`` (hashable); else
    None: the caller reads the dicts."""
    known = _rows(records)
    if known is None or any(known[0].codes(k) is None for k in keys):
        return None
    return known


def _rows(records: list[dict]) -> tuple[_Columns, np.ndarray] | None:
    """(the run's columns, the rows of ``records`` in them), when ``records`` is a shared list
    made from the run's records while memoized; else None."""
    state = _MEMO.get()
    if state is None:
        return None
    hit = state[1].get(("rows", id(records)))
    if hit is None or hit[0] is not records:
        return None
    return hit[1], hit[2]


def _made(cols: _Columns, rows: np.ndarray) -> list[dict]:
    """The shared list of the records at ``rows`` (its rows known, :func:`_rows`)."""
    out = list(map(cols.records.__getitem__, rows.tolist()))
    state = _MEMO.get()
    if state is not None:
        state[1][("rows", id(out))] = (out, cols, rows)
        state[1].setdefault(("records", id(out)), out)
    return out


def _per_list(key: tuple, records: list[dict], compute: Callable[[], _T]) -> _T:
    """``compute()`` once per shared list ``records`` (and ``key``) while memoized: the lists it
    makes are kept for the rendering, so asking again must not make more."""
    state = _MEMO.get()
    if state is None:
        return compute()
    cache = state[1]
    full = (*key, id(records))
    hit = cache.get(full)
    if hit is None or hit[0] is not records:
        hit = cache[full] = (records, compute())
    return hit[1]


def joined(first: list[dict], second: list[dict]) -> list[dict]:
    """``first + second``; a shared list with known rows when both are (:func:`_rows`)."""
    a, b = _rows(first), _rows(second)
    if a is None or b is None or a[0] is not b[0]:
        return first + second
    return _made(a[0], np.concatenate([a[1], b[1]]))


def _where(records: list[dict], key: str, value: Any) -> list[dict]:
    """The records whose ``key`` equals ``value``, in order."""
    known = _rows(records)
    col = known[0].codes(key) if known is not None else None
    if known is None or col is None:
        return [r for r in records if r[key] == value]
    cols, rows = known
    codes, distinct = col
    match = np.fromiter((v == value for v in distinct), dtype=bool, count=len(distinct))
    return _made(cols, rows[match[codes[rows]]])


class Parts(NamedTuple):
    """Finding records split by kind and waiver, each list in the records' order."""

    breach: list[dict]  # not advisory (waived or not)
    advisory: list[dict]  # advisory (waived or not)
    waived: list[dict]
    active_breach: list[dict]  # not advisory, not waived: the findings every figure counts
    active_advisory: list[dict]  # advisory, not waived


def parts(records: list[dict]) -> Parts:
    """``records`` split by kind (:func:`is_advisory`) and waiver in one pass; computed once per
    shared list of :func:`findings_records` while ``memoized`` (the lists must not change)."""
    state = _MEMO.get()
    if state is None or state[1].get(("records", id(records))) is not records:
        return _split(records)
    cache = state[1]
    key = ("parts", id(records))
    if key not in cache:
        cache[key] = _split(records)
    return cache[key]


def _split(records: list[dict]) -> Parts:
    known = _rows(records)
    if known is not None:
        cols, rows = known
        advisory, waived = cols.mask("advisory")[rows], cols.mask("waived")[rows]
        return Parts(_made(cols, rows[~advisory]), _made(cols, rows[advisory]), _made(cols, rows[waived]),
                     _made(cols, rows[~advisory & ~waived]), _made(cols, rows[advisory & ~waived]))
    out = Parts([], [], [], [], [])
    breach, advisory, waived, active_breach, active_advisory = (lst.append for lst in out)
    for f in records:
        if f.get("kind") == "advisory":
            advisory(f)
            (waived if f.get("waived") else active_advisory)(f)
        else:
            breach(f)
            (waived if f.get("waived") else active_breach)(f)
    return out


def _partition(records: list[dict]) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """{party: records}, {provider: records} in one pass (order kept: a filtered sorted list)."""
    known = _rows(records)
    cols = known[0] if known is not None else None
    if cols is not None and cols.codes("party") is not None and cols.codes("provider") is not None:
        return group_by(records, "party", _same), group_by(records, "provider", _same)
    by_party: dict[str, list[dict]] = {}
    by_provider: dict[str, list[dict]] = {}
    for r in records:
        by_party.setdefault(r["party"], []).append(r)
        by_provider.setdefault(r["provider"], []).append(r)
    return by_party, by_provider


def _same(value: Any) -> Any:
    return value


def group_by(records: list[dict], key: str, norm: Callable[[Any], Any] = _str) -> dict[Any, list[dict]]:
    """{norm(value of ``key``): the records with it, in order}, keys in the order first met
    (``f.get(key)``: a record without it counts as None). A shared list of the run's records is
    grouped from its columns, each group a shared list in turn (:func:`_rows`)."""
    known = _rows(records)
    col = known[0].codes(key) if known is not None else None
    if col is not None and len(records):  # once per list, key and norm: the groups are shared lists
        return _per_list(("group_by", key, norm), records, lambda: _group_rows(*known, key, norm))
    groups: dict[Any, list[dict]] = {}
    for f in records:
        k = norm(f.get(key))
        lst = groups.get(k)
        if lst is None:
            lst = groups[k] = []
        lst.append(f)
    return groups


def _group_rows(cols: _Columns, rows: np.ndarray, key: str, norm: Callable[[Any], Any]) -> dict[Any, list[dict]]:
    same, names = cols.named(key, norm)
    mine = same[rows]
    order = np.argsort(mine, kind="stable")
    present, starts = np.unique(mine[order], return_index=True)
    pieces = np.split(rows[order], starts[1:])
    firsts = order[starts].tolist()
    return {names[code]: _made(cols, piece)
            for _, code, piece in sorted(zip(firsts, present.tolist(), pieces, strict=True), key=itemgetter(0))}


def is_advisory(finding: dict) -> bool:
    """An advisory finding: the rule is the auditor's policy (a threshold the text does not fix),
    not a breach of the text. Shown apart and left out of every compliance figure."""
    return finding.get("kind") == "advisory"


def _pack_of(model: dict) -> dict[str, str]:
    """{check id: pack name}: the check's ``pack``, else the run's pack."""
    default = _str((model.get("run") or {}).get("pack"))
    return {_str(c.get("id")): _str(c.get("pack")) or default for c in model.get("checks", []) or []}


def _duty_of(model: dict) -> dict[str, str | None]:
    """{check id: duty} from the run's checks (their registry metadata); None where a check has
    none (a check no longer registered, or a model written before duties existed)."""
    return {_str(c.get("id")): _str(c.get("duty")) or None for c in model.get("checks", []) or []}


def duty_label(value: Any, lang: str = "en") -> str:
    """The reader's name of a duty ("Issuing authority", fr "Autorité d'émission"); "" for no
    duty, the raw value for one this version does not know (never a guess)."""
    key = _str(value)
    return translate(DUTY_LABELS[key], lang) if key in DUTY_LABELS else key


def provider_split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """A provider page's findings split by who must act: (the provider's own findings, the
    authorities' findings on requests to that provider). A provider answers only for its own
    duties; an issuing, requested or receiving authority's failure on a request addressed to it
    is not the provider's. A finding whose duty is unknown (an earlier run's check) goes with the
    authorities', so nothing is counted against a provider without its check saying so. Order is
    kept."""
    known = _rows(records)
    if known is not None:
        cols, rows = known
        own = cols.mask("provider_duty")[rows]
        return _per_list(("provider_split",), records, lambda: (_made(cols, rows[own]), _made(cols, rows[~own])))
    own = [r for r in records if r.get("duty") == "provider"]
    others = [r for r in records if r.get("duty") != "provider"]
    return own, others


def _findings_records(model: dict, party: str | None = None, provider: str | None = None,
                      consume: bool = False) -> list[dict]:
    make = record_maker(model)
    out = []
    source = model.get("findings", []) or []
    if consume:  # each finding let go once its record is made: the two lists are never both whole
        model["findings"] = []
        for i, f in enumerate(source):
            source[i] = None
            out.append(make(f))
        source.clear()
    else:
        for f in source:
            if party is not None and _str(f.get("party")) != party:
                continue
            if provider is not None and _str(f.get("provider")) != provider:
                continue
            out.append(make(f))
    out.sort(key=record_order)
    return out


def _kept(model: dict, records: list[dict]) -> None:
    """Within ``memoized(model)``: ``records`` are the run's finding records from now on (every
    later :func:`findings_records` call gets them, and their columns are the run's)."""
    state = _MEMO.get()
    if state is not None and state[0] is model:
        state[1][("findings_records",)] = records
        state[1].setdefault(("records", id(records)), records)
        _universe(state[1], records)


def frame_order(frame: pd.DataFrame) -> np.ndarray:
    """The positions of ``frame``'s rows (findings) in the finding records' order
    (:func:`record_order`: severity rank, check_id, request_id; ties in frame order), vectorised:
    the severity ranked once per distinct value, the ids coded by their sorted distinct texts
    (code point order, as Python compares them), then one stable ``np.lexsort``. A numpy array
    (a list held a Python integer per finding: ~170 MB at 5 million, in the pages and the
    findings-files helper alike)."""
    severity_codes, severities = pd.factorize(frame["severity"], use_na_sentinel=True)
    ranks = np.array([_severity_rank(s) for s in severities] + [_severity_rank(None)],
                     dtype=np.int64)  # the last: a missing severity (code -1)
    keys = [pd.factorize(frame[c].astype("string").fillna(""), sort=True)[0] for c in ("request_id", "check_id")]
    return np.lexsort((*keys, ranks[severity_codes]))  # the last key sorts first


def record_columns(model: dict, rows: pd.DataFrame) -> dict[str, list]:
    """The finding records of ``rows`` (rows of a findings frame, ``auditor.audit.build_model(
    findings_frame=True)``) as columns: {record key: its values, one per row}, the keys in the
    records' order (:data:`ALL_FINDING_COLUMNS`, then the waiver columns ``rows`` has). Row ``i``'s
    values are the record ``record_maker(model)`` makes of ``records.to_records(rows)[i]``, made a
    column at a time."""
    from auditor.records import python_values  # noqa: PLC0415

    n, making = len(rows), _making(model)
    present = set(map(str, rows.columns))
    cols = {c: python_values(rows[c]) if c in present else [None] * n for c in making.columns}
    if "run_id" in cols:
        cols["run_id"] = [making.run_id] * n
    for c in _RECORD_TEXTS:
        cols[c] = [v if v.__class__ is str else _str(v) for v in cols[c]]
    cols["kind"] = list(map(_record_kind, cols["kind"]))
    cols["pack"] = list(map(making.pack, cols["pack"], cols["check_id"]))
    cols["duty"] = list(map(making.duty_of.get, cols["check_id"]))
    for c in WAIVER_COLUMNS:
        if c in present:
            cols[c] = [_py(v) for v in python_values(rows[c])]
    if "waived" in cols:
        cols["waived"] = [bool(v) for v in cols["waived"]]
    return cols


def column_records(cols: dict[str, list]) -> list[dict]:
    """The records of :func:`record_columns`' columns, one dict per row, keys in column order."""
    # zip without strict=True: the columns are of one length (the check costs ~1 s at 1M findings);
    # the dicts share one table of keys (~290 bytes each instead of ~830: ``shared_key_dicts``)
    return shared_key_dicts(list(cols), zip(*cols.values()))  # noqa: B905


#: findings :func:`frame_records` makes records of at a time
RECORD_CHUNK = 100_000


def frame_records(model: dict, frame: pd.DataFrame, chunk: int = RECORD_CHUNK) -> list[dict]:
    """The run's finding records (:func:`findings_records`) straight from its findings frame
    (``auditor.audit.build_model(findings_frame=True)``, whose rows the model's findings are made
    of): the same dicts in the same order as ``findings_records`` of a model whose findings are
    ``auditor.records.to_records(frame)``, made column by column (:func:`record_columns`), one
    dict per finding (the model's findings, a second dict per finding, are never made: at a
    million findings about a gigabyte and 4 s). Made ``chunk`` findings at a time, in the
    records' order (:func:`frame_order`): the columns of every finding at once were a list of
    Python values per column beside the dicts (~0.9 GB of lists at 5 million findings), and
    the dicts made in the frame's order a second list to reorder. Within ``memoized(model)``
    every later :func:`findings_records` call gets them."""
    order = frame_order(frame)
    records: list[dict] = []
    step = max(1, chunk)
    for start in range(0, len(order), step):
        records.extend(column_records(record_columns(model, frame.take(order[start:start + step]))))
    del order
    _kept(model, records)
    return records


def release_records(model: dict) -> list[dict]:
    """:func:`findings_records` of the whole run, made while ``model["findings"]`` is emptied (a
    finding is let go once its record is made; at a million findings the two lists of dicts
    together were about 2 GB). For a renderer that needs the model's findings no more; within
    ``memoized(model)`` every later :func:`findings_records` call gets these records."""
    state = _MEMO.get()
    if state is not None and state[0] is model and ("findings_records",) in state[1]:
        model["findings"] = []
        return state[1][("findings_records",)]
    records = _findings_records(model, consume=True)
    _kept(model, records)
    return records


def record_order(rec: dict) -> tuple[int, str, str]:
    """The finding records' sort key: severity (critical -> info), check_id, request_id."""
    return (_severity_rank(rec["severity"]), rec["check_id"], rec["request_id"])


#: the record columns made text ("" for None): a finding's ids, names and message
_RECORD_TEXTS: tuple[str, ...] = ("party", "provider", "check_id", "request_id", "message")


class _Making(NamedTuple):
    """What making a finding record takes from the model (:func:`record_maker` one finding at a
    time, :func:`record_columns` a column at a time: the same rules)."""

    run_id: str
    columns: list[str]  # the export columns in order, no forbidden field
    pack_of: dict[str, str]
    default_pack: str | None
    duty_of: dict[str, str | None]  # who must act is the check's (a finding row carries no duty of its own)

    def pack(self, pack: Any, check_id: str) -> Any:
        """A finding's pack; without one, its check's in the run (or the run's)."""
        return pack if pack else (self.pack_of.get(check_id) or self.default_pack)


def _making(model: dict) -> _Making:
    return _Making(model.get("run", {}).get("run_id", ""), [c for c in ALL_FINDING_COLUMNS if c not in FORBIDDEN_FIELDS],
                   _pack_of(model), _str((model.get("run") or {}).get("pack")) or None, _duty_of(model))


def _record_kind(kind: Any) -> str:
    """A finding's kind; a finding of an earlier run has none: every finding was a breach then."""
    return "advisory" if kind == "advisory" else "breach"


def record_maker(model: dict) -> Callable[[dict], dict]:
    """The function making a finding record (the export columns in order, no forbidden field)
    from one of ``model``'s findings (:func:`findings_records` applies it to each)."""
    making = _making(model)
    columns = making.columns

    def make(f: dict) -> dict:
        rec = dict(zip(columns, map(f.get, columns), strict=True))  # every column, in order; missing ones None
        if "run_id" in rec:
            rec["run_id"] = making.run_id
        for col in _RECORD_TEXTS:
            if rec[col].__class__ is not str:
                rec[col] = _str(rec[col])
        rec["kind"] = _record_kind(rec["kind"])
        rec["pack"] = making.pack(rec["pack"], rec["check_id"])
        rec["duty"] = making.duty_of.get(rec["check_id"])
        for col in WAIVER_COLUMNS:
            if col in f:
                rec[col] = _py(f.get(col))
        if "waived" in rec:
            rec["waived"] = bool(rec["waived"])
        return rec

    return make


def waiver_columns(records: list[dict]) -> list[str]:
    """The waiver columns the finding records carry (none unless the run had waivers)."""
    return [c for c in WAIVER_COLUMNS if any(c in r for r in records)]


def findings_frame(model: dict) -> pd.DataFrame:
    """All findings as a DataFrame with a fixed column order (header even when empty)."""
    records = findings_records(model)
    return pd.DataFrame(records, columns=list(ALL_FINDING_COLUMNS) + waiver_columns(records))


def _counts(records: list[dict], key: str, order: tuple[str, ...] | None = None) -> dict[str, int]:
    raw = tally(records, key)
    if raw is None or not all(k is None or k.__class__ is str for k in raw):  # 1 == True == 1.0 in a Counter
        raw = Counter(_str(r.get(key)) for r in records)
    counts: dict[str, int] = {}
    for k, n in raw.items():
        k = _str(k)
        counts[k] = counts.get(k, 0) + n
    if order is not None:
        result = {k: counts.pop(k, 0) for k in order}
        result.update(dict(sorted(counts.items())))
        return result
    return dict(sorted(counts.items()))


def tally(records: list[dict], key: str) -> Counter | None:
    """{value of ``key``: records with it}, values in the order first met; None when a record has
    no ``key`` or a value is not hashable. A shared list of the run's records is counted from
    its columns (:func:`_rows`)."""
    known = _rows(records)
    col = known[0].codes(key) if known is not None else None
    if col is not None:
        codes, distinct = col
        mine = codes[known[1]]
        present, first, counts = np.unique(mine, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        return Counter({distinct[c]: n for c, n in zip(present[order].tolist(), counts[order].tolist(), strict=True)})
    try:  # the usual case: every record has the key (a finding record has every column)
        return Counter(map(itemgetter(key), records))
    except (KeyError, TypeError):  # a record without it, or a value that is not hashable
        return None


def weight_sums(records: list[dict], key: str, by: str, weights: dict[str, float]) -> list[float]:
    """For each distinct ``key`` of ``records`` (as text, :func:`_str`), in the order first met,
    the sum of ``weights[_str(record[by])]`` (0.0 for a value without a weight) over its
    records, added in the records' order: the same floats, bit for bit, as a dict of running
    sums. A shared list of the run's records is summed from its columns (``np.bincount`` adds a
    bin's weights in array order)."""
    known = columns_of(records, key, by)
    if known is not None:
        cols, rows = known
        keys, _ = cols.named(key, _str)
        values, names = cols.named(by, _str)
        weight = np.array([weights.get(n, 0.0) for n in names], dtype=np.float64)
        present, first, inverse = np.unique(keys[rows], return_index=True, return_inverse=True)
        sums = np.bincount(inverse.ravel(), weights=weight[values[rows]], minlength=len(present))
        return sums[np.argsort(first, kind="stable")].tolist()
    running: dict[str, float] = {}
    for f in records:
        k = _str(f.get(key))
        running[k] = running.get(k, 0.0) + weights.get(_str(f.get(by)), 0.0)
    return list(running.values())


def distinct_text(records: list[dict], key: str) -> set[str]:
    """The distinct values of ``key`` in ``records`` as text (:func:`_str`: None is "")."""
    known = columns_of(records, key)
    if known is not None:
        cols, rows = known
        codes, names = cols.named(key, _str)
        present = np.zeros(len(names), dtype=bool)
        present[codes[rows]] = True
        return {names[c] for c in np.flatnonzero(present).tolist()}
    try:
        ids = set(map(itemgetter(key), records))
    except (KeyError, TypeError):
        return {_str(f.get(key)) for f in records}
    return ids if all(i.__class__ is str for i in ids) else {_str(i) for i in ids}


def findings_by_family(records: list[dict]) -> dict[str, int]:
    """Findings per family, sorted by family name."""
    return _counts(records, "family")


def group_by_family(records: list[dict]) -> list[dict]:
    """[{family, findings: [...]}] in family-name order, findings kept sorted."""
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(_str(r.get("family")) or "(none)", []).append(r)
    return [{"family": fam, "findings": groups[fam]} for fam in sorted(groups)]


# ---------------------------------------------------------------- checks

COUNT_COLUMNS: tuple[str, ...] = ("evaluated", "passed", "failed", "unknown", "advisory")


def _scope_frame(model: dict) -> pd.DataFrame:
    """The scope rows as a typed frame (shared while memoized: do not modify it in place).

    Besides the check's own counts it has the check's ``kind`` and the compliance counts
    (``rec_evaluated``, ``rec_passed``, ``rec_failed``: see :func:`compliance_counts`)."""
    return memo(model, ("scope_frame",), lambda: _make_scope_frame(model))


def _check_kinds(model: dict) -> dict[str, str]:
    return {_str(c.get("id")): _str(c.get("kind")) or "breach" for c in model.get("checks", []) or []}


def _make_scope_frame(model: dict) -> pd.DataFrame:
    cols = ["check_id", "party", "provider", *COUNT_COLUMNS]
    df = pd.DataFrame(model.get("scope", []) or [], columns=cols)
    for c in ("check_id", "party", "provider"):
        df[c] = df[c].fillna("").astype(str)
    for c in COUNT_COLUMNS:
        df[c] = pd.to_numeric(df[c], errors="coerce").fillna(0).astype(int)
    df["kind"] = df["check_id"].map(_check_kinds(model)).fillna("breach")
    whole = df["kind"] != "advisory"
    df["rec_evaluated"] = (df["evaluated"] - df["advisory"]).where(whole, 0)
    df["rec_passed"] = df["passed"].where(whole, 0)
    df["rec_failed"] = (df["failed"] - df["advisory"]).where(whole, 0)
    return df


def compliance_counts(kind: str, evaluated: int, passed: int, failed: int, advisory: int) -> tuple[int, int, int]:
    """(evaluated, passed, failed) records of a check as the compliance figures count them.

    Advisory findings rest on the auditor's policy, not on the text: an ``advisory`` check's
    records are left out altogether; a ``breach`` or ``mixed`` check's advisory records are left
    out of its evaluated and failed records (its passed records stay)."""
    if kind == "advisory":
        return 0, 0, 0
    return evaluated - advisory, passed, failed - advisory


def _rate(passed: int, evaluated: int) -> float | None:
    return round(passed / evaluated, 4) if evaluated else None


def check_results(model: dict, party: str | None = None, provider: str | None = None) -> list[dict]:
    """Per-check results in a scope (all of the run when both are None).

    A check is ``not_evaluated`` in a scope when it has no evaluated records
    there; the global reason from ``model["checks"]`` is carried along. A
    check that errored globally stays ``error``. A check whose failed records in the scope are
    all advisory is ``advisory`` there (no breach of the text).
    """
    return memo(model, ("check_results", party, provider), lambda: _check_results(model, party, provider))


def _check_results(model: dict, party: str | None, provider: str | None) -> list[dict]:
    checks = model.get("checks", []) or []
    global_scope = party is None and provider is None
    if not global_scope:
        df = _scope_frame(model)
        if party is not None:
            df = df[df["party"] == party]
        if provider is not None:
            df = df[df["provider"] == provider]
        sums = df.groupby("check_id")[list(COUNT_COLUMNS)].sum()
    findings = findings_records(model, party, provider)
    split = parts(findings)
    fcount = _counts(split.breach, "check_id")
    acount = _counts(split.advisory, "check_id")
    results = []
    for chk in checks:
        cid = _str(chk.get("id"))
        if global_scope:
            ev, pa, fa, un, adv = (int(chk.get(k) or 0) for k in COUNT_COLUMNS)
        elif cid in sums.index:
            row = sums.loc[cid]
            ev, pa, fa, un, adv = (int(row[k]) for k in COUNT_COLUMNS)
        else:
            ev = pa = fa = un = adv = 0
        kind = _str(chk.get("kind")) or "breach"
        global_outcome = _str(chk.get("outcome")) or "not_evaluated"
        if global_outcome == "error":
            outcome = "error"
        elif ev == 0:
            outcome = "not_evaluated"
        elif fa > adv:
            outcome = "fail"
        elif fa > 0:
            outcome = "advisory"
        else:
            outcome = "pass"
        reason = chk.get("reason")
        if outcome == "not_evaluated" and not reason:
            reason = "no evaluated records in this scope"
        rec_ev, rec_pa, rec_fa = compliance_counts(kind, ev, pa, fa, adv)
        results.append(
            {
                "check_id": cid,
                "rule_id": chk.get("rule_id"),
                "title": chk.get("title"),
                "instrument": chk.get("instrument"),
                "article": chk.get("article"),
                "family": chk.get("family"),
                "severity": chk.get("severity"),
                "legal_basis_status": chk.get("legal_basis_status"),
                "kind": kind,
                "pack": _str(chk.get("pack")) or _str((model.get("run") or {}).get("pack")),
                "scope": [str(i) for i in chk.get("scope") or []],
                "title_fr": chk.get("title_fr") or "",
                "rationale": chk.get("rationale"),
                "remediation": chk.get("remediation"),
                "remediation_fr": chk.get("remediation_fr") or "",
                "notes": chk.get("notes") or "",
                "params": list(chk.get("params") or []),
                "outcome": outcome,
                "global_outcome": global_outcome,
                "reason": reason if outcome in ("not_evaluated", "error") else None,
                "evaluated": ev,
                "passed": pa,
                "failed": fa,
                "unknown": un,
                "advisory": adv,
                "records_evaluated": rec_ev,
                "records_passed": rec_pa,
                "records_failed": rec_fa,
                "findings": fcount.get(cid, 0),
                "advisory_findings": acount.get(cid, 0),
            }
        )
    return results


def compliance_summary(results: list[dict], findings: list[dict]) -> dict:
    """Check outcome counts and the record-level compliance rate for a scope.

    Breach findings only: advisory findings (the auditor's policy) are counted apart
    (``advisory``, ``advisory_by_check``) and their records are not in the record counts
    (:func:`compliance_counts`). ``checks_failed`` counts checks whose outcome is ``fail``;
    ``checks_advisory`` the checks with advisory findings, ``checks_advisory_only`` those whose
    outcome is ``advisory`` (advisory findings and no breach)."""
    outcomes = {o: 0 for o in OUTCOMES}
    for r in results:
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    ev = sum(r["records_evaluated"] for r in results)
    pa = sum(r["records_passed"] for r in results)
    fa = sum(r["records_failed"] for r in results)
    split = parts(findings)  # a waived finding is not a failure
    waived, breach, advisory = split.waived, split.active_breach, split.active_advisory
    return {
        "checks_total": len(results),
        "checks_evaluated": outcomes["pass"] + outcomes["fail"] + outcomes["advisory"],
        "checks_passed": outcomes["pass"],
        "checks_failed": outcomes["fail"],
        "checks_advisory": sum(1 for r in results if r.get("advisory")),
        "checks_advisory_only": outcomes["advisory"],
        "checks_not_evaluated": outcomes["not_evaluated"],
        "checks_error": outcomes["error"],
        "records_evaluated": ev,
        "records_passed": pa,
        "records_failed": fa,
        "compliance_rate": _rate(pa, ev),
        "findings": len(breach),
        "advisory": len(advisory),
        "waived": len(waived),
        "findings_by_severity": _counts(breach, "severity", SEVERITIES),
        "findings_by_family": findings_by_family(breach),
        "advisory_by_check": _counts(advisory, "check_id"),
    }


# ---------------------------------------------------------------- scopes


def parties(model: dict) -> list[str]:
    """Non-empty Parties seen in the scope rows, findings or request tallies."""
    return list(memo(model, ("names", "party"), lambda: _names(model, "party")))


def _names(model: dict, key: str) -> list[str]:
    seen = set()
    for group in ("scope", "findings", "requests_by", "response_times"):
        for row in model.get(group, []) or []:
            value = _str(row.get(key))
            if value:
                seen.add(value)
    return sorted(seen)


def providers(model: dict) -> list[str]:
    """Non-empty providers seen in the scope rows, findings or request tallies."""
    return list(memo(model, ("names", "provider"), lambda: _names(model, "provider")))


def profile_for(model: dict, party: str) -> dict | None:
    for prof in model.get("profiles", []) or []:
        if _str(prof.get("party")) == party:
            return {k: _py(v) for k, v in prof.items() if k not in FORBIDDEN_FIELDS}
    return None


def response_times(model: dict, party: str | None = None, provider: str | None = None) -> list[dict]:
    rows = []
    for r in model.get("response_times", []) or []:
        if party is not None and _str(r.get("party")) != party:
            continue
        if provider is not None and _str(r.get("provider")) != provider:
            continue
        rows.append(r)
    return rows


def deadline_checks(model: dict, party: str | None = None, provider: str | None = None) -> dict | None:
    """The time limits as the run's checks measured them (``model["deadline_checks"]``, see
    ``auditor.engine.deadlines.records``) with the rows of one Party and/or provider:
    ``{"clocks": [...], "rows": [...]}``. None for a run of an earlier version, which stored no
    such figures (its ``response_times`` counted from another clock start: not to be charted
    against the checks' limits)."""
    data = model.get("deadline_checks")
    if not isinstance(data, dict):
        return None
    rows = [r for r in data.get("rows") or []
            if (party is None or _str(r.get("party")) == party)
            and (provider is None or _str(r.get("provider")) == provider)]
    return {"clocks": list(data.get("clocks") or []), "rows": rows}


def _request_rows(model: dict, party: str | None = None, provider: str | None = None) -> list[dict]:
    """requests_by rows of a scope as {party, provider, instrument, requests, disclosures}."""
    rows = []
    for r in model.get("requests_by", []) or []:
        if party is not None and _str(r.get("party")) != party:
            continue
        if provider is not None and _str(r.get("provider")) != provider:
            continue
        rows.append({"party": _str(r.get("party")), "provider": _str(r.get("provider")),
                     "instrument": _str(r.get("instrument")), "requests": _int(r.get("requests")),
                     "disclosures": _int(r.get("disclosures"))})
    return rows


def audited_instruments(model: dict) -> list[str] | None:
    """The request instruments some check of the run governs (``run.audited_instruments``, else
    the union of the checks' scopes); None when the model says neither (a run of an earlier
    version, which judged every request)."""
    listed = (model.get("run") or {}).get("audited_instruments")
    if listed is not None:
        return sorted({_str(i) for i in listed}, key=natural_key)
    scopes = {_str(i) for c in model.get("checks", []) or [] for i in c.get("scope") or []}
    return sorted(scopes, key=natural_key) if scopes else None


#: the label of requests without an instrument (as the command line prints it)
NO_INSTRUMENT = "(none)"


def outside_audited(model: dict, party: str | None = None, provider: str | None = None) -> dict:
    """Requests of a scope outside the audited instruments (no check of the run governs them:
    mutual assistance, ``other``, an instrument whose pack was not selected): counted, never
    judged. ``{"total", "by_instrument": {instrument: requests}, "by_party": {party: requests}}``."""
    return memo(model, ("outside", party, provider), lambda: _outside_audited(model, party, provider))


def _outside_audited(model: dict, party: str | None, provider: str | None) -> dict:
    audited = audited_instruments(model)
    by_inst: dict[str, int] = {}
    by_party: dict[str, int] = {}
    if audited is not None:
        keep = set(audited)
        for r in _request_rows(model, party, provider):
            if r["instrument"] in keep or not r["requests"]:
                continue
            inst = r["instrument"] or NO_INSTRUMENT
            by_inst[inst] = by_inst.get(inst, 0) + r["requests"]
            by_party[r["party"]] = by_party.get(r["party"], 0) + r["requests"]
    return {"total": sum(by_inst.values()), "by_instrument": dict(sorted(by_inst.items())),
            "by_party": dict(sorted(by_party.items()))}


def requests_tally(model: dict, party: str | None = None, provider: str | None = None) -> dict:
    """Requests (every one, audited or not) and disclosures of a scope, per request instrument;
    ``requests_outside``: those outside the audited instruments (:func:`outside_audited`)."""
    df = pd.DataFrame(
        _request_rows(model, party, provider),
        columns=["party", "provider", "instrument", "requests", "disclosures"],
    )
    for c in ("requests", "disclosures"):
        df[c] = pd.to_numeric(df[c], errors="coerce").fillna(0).astype(int)
    by_inst = df.groupby("instrument")[["requests", "disclosures"]].sum().sort_index()
    outside = outside_audited(model, party, provider)["total"]
    total = int(df["requests"].sum())
    return {
        "requests": total,
        "disclosures": int(df["disclosures"].sum()),
        "requests_audited": total - outside,
        "requests_outside": outside,
        "by_instrument": [
            {"instrument": str(i), "requests": int(r["requests"]), "disclosures": int(r["disclosures"])}
            for i, r in by_inst.iterrows()
        ],
    }


def instrument_rows(model: dict, party: str | None = None, provider: str | None = None) -> list[dict]:
    """One row per legal instrument of the run's checks (``CETS 224``, ``EU 2023/1543``...):
    its packs and request instruments, the requests audited under it (``requests_by`` of its
    request instruments), checks evaluated, compliance (breach rules only), breach findings by
    severity and advisory findings."""
    return memo(model, ("instrument_rows", party, provider), lambda: _instrument_rows(model, party, provider))


def _instrument_rows(model: dict, party: str | None, provider: str | None) -> list[dict]:
    results = check_results(model, party, provider)
    split = parts(findings_records(model, party, provider))
    # the findings not waived per instrument, breach and advisory (each in the records' order)
    breach_by, advisory_by = group_by(split.active_breach, "instrument"), group_by(split.active_advisory, "instrument")
    by_inst = {k: (breach_by.get(k, []), advisory_by.get(k, [])) for k in {*breach_by, *advisory_by}}
    requests: dict[str, int] = {}
    for r in _request_rows(model, party, provider):
        requests[r["instrument"]] = requests.get(r["instrument"], 0) + r["requests"]
    out = []
    for inst in sorted({_str(r["instrument"]) for r in results if r["instrument"]}):
        mine = [r for r in results if _str(r["instrument"]) == inst]
        scope = sorted({i for r in mine for i in r["scope"]}, key=natural_key)
        ev = sum(r["records_evaluated"] for r in mine)
        pa = sum(r["records_passed"] for r in mine)
        breach, advisory = by_inst.get(inst, ([], []))
        out.append({
            "instrument": inst,
            "packs": sorted({r["pack"] for r in mine if r["pack"]}),
            "request_instruments": scope,
            "requests": sum(requests.get(i, 0) for i in scope),
            "checks": len(mine),
            "checks_evaluated": sum(1 for r in mine if r["outcome"] in ("pass", "fail", "advisory")),
            "records_evaluated": ev,
            "records_passed": pa,
            "compliance_rate": _rate(pa, ev),
            "findings": len(breach),
            "findings_by_severity": _counts(breach, "severity", SEVERITIES),
            "advisory": len(advisory),
        })
    return out


def scope_header(model: dict) -> dict:
    """Run-level scope: what was audited, with which packs and parameters."""
    run = model.get("run", {}) or {}
    period = run.get("period") or {}
    packs = [{k: _py(p.get(k)) for k in ("name", "version", "title", "file", "sha256")}
             for p in run.get("packs") or []]
    if not packs and run.get("pack"):
        packs = [{"name": run.get("pack"), "version": run.get("pack_version"), "title": run.get("pack_title"),
                  "file": None, "sha256": None}]
    return {
        "run_id": run.get("run_id"),
        "tool_version": run.get("tool_version"),
        "pack": run.get("pack"),
        "pack_version": run.get("pack_version"),
        "pack_title": run.get("pack_title"),
        "packs": packs,
        "audited_instruments": audited_instruments(model),
        "as_of": run.get("as_of"),
        "started_at": run.get("started_at"),
        "finished_at": run.get("finished_at"),
        "period": {"from": period.get("from"), "to": period.get("to")},
        "inputs": [
            {
                k: _py(i.get(k))
                for k in ("file", "table", "sha256", "read", "stored", "unchanged", "quarantined")
            }
            for i in run.get("inputs", []) or []
        ],
        # the mapping profiles input files were read through (issue 23): name, version, SHA-256
        **({"mapping_profiles": profiles} if (profiles := mapping_profiles(run.get("inputs", []) or [])) else {}),
        "params": [
            {k: _py(p.get(k)) for k in ("name", "value", "kind", "basis", "status", "description")}
            for p in run.get("params", []) or []
        ],
    }


def mapping_profiles(inputs: list) -> list[dict]:
    """The distinct mapping profiles (``auditor ingest --mapping``) the inputs were read through,
    each with the tables it mapped, in the order first met."""
    out: dict[str, dict] = {}
    for i in inputs:
        prof = i.get("profile") if isinstance(i, dict) else None
        if not isinstance(prof, dict) or not prof.get("sha256"):
            continue
        entry = out.setdefault(str(prof["sha256"]), {"name": _py(prof.get("name")), "version": _py(prof.get("version")),
                                                     "sha256": str(prof["sha256"]), "tables": []})
        if i.get("table") and i["table"] not in entry["tables"]:
            entry["tables"].append(i["table"])
    return list(out.values())


def slug_map(model: dict, kind: str) -> dict[str, str]:
    """{name: file slug} for kind "party"/"provider" (``party_slug`` / ``provider_slug``).

    Names whose slugs collide (compared without case: some file systems ignore it) are told
    apart by a hash suffix, ``-<hash>`` of the name (``name_hash``): every name of the group
    gets it, except the one name that is its own slug (``mail_co`` keeps ``mail_co``, ``mail co``
    becomes ``mail_co-<hash>``). A name's slug is thus the same in every run where the same
    names collide."""
    return memo(model, ("slug_map", kind), lambda: _slug_map(model, kind))


def _slug_map(model: dict, kind: str) -> dict[str, str]:
    names = parties(model) if kind == "party" else providers(model)
    make = party_slug if kind == "party" else provider_slug
    plain = {name: make(name) for name in names}
    groups = Counter(slug.lower() for slug in plain.values())
    out: dict[str, str] = {}
    for name, slug in plain.items():
        if groups[slug.lower()] > 1 and slug != name:
            slug = f"{slug[:SLUG_MAX]}-{name_hash(name)}"
        out[name] = slug
    taken = Counter(slug.lower() for slug in out.values())
    for name, slug in out.items():  # a name that looks like another's hashed slug: the full hash
        if taken[slug.lower()] > 1 and slug != name:
            out[name] = f"{plain[name][:SLUG_MAX]}-{name_hash(name, 64)}"
    return out


def scope_rows(model: dict, kind: str) -> list[dict]:
    """Index table rows, one per Party (kind="party") or provider (kind="provider")."""
    return memo(model, ("scope_rows", kind), lambda: _scope_rows(model, kind))


def _scope_rows(model: dict, kind: str) -> list[dict]:
    slugs = slug_map(model, kind)
    rows = []
    for name, slug in slugs.items():
        kw = {"party": name} if kind == "party" else {"provider": name}
        summ = scope_summary(model, **kw)
        rows.append(
            {
                "name": name,
                "slug": slug,
                "href": f"{kind}/{slug}",
                "findings": summ["findings"],
                "advisory": summ["advisory"],
                "checks_evaluated": summ["checks_evaluated"],
                "checks_passed": summ["checks_passed"],
                "checks_failed": summ["checks_failed"],
                "checks_advisory": summ["checks_advisory"],
                "checks_not_evaluated": summ["checks_not_evaluated"],
                "records_evaluated": summ["records_evaluated"],
                "records_passed": summ["records_passed"],
                "records_failed": summ["records_failed"],
                "compliance_rate": summ["compliance_rate"],
                "requests_outside": outside_audited(model, **kw)["total"],
            }
        )
    return rows


def scope_report(model: dict, party: str | None = None, provider: str | None = None) -> dict:
    """Everything one Party/provider report shows (also its JSON twin)."""
    if party is not None:
        kind, name = "party", party
        slug = slug_map(model, "party").get(party, party_slug(party))
    elif provider is not None:
        kind, name = "provider", provider
        slug = slug_map(model, "provider").get(provider, provider_slug(provider))
    else:
        kind, name, slug = "run", "", "index"
    findings = findings_records(model, party, provider)
    results = check_results(model, party, provider)
    report = {
        "kind": kind,
        "name": name,
        "slug": slug,
        "scope": scope_header(model),
        "profile": profile_for(model, party) if party is not None else None,
        "summary": scope_summary(model, party, provider),
        "requests": requests_tally(model, party, provider),
        "outside_audited_instruments": outside_audited(model, party, provider),
        "instruments": instrument_rows(model, party, provider),
        "response_times": [
            {k: _py(r.get(k)) for k in ("party", "provider", "instrument", "days", "count")}
            for r in response_times(model, party, provider)
        ],
        "deadlines": {str(k): _py(v) for k, v in sorted((model.get("deadlines") or {}).items())},
        "checks": results,
        "findings": findings,
    }
    return report


def scope_summary(model: dict, party: str | None = None, provider: str | None = None) -> dict:
    """:func:`compliance_summary` of a scope's check results and findings (computed once while
    memoized: shared, do not change it)."""
    return memo(model, ("scope_summary", party, provider),
                lambda: compliance_summary(check_results(model, party, provider),
                                           findings_records(model, party, provider)))


def run_summary(model: dict) -> dict:
    """Content of summary.json (stable key order).

    ``findings_total`` and ``findings_by_severity/party/provider`` count breach findings (not
    waived); ``findings_advisory`` / ``advisory_by_check`` the advisory ones (not waived);
    ``findings_waived`` every waived finding. Record counts and the compliance rate leave
    advisory records out (:func:`compliance_counts`). ``checks_not_evaluated`` and
    ``checks_error`` list the checks that did not give a result, with the reason, always (an
    empty list when every check ran): what ``--strict`` turns into exit code 5."""
    head = scope_header(model)
    findings = findings_records(model)
    results = check_results(model)
    outcomes = {o: 0 for o in OUTCOMES}
    for chk in model.get("checks", []) or []:
        o = _str(chk.get("outcome")) or "not_evaluated"
        outcomes[o] = outcomes.get(o, 0) + 1
    summ = compliance_summary(results, findings)
    breach = parts(findings).active_breach
    return {
        "run_id": head["run_id"],
        "tool_version": head["tool_version"],
        "pack": head["pack"],
        "pack_version": head["pack_version"],
        "packs": [{"name": p["name"], "version": p["version"]} for p in head["packs"]],
        "audited_instruments": head["audited_instruments"],
        "as_of": head["as_of"],
        "period": head["period"],
        "inputs": head["inputs"],
        "findings_total": summ["findings"],
        "findings_waived": summ["waived"],
        "findings_by_severity": summ["findings_by_severity"],
        "findings_by_party": _counts(breach, "party"),
        "findings_by_provider": _counts(breach, "provider"),
        "findings_advisory": summ["advisory"],
        "advisory_by_check": summ["advisory_by_check"],
        "check_outcomes": outcomes,
        "checks_not_evaluated": checks_with_outcome(model, "not_evaluated"),
        "checks_error": checks_with_outcome(model, "error"),
        "checks_advisory": summ["checks_advisory"],
        "records_evaluated": summ["records_evaluated"],
        "records_passed": summ["records_passed"],
        "records_failed": summ["records_failed"],
        "compliance_rate": summ["compliance_rate"],
        "outside_audited_instruments": outside_audited(model),
        "attestations": attestations(model),
    }


def checks_with_outcome(model: dict, outcome: str) -> list[dict]:
    """The checks of the run with this outcome (``not_evaluated``, ``error``), by id: id, pack
    and the reason the run stored."""
    rows = [{"id": _str(c.get("id")), "pack": _str(c.get("pack")) or None, "reason": _str(c.get("reason")) or None}
            for c in model.get("checks", []) or [] if (_str(c.get("outcome")) or "not_evaluated") == outcome]
    return sorted(rows, key=lambda r: r["id"])


ATTESTATION_FIELDS = ("id", "safeguard", "check", "party", "provider", "result", "status", "attested_by",
                      "evidence", "expires")


def attestations(model: dict) -> list[dict]:
    """Attestations recorded with the run (judgement-only safeguards), with their status on the
    audit date: ``pass``, ``fail`` or ``expired``."""
    rows = []
    for a in model.get("attestations", []) or []:
        rows.append({k: a.get(k) for k in ATTESTATION_FIELDS})
    return sorted(rows, key=lambda r: str(r["id"] or ""))
