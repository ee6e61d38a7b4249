"""Comparisons and trends for the reports (pure data, no rendering).

- compliance rate per family, Party x family heat map, ranking, all-Party median;
- findings per period (month or quarter);
- new / resolved / persisting findings against the previous run (``model["diff"]``).

Disclosure control for ``--publish`` is :mod:`reports.publication` (and :mod:`reports.disclosure`).
"""

from __future__ import annotations

import datetime
import functools
import re
import statistics
from typing import Any

import numpy as np
import pandas as pd

from . import aggregate


def _s(v: Any) -> str:
    return "" if v is None else str(v)


# ---------------------------------------------------------------- periods


def granularity(model: dict) -> str:
    """"month" when the audited period spans at most 12 months, else "quarter"."""
    period = (model.get("run") or {}).get("period") or {}
    lo, hi = period.get("from"), period.get("to")
    if not lo or not hi:
        return "quarter"
    a, b = pd.Timestamp(lo), pd.Timestamp(hi)
    months = (b.year - a.year) * 12 + (b.month - a.month) + 1
    return "month" if months <= 12 else "quarter"


def period_label(issued_at: Any, gran: str) -> str:
    """"2025-03" (month) or "2025-Q1" (quarter) of an ISO timestamp; "" when unknown."""
    if not issued_at:
        return ""
    if isinstance(issued_at, str):  # the usual case: parse each distinct timestamp once
        return _period_label_str(issued_at, gran)
    return _period_label(issued_at, gran)


@functools.lru_cache(maxsize=1 << 17)
def _period_label_str(issued_at: str, gran: str) -> str:
    if _ISO_UTC.fullmatch(issued_at) and _valid_day(issued_at[:10]):
        # the stored form (auditor.records.iso_utc, "2025-05-26T02:00:05Z"): its period is in
        # its first seven characters; parsing each of a million distinct timestamps cost seconds
        month = int(issued_at[5:7])
        return issued_at[:7] if gran == "month" else f"{issued_at[:4]}-Q{(month - 1) // 3 + 1}"
    return _period_label(issued_at, gran)


#: ISO 8601 UTC as the report model writes timestamps (hours, minutes and seconds in range)
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z")


@functools.lru_cache(maxsize=1 << 12)
def _valid_day(day: str) -> bool:
    """True for a real calendar day ("2025-02-28"; not "2025-02-30") of years 1-9999."""
    try:
        datetime.date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _period_label(issued_at: Any, gran: str) -> str:
    try:
        ts = pd.Timestamp(issued_at)
    except (ValueError, TypeError):
        return ""
    if gran == "month":
        return f"{ts.year:04d}-{ts.month:02d}"
    return f"{ts.year:04d}-Q{(ts.month - 1) // 3 + 1}"


def partial_period(model: dict, gran: str | None = None) -> str | None:
    """The label of the run's last period ("2026-Q3") when it is partial, else None.

    A period is partial when the audit date or the data's last day (``run.period.to``) falls
    before its end: its counts cover only part of it, so a trend chart that draws it like the
    others shows a drop that is only the calendar. The earlier of the two dates decides."""
    run = model.get("run") or {}
    gran = gran or granularity(model)
    dates = []
    for value in (run.get("as_of"), (run.get("period") or {}).get("to")):
        try:
            ts = pd.Timestamp(value) if value else None
        except (ValueError, TypeError):
            ts = None
        if ts is not None and not pd.isna(ts):
            dates.append(ts.tz_localize(None) if ts.tzinfo is not None else ts)
    if not dates:
        return None
    cut = min(dates).normalize()
    offset = {"month": pd.offsets.MonthEnd(0), "year": pd.offsets.YearEnd(0)}.get(gran, pd.offsets.QuarterEnd(0))
    return period_label(cut, gran) if cut < cut + offset else None


