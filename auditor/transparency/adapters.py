"""Adapters: one per published layout (current and older column names), all writing the same
normalised rows (``model.ROW_COLUMNS``) and quarantine rows (``model.QUARANTINE_COLUMNS``).

An adapter is picked by provider and by the file's header; a file that fits no adapter of the
provider raises :class:`InputError` naming the columns each adapter expects.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from auditor import iso
from auditor.errors import InputError, UsageError
from auditor.transparency.model import (
    NOT_A_PARTY,
    Period,
    Value,
    parse_period,
    parse_value,
)


@dataclass
class Parsed:
    """What an adapter read from one file."""

    adapter: str
    source_file: str
    rows_read: int = 0
    rows: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    #: source rows that produced at least one normalised row
    rows_stored: set[int] = field(default_factory=set)


class _Ctx:
    def __init__(self, parsed: Parsed, provider: str, side: str = "provider") -> None:
        self.p = parsed
        self.provider = provider
        self.side = side
        self.seen: set[tuple] = set()

    def quarantine(
        self, row_no: int, raw: dict, reason: str, detail: str, provider: str | None = None
    ) -> None:
        self.p.quarantine.append(
            {
                "provider": provider or self.provider,
                "adapter": self.p.adapter,
                "source_file": self.p.source_file,
                "source_row": row_no,
                "reason": reason,
                "detail": detail,
                "raw": json.dumps(raw, ensure_ascii=False),
            }
        )

    def duplicate(self, key: tuple) -> bool:
        if key in self.seen:
            return True
        self.seen.add(key)
        return False

    def emit(
        self,
        row_no: int,
        period: Period,
        party: str | None,
        country_label: str,
        process_published: str,
        process: str,
        metric: str,
        published_metric: str,
        v: Value,
        *,
        provider: str | None = None,
        authority: str | None = None,
        is_total: bool = False,
        note: str | None = None,
    ) -> None:
        notes = "; ".join(n for n in (v.note, note) if n) or None
        self.p.rows.append(
            {
                "provider": provider or self.provider,
                "side": self.side,
                "adapter": self.p.adapter,
                "source_file": self.p.source_file,
                "source_row": row_no,
                "period": period.label,
                "period_start": period.start,
                "period_end": period.end,
                "party": party,
                "country_label": country_label,
                "authority": authority,
                "process_published": process_published,
                "process": process,
                "metric": metric,
                "published_metric": published_metric,
                "value": v.value,
                "low": v.low,
                "high": v.high,
                "unknown_reason": v.unknown_reason,
                "is_total": is_total,
                "note": notes,
            }
        )
        self.p.rows_stored.add(row_no)


def _party(ctx: _Ctx, row_no: int, raw: dict, label: str, code: str | None = None) -> str | None:
    """ISO code from a CLDR/ISO code column or the label; quarantines and returns None otherwise."""
    if code and code.strip() and len(code.strip()) == 2 and code.strip().upper() in iso.codes():
        return code.strip().upper()
    got = iso.normalise(label) if label and label.strip() else None
    if got:
        return got
    if not (label or "").strip() or label.strip().lower() in NOT_A_PARTY:
        ctx.quarantine(row_no, raw, "not_a_party", f"country label {label!r} names no state")
    else:
        ctx.quarantine(
            row_no, raw, "unknown_country", f"country label {label!r} is not a known country name"
        )
    return None


def _period(ctx: _Ctx, row_no: int, raw: dict, text: str) -> Period | None:
    try:
        return parse_period(text)
    except ValueError:
        ctx.quarantine(row_no, raw, "bad_period", f"cannot read period {text!r}")
        return None


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    """Data rows with their line number in the file (header is line 1)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for i, row in enumerate(reader, start=2):
            yield i, {(k or "").strip(): (v if v is not None else "") for k, v in row.items()}


def _blank(raw: dict) -> bool:
    return all(not str(v).strip() for v in raw.values())


