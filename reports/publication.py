"""The published edition (``--publish``): a fixed set of tables whose every count is a cell of one
protected cube, so that no suppressed count can be recomputed from the published ones.

What is published (and nothing else: no finding, request id, authority name, message, row-level
quarantine record, trend, ranking score or chart):

- **totals and per Party / per provider**: requests audited, records evaluated by the breach
  checks, active breach findings (and per 100 requests, shown only where both counts are
  published), active advisory findings;
- **per check and per severity** (all Parties together): active breach and advisory findings;
- **input quality**: rows quarantined per table and reason, per table and in all.

Every one of these counts is a linear form over the same base counts (records of a check x Party x
provider by outcome, requests of a Party x provider, quarantined rows of a table x reason):
:func:`cube` builds them, :func:`reports.disclosure.protect` suppresses the cells from 1 to
``threshold - 1`` (shown ``"<threshold"``) and then complementary cells (shown ``"x"``) until
the attacker's linear programme (HiGHS) pins no suppressed cell: over every non-negative table
that agrees with what is published, each suppressed cell can still move by at least one. The
pages, the Markdown, the JSON and the CSV all print :attr:`Publication.cells` and nothing else;
rates are computed from published cells only. The compliance rate (passed / evaluated records) is
not published: failed records are the breach findings plus the waived ones, so a published rate
with its denominator gives the findings count away wherever none is waived, and hiding it costs
most of the rows their rate anyway. Rows are ordered by name, never by a count (an
order would tell a hidden count's rank).

Why this design and not the full report's tables: the full report's cube (check x Party x
provider x period x severity x family x instrument, 12,705 cells on the sample, 2,678 of them
below 5) takes minutes to protect and then hides most of itself; this one (256 cells on the
sample, 93 below 5) is protected in about 10 s and keeps the figures a comparison between
Parties and providers needs. ``pytauargus`` (tau-argus + HiGHS) protects single hierarchical
tables fast but not the links between the check, severity, Party and provider margins of the
same counts; the LP here audits them all at once (see ``reports.disclosure``).
"""

from __future__ import annotations

import csv
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import aggregate, disclosure, i18n

__all__ = ["Publication", "build", "cell_id", "cube", "write"]

log = logging.getLogger("auditor.reports")

#: the severities in the order pages list them
SEVERITIES = ("critical", "high", "medium", "low", "info")
#: measures of the Party / provider / total rows (base parts as in ``disclosure.MEASURES``)
ROW_MEASURES = ("records_evaluated", "findings", "advisory_findings")
CHECK_MEASURES = ("findings", "advisory_findings")
#: the file of every published cell (long form)
CELLS_CSV = "published_cells.csv"


def cell_id(key: tuple) -> str:
    """A cell's key as text: ``"findings|party=CA&severity=high"`` (pages carry it in
    ``data-cell``; the JSON and CSV name cells by it)."""
    measure, scope = key
    return measure + "|" + "&".join(f"{k}={v}" for k, v in scope)


def _key(measure: str, **scope: Any) -> tuple:
    return disclosure.cell_key(measure, **scope)


