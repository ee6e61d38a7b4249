"""The audit context handed to every check: the data, the audit date and the pack parameters.
Checks never read the clock; ``as_of`` is always passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from auditor.ingest.schema import DATA_CATEGORIES, TABLES


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

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None:
            self.as_of = self.as_of.tz_localize("UTC")
        self._cache: dict[str, pd.DataFrame] = {}
        for name in self.tables:
            self.present.setdefault(name, set(TABLES[name].names) if name in TABLES else set())

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

    def profile(self, parties: pd.Series, field_name: str) -> pd.Series:
        """The profile value of ``field_name`` for each Party in ``parties`` (NA when unknown)."""
        values = self.profiles[field_name] if field_name in self.profiles else pd.Series(dtype=object)
        return parties.map(values).astype(values.dtype) if len(values) else pd.Series(
            pd.NA, index=parties.index
        )