def _data_rows(path: Path, ctx: _Ctx, aliases: dict[str, str] | None = None,
               quarantine_blank: bool = True) -> Iterator[tuple[int, dict, dict]]:
    """(line number, row as read, row with ``aliases`` applied to its column names) of every data
    row, counted as read; with ``quarantine_blank`` an empty line is quarantined, not yielded."""
    for row_no, raw in _rows(path):
        ctx.p.rows_read += 1
        if quarantine_blank and _blank(raw):
            ctx.quarantine(row_no, raw, "blank_row", "empty line")
            continue
        yield row_no, raw, ({aliases.get(k, k): v for k, v in raw.items()} if aliases else raw)


# --------------------------------------------------------------------------------------------
# Microsoft Law Enforcement Requests Report (per country and section)

_MS_SECTIONS = {
    "criminal": "criminal",
    "civil": "civil",
    "emergencies": "emergency",
    "emergency": "emergency",
}
_MS_METRICS = {
    "requests": "requests",
    "accounts_specified": "accounts_specified",
    "disclosed_content": "content_disclosed",
    "disclosed_noncontent": "noncontent_disclosed",
    "no_data_found": "no_data",
    "rejected": "rejected",
}
# older / raw xlsx spellings of the same columns
_MS_ALIASES = {
    "Period": "period",
    "Section": "section",
    "Country": "country",
    "Country/Region": "country",
    "Number of Requests": "requests",
    "Total Requests": "requests",
    "Accounts/Users Specified": "accounts_specified",
    "Accounts Specified": "accounts_specified",
    "Disclosure of Content": "disclosed_content",
    "Content Disclosed": "disclosed_content",
    "Disclosure of Only Subscriber/Transactional Data": "disclosed_noncontent",
    "Non-Content Disclosed": "disclosed_noncontent",
    "No Data Found": "no_data_found",
    "Rejected Requests": "rejected",
    "Rejected": "rejected",
}


def _microsoft(path: Path, parsed: Parsed) -> None:
    ctx = _Ctx(parsed, "microsoft")
    for row_no, raw, r in _data_rows(path, ctx, aliases=_MS_ALIASES):
        period = _period(ctx, row_no, raw, r["period"])
        if period is None:
            continue
        section = r.get("section", "criminal").strip()
        process = _MS_SECTIONS.get(section.lower())
        if process is None:
            ctx.quarantine(row_no, raw, "unknown_process", f"section {section!r}")
            continue
        label = r["country"].strip()
        is_total = label.lower() in {"total", "totals", "grand total", "worldwide"}
        party = None if is_total else _party(ctx, row_no, raw, label)
        if party is None and not is_total:
            continue
        if ctx.duplicate((period.label, party, process, is_total)):
            ctx.quarantine(
                row_no, raw, "duplicate_row", f"{label} {section} {period.label} appears twice"
            )
            continue
        for col, metric in _MS_METRICS.items():
            if col in r:
                ctx.emit(
                    row_no,
                    period,
                    party,
                    label,
                    section,
                    process,
                    metric,
                    col,
                    parse_value(r[col]),
                    is_total=is_total,
                )


# --------------------------------------------------------------------------------------------
# Google Transparency Report, global requests for user information (current + pre-2019 headers)

_GOOGLE_PROCESS = {
    "all": "all",
    "other legal requests": "other_legal",
    "emergency disclosure requests": "emergency",
    "preservation requests": "preservation",
    "subpoenas": "subpoena",
    "subpoena": "subpoena",
    "search warrants": "search_warrant",
    "search warrant": "search_warrant",
    "other court orders": "court_order",
    "court orders": "court_order",
    "pen register orders": "pen_register",
    "wiretap orders": "wiretap",
    "requests for data of local subsidiary": "local_subsidiary",
    "police requests": "police",
}
_GOOGLE_ALIASES = {
    "Country": "Country/Region",
    "Percentage of requests where some data produced": "Percentage disclosed",
    "Users/Accounts Specified": "Accounts",
}


