"""Matplotlib charts for the reports.

matplotlib is imported lazily inside the functions to keep CLI start-up fast.
Every chart function returns ``(png_bytes, data)`` where ``data`` is exactly
what was plotted; ``png_bytes`` is ``None`` when there is nothing to plot (the
renderers then show a short "no data" note instead of an empty chart).

Chart text is never parsed: ``$`` in a name is a dollar sign, not mathtext (``text.parse_math``
and ``text.usetex`` are off for every label, title, tick and legend). Names drawn on a chart
(``_label``) show control characters escaped (``auditor.textsafe.printable``) and are cut to
``LABEL_MAX`` characters with ``…``; the plotted data keep the names whole.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

from auditor.textsafe import printable

#: characters of a name drawn on a chart (tick label, legend); longer names end in "…"
LABEL_MAX = 40


def _same(text: str) -> str:
    return text

# Okabe-Ito colour-blind-safe palette.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    # names come from the data: "$\\undefinedmacro$" is text, never mathtext or LaTeX
    matplotlib.rcParams["text.parse_math"] = False
    matplotlib.rcParams["text.usetex"] = False
    import matplotlib.pyplot as plt

    return plt


def _label(text: Any, legend: bool = False) -> str:
    """A name as drawn on a chart: control characters escaped, at most ``LABEL_MAX``
    characters (cut with "…"); ``legend``: a leading "_" (which would hide the entry) gets a
    space in front."""
    label = printable(text)
    if len(label) > LABEL_MAX:
        label = label[: LABEL_MAX - 1] + "…"
    return " " + label if legend and label.startswith("_") else label


def _to_png(fig) -> bytes:
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _weighted_quantiles(values: list[int], weights: list[int], qs: tuple[float, ...]) -> list[float]:
    """Quantiles of ``values`` repeated ``weights`` times (lower interpolation)."""
    total = sum(weights)
    out = []
    for q in qs:
        target, acc = q * (total - 1), 0
        for v, w in zip(values, weights, strict=True):
            acc += w
            if acc - 1 >= target:
                out.append(float(v))
                break
        else:
            out.append(float(values[-1]))
    return out


def data_uri(png: bytes | None) -> str | None:
    """``data:image/png;base64,...`` for embedding, or None."""
    if not png:
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def findings_by_family_chart(
    counts: dict[str, int], title: str = "Findings by family", t: Callable[[str], str] = _same,
    threshold: int = 0,
) -> tuple[bytes | None, dict[str, int]]:
    """Horizontal bar chart of findings per family.

    ``counts`` maps family -> findings; families with zero findings are dropped.
    Returns ``(png, {family: count})`` with the families in plotted order
    (alphabetical, top to bottom).
    """
    data = {str(k): int(v) for k, v in sorted(counts.items()) if int(v) > 0}
    if not data:
        return None, {}
    plt = _pyplot()
    labels = list(data)
    values = [data[k] for k in labels]
    fig, ax = plt.subplots(figsize=(6.4, 0.5 * len(labels) + 1.4))
    shown = [0 if 0 < v < threshold else v for v in values]
    ys = list(range(len(labels)))
    ax.barh(ys, shown[::-1], color=OKABE_ITO[0])
    ax.set_yticks(ys, [_label(t(x.replace("_", " "))) for x in labels[::-1]])
    for y, v in enumerate(values[::-1]):
        ax.text(shown[::-1][y], y, f" <{threshold}" if 0 < v < threshold else f" {v}", va="center", fontsize=9)
    ax.set_xlim(0, max(max(shown), threshold, 1) * 1.15)
    ax.set_title(t(title))
    ax.set_xlabel(t("findings (count)"))
    ax.set_ylabel(t("family"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig), data


def response_times_chart(
    rows: list[dict[str, Any]],
    deadlines: dict[str, Any],
    title: str = "Response time vs legal deadline",
    t: Callable[[str], str] = _same,
    threshold: int = 0,
) -> tuple[bytes | None, dict[str, dict]]:
    """Distribution of days from receipt to response per instrument (one box per instrument)
    with the legal deadline marked.

    ``rows`` are ``{"instrument", "days", "count"}`` dicts (already filtered to
    the scope); a dashed vertical line marks ``deadlines[instrument]``.
    Returns ``(png, {instrument: {"days": [...], "requests": [...],
    "deadline": int|None, "over_deadline": int}})``.
    """
    data: dict[str, dict] = {}
    for r in rows:
        inst = str(r.get("instrument") or "")
        if r.get("days") is None:
            continue
        days = int(r["days"])
        count = int(r.get("count") or 0)
        if count <= 0:
            continue
        hist = data.setdefault(inst, {}).setdefault("_h", {})
        hist[days] = hist.get(days, 0) + count
    out: dict[str, dict] = {}
    for inst in sorted(data):
        hist = data[inst]["_h"]
        if threshold:  # disclosure control: weekly bins, small bins suppressed
            weekly: dict[int, int] = {}
            for d, c in hist.items():
                weekly[d // 7 * 7] = weekly.get(d // 7 * 7, 0) + c
            hist = {d: c for d, c in weekly.items() if c >= threshold}
            if not hist:
                continue
        deadline = deadlines.get(inst) if deadlines else None
        deadline = int(deadline) if deadline is not None else None
        days = sorted(hist)
        out[inst] = {
            "days": days,
            "requests": [hist[d] for d in days],
            "deadline": deadline,
            "over_deadline": sum(hist[d] for d in days if deadline is not None and d > deadline),
        }
    if not out:
        return None, {}
    plt = _pyplot()
    insts = list(out)
    fig, ax = plt.subplots(figsize=(6.8, 0.55 * len(insts) + 1.6))
    stats = []
    for inst in insts:
        d = out[inst]
        q = _weighted_quantiles(d["days"], d["requests"], (0.05, 0.25, 0.5, 0.75, 0.95))
        stats.append({"label": _label(inst) if inst else t("(unknown instrument)"), "whislo": q[0], "q1": q[1], "med": q[2],
                      "q3": q[3], "whishi": q[4], "fliers": []})
    ys = list(range(len(insts)))[::-1]
    ax.bxp(stats, positions=ys, orientation="horizontal", widths=0.55, patch_artist=True,
           boxprops={"facecolor": OKABE_ITO[5], "edgecolor": OKABE_ITO[0]},
           medianprops={"color": OKABE_ITO[7], "linewidth": 1.8})
    dl = [(y, out[i]["deadline"]) for y, i in zip(ys, insts, strict=True) if out[i]["deadline"] is not None]
    if dl:
        ax.scatter([d for _, d in dl], [y for y, _ in dl], marker="|", s=500, color=OKABE_ITO[3],
                   linewidths=2.2, zorder=3, label=t("legal deadline"))
    xmax = max(max(s["whishi"] for s in stats), max((d for _, d in dl), default=0))
    for y, inst in zip(ys, insts, strict=True):
        d = out[inst]
        total = sum(d["requests"])
        ax.text(xmax * 1.04 + 1, y, t("{o} of {n} over").format(o=d["over_deadline"], n=total)
                if d["deadline"] is not None else t("{n} requests").format(n=total), va="center", fontsize=8)
    ax.set_xlim(left=min(0, min(s["whislo"] for s in stats)), right=xmax * 1.35 + 3)
    ax.set_title(t(title))
    ax.set_xlabel(t("days from receipt to response (box: 25-75 %, whiskers: 5-95 %)"))
    ax.set_ylabel(t("instrument"))
    if dl:
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig), out


def compliance_rate_chart(
    rows: list[dict[str, Any]], title: str = "Compliance rate by Party", t: Callable[[str], str] = _same,
) -> tuple[bytes | None, dict[str, float]]:
    """Bar chart of record-level compliance rate (0-100 %) per Party.

    ``rows`` are index rows with ``name`` and ``compliance_rate`` (0..1 or
    None); Parties without evaluated records are omitted.
    Returns ``(png, {party: rate_percent})``.
    """
    data = {
        str(r["name"]): round(float(r["compliance_rate"]) * 100, 2)
        for r in rows
        if r.get("compliance_rate") is not None
    }
    if not data:
        return None, {}
    plt = _pyplot()
    labels = list(data)
    values = [data[k] for k in labels]
    fig, ax = plt.subplots(figsize=(max(4.0, 0.7 * len(labels) + 2), 3.4))
    xs = list(range(len(labels)))
    ax.bar(xs, values, color=OKABE_ITO[2])
    ax.set_xticks(xs, [_label(x) for x in labels])
    for x, v in enumerate(values):
        ax.text(x, v, f"{v:.1f}%", ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_title(t(title))
    ax.set_xlabel(t("Party"))
    ax.set_ylabel(t("passed / evaluated records (%)"))
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig), data


def family_rate_chart(
    rows: list[dict[str, Any]],
    medians: dict[str, float | None] | None = None,
    title: str = "Compliance rate by family",
    t: Callable[[str], str] = _same,
) -> tuple[bytes | None, dict[str, float]]:
    """Horizontal bars of the record-level compliance rate (%) per family.

    ``rows`` are ``{family, rate}`` (rate 0..1 or None: omitted). ``medians`` (family -> 0..1)
    adds a black marker for the all-Party median. Returns ``(png, {family: rate_percent})``.
    """
    data = {str(r["family"]): round(float(r["rate"]) * 100, 2) for r in rows if r.get("rate") is not None}
    if not data:
        return None, {}
    plt = _pyplot()
    labels = sorted(data)
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(labels) + 1.5))
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, [data[k] for k in labels], color=OKABE_ITO[2], label=t("compliance rate"))
    for y, k in zip(ys, labels, strict=True):
        ax.text(data[k], y, f" {data[k]:.1f}%", va="center", fontsize=8)
    if medians:
        pts = [(y, float(medians[k]) * 100) for y, k in zip(ys, labels, strict=True) if medians.get(k) is not None]
        if pts:
            ax.scatter([p[1] for p in pts], [p[0] for p in pts], marker="|", s=300, color=OKABE_ITO[7],
                       label=t("all-Party median"), zorder=3)
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=2)
    ax.set_yticks(ys, [_label(t(k.replace("_", " "))) for k in labels])
    ax.set_xlim(0, 115)
    ax.set_title(t(title))
    ax.set_xlabel(t("passed / evaluated records (%)"))
    ax.set_ylabel(t("family"))
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig), data


def trend_chart(
    series: dict[str, dict[str, int]],
    title: str,
    t: Callable[[str], str] = _same,
    threshold: int = 0,
    max_series: int = 8,
) -> tuple[bytes | None, dict[str, dict[str, int | None]]]:
    """Findings per period, one line per series (Party, provider or "all").

    With ``threshold`` (publication), points below it (but above 0) are left out of the line.
    Only the ``max_series`` series with the most findings are drawn. Returns the plotted data
    (suppressed points as None).
    """
    if not series:
        return None, {}
    top = sorted(series, key=lambda s: (-sum(series[s].values()), s))[:max_series]
    periods = sorted({p for s in top for p in series[s]})
    data: dict[str, dict[str, int | None]] = {}
    for s in sorted(top):
        data[s] = {p: (None if 0 < series[s].get(p, 0) < threshold else series[s].get(p, 0)) for p in periods}
    if not periods or all(v is None for d in data.values() for v in d.values()):
        return None, {}  # nothing (or, when publishing, only suppressed points) to draw
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    markers = "osD^v<>p"
    for i, (s, vals) in enumerate(data.items()):
        ys = [float("nan") if v is None else v for v in vals.values()]
        ax.plot(periods, ys, marker=markers[i % len(markers)], color=OKABE_ITO[i % len(OKABE_ITO)],
                label=t(s) if s == "all" else _label(s, legend=True), linewidth=1.6)
    ax.set_title(title)  # already in the page's language (it is built with a period word)
    ax.set_xlabel(t("period (issue date)"))
    ax.set_ylabel(t("findings (count)"))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(bottom=0)
    if len(periods) > 6:
        ax.tick_params(axis="x", labelrotation=45)
    ax.legend(fontsize=8, frameon=False, ncols=2)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _to_png(fig), data


def heatmap_chart(
    heat: dict, title: str = "Compliance rate by Party and family", t: Callable[[str], str] = _same,
    threshold: int = 0,
) -> tuple[bytes | None, dict[str, dict[str, float | None]]]:
    """Party x family heat map of compliance rates (%); cells with no (or, when publishing,
    fewer than ``threshold``) evaluated records are blank and marked "n/a"."""
    parties, families = heat.get("parties") or [], heat.get("families") or []
    if not parties or not families:
        return None, {}
    import numpy as np

    data: dict[str, dict[str, float | None]] = {}
    grid = np.full((len(parties), len(families)), np.nan)
    for i, p in enumerate(parties):
        data[p] = {}
        for j, f in enumerate(families):
            cell = heat["cells"].get(p, {}).get(f)
            ok = cell and cell.get("rate") is not None and cell["evaluated"] >= max(threshold, 1)
            data[p][f] = round(float(cell["rate"]) * 100, 2) if ok else None
            if ok:
                grid[i, j] = data[p][f]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(6.4, 0.9 * len(families) + 2), 0.45 * len(parties) + 2.2))
    cmap = plt.get_cmap("cividis").with_extremes(bad="#eeeeee")
    im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for i in range(len(parties)):
        for j in range(len(families)):
            v = grid[i, j]
            txt = "n/a" if np.isnan(v) else f"{v:.0f}"
            colour = "#000000" if np.isnan(v) or v > 55 else "#ffffff"
            ax.text(j, i, txt, ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(families)), [_label(t(f.replace("_", " "))) for f in families], rotation=30, ha="right")
    ax.set_yticks(range(len(parties)), [_label(p) for p in parties])
    ax.set_xlabel(t("family"))
    ax.set_ylabel(t("Party"))
    ax.set_title(t(title))
    cbar = fig.colorbar(im, ax=ax)
    cbar.set_label(t("passed / evaluated records (%)"))
    fig.tight_layout()
    return _to_png(fig), data


def reconciliation_chart(
    rows: list[dict[str, Any]], title: str = "Reconciliation status", t: Callable[[str], str] = _same,
) -> tuple[bytes | None, dict[str, int]]:
    """Bar chart of reconciliation rows per status."""
    order = ("consistent", "under_logged", "over_logged", "not_comparable")
    counts = {s: 0 for s in order}
    for r in rows:
        s = str(r.get("status") or "not_comparable")
        counts[s] = counts.get(s, 0) + 1
    if not rows:
        return None, {}
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.0, 2.8))
    labels = list(counts)
    colours = [OKABE_ITO[2], OKABE_ITO[3], OKABE_ITO[1], OKABE_ITO[5], OKABE_ITO[4]]
    ax.bar([t(x.replace("_", " ")) for x in labels], [counts[k] for k in labels],
           color=[colours[i % len(colours)] for i in range(len(labels))])
    ax.set_title(t(title))
    ax.set_xlabel(t("status"))
    ax.set_ylabel(t("rows (count)"))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig), counts
