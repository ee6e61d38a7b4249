"""Consistency checks on a published report (family ``transparency``). Each finding cites the
source file and row(s). Vectorised over the pivot of one source row's metrics."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from auditor.transparency.model import pct_bounds

FAMILY = "transparency"
#: layouts whose outcome columns split every request exactly once (source notes)
PARTITION_ADAPTERS = {
    "microsoft_lerr": ("content_disclosed", "noncontent_disclosed", "no_data", "rejected")
}
CHECKS = {
    "TR-01": "outcome parts do not add up to the total requests",
    "TR-02": "more requests with data disclosed than requests",
    "TR-03": "published percentage inconsistent with the counts",
    "TR-04": "periods missing between published periods",
    "TR-05": "periods overlap",
    "TR-06": "total row differs from the sum of its detail rows",
}
FINDING_COLUMNS = (
    "check_id",
    "family",
    "severity",
    "provider",
    "source_file",
    "source_row",
    "party",
    "period",
    "process",
    "message",
)


def _wide(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per source row x process with a column per metric (exact values only)."""
    keys = [
        "provider",
        "adapter",
        "source_file",
        "source_row",
        "party",
        "period",
        "process",
        "is_total",
    ]
    known = rows[rows["value"].notna()]
    if known.empty:
        return pd.DataFrame(columns=keys)
    wide = (
        known.groupby(keys + ["metric"], dropna=False, sort=False)["value"]
        .first()
        .unstack("metric")
    )
    return wide.reset_index()


def _finding(
    frame: pd.DataFrame, check_id: str, messages: pd.Series, severity: str = "medium"
) -> pd.DataFrame:
    out = frame[["provider", "source_file", "source_row", "party", "period", "process"]].copy()
    out["check_id"] = check_id
    out["family"] = FAMILY
    out["severity"] = severity
    out["message"] = messages.values
    return out