def cube(model: dict) -> tuple[disclosure.Cube, dict]:
    """The published cells over their base counts, and what the tables list:
    ``{"checks": [ids], "parties": [...], "providers": [...], "severities": [...],
    "quarantine": [(table, column, reason)], "tables": [...]}``."""
    dims = disclosure.check_dims(model)
    base = disclosure.base_counts(model, dims)
    forms: dict[tuple, list] = {}

    def add(key: tuple, var: tuple) -> None:
        forms.setdefault(key, []).append(var)

    parties: set[str] = set()
    providers: set[str] = set()
    checks: set[str] = set()
    for (cid, party, prov), counts in sorted(base.items()):
        d = dims[cid]
        parties.add(party)
        providers.add(prov)
        checks.add(cid)
        for name in counts:
            var = (name, cid, party, prov)
            for measure in ROW_MEASURES:
                if name not in disclosure.MEASURES[measure]:
                    continue
                if measure.startswith("records_") and d["kind"] == "advisory":
                    continue  # compliance counts leave advisory checks out (aggregate.compliance_counts)
                for scope in ({}, {"party": party}, {"provider": prov}):
                    add(_key(measure, **scope), var)
            for measure in CHECK_MEASURES:
                if name in disclosure.MEASURES[measure]:
                    add(_key(measure, check=cid), var)
                    if measure == "findings":
                        add(_key(measure, severity=d["severity"]), var)
    c = disclosure.Cube()
    for (cid, party, prov), counts in base.items():
        for name, value in counts.items():
            c.add_base((name, cid, party, prov), value)
    # requests audited: the Party x provider counts of the audited instruments (another base)
    audited = aggregate.audited_instruments(model)
    requests: dict[tuple[str, str], int] = {}
    for r in model.get("requests_by") or []:
        inst = str(r.get("instrument") or "")
        if audited is not None and inst not in audited:
            continue
        k = (str(r.get("party") or ""), str(r.get("provider") or ""))
        requests[k] = requests.get(k, 0) + int(r.get("requests") or 0)
    for (party, prov), n in sorted(requests.items()):
        parties.add(party)
        providers.add(prov)
        var = ("req", party, prov)
        c.add_base(var, n)
        for scope in ({}, {"party": party}, {"provider": prov}):
            add(_key("requests", **scope), var)
    # rows quarantined, by table and reason (another base)
    quarantine: dict[tuple[str, str, str], int] = {}
    for r in model.get("data_quality") or []:
        if not isinstance(r, dict):
            continue
        k = (str(r.get("table") or ""), str(r.get("column") or ""), str(r.get("reason") or ""))
        quarantine[k] = quarantine.get(k, 0) + int(r.get("rows") or 0)
    for (table, column, reason), n in sorted(quarantine.items()):
        var = ("q", table, column, reason)
        c.add_base(var, n)
        add(_key("quarantined", table=table, column=column, reason=reason), var)
        add(_key("quarantined", table=table), var)
        add(_key("quarantined"), var)
    # the measures every row shows, even where nothing was counted (a missing cell is a zero)
    for scope in [{}, *({"party": p} for p in parties), *({"provider": p} for p in providers)]:
        for measure in (*ROW_MEASURES, "requests"):
            forms.setdefault(_key(measure, **scope), [])
    for sev in SEVERITIES:
        forms.setdefault(_key("findings", severity=sev), [])
    for cid in checks:
        for measure in CHECK_MEASURES:
            forms.setdefault(_key(measure, check=cid), [])
    for key, terms in forms.items():
        c.add_cell(key, terms)
    lists = {
        "checks": sorted(checks, key=aggregate.natural_key),
        "parties": sorted(parties, key=aggregate.natural_key),
        "providers": sorted(providers, key=aggregate.natural_key),
        "quarantine": sorted(quarantine),
        "tables": sorted({t for t, _, _ in quarantine}),
        "dims": dims,
    }
    return c, lists


@dataclass
class Publication:
    """The protected cells and the tables the edition prints from them."""

    threshold: int
    protection: disclosure.Protection
    lists: dict
    seconds: float = 0.0
    cells: dict[str, Any] = field(default_factory=dict)

    def show(self, measure: str, **scope: Any) -> Any:
        """The published text of a cell: an int, ``"<threshold"`` or ``"x"``."""
        return self.protection.show(_key(measure, **scope))

    def row(self, **scope: Any) -> dict:
        """A Party / provider / total row: its cells (shown values) and their ids."""
        out: dict[str, Any] = {"cells": {}}
        for measure in ("requests", *ROW_MEASURES):
            out[measure] = self.show(measure, **scope)
            out["cells"][measure] = cell_id(_key(measure, **scope))
        if not scope:  # the severity split is published for the whole run only (and per check)
            out["by_severity"] = {s: self.show("findings", severity=s) for s in SEVERITIES}
            out["cells"].update({f"severity:{s}": cell_id(_key("findings", severity=s)) for s in SEVERITIES})
        req, found = out["requests"], out["findings"]
        out["findings_per_100"] = (round(100 * found / req, 1) if isinstance(req, int) and isinstance(found, int)
                                   and req > 0 else None)
        return out

    def summary(self) -> dict:
        p = self.protection
        return {"threshold": self.threshold, "cells": len(p.cube.forms),
                "primary": len(p.primary), "complementary": len(p.secondary),
                "shown_x_instead_of_band": len(p.unbanded), "rounds": p.rounds, "request_ids": False,
                "method": "primary suppression below the threshold, complementary suppression until the "
                          "attacker's linear programme (HiGHS) pins no suppressed cell to within one"}


