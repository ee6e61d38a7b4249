"""Matplotlib charts for the reports.

matplotlib is imported lazily inside the functions to keep CLI start-up fast.
Every chart function returns ``(png_bytes, data)`` where ``data`` is exactly
what was plotted; ``png_bytes`` is ``None`` when there is nothing to plot (the
renderers then show a short "no data" note instead of an empty chart).
"""

from __future__ import annotations

import base64
import io
from typing import Any

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
    import matplotlib.pyplot as plt

    return plt


def _to_png(fig) -> bytes:
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def data_uri(png: bytes | None) -> str | None:
    """``data:image/png;base64,...`` for embedding, or None."""
    if not png:
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def findings_by_family_chart(
    counts: dict[str, int], title: str = "Findings by family"
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
    ax.barh(labels[::-1], values[::-1], color=OKABE_ITO[0])
    for y, v in enumerate(values[::-1]):
        ax.text(v, y, f" {v}", va="center", fontsize=9)
    ax.set_title(title)
    ax.set_xlabel("findings (count)")
    ax.set_ylabel("family")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig), data


def response_times_chart(
    rows: list[dict[str, Any]],
    deadlines: dict[str, Any],
    title: str = "Response time vs legal deadline",
) -> tuple[bytes | None, dict[str, dict]]:
    """Histogram of days from receipt to response, one panel per instrument.

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
    n = len(out)
    fig, axes = plt.subplots(n, 1, figsize=(6.4, 2.4 * n + 0.6), squeeze=False)
    for i, (inst, d) in enumerate(out.items()):
        ax = axes[i][0]
        hi = max(d["days"] + ([d["deadline"]] if d["deadline"] is not None else []))
        lo = min(0, min(d["days"]))
        bins = range(lo, hi + 2) if hi + 2 - lo <= 60 else 40
        ax.hist(
            d["days"],
            bins=bins,
            weights=d["requests"],
            color=OKABE_ITO[(i + 1) % len(OKABE_ITO)],
            edgecolor="white",
            label="requests",
        )
        if d["deadline"] is not None:
            ax.axvline(
                d["deadline"],
                color=OKABE_ITO[3],
                linestyle="--",
                linewidth=1.6,
                label=f"legal deadline ({d['deadline']} days)",
            )
        ax.set_title(inst or "(unknown instrument)", fontsize=10)
        ax.set_xlabel("days from receipt to response")
        ax.set_ylabel("requests")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(title)
    fig.tight_layout()
    return _to_png(fig), out


def compliance_rate_chart(
    rows: list[dict[str, Any]], title: str = "Compliance rate by Party"
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
    ax.bar(labels, values, color=OKABE_ITO[2])
    for x, v in enumerate(values):
        ax.text(x, v, f"{v:.1f}%", ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_title(title)
    ax.set_xlabel("Party")
    ax.set_ylabel("passed / evaluated records (%)")
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig), data