def check(rows: pd.DataFrame) -> pd.DataFrame:
    """All consistency findings for the normalised ``rows`` (as returned by ``store.load_rows``)."""
    found: list[pd.DataFrame] = []
    wide = _wide(rows)
    if not wide.empty:
        for col in (
            "requests",
            "requests_disclosed",
            "pct_disclosed",
            "content_disclosed",
            "noncontent_disclosed",
            "no_data",
            "rejected",
        ):
            if col not in wide:
                wide[col] = np.nan
        # TR-01 partitions that do not add up (all parts present) or parts exceeding the total
        for adapter, parts in PARTITION_ADAPTERS.items():
            sub = wide[wide["adapter"] == adapter]
            known_sum = sub[list(parts)].sum(axis=1, min_count=1).fillna(0)
            all_known = sub[list(parts)].notna().all(axis=1)
            bad = sub["requests"].notna() & (
                (all_known & (known_sum != sub["requests"]))
                | (~all_known & (known_sum > sub["requests"]))
            )
            b = sub[bad]
            if len(b):
                msg = [
                    f"{' + '.join(parts)} = {s:g} but requests = {r:g}"
                    for s, r in zip(known_sum[bad], b["requests"], strict=True)
                ]
                found.append(_finding(b, "TR-01", pd.Series(msg)))
        parts_sum = wide[["content_disclosed", "noncontent_disclosed"]].sum(axis=1, min_count=1)
        over = wide["requests"].notna() & (parts_sum > wide["requests"])
        other = ~wide["adapter"].isin(PARTITION_ADAPTERS)
        b = wide[over & other]
        if len(b):
            msg = [
                f"content + non-content disclosures = {s:g} exceed requests = {r:g}"
                for s, r in zip(parts_sum[over & other], b["requests"], strict=True)
            ]
            found.append(_finding(b, "TR-01", pd.Series(msg)))
        # TR-02 more disclosures than requests
        more = (
            wide["requests_disclosed"].notna()
            & wide["requests"].notna()
            & (wide["requests_disclosed"] > wide["requests"])
        )
        b = wide[more]
        if len(b):
            msg = [
                f"requests with data disclosed = {d:g} > requests = {r:g}"
                for d, r in zip(b["requests_disclosed"], b["requests"], strict=True)
            ]
            found.append(_finding(b, "TR-02", pd.Series(msg), "high"))
        # TR-03 percentage vs counts (tolerance: one unit of the last published decimal)
        cand = wide[
            wide["pct_disclosed"].notna()
            & wide["requests_disclosed"].notna()
            & (wide["requests"] > 0)
        ]
        if len(cand):
            decimals = cand["pct_disclosed"].map(lambda p: 0 if float(p).is_integer() else 1)
            lo_hi = [
                pct_bounds(p, n, d)
                for p, n, d in zip(cand["pct_disclosed"], cand["requests"], decimals, strict=True)
            ]
            lo = pd.Series([x[0] for x in lo_hi], index=cand.index)
            hi = pd.Series([x[1] for x in lo_hi], index=cand.index)
            bad = (cand["requests_disclosed"] < lo) | (cand["requests_disclosed"] > hi)
            b = cand[bad]
            if len(b):
                msg = [
                    f"{p:g} % of {n:g} requests bounds the disclosed count to {a}..{z}, "
                    f"published {d:g}"
                    for p, n, a, z, d in zip(
                        b["pct_disclosed"],
                        b["requests"],
                        lo[bad],
                        hi[bad],
                        b["requests_disclosed"],
                        strict=True,
                    )
                ]
                found.append(_finding(b, "TR-03", pd.Series(msg), "low"))
        # TR-06 total rows vs detail rows of the same file, period and metric
        totals = rows[rows["is_total"] & rows["value"].notna()]
        if len(totals):
            detail = rows[
                ~rows["is_total"] & rows["value"].notna() & (rows["metric"] != "pct_disclosed")
            ]
            keys = ["provider", "source_file", "period", "party", "metric"]
            sums = (
                detail.groupby(keys, dropna=False)["value"].sum().rename("detail_sum").reset_index()
            )
            t = totals[totals["metric"] != "pct_disclosed"].merge(sums, on=keys, how="left")
            bad = t["detail_sum"].notna() & (t["detail_sum"] != t["value"])
            b = t[bad]
            if len(b):
                msg = [
                    f"total {m} = {v:g} but detail rows sum to {s:g}"
                    for m, v, s in zip(b["metric"], b["value"], b["detail_sum"], strict=True)
                ]
                found.append(_finding(b, "TR-06", pd.Series(msg)))
    found.append(_period_findings(rows))
    out = (
        pd.concat([f for f in found if len(f)], ignore_index=True)
        if any(len(f) for f in found)
        else None
    )
    if out is None:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    return (
        out[list(FINDING_COLUMNS)]
        .sort_values(["provider", "source_file", "check_id", "source_row"], kind="stable")
        .reset_index(drop=True)
    )


def _period_findings(rows: pd.DataFrame) -> pd.DataFrame:
    """TR-04 gaps / TR-05 overlaps between the distinct periods of each source file."""
    out = []
    if rows.empty:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    periods = rows[
        ["provider", "source_file", "period", "period_start", "period_end"]
    ].drop_duplicates()
    first_row = rows.groupby(["source_file", "period"])["source_row"].min()
    for (provider, src), g in periods.groupby(["provider", "source_file"], sort=True):
        g = g.sort_values(["period_start", "period_end"])
        prev = None
        for p in g.itertuples(index=False):
            if prev is not None:
                base = {
                    "provider": provider,
                    "source_file": src,
                    "source_row": int(first_row[(src, p.period)]),
                    "party": None,
                    "period": p.period,
                    "process": None,
                    "family": FAMILY,
                }
                if p.period_start > prev.period_end + timedelta(days=1):
                    out.append(
                        {
                            **base,
                            "check_id": "TR-04",
                            "severity": "low",
                            "message": f"no figures published between {prev.period} and {p.period}",
                        }
                    )
                elif p.period_start <= prev.period_end:
                    out.append(
                        {
                            **base,
                            "check_id": "TR-05",
                            "severity": "low",
                            "message": f"period {p.period} overlaps {prev.period}",
                        }
                    )
            if prev is None or p.period_end > prev.period_end:
                prev = p
    return pd.DataFrame(out, columns=list(FINDING_COLUMNS))