def _google(path: Path, parsed: Parsed) -> None:
    ctx = _Ctx(parsed, "google")
    for row_no, raw, r in _data_rows(path, ctx, aliases=_GOOGLE_ALIASES):
        period = _period(ctx, row_no, raw, r["Period Ending"])
        if period is None:
            continue
        label = r["Country/Region"].strip()
        party = _party(ctx, row_no, raw, label, r.get("CLDR Territory Code"))
        if party is None:
            continue
        lp = r["Legal Process"].strip()
        process = _GOOGLE_PROCESS.get(lp.lower())
        if process is None:
            ctx.quarantine(row_no, raw, "unknown_process", f"legal process {lp!r}")
            continue
        if ctx.duplicate((period.label, party, lp)):
            ctx.quarantine(
                row_no, raw, "duplicate_row", f"{label} {lp} {period.label} appears twice"
            )
            continue
        ctx.emit(
            row_no,
            period,
            party,
            label,
            lp,
            process,
            "requests",
            "User Data Requests",
            parse_value(r["User Data Requests"]),
        )
        # Google did not publish a percentage before 2010-H2 nor accounts before 2011; the current
        # file writes 0 there where the older edition left the cell blank.
        pct = parse_value(r["Percentage disclosed"])
        if period.end <= date(2010, 6, 30) and pct.known and pct.value == 0:
            pct = Value(unknown_reason="not published before 2010-H2 (file writes 0)")
        if process == "preservation" and not pct.known:
            pct = Value(unknown_reason="not published for preservation requests")
        ctx.emit(
            row_no, period, party, label, lp, process, "pct_disclosed", "Percentage disclosed", pct
        )
        acc = parse_value(r["Accounts"])
        if period.end.year <= 2010 and acc.known and acc.value == 0:
            acc = Value(unknown_reason="not published before 2011 (file writes 0)")
        ctx.emit(row_no, period, party, label, lp, process, "accounts_specified", "Accounts", acc)


# Google diplomatic legal requests (DLR): country of origin x assisting country
def _google_dlr(path: Path, parsed: Parsed) -> None:
    ctx = _Ctx(parsed, "google")
    for row_no, raw, _r in _data_rows(path, ctx):
        period = _period(ctx, row_no, raw, raw["Period Ending"])
        if period is None:
            continue
        label = raw["Country/Region of Origin"].strip()
        party = _party(ctx, row_no, raw, label, raw.get("CLDR Territory Code"))
        if party is None:
            continue
        assisting = raw["Assisting Country"].strip()
        published = f"Diplomatic Legal Request (assisting country: {assisting})"
        if ctx.duplicate((period.label, party, assisting)):
            ctx.quarantine(
                row_no,
                raw,
                "duplicate_row",
                f"{label} via {assisting} {period.label} appears twice",
            )
            continue
        note = "origin equals assisting country" if iso.normalise(assisting) == party else None
        ctx.emit(
            row_no,
            period,
            party,
            label,
            published,
            "diplomatic_legal",
            "requests",
            "User Data Diplomatic Legal requests",
            parse_value(raw["User Data Diplomatic Legal requests"]),
            note=note,
        )


# --------------------------------------------------------------------------------------------
# Apple Transparency Report (tidy per request type)

_APPLE_PROCESS = {
    "device": "device",
    "account": "account",
    "financial_identifier": "financial_identifier",
    "emergency": "emergency",
    "account_preservation": "preservation",
    "account_restriction_deletion": "account_restriction_deletion",
    "digital_content_provider": "digital_content_provider",
    "app_takedown_legal_violation": "app_takedown",
    "app_takedown_platform_policy": "app_takedown",
    "push_token": "push_token",
}
_APPLE_METRICS = {
    "requests_received": "requests",
    "items_specified": "accounts_specified",
    "requests_data_provided": "requests_disclosed",
    "pct_data_provided": "pct_disclosed",
    "requests_challenged_rejected": "rejected",
    "requests_no_data": "no_data",
    "content_provided": "content_disclosed",
    "noncontent_provided": "noncontent_disclosed",
    "accounts_preserved": "accounts_preserved",
    "accounts_restricted": "accounts_restricted",
    "accounts_deleted": "accounts_deleted",
    "requests_app_removed": "requests_app_removed",
    "apps_removed": "apps_removed",
    "appeals_received": "appeals_received",
    "appeals_granted": "appeals_granted",
    "apps_reinstated": "apps_reinstated",
}


