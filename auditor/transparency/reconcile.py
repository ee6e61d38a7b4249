"""Reconciliation: a Party's logged counts against a provider's published counts.

Each cell (Party x provider x period x process x metric) is classified

- ``consistent``: the logged count lies within the published value or interval;
- ``under_logged``: the Party logged fewer than the provider published;
- ``over_logged``: the Party logged more than the provider published;
- ``not_comparable``: the published figure is unknown or self-contradictory, the period lies
  outside the Party's log, or the two sides do not count the same population (scope gap).

Published intervals come from bands (0-249), "<10" and integer percentages, which only bound a
count (``model.pct_bounds``). Two sources of "logged" counts are used:

1. the canonical log (requests + disclosures) rolled up to the provider's layout (``rollup``);
2. a Party-side register of published totals (side = party, e.g. the Hong Kong government's
   figures), compared with the sum over the providers that published figures for that Party.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from auditor.transparency.adapters import REGISTER_PRIORITY
from auditor.transparency.model import Period, pct_bounds
from auditor.transparency.rollup import half_years, layout_for, rollup
from auditor.transparency.store import has_data, load_rows

STATUSES = ("consistent", "under_logged", "over_logged", "not_comparable")
REPORT_KEYS = (
    "party",
    "provider",
    "period",
    "metric",
    "logged",
    "published_low",
    "published_high",
    "status",
    "note",
)
COLUMNS = (
    "party",
    "provider",
    "period",
    "process",
    "metric",
    "logged",
    "published_low",
    "published_high",
    "status",
    "note",
    "source_file",
    "source_row",
)


def classify(logged: float | None, low: float | None, high: float | None) -> str:
    if logged is None or low is None or high is None or _nan(low) or _nan(high) or low > high:
        return "not_comparable"
    if logged < low:
        return "under_logged"
    if logged > high:
        return "over_logged"
    return "consistent"


def _nan(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def published_cells(rows: pd.DataFrame) -> pd.DataFrame:
    """Published rows with an interval per cell; adds ``requests_disclosed`` bounded by the
    published percentage where only a percentage was published (Google)."""
    if rows.empty:
        return rows.assign(derived_note=pd.Series(dtype=object))
    rows = rows.copy()
    rows["derived_note"] = None
    have = set(
        zip(rows["source_file"], rows["source_row"], rows["process"], rows["metric"], strict=True)
    )
    extra = []
    key = ["source_file", "source_row", "process"]
    req = rows[rows["metric"] == "requests"].set_index(key)
    for r in rows[rows["metric"] == "pct_disclosed"].itertuples(index=False):
        if (r.source_file, r.source_row, r.process, "requests_disclosed") in have:
            continue
        k = (r.source_file, r.source_row, r.process)
        if k not in req.index:
            continue
        n = req.loc[k]
        n = n.iloc[0] if isinstance(n, pd.DataFrame) else n
        d = r._asdict()
        d.update(metric="requests_disclosed", published_metric=f"{r.published_metric} x requests")
        if _nan(r.value) or _nan(n["value"]):
            reasons = [x for x in (r.unknown_reason, n["unknown_reason"]) if isinstance(x, str)]
            d.update(
                value=None,
                low=None,
                high=None,
                unknown_reason=reasons[0] if reasons else "percentage or requests unknown",
            )
        else:
            decimals = 0 if float(r.value).is_integer() else 1
            lo, hi = pct_bounds(float(r.value), float(n["value"]), decimals)
            d.update(
                value=None,
                low=float(lo),
                high=float(hi),
                derived_note=f"bounded by the published {r.value:g} % of {n['value']:g} requests",
            )
        extra.append(d)
    if extra:
        rows = pd.concat([rows, pd.DataFrame(extra)], ignore_index=True)
    return rows


def _coverage(requests: pd.DataFrame, party: str) -> tuple | None:
    """First and last day of the half-years in which the Party logged any request."""
    mine = requests[requests["issuing_party"].astype("string").fillna("").eq(party.upper())]
    if mine.empty:
        return None
    when = mine["provider_received_at"].fillna(mine["transmitted_at"]).fillna(mine["issued_at"])
    when = pd.to_datetime(when, utc=True).dt.date
    halves = half_years(min(when), max(when))
    return halves[0].start, halves[-1].end


def reconcile_log(
    requests: pd.DataFrame,
    disclosures: pd.DataFrame,
    published: pd.DataFrame,
    party: str,
    provider: str,
    log_provider: str | None = None,
) -> pd.DataFrame:
    """Cells for the Party's canonical log against the provider's published rows."""
    party, provider = party.upper(), provider.lower()
    layout = layout_for(provider)
    pub = published_cells(
        published[(published["provider"] == provider) & (published["side"] == "provider")]
    )
    if pub.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    cov = _coverage(requests, party)
    covered_periods = set(pub["period"])
    mine = pub[
        (pub["party"] == party)
        & pub["process"].isin(layout.processes)
        & pub["metric"].isin(layout.metrics)
        & ~pub["is_total"]
    ]
    periods = {
        p: Period(p, s, e)
        for p, s, e in pub[["period", "period_start", "period_end"]]
        .drop_duplicates()
        .itertuples(index=False)
    }
    logged = rollup(requests, disclosures, party, provider, log_provider, list(periods.values()))
    logged_ix = logged.set_index(["period", "process", "metric"])["logged"]
    out = []
    seen = set()
    for r in mine.itertuples(index=False):
        key = (r.period, r.process, r.metric)
        if key in seen:  # the same cell from a second file (e.g. two editions): first file wins
            continue
        if cov is None or r.period_end < cov[0] or r.period_start > cov[1]:
            continue  # a period the Party's log does not reach at all says nothing about the log
        seen.add(key)
        n = int(logged_ix.get(key, 0))
        notes = [x for x in (r.note, r.derived_note) if isinstance(x, str)]
        if r.period_start < cov[0] or r.period_end > cov[1]:
            status = "not_comparable"
            notes.insert(0, f"the Party log covers only part of this period ({cov[0]}..{cov[1]})")
        elif isinstance(r.unknown_reason, str):
            status = "not_comparable"
            notes.insert(0, f"published value unknown: {r.unknown_reason}")
        else:
            status = classify(n, r.low, r.high)
            if status == "not_comparable":
                notes.insert(0, "published figures contradict each other (empty interval)")
        out.append(
            _cell(
                party,
                provider,
                r.period,
                r.process,
                f"{r.metric} ({r.process_published})",
                n,
                r.low,
                r.high,
                status,
                notes,
                r.source_file,
                r.source_row,
            )
        )
    # logged activity in periods the provider covers but where it published no row for this Party
    active = logged[(logged["logged"] > 0) & logged["period"].isin(covered_periods)]
    for r in active.itertuples(index=False):
        key = (r.period, r.process, r.metric)
        if key in seen or not _within(cov, periods[r.period]):
            continue
        seen.add(key)
        status = classify(r.logged, 0.0, 0.0)
        out.append(
            _cell(
                party,
                provider,
                r.period,
                r.process,
                f"{r.metric} ({r.process_published})",
                r.logged,
                0.0,
                0.0,
                status,
                ["the provider published no row for this Party in a period it reports (read as 0)"],
                None,
                None,
            )
        )
    return pd.DataFrame(out, columns=list(COLUMNS))


def _within(cov: tuple | None, p: Period) -> bool:
    return cov is not None and p.start >= cov[0] and p.end <= cov[1]


def _cell(
    party, provider, period, process, metric, logged, low, high, status, notes, src, row
) -> dict:
    return {
        "party": party,
        "provider": provider,
        "period": period,
        "process": process,
        "metric": metric,
        "logged": None if logged is None else float(logged),
        "published_low": None if _nan(low) else float(low),
        "published_high": None if _nan(high) else float(high),
        "status": status,
        "note": "; ".join(notes),
        "source_file": src,
        "source_row": None if row is None or _nan(row) else int(row),
    }


def reconcile_register(rows: pd.DataFrame, party: str, provider: str | None = None) -> pd.DataFrame:
    """A Party-side register of totals against the sum of what providers published for the Party.

    A register that counts requests to *all* service providers exceeding the providers' sum is a
    scope gap (``not_comparable``, with the size of the gap), not over-logging; a register below
    the providers' sum is under-logging whatever the scope.
    """
    party = party.upper()
    reg = rows[(rows["side"] == "party") & (rows["party"] == party) & ~rows["is_total"]]
    if reg.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    rank = {a: i for i, a in enumerate(REGISTER_PRIORITY)}
    reg = reg.assign(_rank=reg["adapter"].map(rank).fillna(len(rank)))
    # one register source per Party: several files of one register overlap (year totals and the
    # per-department detail of the same years); the highest-priority file is used alone
    reg = reg[reg["_rank"] == reg["_rank"].min()]
    pub = rows[(rows["side"] == "provider") & (rows["party"] == party) & ~rows["is_total"]]
    if provider:
        pub = pub[pub["provider"] == provider.lower()]
    out = []
    metrics = ("requests", "requests_disclosed")
    regsum = (
        reg[reg["metric"].isin(metrics)]
        .groupby(["period", "process", "metric"], sort=True)
        .agg(
            value=("value", lambda s: s.sum(min_count=1)),
            unknown=("unknown_reason", lambda s: s.notna().sum()),
            source_file=("source_file", "first"),
            source_row=("source_row", "min"),
            process_published=("process_published", "first"),
        )
    )
    for (period, process, metric), g in regsum.iterrows():
        cells = pub[
            (pub["period"] == period) & (pub["process"] == process) & (pub["metric"] == metric)
        ]
        label = f"{metric} ({g['process_published']})"
        if cells.empty:
            out.append(
                _cell(
                    party,
                    provider or "(all providers)",
                    period,
                    process,
                    label,
                    g["value"],
                    None,
                    None,
                    "not_comparable",
                    ["no provider published this figure"],
                    g["source_file"],
                    g["source_row"],
                )
            )
            continue
        names = sorted(cells["provider"].unique())
        known = cells[cells["unknown_reason"].isna()]
        lo, hi = float(known["low"].sum()), float(known["high"].sum())
        who = "+".join(names)
        notes = []
        if len(known) < len(cells):
            notes.append(f"{len(cells) - len(known)} published figure(s) unknown and left out")
        if g["unknown"]:
            notes.append(f"{int(g['unknown'])} register figure(s) unknown and left out")
        bands = known[known["low"] != known["high"]]
        if len(bands):
            notes.append(
                "interval from "
                + ", ".join(
                    f"{p} {str(n or '').split(';')[0]}".strip()
                    for p, n in zip(bands["provider"], bands["note"], strict=True)
                )
            )
        status = classify(g["value"], lo, hi)
        if status == "under_logged":
            notes.insert(
                0,
                f"the register is below what {len(names)} provider(s) alone published; "
                f"no scope difference explains that",
            )
        if status == "over_logged":
            status = "not_comparable"
            notes.insert(
                0,
                (
                    "scope gap: the register counts requests to all service providers "
                    f"(local and foreign), the published figures only {len(names)} provider(s) "
                    f"({', '.join(names)}); the register "
                    f"exceeds them by {g['value'] - hi:g}..{g['value'] - lo:g}"
                ),
            )
        out.append(
            _cell(
                party,
                who,
                period,
                process,
                label,
                g["value"],
                lo,
                hi,
                status,
                notes,
                g["source_file"],
                g["source_row"],
            )
        )
    return pd.DataFrame(out, columns=list(COLUMNS))


def reconcile(
    engine: Engine,
    party: str,
    provider: str | None = None,
    log_provider: str | None = None,
) -> pd.DataFrame:
    """All cells for the Party (and provider): canonical log if the database holds one for the
    Party, plus the Party-side register if one was imported."""
    from auditor.store import db  # noqa: PLC0415

    rows = load_rows(engine, party=None)
    frames = [reconcile_register(rows, party, provider)]
    requests = db.load_table(engine, "requests")
    if (requests["issuing_party"] == party.upper()).any():
        disclosures = db.load_table(engine, "disclosures")
        providers = (
            [provider.lower()]
            if provider
            else sorted(set(rows.loc[rows["side"] == "provider", "provider"]))
        )
        for p in providers:
            frames.append(reconcile_log(requests, disclosures, rows, party, p, log_provider))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)


def rows_for_report(engine: Engine) -> list[dict]:
    """Report-model rows ``{party, provider, period, metric, logged, published_low,
    published_high, status, note}``; empty when no transparency data were imported.

    Canonical-log cells are produced where a provider name in the log equals an imported
    provider's name; Party-side registers are reconciled against the providers' sum."""
    if not has_data(engine):
        return []
    from auditor.store import db  # noqa: PLC0415

    rows = load_rows(engine)
    frames = [
        reconcile_register(rows, p)
        for p in sorted(set(rows.loc[rows["side"] == "party", "party"].dropna()))
    ]
    requests = db.load_table(engine, "requests")
    if len(requests):
        disclosures = db.load_table(engine, "disclosures")
        published = set(rows.loc[rows["side"] == "provider", "provider"])
        log_providers = set(requests["provider"].dropna().str.strip().str.lower())
        for provider in sorted(published & log_providers):
            parties = sorted(
                set(
                    requests.loc[
                        requests["provider"].str.strip().str.lower().fillna("").eq(provider),
                        "issuing_party",
                    ].dropna()
                )
            )
            for party in parties:
                frames.append(reconcile_log(requests, disclosures, rows, party, provider))
    frames = [f for f in frames if len(f)]
    if not frames:
        return []
    out = pd.concat(frames, ignore_index=True)[list(REPORT_KEYS)]
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")


def chart(cells: pd.DataFrame, path: str | Path, title: str = "Reconciliation") -> Path:
    """Bar chart: logged count per cell, published interval as a black range, colour by status."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    colours = {
        "consistent": "#2e7d32",
        "under_logged": "#c62828",
        "over_logged": "#ef6c00",
        "not_comparable": "#9e9e9e",
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = cells.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(cells) + 2), 4.5))
    x = range(len(cells))
    logged = cells["logged"].astype(float).fillna(0)
    ax.bar(x, logged, color=[colours.get(s, "#9e9e9e") for s in cells["status"]], label="logged")
    for i, (lo, hi) in enumerate(zip(cells["published_low"], cells["published_high"], strict=True)):
        if not _nan(lo) and not _nan(hi):
            ax.plot([i, i], [lo, hi], color="black", lw=2)
            ax.plot([i - 0.3, i + 0.3], [lo, lo], color="black", lw=1)
            ax.plot([i - 0.3, i + 0.3], [hi, hi], color="black", lw=1)
    ax.set_xticks(list(x))
    ax.set_xticklabels(
        [f"{p} {m}" for p, m in zip(cells["period"], cells["metric"], strict=True)],
        rotation=60,
        ha="right",
        fontsize=7,
    )
    ax.set_ylabel("count")
    ax.set_title(title)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    ax.legend(
        handles + [plt.Line2D([0], [0], color="black", lw=2)], [*colours, "published"], fontsize=7
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
