"""Roll a Party's canonical log (requests + disclosures) up to a provider's published layout.

A provider counts the requests it *received* in a period, so a request is dated by
``provider_received_at`` (falling back to ``transmitted_at``, then ``issued_at``). Each request
counts once; its outcome is that of its latest disclosure (by ``responded_at``):

- disclosed / partial with ``content`` among the data disclosed -> content disclosed,
  otherwise non-content disclosed (both are "requests with some data disclosed");
- refused -> rejected; no_data -> no data found; withdrawn or no response yet -> requests only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from auditor.transparency.model import Period, half


@dataclass(frozen=True)
class Layout:
    provider: str
    #: normalised process -> label the provider publishes
    processes: dict[str, str]
    metrics: tuple[str, ...]


LAYOUTS: dict[str, Layout] = {
    "microsoft": Layout(
        "microsoft",
        {"criminal": "criminal", "emergency": "emergencies"},
        (
            "requests",
            "accounts_specified",
            "content_disclosed",
            "noncontent_disclosed",
            "no_data",
            "rejected",
        ),
    ),
    "google": Layout(
        "google",
        {
            "other_legal": "Other Legal Requests",
            "emergency": "Emergency Disclosure Requests",
            "preservation": "Preservation Requests",
        },
        ("requests", "accounts_specified", "requests_disclosed"),
    ),
    "apple": Layout(
        "apple",
        {"account": "account", "emergency": "emergency", "preservation": "account_preservation"},
        (
            "requests",
            "accounts_specified",
            "requests_disclosed",
            "content_disclosed",
            "noncontent_disclosed",
            "rejected",
            "no_data",
        ),
    ),
    "github": Layout("github", {"cross_border": "cross-border request"}, ("requests",)),
}
DEFAULT_LAYOUT = Layout("*", {"all": "All"}, ("requests", "requests_disclosed"))


def layout_for(provider: str) -> Layout:
    return LAYOUTS.get(provider.lower(), DEFAULT_LAYOUT)


def _process(req: pd.DataFrame, layout: Layout) -> pd.Series:
    emergency = req["emergency"].fillna(False).astype(bool)
    preservation = req["instrument"].astype("string").fillna("").eq("eu_epoc_pr")
    procs = set(layout.processes)
    base = next(
        (p for p in ("criminal", "other_legal", "account", "cross_border", "all") if p in procs),
        "all",
    )
    out = pd.Series(base, index=req.index, dtype=object)
    if "preservation" in procs:
        out[preservation] = "preservation"
    if "emergency" in procs:
        out[emergency & ~preservation] = "emergency"
    return out


def classify(requests: pd.DataFrame, disclosures: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """One line per request: date, process, accounts specified and outcome flags."""
    req = requests.copy()
    when = req["provider_received_at"]
    for col in ("transmitted_at", "issued_at"):
        when = when.fillna(req[col])
    req["when"] = pd.to_datetime(when, utc=True).dt.date
    req["process"] = _process(req, layout)
    last = (
        disclosures.sort_values(["request_id", "responded_at"], na_position="first", kind="stable")
        .drop_duplicates("request_id", keep="last")
        .set_index("request_id")
    )
    outcome = req["request_id"].map(last["outcome"]).astype("string").fillna("")
    data = req["request_id"].map(last["data_disclosed"]).astype("string").fillna("")
    content = data.str.contains(r"\bcontent\b", regex=True, flags=re.I)
    disclosed = outcome.isin(["disclosed", "partial"])
    return pd.DataFrame(
        {
            "request_id": req["request_id"],
            "when": req["when"],
            "process": req["process"],
            "requests": 1,
            "accounts_specified": pd.to_numeric(req["identifiers_count"]).fillna(0).astype(int),
            "requests_disclosed": disclosed.astype(int),
            "content_disclosed": (disclosed & content).astype(int),
            "noncontent_disclosed": (disclosed & ~content).astype(int),
            "no_data": outcome.eq("no_data").astype(int),
            "rejected": outcome.eq("refused").astype(int),
        }
    )


def select_log(requests: pd.DataFrame, party: str, log_provider: str) -> pd.DataFrame:
    """Requests the Party issued to the provider (provider names compared case-insensitively)."""
    prov = requests["provider"].astype("string").str.strip().str.lower().fillna("")
    issuer = requests["issuing_party"].astype("string").fillna("")
    return requests[((issuer == party.upper()) & (prov == log_provider.lower())).astype(bool)]


def half_years(start: date, end: date) -> list[Period]:
    out, y, h = [], start.year, 1 if start.month <= 6 else 2
    while True:
        p = half(y, h)
        if p.start > end:
            return out
        out.append(p)
        y, h = (y, 2) if h == 1 else (y + 1, 1)


def rollup(
    requests: pd.DataFrame,
    disclosures: pd.DataFrame,
    party: str,
    provider: str,
    log_provider: str | None = None,
    periods: list[Period] | None = None,
) -> pd.DataFrame:
    """Counts of the Party's log in the provider's layout, one line per period x process x metric.

    ``periods`` are the windows to count (e.g. the provider's published periods); by default the
    half-years the log covers. ``log_provider`` is the provider's name in the log (default: same).
    """
    layout = layout_for(provider)
    cols = [
        "provider",
        "party",
        "period",
        "period_start",
        "period_end",
        "process",
        "process_published",
        "metric",
        "logged",
    ]
    log = select_log(requests, party, log_provider or provider)
    lines = classify(log, disclosures[disclosures["request_id"].isin(log["request_id"])], layout)
    if periods is None:
        if lines.empty:
            return pd.DataFrame(columns=cols)
        periods = half_years(min(lines["when"]), max(lines["when"]))
    out = []
    for p in periods:
        window = lines[(lines["when"] >= p.start) & (lines["when"] <= p.end)]
        sums = window.groupby("process")[list(layout.metrics)].sum()
        for proc, label in layout.processes.items():
            for m in layout.metrics:
                v = int(sums.at[proc, m]) if proc in sums.index else 0
                out.append(
                    (
                        layout.provider if layout is not DEFAULT_LAYOUT else provider.lower(),
                        party.upper(),
                        p.label,
                        p.start,
                        p.end,
                        proc,
                        label,
                        m,
                        v,
                    )
                )
    return pd.DataFrame(out, columns=cols)