def _apple(path: Path, parsed: Parsed) -> None:
    ctx = _Ctx(parsed, "apple")
    for row_no, raw, _r in _data_rows(path, ctx):
        period = _period(ctx, row_no, raw, raw["period"])
        if period is None:
            continue
        label = raw["country"].strip()
        party = _party(ctx, row_no, raw, label)
        if party is None:
            continue
        rt = raw["request_type"].strip()
        process = _APPLE_PROCESS.get(rt.lower())
        if process is None:
            ctx.quarantine(row_no, raw, "unknown_process", f"request type {rt!r}")
            continue
        if ctx.duplicate((period.label, party, rt)):
            ctx.quarantine(
                row_no, raw, "duplicate_row", f"{label} {rt} {period.label} appears twice"
            )
            continue
        for col, metric in _APPLE_METRICS.items():
            # Apple leaves a cell blank when the metric is not part of that request type's table:
            # no row, not an unknown (the figure was never published for that type).
            if col in raw and str(raw[col]).strip() != "":
                ctx.emit(
                    row_no, period, party, label, rt, process, metric, col, parse_value(raw[col])
                )


def _apple_ns(path: Path, parsed: Parsed) -> None:
    """Apple national security requests: banded (0-249) low/high columns."""
    ctx = _Ctx(parsed, "apple")
    for row_no, raw, _r in _data_rows(path, ctx, quarantine_blank=False):
        period = _period(ctx, row_no, raw, raw["period"])
        if period is None:
            continue
        label = raw["country"].strip()
        party = _party(ctx, row_no, raw, label)
        if party is None:
            continue
        ns = raw["ns_type"].strip()
        if ctx.duplicate((period.label, party, ns)):
            ctx.quarantine(
                row_no, raw, "duplicate_row", f"{label} {ns} {period.label} appears twice"
            )
            continue
        for metric, prefix in (("requests", "requests"), ("accounts_specified", "accounts")):
            v = parse_value(f"{raw[prefix + '_low']}-{raw[prefix + '_high']}")
            ctx.emit(
                row_no,
                period,
                party,
                label,
                ns,
                "national_security",
                metric,
                f"{prefix}_low/high",
                v,
            )


# --------------------------------------------------------------------------------------------
# GitHub transparency (github/transparency repository)


def _github_period(raw: dict) -> str:
    return f"{raw['year']}-H{raw['half']}" if raw.get("half", "").strip() else raw["year"]


def _github_cross_border(path: Path, parsed: Parsed) -> None:
    ctx = _Ctx(parsed, "github")
    for row_no, raw, _r in _data_rows(path, ctx, quarantine_blank=False):
        period = _period(ctx, row_no, raw, _github_period(raw))
        if period is None:
            continue
        label = raw["government"].strip()
        party = _party(ctx, row_no, raw, label, raw.get("government_iso2_code"))
        if party is None:
            continue
        if ctx.duplicate((period.label, party)):
            ctx.quarantine(row_no, raw, "duplicate_row", f"{label} {period.label} appears twice")
            continue
        ctx.emit(
            row_no,
            period,
            party,
            label,
            "cross-border request",
            "cross_border",
            "requests",
            "count",
            parse_value(raw["count"]),
        )


_GITHUB_TYPES = {
    "criminal or government agency subpoena": "subpoena",
    "criminal court order": "court_order",
    "cross-border request": "cross_border",
    "criminal search warrant": "search_warrant",
    "civil subpoena": "civil_subpoena",
    "civil court order": "court_order",
    "exigent circumstances": "emergency",
}