def trend(findings: list[dict], key: str | None, gran: str) -> dict[str, dict[str, int]]:
    """{series: {period: findings}}; series is the value of ``key`` (or "all" when None).

    Waived findings are not counted. Periods are sorted; every series has every period.
    """
    counts: dict[str, dict[str, int]] = {}
    periods: set[str] = set()
    for f in findings:
        if f.get("waived"):
            continue
        p = period_label(f.get("issued_at"), gran)
        if not p:
            continue
        periods.add(p)
        series = _s(f.get(key)) if key else "all"
        counts.setdefault(series or "(none)", {})
        counts[series or "(none)"][p] = counts[series or "(none)"].get(p, 0) + 1
    ordered = sorted(periods)
    return {s: {p: counts[s].get(p, 0) for p in ordered} for s in sorted(counts)}


def trend_table(findings: list[dict], gran: str) -> dict[tuple[str, str, str], int]:
    """{(Party, provider, period): findings} of ``findings`` not waived, in one pass: the counts
    :func:`trend_of` gives every page's trends from (the same as :func:`trend` of the page's
    findings)."""
    known = aggregate.columns_of(findings, "party", "provider")
    if known is not None:  # a shared list of the run's records: counted from its columns
        return _trend_columns(*known, gran)
    labels: dict[str, str] = {}  # issued_at text -> its period (each distinct timestamp once)
    table: dict[tuple[str, str, str], int] = {}
    for f in findings:
        if f.get("waived"):
            continue
        at = f.get("issued_at")
        if at.__class__ is str:
            p = labels.get(at)
            if p is None:
                p = labels[at] = period_label(at, gran)
        else:
            p = period_label(at, gran)
        if not p:
            continue
        key = (_s(f.get("party")), _s(f.get("provider")), p)
        table[key] = table.get(key, 0) + 1
    return table


