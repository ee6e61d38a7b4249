"""The audit context handed to every check: the data, the audit date and the pack parameters.
Checks never read the clock; ``as_of`` is always passed in.

Each check sees only the requests of the instruments it governs (``Check.scope``), with their
disclosures and custody events: the runner hands it ``ctx.scoped(check.scope)``. CETS 224
Art. 14(1)(a) governs only data a Party "receives under this Protocol", so an Art. 14 check must
never see an EU order or a mutual-assistance request; an EU check never sees a CETS request. A
check that must look up a request *linked* to one of its own (an Art. 7 order escalated under
Art. 8 or mutual assistance) asks for it explicitly with ``linked_requests`` / ``follow_ups``;
such rows are evidence about the in-scope request, never judged themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from auditor.ingest.schema import DATA_CATEGORIES, INSTRUMENTS, TABLES

#: scoped contexts kept per context (checks are run grouped by scope, so two suffice)
_SCOPED_KEEP = 2


def category_flags(sets: pd.Series, prefix: str) -> pd.DataFrame:
    """Boolean column per data category from a ';'-joined set column (NA stays NA)."""
    out = {}
    padded = ";" + sets.astype("string") + ";"
    for cat in DATA_CATEGORIES:
        out[f"{prefix}{cat}"] = padded.str.contains(f";{cat};", regex=False).astype("boolean")
    return pd.DataFrame(out, index=sets.index)


@dataclass
class AuditContext:
    as_of: pd.Timestamp
    tables: dict[str, pd.DataFrame]
    params: dict[str, Any]
    profiles: pd.DataFrame  # indexed by party (see engine.profiles.merge_profiles)
    #: columns present in the input files, per table (absent column => check not evaluated)
    present: dict[str, set[str]] = field(default_factory=dict)
    #: requests known on the audit date but outside the audited period (``engine.period``):
    #: found by ``linked_requests`` / ``follow_ups`` as evidence, never judged or counted
    evidence: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None:
            self.as_of = self.as_of.tz_localize("UTC")
        self._cache: dict[str, Any] = {}
        self._scoped: dict[tuple, AuditContext] = {}
        self._root: AuditContext = self  # the unscoped context this one was cut from
        for name in self.tables:
            self.present.setdefault(name, set(TABLES[name].names) if name in TABLES else set())

    # ---- instrument scope -------------------------------------------------------------------
    def _instrument_codes(self, table: str) -> np.ndarray:
        """Per row of ``table``: the position in ``schema.INSTRUMENTS`` of its request's
        instrument (-1 when the request is unknown), computed once per context."""
        key = f"_codes_{table}"
        if key not in self._cache:
            req = self.tables["requests"]
            codes = pd.Categorical(req["instrument"].astype("object"), categories=list(INSTRUMENTS)).codes
            codes = np.asarray(codes, dtype=np.int64)
            if table == "requests":
                self._cache[key] = codes
            else:
                from auditor.ingest.normalise import index_in  # noqa: PLC0415

                pos = index_in(self.tables[table]["request_id"], self._request_keys())
                self._cache[key] = np.where(pos >= 0, codes[np.maximum(pos, 0)] if len(codes) else -1, -1)
        return self._cache[key]

    def _request_keys(self):
        if "_request_keys" not in self._cache:
            from auditor.ingest.normalise import arrow_text  # noqa: PLC0415

            self._cache["_request_keys"] = arrow_text(self.tables["requests"]["request_id"])
        return self._cache["_request_keys"]

    def scoped(self, instruments: tuple[str, ...] | list[str]) -> AuditContext:
        """This context restricted to the requests of ``instruments`` and their disclosures and
        custody events (the context itself when every request is of those instruments)."""
        key = ("scoped", tuple(sorted(instruments)))
        cached = self._scoped.get(key)
        if cached is not None:
            return cached
        wanted = np.array([INSTRUMENTS.index(i) for i in instruments if i in INSTRUMENTS], dtype=np.int64)
        masks = {name: np.isin(self._instrument_codes(name), wanted)
                 for name in ("requests", "disclosures", "custody_events") if name in self.tables}
        if all(m.all() for m in masks.values()):
            return self
        tables = dict(self.tables)
        for name, mask in masks.items():
            tables[name] = self.tables[name][mask]
        child = AuditContext(as_of=self.as_of, tables=tables, params=self.params, profiles=self.profiles,
                             present=self.present)
        child._root = self._root
        for name in ("requests", "disclosures"):  # category flags computed once, on the whole
            if name in self._cache and name in masks:
                child._cache[name] = self._cache[name][masks[name]]
        while len(self._scoped) >= _SCOPED_KEEP:
            self._scoped.pop(next(iter(self._scoped)))
        self._scoped[key] = child
        return child

    def in_scope_ids(self):
        """The request ids of this context as an Arrow array (for ``normalise.index_in``)."""
        return self._request_keys()

    def linked_requests(self, ids: pd.Series) -> pd.DataFrame:
        """The requests (of any instrument, with ``req_*`` flags) whose request_id is among
        ``ids``: to look up what an in-scope request links to, never to judge them."""
        return self._root._requests_with("request_id", ids)

    def follow_ups(self, ids: pd.Series) -> pd.DataFrame:
        """The requests (of any instrument) whose linked_request_id is among ``ids``: evidence
        about what followed an in-scope request, never judged themselves."""
        return self._root._requests_with("linked_request_id", ids)

    def _requests_with(self, column: str, ids: pd.Series) -> pd.DataFrame:
        from auditor.ingest.normalise import arrow_text, index_in  # noqa: PLC0415

        every = self._lookup_requests()
        wanted = pd.Series(ids).dropna().astype("string").unique()
        if len(wanted) == 0 or every.empty:
            return every.iloc[:0]
        return every[index_in(every[column], arrow_text(pd.Series(wanted, dtype="string"))) >= 0]

    def _lookup_requests(self) -> pd.DataFrame:
        """The requests a linked look-up may find: this context's and the evidence rows (their
        indexes are disjoint: both are cut from one loaded table)."""
        if self.evidence is None or self.evidence.empty:
            return self.requests
        if "_lookup_requests" not in self._cache:
            ev = self.evidence
            ev = pd.concat([ev, category_flags(ev["data_requested"], "req_")], axis=1)
            own = self.requests
            self._cache["_lookup_requests"] = ev if own.empty else pd.concat([own, ev])
        return self._cache["_lookup_requests"]

    def has(self, table: str) -> bool:
        return table in self.tables

    @property
    def requests(self) -> pd.DataFrame:
        """Requests with ``req_<category>`` boolean columns added once."""
        if "requests" not in self._cache:
            r = self.tables["requests"]
            self._cache["requests"] = pd.concat([r, category_flags(r["data_requested"], "req_")], axis=1)
        return self._cache["requests"]

    @property
    def disclosures(self) -> pd.DataFrame:
        if "disclosures" not in self._cache:
            d = self.tables["disclosures"]
            self._cache["disclosures"] = pd.concat([d, category_flags(d["data_disclosed"], "dis_")], axis=1)
        return self._cache["disclosures"]

    @property
    def custody_events(self) -> pd.DataFrame:
        return self.tables["custody_events"]

    def param(self, name: str) -> Any:
        return self.params[name]

    def memo(self, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """``compute()`` (a frame that depends only on this context: its tables, as-of date and
        parameters) computed once per context and shared by the checks that ask for it under
        ``key``; each caller gets its own shallow copy (copy-on-write: a check that adds or
        changes a column changes only its copy)."""
        full = ("memo", *key)
        if full not in self._cache:
            self._cache[full] = compute()
        return self._cache[full].copy(deep=False)

    def profile(self, parties: pd.Series, field_name: str) -> pd.Series:
        """The profile value of ``field_name`` for each Party in ``parties`` (NA when unknown)."""
        values = self.profiles[field_name] if field_name in self.profiles else pd.Series(dtype=object)
        return parties.map(values).astype(values.dtype) if len(values) else pd.Series(
            pd.NA, index=parties.index
        )