def _github_received(path: Path, parsed: Parsed) -> None:
    """Worldwide counts per request type (no Party: ``party`` is empty)."""
    ctx = _Ctx(parsed, "github")
    for row_no, raw, _r in _data_rows(path, ctx, quarantine_blank=False):
        period = _period(ctx, row_no, raw, _github_period(raw))
        if period is None:
            continue
        t = " ".join(
            raw["type"].split()
        )  # the file has 'cross-border request ' with a trailing blank
        process = _GITHUB_TYPES.get(t.lower())
        if process is None:
            ctx.quarantine(row_no, raw, "unknown_process", f"request type {raw['type']!r}")
            continue
        if ctx.duplicate((period.label, t.lower())):
            ctx.quarantine(row_no, raw, "duplicate_row", f"{t} {period.label} appears twice")
            continue
        ctx.emit(
            row_no,
            period,
            None,
            "(worldwide)",
            raw["type"],
            process,
            "requests",
            "count_requests_received",
            parse_value(raw["count_requests_received"]),
        )
        ctx.emit(
            row_no,
            period,
            None,
            "(worldwide)",
            raw["type"],
            process,
            "requests_disclosed",
            "count_disclosed",
            parse_value(raw["count_disclosed"]),
        )


# --------------------------------------------------------------------------------------------
# Hong Kong (ali-ce/datasets): provider-side multi-provider file and the government's own registers

_HK_TYPES = {
    "users' information disclosure": "user_data",
    "removal of content": "content_removal",
    "total": "total",
}


def _hk_type(
    ctx: _Ctx, row_no: int, raw: dict, text: str, provider: str | None = None
) -> str | None:
    t = _HK_TYPES.get(" ".join(text.split()).lower())
    if t is None:
        ctx.quarantine(row_no, raw, "unknown_process", f"type of request {text!r}", provider)
    return t


def _hk_company(path: Path, parsed: Parsed) -> None:
    """What seven providers published for Hong Kong, per year (provider taken from the row)."""
    ctx = _Ctx(parsed, "hongkong")
    for row_no, raw, _r in _data_rows(path, ctx, quarantine_blank=False):
        provider = raw["Service Provider"].strip().lower()
        period = _period(ctx, row_no, raw, raw["Year"])
        if period is None:
            continue
        tor = raw["Type of Request"].strip()
        process = _hk_type(ctx, row_no, raw, tor, provider)
        if process is None:
            continue
        if ctx.duplicate((provider, period.label, process)):
            ctx.quarantine(
                row_no, raw, "duplicate_row", f"{provider} {tor} {period.label} twice", provider
            )
            continue
        for col, metric in (
            ("Requests Submitted", "requests"),
            ("Requests with data disclosed", "requests_disclosed"),
            ("Compliance Rate", "pct_disclosed"),
            ("Users/Accounts Affected", "accounts_specified"),
            ("Items Removed", "items_removed"),
        ):
            text = raw.get(col, "").strip()
            if text == "":
                continue  # the dataset leaves a cell blank when the provider did not publish it
            v = parse_value(text)
            if v.known and v.value == 5.5:
                # the dataset encodes Twitter's published "<10" as the midpoint 5.5 (source note)
                v = Value(low=1.0, high=9.0, note="published as <10 (dataset encodes 5.5)")
            ctx.emit(
                row_no, period, "HK", "Hong Kong", tor, process, metric, col, v, provider=provider
            )


def _hk_year_totals(path: Path, parsed: Parsed) -> None:
    """Hong Kong government totals per year and type, with 'Total' rows (side = party)."""
    ctx = _Ctx(parsed, "*", side="party")
    for row_no, raw, _r in _data_rows(path, ctx, quarantine_blank=False):
        period = _period(ctx, row_no, raw, raw["Year"])
        if period is None:
            continue
        tor = raw["Type of Request"].strip()
        process = _hk_type(ctx, row_no, raw, tor)
        if process is None:
            continue
        if ctx.duplicate((period.label, process)):
            ctx.quarantine(row_no, raw, "duplicate_row", f"{tor} {period.label} appears twice")
            continue
        total = process == "total"
        for col, metric in (
            ("Requests Submitted", "requests"),
            ("Requests Accepted", "requests_disclosed"),
            ("Compliance Rate", "pct_disclosed"),
        ):
            ctx.emit(
                row_no,
                period,
                "HK",
                "Hong Kong",
                tor,
                process,
                metric,
                col,
                parse_value(raw[col]),
                authority="(all departments)",
                is_total=total,
            )