def _trend_columns(cols: Any, rows: Any, gran: str) -> dict[tuple[str, str, str], int]:
    """:func:`trend_table` of the records at ``rows`` of the run's columns (``aggregate._Columns``)."""

    rows = rows[~cols.mask("waived")[rows]]
    party, party_names = cols.named("party", _s)
    provider, provider_names = cols.named("provider", _s)
    period, period_names = cols.derived(("period", gran), lambda: period_codes(cols.values("issued_at"), gran))
    rows = rows[np.array([bool(p) for p in period_names], dtype=bool)[period[rows]]]  # no period: left out
    n_provider, n_period = len(provider_names), len(period_names)
    combined = (party[rows].astype(np.int64) * n_provider + provider[rows]) * n_period + period[rows]
    present, first, counts = np.unique(combined, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # first met first, as one pass would add them
    table: dict[tuple[str, str, str], int] = {}
    for code, n in zip(present[order].tolist(), counts[order].tolist(), strict=True):
        rest, p = divmod(code, n_period)
        pa, pr = divmod(rest, n_provider)
        table[(party_names[pa], provider_names[pr], period_names[p])] = n
    return table


#: _ISO_UTC for pyarrow's RE2 (``\d`` is ASCII there; a stamp with other digits goes the Python way)
_ISO_UTC_ARROW = "^" + _ISO_UTC.pattern + "$"


def period_codes(values: list, gran: str) -> tuple[Any, list[str]]:
    """(code of each value's :func:`period_label`, the labels by code), the same as calling it on
    each value: ISO UTC stamps (the stored form) are matched, sliced and encoded with pyarrow, a
    distinct day checked once; anything else (None, other forms, other digits) goes through
    :func:`period_label` once per distinct value."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    names: dict[str, int] = {}
    codes = np.empty(len(values), dtype=np.int32)
    try:
        arr = pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: each distinct value the Python way
        arr = None
    if arr is not None and len(arr):
        iso = pc.fill_null(pc.match_substring_regex(arr, _ISO_UTC_ARROW), False).to_numpy(zero_copy_only=False)
        days = pc.dictionary_encode(pc.utf8_slice_codeunits(arr, 0, 10))
        valid = np.array([bool(d) and _valid_day(d) for d in days.dictionary.to_pylist()] or [False], dtype=bool)
        ok = iso & valid[pc.fill_null(days.indices, 0).to_numpy(zero_copy_only=False)]
        months = pc.dictionary_encode(pc.utf8_slice_codeunits(arr, 0, 7))
        month = pc.fill_null(months.indices, 0).to_numpy(zero_copy_only=False)[ok]
        listed = months.dictionary.to_pylist()
        label_of = np.zeros(len(listed), dtype=np.int32)
        for m in np.unique(month).tolist():  # the period of a stamp is its first seven characters'
            label_of[m] = names.setdefault(_period_label_str(f"{listed[m]}-01T00:00:00Z", gran), len(names))
        codes[ok] = label_of[month]
        rest = np.flatnonzero(~ok).tolist()
    else:
        rest = range(len(values))
    other: dict[str, int] = {}  # text once per distinct value; anything else each time (1 == True)
    for i in rest:
        v = values[i]
        code = other.get(v) if v.__class__ is str else None
        if code is None:
            code = names.setdefault(period_label(v, gran), len(names))
            if v.__class__ is str:
                other[v] = code
        codes[i] = code
    return codes, list(names)


def trend_of(table: dict[tuple[str, str, str], int], key: str | None, party: str | None = None,
             provider: str | None = None) -> dict[str, dict[str, int]]:
    """:func:`trend` (``key`` None, "party" or "provider") of the findings of one Party and/or
    provider (None: all) counted in ``table`` (:func:`trend_table`)."""
    counts: dict[str, dict[str, int]] = {}
    periods: set[str] = set()
    for (pa, pr, p), n in table.items():
        if (party is not None and pa != party) or (provider is not None and pr != provider):
            continue
        periods.add(p)
        series = (pa if key == "party" else pr if key == "provider" else "all") or "(none)"
        row = counts.setdefault(series, {})
        row[p] = row.get(p, 0) + n
    ordered = sorted(periods)
    return {s: {p: counts[s].get(p, 0) for p in ordered} for s in sorted(counts)}


# ---------------------------------------------------------------- compliance by family


def _family_of(model: dict) -> dict[str, str]:
    return {_s(c.get("id")): _s(c.get("family")) for c in model.get("checks", []) or []}


def family_rates(model: dict, party: str | None = None, provider: str | None = None) -> list[dict]:
    """[{family, evaluated, passed, failed, rate}] per family (record level), family order.

    Compliance counts: advisory records are left out (``aggregate.compliance_counts``)."""
    return aggregate.memo(model, ("family_rates", party, provider), lambda: _family_rates(model, party, provider))


def _family_rates(model: dict, party: str | None, provider: str | None) -> list[dict]:
    df = aggregate._scope_frame(model)
    if party is not None:
        df = df[df["party"] == party]
    if provider is not None:
        df = df[df["provider"] == provider]
    fam = _family_of(model)
    df = df[df["kind"] != "advisory"]  # an advisory check's records are in no compliance figure
    df = df.assign(family=df["check_id"].map(fam).fillna(""))
    sums = df.groupby("family")[["rec_evaluated", "rec_passed", "rec_failed"]].sum().sort_index()
    return [
        {"family": str(f), "evaluated": int(r["rec_evaluated"]), "passed": int(r["rec_passed"]),
         "failed": int(r["rec_failed"]), "rate": aggregate._rate(int(r["rec_passed"]), int(r["rec_evaluated"]))}
        for f, r in sums.iterrows() if str(f)
    ]


def heatmap(model: dict) -> dict:
    """Party x family compliance rates: {parties, families, cells: {party: {family: row}}}
    (compliance counts: advisory records left out)."""
    df = aggregate._scope_frame(model)
    fam = _family_of(model)
    df = df.assign(family=df["check_id"].map(fam).fillna(""))
    df = df[(df["party"] != "") & (df["family"] != "") & (df["kind"] != "advisory")]
    sums = df.groupby(["party", "family"])[["rec_evaluated", "rec_passed"]].sum()
    parties = sorted(df["party"].unique().tolist())
    families = sorted(df["family"].unique().tolist())
    cells: dict[str, dict[str, dict]] = {p: {} for p in parties}
    for (p, f), r in sums.iterrows():
        ev, pa = int(r["rec_evaluated"]), int(r["rec_passed"])
        cells[p][f] = {"evaluated": ev, "passed": pa, "rate": aggregate._rate(pa, ev)}
    return {"parties": parties, "families": families, "cells": cells}


def rank(rows: list[dict]) -> list[dict]:
    """Rows sorted by compliance rate (best first; no rate last), each with a 1-based ``rank``."""
    ordered = sorted(rows, key=lambda r: (r.get("compliance_rate") is None,
                                          -(r.get("compliance_rate") or 0.0), _s(r.get("name"))))
    out = []
    for i, r in enumerate(ordered, start=1):
        out.append({**r, "rank": i if r.get("compliance_rate") is not None else None})
    return out


def median_rate(rows: list[dict]) -> float | None:
    rates = [float(r["compliance_rate"]) for r in rows if r.get("compliance_rate") is not None]
    return round(statistics.median(rates), 4) if rates else None


def party_comparison(model: dict, party: str) -> dict:
    """A Party against the all-Party median, overall and per family."""
    rows = aggregate.scope_rows(model, "party")
    own = next((r for r in rows if r["name"] == party), None)
    per_party = {r["name"]: {f["family"]: f["rate"] for f in family_rates(model, party=r["name"])}
                 for r in rows}
    own_ev = {f["family"]: f["evaluated"] for f in family_rates(model, party=party)}
    families = sorted({f for d in per_party.values() for f in d})
    fam_rows = []
    for f in families:
        rates = [d[f] for d in per_party.values() if d.get(f) is not None]
        mine = per_party.get(party, {}).get(f)
        med = round(statistics.median(rates), 4) if rates else None
        diff = None if mine is None or med is None else round((mine - med) * 100, 1) + 0.0
        fam_rows.append({"family": f, "rate": mine, "evaluated": own_ev.get(f, 0), "median": med,
                         "difference_points": diff, "parties": len(rates)})
    return {"rate": own["compliance_rate"] if own else None,
            "median": median_rate(rows), "parties": sum(1 for r in rows if r.get("compliance_rate") is not None),
            "families": fam_rows}


# ---------------------------------------------------------------- diff against the previous run


def diff_status(model: dict) -> dict[str, str]:
    """{fingerprint: "new" | "persisting"} for this run's findings; {} without a previous run."""
    d = model.get("diff") or {}
    if not d.get("previous_run_id"):
        return {}
    persisting = set(d.get("persisting") or [])
    return {fp: ("persisting" if fp in persisting else "new") for fp in d.get("new", []) + d.get("persisting", [])}


def _diff_counts(findings: list[dict], status: dict[str, str]) -> tuple[int, int]:
    """(new, persisting) findings of ``findings`` by their fingerprint's ``status``
    (:func:`diff_status`). A shared list of the run's records is counted from its columns: each
    distinct fingerprint looked up once per rendering, not once per page."""
    known = aggregate.columns_of(findings, "fingerprint")
    if known is None:
        looked = [status.get(_s(f.get("fingerprint"))) for f in findings]
        return looked.count("new"), looked.count("persisting")
    cols, rows = known
    codes, names = cols.named("fingerprint", aggregate._str)  # aggregate._str is this module's _s
    kinds = {"new": 1, "persisting": 2}
    per_name = cols.derived(("diff_status", id(status)), lambda: np.fromiter(
        (kinds.get(status.get(n), 0) for n in names), dtype=np.int8, count=len(names)))
    counts = np.bincount(per_name[codes[rows]], minlength=3)
    return int(counts[1]), int(counts[2])


def diff_summary(model: dict, party: str | None = None, provider: str | None = None) -> dict | None:
    """Counts of new / resolved / persisting findings in a scope, and the resolved ones."""
    d = model.get("diff") or {}
    if not d.get("previous_run_id"):
        return None
    status = aggregate.memo(model, ("diff_status",), lambda: diff_status(model))  # once per rendering
    current = aggregate.findings_records(model, party, provider)
    new, persisting = _diff_counts(current, status)
    resolved = [r for r in d.get("resolved", []) or []
                if (party is None or _s(r.get("party")) == party)
                and (provider is None or _s(r.get("provider")) == provider)]
    resolved = sorted(resolved, key=lambda r: (_s(r.get("check_id")), _s(r.get("request_id"))))
    return {
        "previous_run_id": d.get("previous_run_id"),
        "previous_as_of": d.get("previous_as_of"),
        "new": new,
        "persisting": persisting,
        "resolved": len(resolved),
        "resolved_findings": [
            {k: r.get(k) for k in ("check_id", "family", "article", "severity", "party", "provider",
                                    "request_id", "fingerprint")}
            for r in resolved
        ],
    }