def _rank(key: tuple) -> int:
    """How much a cell is worth keeping when a complementary one must be chosen: the totals of
    the whole run most, then a Party's or provider's own totals, then a check's, then the rest
    (the severity splits, the quarantine reasons)."""
    measure, scope = key
    names = {k for k, _ in scope}
    if not names:
        return 3
    if names in ({"party"}, {"provider"}, {"table"}):
        return 2
    if names == {"check"} or names == {"severity"}:
        return 1
    return 0


def build(model: dict, threshold: int) -> Publication:
    """Protect the edition's cube (:func:`cube`) at ``threshold``."""
    if threshold < 1:
        raise ValueError("the publication threshold must be at least 1")
    c, lists = cube(model)
    start = time.perf_counter()
    prot = disclosure.protect(c, threshold, rank=_rank)
    pub = Publication(threshold, prot, lists, time.perf_counter() - start)
    log.info("published edition: %d cells, %d primary, %d complementary, protected in %.1f s",
             len(c.forms), len(prot.primary), len(prot.secondary), pub.seconds)
    pub.cells = {cell_id(k): prot.show(k) for k in sorted(c.forms, key=cell_id)}
    return pub


# ---------------------------------------------------------------- the edition's content


def _status(value: Any, threshold: int) -> str:
    if value == disclosure.SUPPRESSED:
        return "complementary"
    if isinstance(value, str):
        return "primary"
    return "published"


def content(model: dict, pub: Publication, lang: str = "en") -> dict:
    """Everything the edition prints, in ``lang`` (titles, reasons), from ``pub``'s cells."""
    _ = i18n.translator(lang)
    dims = pub.lists["dims"]
    checks_by_id = {str(c.get("id")): c for c in model.get("checks") or []}
    party_slugs = aggregate.slug_map(model, "party")
    provider_slugs = aggregate.slug_map(model, "provider")
    checks = []
    for cid in pub.lists["checks"]:
        c = checks_by_id.get(cid, {"id": cid})
        checks.append({
            "check_id": cid, "title": i18n.check_text(c, "title", lang), "article": c.get("article") or "",
            "instrument": c.get("instrument") or "", "severity": dims[cid]["severity"],
            "kind": dims[cid]["kind"], "legal_basis_status": c.get("legal_basis_status") or "",
            "findings": pub.show("findings", check=cid), "advisory_findings": pub.show("advisory_findings", check=cid),
            "cells": {m: cell_id(_key(m, check=cid)) for m in CHECK_MEASURES}})
    parties = [{"name": p, "slug": party_slugs.get(p, aggregate.party_slug(p)), **pub.row(party=p)}
               for p in pub.lists["parties"]]
    providers = [{"name": p, "slug": provider_slugs.get(p, aggregate.provider_slug(p)), **pub.row(provider=p)}
                 for p in pub.lists["providers"]]
    quarantine = []
    for table in pub.lists["tables"]:
        reasons = [(col, reason) for t, col, reason in pub.lists["quarantine"] if t == table]
        for col, reason in reasons:
            quarantine.append({"table": table, "column": col, "reason": i18n.reason(reason, lang),
                               "rows": pub.show("quarantined", table=table, column=col, reason=reason), "total": False,
                               "cell": cell_id(_key("quarantined", table=table, column=col, reason=reason))})
        quarantine.append({"table": table, "column": "", "reason": _("all reasons"), "total": True,
                           "rows": pub.show("quarantined", table=table),
                           "cell": cell_id(_key("quarantined", table=table))})
    if quarantine:
        quarantine.append({"table": _("all tables"), "column": "", "reason": _("all reasons"), "total": True,
                           "rows": pub.show("quarantined"), "cell": cell_id(_key("quarantined"))})
    scope = i18n.localise_scope(aggregate.scope_header(model), lang)
    period = (model.get("run") or {}).get("period") or {}
    scope = {**scope, "inputs": [], "audited": {"audit_from": period.get("audit_from"),
                                                "audit_to": period.get("audit_to"), "excluded": [],
                                                "recorded": False}}
    return {"scope": scope, "publication": pub.summary(), "total": pub.row(), "severities": list(SEVERITIES),
            "parties": parties, "providers": providers, "checks": checks, "quarantine": quarantine,
            "threshold": pub.threshold}