def _hk_requests(path: Path, parsed: Parsed) -> None:
    """Hong Kong government per department and year (side = party); many 'Cannot be provided'."""
    ctx = _Ctx(parsed, "*", side="party")
    prov_col = next((k for k in _header(path) if k.startswith("Names of service providers")), None)
    for row_no, raw, _r in _data_rows(path, ctx, quarantine_blank=False):
        start = raw["Date Request Initiated"].strip()
        end = raw["Date Request Ends"].strip() or start
        p0 = _period(ctx, row_no, raw, start)
        if p0 is None:
            continue
        note = None
        period = p0
        if not parse_value(end).known:
            note = f"end year {parse_value(end).unknown_reason}"
        elif end != start:
            p1 = _period(ctx, row_no, raw, end)
            if p1 is None:
                continue
            period = Period(f"{p0.label}/{p1.label}", p0.start, p1.end)
            note = f"requests initiated in {p0.label}, ending in {p1.label}"
        tor = raw["Request Type"].strip()
        process = _hk_type(ctx, row_no, raw, tor)
        if process is None:
            continue
        dept = raw["Government department"].strip()
        if ctx.duplicate((period.label, dept, process)):
            ctx.quarantine(
                row_no, raw, "duplicate_row", f"{dept} {tor} {period.label} appears twice"
            )
            continue
        providers = raw.get(prov_col, "").strip() if prov_col else ""
        pnote = (
            "; ".join(
                n for n in (note, f"providers named: {providers}" if providers else None) if n
            )
            or None
        )
        for col, metric in (
            ("Requests Submitted", "requests"),
            ("Requests Accepted", "requests_disclosed"),
            ("Compliance Rate", "pct_disclosed"),
            ("Users Affected", "accounts_specified"),
        ):
            ctx.emit(
                row_no,
                period,
                "HK",
                "Hong Kong",
                tor,
                process,
                metric,
                col,
                parse_value(raw[col]),
                authority=dept,
                note=pnote,
            )


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adapter:
    name: str
    provider: str
    #: any one of these column sets identifies the layout (current, older names)
    signatures: tuple[frozenset[str], ...]
    read: Callable[[Path, Parsed], None]
    description: str


def _sig(*cols: str) -> frozenset[str]:
    return frozenset(cols)


