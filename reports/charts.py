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
#: the widest a chart is drawn (inches): the PDF prints charts at their natural size (110 dpi) on
#: A4 portrait (184 mm = 7.24 in between the margins), so no text of 8 pt or more is shrunk below 8 pt
PRINT_WIDTH_IN = 7.0


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


#: worst severity -> bar colour of the ranking chart (dark to light: readable in grey)
SEVERITY_COLOURS = {"critical": "#67001f", "high": "#b2182b", "medium": "#d6604d", "low": "#f4a582",
                    "info": "#fddbc7", None: "#4d9221"}
#: the compliance-rate scale (0 % .. 100 %): dark red through orange and pale yellow to green, with
#: lightness rising all the way, so that it reads in grey and for red-green colour-blind readers
#: (the lightness, not the hue, carries the order); cells without data are hatched, not coloured
RATE_SCALE = ("#4a0014", "#9e1b32", "#d9472b", "#f08a3a", "#f7c96b", "#e6ef9a", "#a7dc8e")


def rate_cmap():
    """The colour map of compliance rates (:data:`RATE_SCALE`)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("auditor_rate", list(RATE_SCALE))


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


def _lang(t: Callable[[str], str]) -> str:
    """The language of a translator (``reports.i18n.translator`` marks it); English otherwise."""
    return str(getattr(t, "lang", "en"))


def _pct_text(v: float, t: Callable[[str], str]) -> str:
    """A bar's label: 99.6 -> "99.6%" (en), "99,6\u00a0%" (fr, babel) as the page's text writes it."""
    from .i18n import pct  # noqa: PLC0415

    return pct(v / 100, _lang(t))


def _num_text(v: float, t: Callable[[str], str], digits: int = 1) -> str:
    """42.45 -> "42.5" (en), "42,5" (fr, babel)."""
    from .i18n import num  # noqa: PLC0415

    return num(v, _lang(t), digits)


def _localise_axes(fig, t: Callable[[str], str]) -> None:
    """Tick labels in the page's language (fr: decimal comma, babel's grouping); English as
    matplotlib draws them. Category and date axes keep their own labels."""
    lang = _lang(t)
    if lang == "en":
        return
    from matplotlib.ticker import FuncFormatter, ScalarFormatter  # noqa: PLC0415

    from .i18n import num  # noqa: PLC0415

    def fmt(x: float, _pos: int | None = None) -> str:
        digits = 0 if float(x).is_integer() else len(f"{x:.6g}".split(".", 1)[-1]) if "." in f"{x:.6g}" else 0
        return num(x, lang, min(digits, 3))

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(FuncFormatter(fmt))


def _to_png(fig, t: Callable[[str], str] = _same) -> bytes:
    plt = _pyplot()
    _localise_axes(fig, t)
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
    ys = list(range(len(labels)))
    ax.barh(ys, values[::-1], color=OKABE_ITO[0])
    ax.set_yticks(ys, [_label(t(x.replace("_", " "))) for x in labels[::-1]])
    for y, v in enumerate(values[::-1]):
        ax.text(v, y, f" {v}", va="center", fontsize=9)
    ax.set_xlim(0, max(max(values), 1) * 1.15)
    ax.set_title(t(title))
    ax.set_xlabel(t("findings (count)"))
    ax.set_ylabel(t("family"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig, t), data


#: how each kind of limit is named on the chart, and its line style (a deadline solid; the
#: auditor's numbers dashed; a period that must run before an act, dotted)
LIMIT_STYLES: dict[str, tuple[str, str, str]] = {
    "deadline": ("legal deadline", "-", OKABE_ITO[3]),
    "target": ("reasonable-efforts target", "--", OKABE_ITO[1]),
    "policy threshold": ("the auditor's policy threshold", "--", OKABE_ITO[4]),
    "escalation period": ("escalation period (escalation allowed after it; not a deadline)", ":", OKABE_ITO[0]),
    "waiting period": ("waiting period (production not before its end)", ":", OKABE_ITO[2]),
}


def deadline_chart(
    measured: dict[str, Any] | None,
    title: str = "Time limits as the checks measure them",
    t: Callable[[str], str] = _same,
) -> tuple[bytes | None, dict[str, Any]]:
    """One box per time-limit check and clock (box: 25-75 %, whiskers: 5-95 %) with the limit
    that applied marked per value (e.g. 20 and 45 days for subscriber and traffic data), drawn
    from the checks' own measurements (``reports.aggregate.deadline_checks``): the same clock
    start, limit and rows as the check, so "N of M over" is the check's breach findings (its
    failing rows that are breaches, waived or not) in the scope. Advisory failures are counted
    apart and drawn as hollow markers; breaches as filled ones. A period that must run before an
    act (an escalation period, CETS 224 Art. 7(7)) is drawn dotted and counted as "too early",
    never as a deadline.

    ``measured`` None (a run of an earlier version): no chart, ``{"unavailable": True}``.
    Returns ``(png, data)``, ``data`` as :func:`deadline_data` gives it."""
    data, fails_of = _deadline_data(measured, t)
    drawn = [s for s in data.get("strips", []) if s["values"]]
    if not drawn:
        return None, data
    return _deadline_png(drawn, fails_of, title, t), data


def deadline_data(measured: dict[str, Any] | None, t: Callable[[str], str] = _same) -> dict[str, Any]:
    """What :func:`deadline_chart` plots, without drawing it: ``{"strips": [{check_id, article,
    clock, unit, limit_kind, bound, limits: {limit: {measured, over, advisory}}, values, counts,
    measured, over, advisory, unknown}], "checks": {check_id: {over, advisory, measured}},
    "alt": text}``; ``over`` counts the breaches exactly."""
    return _deadline_data(measured, t)[0]


def _deadline_data(measured: dict[str, Any] | None, t: Callable[[str], str]) -> tuple[dict[str, Any], dict[int, dict]]:
    if measured is None:
        return {"unavailable": True}, {}
    clocks = measured.get("clocks") or []
    grouped: dict[int, list[dict]] = {}
    for r in measured.get("rows") or []:
        if 0 <= int(r.get("c", -1)) < len(clocks) and int(r.get("count") or 0) > 0:
            grouped.setdefault(int(r["c"]), []).append(r)
    strips = []
    for c, rows in grouped.items():
        clock = clocks[c]
        unit = clock.get("unit") or "days"
        n = {s: sum(int(r["count"]) for r in rows if r.get("state") == s)
             for s in ("breach", "advisory", "pass", "unknown")}
        hist: dict[float, int] = {}
        fails: dict[tuple[float, str], int] = {}
        limits: dict[float, dict[str, int]] = {}
        for r in rows:
            if r.get("elapsed") is None or r.get("state") == "unknown":
                continue
            v, k = float(r["elapsed"]), int(r["count"])
            hist[v] = hist.get(v, 0) + k
            if r.get("state") in ("breach", "advisory"):
                fails[(v, r["state"])] = fails.get((v, r["state"]), 0) + k
            if r.get("limit") is not None:
                lim = limits.setdefault(float(r["limit"]), {"measured": 0, "over": 0, "advisory": 0})
                lim["measured"] += k
                lim["over"] += k if r["state"] == "breach" else 0
                lim["advisory"] += k if r["state"] == "advisory" else 0
        strips.append({
            "check_id": str(clock.get("check_id") or ""), "article": str(clock.get("article") or ""),
            "clock": str(clock.get("clock") or ""), "unit": unit, "limit_kind": str(clock.get("limit_kind") or ""),
            "bound": clock.get("bound") or "max",
            "limits": {_num(lim): d for lim, d in sorted(limits.items())},
            "values": [_num(v) for v in sorted(hist)], "counts": [hist[v] for v in sorted(hist)],
            "measured": sum(lim["measured"] for lim in limits.values()), "over": n["breach"],
            "advisory": n["advisory"], "unknown": n["unknown"], "_fails": fails,
        })
    strips.sort(key=lambda s: (s["check_id"], -s["measured"], s["clock"]))
    checks: dict[str, dict[str, Any]] = {}
    for s in strips:
        agg = checks.setdefault(s["check_id"], {"over": 0, "advisory": 0, "measured": 0})
        for k in agg:
            agg[k] += s[k]
    fails_of = {id(s): s.pop("_fails") for s in strips}
    return {"strips": strips, "checks": checks, "alt": _deadline_alt(strips, t)}, fails_of


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


def _strip_label(s: dict, t: Callable[[str], str]) -> str:
    return f"{s['check_id']} {s['article']}: {t(s['clock'])}".strip()


def _over_text(s: dict, t: Callable[[str], str]) -> str:
    """"3 of 797 over" (a limit not to pass) or "3 of 6 too early" (a period to wait), with the
    advisory failures apart."""
    over, adv, m = s["over"], s["advisory"], s["measured"]
    word = "{o} of {n} too early" if s["bound"] == "min" else "{o} of {n} over"
    if adv and not over:
        return t(word).format(o=adv, n=m) + " " + t("(advisory)")
    text = t(word).format(o=over, n=m)
    return text + ("; " + t("{n} advisory").format(n=adv) if adv else "")


def _deadline_alt(strips: list[dict], t: Callable[[str], str]) -> str:
    parts = []
    for s in strips:
        name = t(LIMIT_STYLES.get(s["limit_kind"], (s["limit_kind"],))[0])
        lims = ", ".join(f"{lim} {t(s['unit'])}" for lim in s["limits"])
        parts.append(f"{_strip_label(s, t)} ({name} {lims}): {_over_text(s, t)}")
    if not parts:
        return ""
    text = "; ".join(parts) + ". " + t("Requests still open on the audit date are measured to the audit date.")
    if _lang(t) == "en":
        return text
    from .catalog import french_spacing  # noqa: PLC0415

    return french_spacing(text)  # "Art. 8(1)\u00a0: ...\u202f; ..."


def _deadline_png(strips: list[dict], fails_of: dict[int, dict], title: str, t: Callable[[str], str]) -> bytes:
    plt = _pyplot()
    units = [u for u in ("days", "hours") if any(s["unit"] == u for s in strips)]
    heights = [sum(1 for s in strips if s["unit"] == u) for u in units]
    fig, axes = plt.subplots(len(units), 1, squeeze=False, height_ratios=heights,
                             figsize=(6.0, 0.72 * sum(heights) + 1.2 * len(units) + 0.8))
    kinds_drawn: set[str] = set()
    for ax, unit in zip(axes[:, 0], units, strict=True):
        mine = [s for s in strips if s["unit"] == unit]
        ys = list(range(len(mine)))[::-1]
        stats = []
        for s in mine:
            q = _weighted_quantiles(s["values"], s["counts"], (0.05, 0.25, 0.5, 0.75, 0.95))
            stats.append({"whislo": q[0], "q1": q[1], "med": q[2], "q3": q[3], "whishi": q[4], "fliers": []})
        ax.bxp(stats, positions=ys, orientation="horizontal", widths=0.36, patch_artist=True,
               boxprops={"facecolor": OKABE_ITO[5], "edgecolor": OKABE_ITO[0]},
               medianprops={"color": OKABE_ITO[7], "linewidth": 1.6})
        # the view ends a little after the whiskers and limits: a far outlier is drawn at the edge, with its value
        xmax = max([st["whishi"] for st in stats] + [float(lim) for s in mine for lim in s["limits"]] + [1]) * 1.5
        for y, s in zip(ys, mine, strict=True):
            _name, style, colour = LIMIT_STYLES.get(s["limit_kind"], (s["limit_kind"], "-", OKABE_ITO[3]))
            for lim in s["limits"]:
                ax.vlines(float(lim), y - 0.3, y + 0.3, colors=colour, linestyles=style, linewidth=2.2, zorder=3)
                kinds_drawn.add(s["limit_kind"])
                ax.text(float(lim), y - 0.34, f"{lim}", ha="center", va="top", fontsize=8, color=colour)
            # one collection per marker (in the failures' order, as one call per failure drew them):
            # a messy log has thousands of distinct late durations, and a call each cost seconds
            points: dict[bool, tuple[list, list, list, list]] = {False: ([], [], [], []), True: ([], [], [], [])}
            for (v, state), k in sorted(fails_of.get(id(s), {}).items()):
                far = v > xmax
                xs, sizes, faces, edges = points[far]
                xs.append(min(v, xmax))
                sizes.append(14 + 6 * min(k, 10))
                faces.append(OKABE_ITO[3] if state == "breach" else "none")
                edges.append(OKABE_ITO[3] if state == "breach" else OKABE_ITO[1])
                if far:
                    ax.text(xmax, y + 0.12, f"{_num(v)}", ha="right", va="bottom", fontsize=8)
            for far, (xs, sizes, faces, edges) in points.items():
                if xs:
                    ax.scatter(xs, [y] * len(xs), s=sizes, zorder=4, marker=">" if far else "o", linewidths=1.2,
                               facecolors=faces, edgecolors=edges)
            ax.text(0, y + 0.27, printable(_strip_label(s, t)), transform=ax.get_yaxis_transform(), fontsize=8,
                    va="bottom", ha="left")
            ax.text(1.01, y, _over_text(s, t), transform=ax.get_yaxis_transform(), fontsize=8, va="center")
        ax.set_yticks([])
        ax.set_ylim(-0.7, len(mine) - 0.2)
        ax.set_xlim(left=min(0.0, min(s["values"][0] for s in mine)), right=xmax * 1.03 + 1)
        ax.set_xlabel(t(unit) + " (" + t("box: 25-75 %, whiskers: 5-95 %") + ")")
        ax.spines[["top", "right", "left"]].set_visible(False)
    axes[0, 0].set_title(t(title))
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=LIMIT_STYLES[k][2], linestyle=LIMIT_STYLES[k][1], linewidth=2,
                      label=t(LIMIT_STYLES[k][0])) for k in LIMIT_STYLES if k in kinds_drawn]
    if any(fails_of.values()):
        handles.append(Line2D([], [], marker="o", linestyle="", color=OKABE_ITO[3], label=t("breach")))
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              markeredgecolor=OKABE_ITO[1], label=t("advisory")))
    axes[-1, 0].legend(handles=handles, fontsize=8, frameon=False, loc="upper center",
                       bbox_to_anchor=(0.5, -0.32 if len(units) == 1 else -0.45), ncols=2)
    fig.subplots_adjust(hspace=1.2 / (0.72 * sum(heights) / len(heights)))  # about 1.2 in between panels
    return _to_png(fig, t)

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
    cmap = rate_cmap()
    ax.bar(xs, values, color=[cmap(v / 100) for v in values], edgecolor="#222222", linewidth=0.4)
    ax.set_xticks(xs, [_label(x) for x in labels])
    for x, v in enumerate(values):
        ax.text(x, v, _pct_text(v, t), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_title(t(title))
    ax.set_xlabel(t("Party"))
    ax.set_ylabel(t("passed / evaluated records (%)"))
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig, t), data


def ranking_chart(
    rows: list[dict[str, Any]],
    title: str = "Weighted findings per 100 requests by Party",
    t: Callable[[str], str] = _same,
) -> tuple[bytes | None, dict[str, Any]]:
    """Horizontal bars of severity-weighted breach findings per 100 audited requests, worst at
    the top, with the 95 % confidence interval as an error bar and the colour of the most severe
    finding; rows without a score (insufficient data) are listed
    hatched with their reason and no bar. ``rows``: :func:`reports.headline.ranking` rows.
    Returns ``(png, {name: score or reason})``."""
    if not rows:
        return None, {}
    data: dict[str, Any] = {}
    for r in rows:
        name = str(r["name"])
        if r.get("insufficient"):
            data[name] = t("insufficient data")
        elif r.get("score") is None:
            data[name] = t("suppressed")
        else:
            data[name] = r["score"]
    plt = _pyplot()
    labels = list(data)
    fig, ax = plt.subplots(figsize=(6.4, 0.42 * len(labels) + 1.6))
    ys = list(range(len(labels)))[::-1]
    top = max([float(r["ci_high"] or r["score"] or 0) for r in rows if r.get("score") is not None] + [1.0])
    for y, r in zip(ys, rows, strict=True):
        if r.get("score") is None:
            ax.barh(y, top, color="none", edgecolor="#8c8c8c", hatch="///", linewidth=0.6)
            n = r.get("requests")
            ax.text(top * 0.02, y, f" {data[str(r['name'])]} (n = {n})", va="center", fontsize=8, color="#333333")
            continue
        colour = SEVERITY_COLOURS.get(r.get("worst"), SEVERITY_COLOURS[None])
        ax.barh(y, float(r["score"]), color=colour, edgecolor="#222222", linewidth=0.4)
        if r.get("ci_low") is not None:
            lo, hi = float(r["ci_low"]), float(r["ci_high"])
            ax.errorbar(float(r["score"]), y, xerr=[[float(r["score"]) - lo], [hi - float(r["score"])]],
                        fmt="none", ecolor="#000000", elinewidth=0.9, capsize=3)
        ax.text(float(r.get("ci_high") or r["score"]), y, f"  {_num_text(float(r['score']), t)} (n = {r.get('requests')})",
                va="center", fontsize=8)
    ax.set_yticks(ys, [_label(x) for x in labels])
    ax.set_xlim(0, top * 1.35)
    ax.set_title(t(title))
    ax.set_xlabel(t("severity-weighted breach findings per 100 requests (95 % CI)"))
    from matplotlib.patches import Patch

    present = [s for s in ("critical", "high", "medium", "low") if any(r.get("worst") == s for r in rows)]
    handles = [Patch(facecolor=SEVERITY_COLOURS[s], edgecolor="#222222", label=t(s)) for s in present]
    if any(r.get("score") is not None and not r.get("worst") for r in rows):
        handles.append(Patch(facecolor=SEVERITY_COLOURS[None], label=t("no finding")))
    if handles:
        ax.legend(handles=handles, title=t("most severe finding"), fontsize=8, title_fontsize=8, frameon=False,
                  loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=min(5, len(handles)))
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig, t), data


def history_chart(
    runs: list[dict[str, Any]],
    title: str = "Breach findings per 100 requests across runs, by Party",
    t: Callable[[str], str] = _same,
) -> tuple[bytes | None, dict[str, dict[str, float | None]]]:
    """One line per Party of breach findings per 100 audited requests, one point per stored run
    (x: the run's as-of date and pack versions); a run where the Party has no figure (no request)
    leaves a gap. ``runs``: :func:`reports.headline.history` rows.
    Returns ``(png, {party: {run label: value}})``."""
    parties = sorted({p for r in runs for p in r["parties"]})
    if len(runs) < 2 or not parties:
        return None, {}
    labels = [r["label"] for r in runs]
    data = {p: {r["label"]: r["parties"].get(p, {}).get("per_100") for r in runs} for p in parties}
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 3.8))
    xs = list(range(len(labels)))
    markers = "osD^vP*Xh"
    for i, p in enumerate(parties):
        ys = [float("nan") if data[p][lb] is None else float(data[p][lb]) for lb in labels]
        ax.plot(xs, ys, marker=markers[i % len(markers)], color=OKABE_ITO[i % len(OKABE_ITO)], label=_label(p, True),
                linewidth=1.4, markersize=4)
    ax.set_xticks(xs, [_label(lb) for lb in labels], rotation=20, ha="right", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.set_title(t(title))
    ax.set_ylabel(t("breach findings per 100 requests"))
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return _to_png(fig, t), data


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
    cmap = rate_cmap()
    ax.barh(ys, [data[k] for k in labels], color=[cmap(data[k] / 100) for k in labels], edgecolor="#222222",
            linewidth=0.4, label=t("compliance rate"))
    for y, k in zip(ys, labels, strict=True):
        ax.text(data[k], y, " " + _pct_text(data[k], t), va="center", fontsize=8)
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
    return _to_png(fig, t), data


def trend_chart(
    series: dict[str, dict[str, int]],
    title: str,
    t: Callable[[str], str] = _same,
    max_series: int = 8,
    partial: str | None = None,
) -> tuple[bytes | None, dict[str, dict[str, int]]]:
    """Findings per period, one line per series (Party, provider or "all").

    Only the ``max_series`` series with the most findings are drawn. ``partial``: the label of a
    period that is only partly covered (``compare.partial_period``); when it is the last one
    plotted, it is hatched, reached by a dashed segment with a hollow marker and labelled
    "(partial)", so its lower count does not read as an improvement. Returns the plotted data.
    """
    if not series:
        return None, {}
    top = sorted(series, key=lambda s: (-sum(series[s].values()), s))[:max_series]
    periods = sorted({p for s in top for p in series[s]})
    data = {s: {p: series[s].get(p, 0) for p in periods} for s in sorted(top)}
    if not periods:
        return None, {}  # nothing to draw
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    markers = "osD^v<>p"
    xs = list(range(len(periods)))
    cut = len(periods) - 1 if partial is not None and periods[-1] == partial else len(periods)
    if cut < len(periods):
        ax.axvspan(cut - 0.4, cut + 0.4, facecolor="none", edgecolor="#c8c8c8", hatch="///", linewidth=0,
                   zorder=0)
    for i, (s, vals) in enumerate(data.items()):
        ys = list(vals.values())
        colour, marker = OKABE_ITO[i % len(OKABE_ITO)], markers[i % len(markers)]
        ax.plot(xs[:cut], ys[:cut], marker=marker, color=colour,
                label=t(s) if s == "all" else _label(s, legend=True), linewidth=1.6)
        if cut < len(periods):  # the partial period: dashed into a hollow marker
            ax.plot(xs[max(cut - 1, 0):], ys[max(cut - 1, 0):], color=colour, linestyle="--", linewidth=1.4)
            ax.plot(xs[cut:], ys[cut:], marker=marker, color=colour, markerfacecolor="none", linestyle="")
    ticks = [p + (" " + t("(partial)") if i >= cut else "") for i, p in enumerate(periods)]
    ax.set_xticks(xs, ticks)
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
    return _to_png(fig, t), data


def heatmap_chart(
    heat: dict, title: str = "Compliance rate by Party and family", t: Callable[[str], str] = _same,
) -> tuple[bytes | None, dict[str, dict[str, float | None]]]:
    """Party x family heat map of compliance rates (%); cells with no evaluated records are blank
    and marked "n/a"."""
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
            ok = cell and cell.get("rate") is not None and cell["evaluated"] >= 1
            data[p][f] = round(float(cell["rate"]) * 100, 2) if ok else None
            if ok:
                grid[i, j] = data[p][f]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(min(PRINT_WIDTH_IN, max(6.4, 0.9 * len(families) + 2)), 0.45 * len(parties) + 2.2))
    from matplotlib.patches import Rectangle

    cmap = rate_cmap().with_extremes(bad="#ffffff")
    im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for i in range(len(parties)):
        for j in range(len(families)):
            v = grid[i, j]
            if np.isnan(v):  # no data: hatched, never a colour of the scale
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#9a9a9a",
                                       linewidth=0))
            txt = t("n/a") if np.isnan(v) else f"{v:.0f}"
            colour = "#000000" if np.isnan(v) or v > 45 else "#ffffff"
            ax.text(j, i, txt, ha="center", va="center", fontsize=8, color=colour,
                    bbox={"facecolor": "#ffffff", "edgecolor": "none", "pad": 1} if np.isnan(v) else None)
    ax.set_xticks(range(len(families)), [_label(t(f.replace("_", " "))) for f in families], rotation=40 if len(families) > 6 else 30,
                  ha="right", rotation_mode="anchor" if len(families) > 6 else "default")
    ax.set_yticks(range(len(parties)), [_label(p) for p in parties])
    ax.set_xlabel(t("family"))
    ax.set_ylabel(t("Party"))
    ax.set_title(t(title))
    cbar = fig.colorbar(im, ax=ax)
    cbar.set_label(t("passed / evaluated records (%)"))
    fig.tight_layout()
    return _to_png(fig, t), data


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
    return _to_png(fig, t), counts