# ---------------------------------------------------------------- writers


def _json(path: Path, data: Any, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    written.append(path)


def _text(path: Path, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    written.append(path)


def _strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("cells", "cell", "slug")}


def _cells_rows(pub: Publication) -> Iterable[list]:
    for key in sorted(pub.protection.cube.forms, key=cell_id):
        measure, scope = key
        sc = dict(scope)
        value = pub.protection.show(key)
        yield [cell_id(key), measure, sc.get("check", ""), sc.get("severity", ""), sc.get("party", ""),
               sc.get("provider", ""), sc.get("table", ""), sc.get("column", ""), sc.get("reason", ""),
               value, _status(value, pub.threshold)]


def write(model: dict, out_dir: Path, formats: tuple[str, ...], lang: str = "en", threshold: int = 5,
          classification: str | None = None, pdf_standard: str | None = None) -> list[Path]:
    """Write the published edition into ``out_dir``: ``summary.json`` (every table and cell),
    ``published_cells.csv`` (with ``csv``), ``index`` and one page per Party and provider in the
    chosen formats (``html``, ``pdf``, ``md``, ``json``). No row-level file is written."""
    from . import markdown as md_render
    from .html import environment

    written: list[Path] = []
    pub = build(model, threshold)
    data = content(model, pub, lang)
    summary = {"publication": data["publication"], "run": {k: data["scope"].get(k) for k in (
                   "run_id", "tool_version", "pack", "pack_version", "packs", "audited_instruments", "as_of")},
               "period": {k: data["scope"]["audited"][k] for k in ("audit_from", "audit_to")},
               "total": _strip(data["total"]),
               "parties": [_strip(r) for r in data["parties"]], "providers": [_strip(r) for r in data["providers"]],
               "checks": [_strip(r) for r in data["checks"]], "quarantine": [_strip(r) for r in data["quarantine"]],
               "cells": pub.cells}
    _json(out_dir / "summary.json", summary, written)
    if "csv" in formats:
        path = out_dir / CELLS_CSV
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["cell", "measure", "check_id", "severity", "party", "provider", "table", "column",
                        "reason", "value", "status"])
            w.writerows(_cells_rows(pub))
        written.append(path)
    classification = (classification or "").strip() or None
    base = {**data, "publish": False, "classification": classification, "published_edition": True}
    pages: list[tuple[dict, Path]] = [({**base, "page": None, "prefix": ""}, out_dir / "index")]
    for kind, rows in (("party", data["parties"]), ("provider", data["providers"])):
        for r in rows:
            pages.append(({**base, "page": {"kind": kind, **r}, "prefix": "../"}, out_dir / kind / r["slug"]))
    env = environment(lang) if ("html" in formats or "pdf" in formats) else None
    pdf_jobs: list[tuple[str, Path]] = []
    for ctx, stem in pages:
        if env is not None:
            template = env.get_template("publication.html")
            if "html" in formats:
                _text(stem.with_suffix(".html"), template.render(**ctx, ext="html"), written)
            if "pdf" in formats:
                pdf_jobs.append((template.render(**ctx, ext="pdf"), stem.with_suffix(".pdf")))
        if "md" in formats:
            _text(stem.with_suffix(".md"), md_render.render_publication(ctx, lang), written)
        if "json" in formats and ctx["page"] is not None:
            page = ctx["page"]
            _json(stem.with_suffix(".json"), {"publication": data["publication"], "kind": page["kind"],
                                              **_strip(page)}, written)
    if pdf_jobs:
        from . import pdf

        written.extend(pdf.write_all(pdf_jobs, lang, pdf_standard or pdf.PDF_VARIANT))
    return written