ADAPTERS: tuple[Adapter, ...] = (
    Adapter(
        "microsoft_lerr",
        "microsoft",
        (
            _sig(
                "period",
                "section",
                "country",
                "requests",
                "accounts_specified",
                "disclosed_content",
                "disclosed_noncontent",
                "no_data_found",
                "rejected",
            ),
            _sig(
                "Period",
                "Section",
                "Country",
                "Number of Requests",
                "Accounts/Users Specified",
                "Disclosure of Content",
                "Disclosure of Only Subscriber/Transactional Data",
                "No Data Found",
                "Rejected Requests",
            ),
        ),
        _microsoft,
        "Law Enforcement Requests Report per country and section",
    ),
    Adapter(
        "google_user_data",
        "google",
        (
            _sig(
                "Period Ending",
                "Country/Region",
                "Legal Process",
                "User Data Requests",
                "Percentage disclosed",
                "Accounts",
            ),
            _sig(
                "Period Ending",
                "Country",
                "Legal Process",
                "User Data Requests",
                "Percentage of requests where some data produced",
                "Users/Accounts Specified",
            ),
        ),
        _google,
        "Global requests for user information (current and pre-2019 headers)",
    ),
    Adapter(
        "google_dlr",
        "google",
        (
            _sig(
                "Period Ending",
                "Country/Region of Origin",
                "Assisting Country",
                "User Data Diplomatic Legal requests",
            ),
        ),
        _google_dlr,
        "Diplomatic legal requests by origin and assisting country",
    ),
    Adapter(
        "apple_government",
        "apple",
        (_sig("period", "country", "request_type", "requests_received"),),
        _apple,
        "Government requests per request type (tidy)",
    ),
    Adapter(
        "apple_national_security",
        "apple",
        (
            _sig(
                "period",
                "country",
                "ns_type",
                "requests_low",
                "requests_high",
                "accounts_low",
                "accounts_high",
            ),
        ),
        _apple_ns,
        "National security requests in bands",
    ),
    Adapter(
        "github_cross_border",
        "github",
        (_sig("year", "government", "government_iso2_code", "count"),),
        _github_cross_border,
        "Cross-border requests per government (year or half)",
    ),
    Adapter(
        "github_received_disclosed",
        "github",
        (_sig("year", "type", "count_requests_received", "count_disclosed"),),
        _github_received,
        "Requests received and disclosed per type, worldwide",
    ),
    Adapter(
        "hongkong_company",
        "hongkong",
        (
            _sig(
                "Service Provider",
                "Type of Request",
                "Year",
                "Requests Submitted",
                "Requests with data disclosed",
            ),
        ),
        _hk_company,
        "Providers' published Hong Kong figures per year (multi-provider)",
    ),
    Adapter(
        "hongkong_gov_year_totals",
        "hongkong-government",
        (
            _sig(
                "Date Request Initiated",
                "Year",
                "Type of Request",
                "Requests Submitted",
                "Requests Accepted",
            ),
        ),
        _hk_year_totals,
        "Hong Kong government totals per year (Party-side register)",
    ),
    Adapter(
        "hongkong_gov_requests",
        "hongkong-government",
        (
            _sig(
                "Government department",
                "Request Type",
                "Date Request Initiated",
                "Date Request Ends",
                "Requests Submitted",
                "Requests Accepted",
                "Users Affected",
            ),
        ),
        _hk_requests,
        "Hong Kong government requests per department (Party-side register)",
    ),
)

PROVIDERS = tuple(dict.fromkeys(a.provider for a in ADAPTERS))
#: when a Party-side register is imported from several files, reconcile uses the first listed
REGISTER_PRIORITY = ("hongkong_gov_year_totals", "hongkong_gov_requests")


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = next(csv.reader(fh), [])
    return [c.strip() for c in first]


def pick_adapter(path: Path, provider: str) -> Adapter:
    """The adapter of ``provider`` whose column signature the file's header contains."""
    provider = provider.lower()
    candidates = [a for a in ADAPTERS if a.provider == provider]
    if not candidates:
        raise UsageError(
            f"no transparency adapter for provider {provider!r}",
            hint=f"use one of: {', '.join(PROVIDERS)}",
        )
    if not path.is_file():
        raise InputError(f"{path}: no such file", file=str(path))
    try:
        header = set(_header(path))
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not a UTF-8 CSV file", file=str(path)) from None
    for a in candidates:
        if any(sig <= header for sig in a.signatures):
            return a
    expected = " | ".join(
        f"{a.name}: {', '.join(sorted(sig))}" for a in candidates for sig in a.signatures
    )
    raise InputError(
        f"{path.name} fits no {provider} adapter; it has columns {sorted(header)}",
        hint=f"expected the columns of one layout: {expected}",
        file=str(path),
    )


def read_file(path: str | Path, provider: str) -> Parsed:
    path = Path(path)
    adapter = pick_adapter(path, provider)
    parsed = Parsed(adapter=adapter.name, source_file=path.name)
    adapter.read(path, parsed)
    return parsed


def guess_provider(path: str | Path) -> str | None:
    """Provider whose adapter fits this file (used by tests walking realdata); None if none fits."""
    path = Path(path)
    name = path.name.lower()
    for provider in PROVIDERS:
        stem = re.sub(r"[^a-z]", "", provider)
        if provider == "hongkong-government" and not name.startswith("hongkong"):
            continue
        if provider != "hongkong-government" and not name.startswith(stem):
            continue
        try:
            pick_adapter(path, provider)
        except (InputError, UsageError):
            continue
        return provider
    return None
