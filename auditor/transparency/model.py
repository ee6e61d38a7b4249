"""The normalised transparency table: vocabularies, periods and published values.

One normalised row is one published figure: provider x period x Party x legal process x metric,
with an exact ``value`` or an interval ``low``..``high`` (banded figures, "<10"), or an explicit
unknown (``unknown_reason``), and the source file and row it was read from.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

#: normalised metric names (what a published figure counts)
METRICS = (
    "requests",
    "accounts_specified",
    "requests_disclosed",
    "pct_disclosed",
    "content_disclosed",
    "noncontent_disclosed",
    "no_data",
    "rejected",
    "accounts_preserved",
    "accounts_restricted",
    "accounts_deleted",
    "requests_app_removed",
    "apps_removed",
    "appeals_received",
    "appeals_granted",
    "apps_reinstated",
    "items_removed",
)

#: normalised legal-process names
PROCESSES = (
    "all",
    "criminal",
    "civil",
    "emergency",
    "preservation",
    "other_legal",
    "subpoena",
    "civil_subpoena",
    "search_warrant",
    "court_order",
    "pen_register",
    "wiretap",
    "local_subsidiary",
    "police",
    "cross_border",
    "diplomatic_legal",
    "national_security",
    "device",
    "account",
    "financial_identifier",
    "push_token",
    "account_restriction_deletion",
    "digital_content_provider",
    "app_takedown",
    "user_data",
    "content_removal",
    "total",
)

#: why a whole source row was quarantined. Every reason is "explained" (a known property of the
#: published file) except ``unknown_country``, ``bad_period``, ``unknown_process`` and
#: ``duplicate_row``, which mean the adapter met something it was not built for.
EXPLAINED_REASONS = {
    "not_a_party": (
        "the row is attributed to no state (e.g. 'United Nations', 'To Be Determined', 'N/A')"
    ),
    "blank_row": "the row carries no label and no value",
}
UNEXPLAINED_REASONS = {
    "unknown_country": "country label not in the ISO table or its aliases (never guessed)",
    "bad_period": "period cannot be read",
    "unknown_process": "legal-process label not known to the adapter",
    "duplicate_row": "same provider, period, Party, process as an earlier row of the same file",
}
QUARANTINE_REASONS = {**EXPLAINED_REASONS, **UNEXPLAINED_REASONS}

#: labels that name no state: rows quarantined as ``not_a_party``
NOT_A_PARTY = {"united nations", "to be determined", "n/a", "na", "unknown", "other", "tbd"}

#: textual "cannot be read" values: explicit unknowns, never zeros
UNKNOWN_TOKENS = {
    "cannot be provided": "published as 'Cannot be provided'",
    "not available": "published as 'Not Available'",
    "na": "published as 'NA'",
    "n/a": "published as 'N/A'",
    "-": "published as '-'",
    "–": "published as '-'",
    "—": "published as '-'",
    "not applicable": "published as 'Not applicable'",
}

ROW_COLUMNS = (
    "provider",
    "side",
    "adapter",
    "source_file",
    "source_row",
    "period",
    "period_start",
    "period_end",
    "party",
    "country_label",
    "authority",
    "process_published",
    "process",
    "metric",
    "published_metric",
    "value",
    "low",
    "high",
    "unknown_reason",
    "is_total",
    "note",
)
QUARANTINE_COLUMNS = ("provider", "adapter", "source_file", "source_row", "reason", "detail", "raw")


@dataclass(frozen=True)
class Period:
    label: str  # "2025-H1" or "2013"
    start: date
    end: date


def half(year: int, h: int) -> Period:
    if h == 1:
        return Period(f"{year}-H1", date(year, 1, 1), date(year, 6, 30))
    if h == 2:
        return Period(f"{year}-H2", date(year, 7, 1), date(year, 12, 31))
    raise ValueError(f"half must be 1 or 2, not {h}")


def year_period(year: int) -> Period:
    return Period(str(year), date(year, 1, 1), date(year, 12, 31))


_HALF = re.compile(r"^\s*(\d{4})\s*[- ]?\s*H([12])\s*$", re.I)
_ENDING = re.compile(r"^\s*(\d{4})-(06-30|12-31)\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


def parse_period(text: str) -> Period:
    """'2025-H1', '2013 H1', '2013H2', a period-ending date 2009-12-31 / 2010-06-30, or a year."""
    t = str(text)
    if m := _HALF.match(t):
        return half(int(m.group(1)), int(m.group(2)))
    if m := _ENDING.match(t):
        return half(int(m.group(1)), 1 if m.group(2) == "06-30" else 2)
    if m := _YEAR.match(t):
        return year_period(int(m.group(1)))
    raise ValueError(f"cannot read period {text!r}")


@dataclass(frozen=True)
class Value:
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unknown_reason: str | None = None
    note: str | None = None

    @property
    def known(self) -> bool:
        return self.unknown_reason is None


_RANGE = re.compile(r"^\s*(\d[\d,]*)\s*[-–]\s*(\d[\d,]*)\s*$")
_LESS = re.compile(r"^\s*<\s*(\d[\d,]*)\s*$")
_NUM = re.compile(r"^\s*-?\d[\d,]*(\.\d+)?\s*%?\s*$|^\s*-?\.\d+\s*%?\s*$")


def parse_value(raw: object) -> Value:
    """A published cell: number, '1,234', '69.8%', band '0-249', '<10', or an explicit unknown."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return Value(unknown_reason="blank")
    text = str(raw).strip()
    if text == "":
        return Value(unknown_reason="blank")
    low = text.lower()
    if low in UNKNOWN_TOKENS:
        return Value(unknown_reason=UNKNOWN_TOKENS[low])
    if m := _RANGE.match(text):
        a, b = float(m.group(1).replace(",", "")), float(m.group(2).replace(",", ""))
        return Value(low=min(a, b), high=max(a, b), note=f"banded figure {text}")
    if m := _LESS.match(text):
        n = float(m.group(1).replace(",", ""))
        return Value(low=1.0, high=n - 1, note=f"published as {text}")
    if _NUM.match(text):
        return exact(float(text.replace(",", "").replace("%", "").strip()))
    return Value(unknown_reason=f"unreadable value {text!r}")


def exact(v: float) -> Value:
    return Value(value=v, low=v, high=v)


def pct_bounds(pct: float, n: float, decimals: int = 0) -> tuple[int, int]:
    """Bounds on the count k (0 <= k <= n) behind a published percentage of n.

    Providers round or truncate, so k/n*100 is accepted anywhere within one unit of the last
    published decimal either side (e.g. 29 % of 7 requests bounds the count to 2..2, 0 % of 250
    to 0..2). An empty interval (low > high, e.g. 33 % of 7) means the percentage fits no count.
    """
    if n <= 0:
        return (0, 0)
    unit = 10.0 ** (-decimals)
    lo = math.ceil((pct - unit) / 100.0 * n - 1e-9)
    hi = math.floor((pct + unit) / 100.0 * n + 1e-9)
    return (max(0, lo), min(int(n), hi))
