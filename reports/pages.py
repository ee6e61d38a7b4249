"""Drill-down pages of a run: the key issues (``issues.html`` / ``issues.md``) and one page per
check (``check/<CHECK_ID>.html``), and the links between every page.

Why: a flat findings list buries the few issues that matter under thousands of identical rows.
The key issues page groups the breach findings by check x Party x who must act, most severe
first; a check page gathers everything about one check (its text, parameters, results per
Party and per provider, its findings). Links (``nav``) are relative, so the report folder works
offline and when moved. These pages belong to the full report: ``--publish`` writes the
published edition (:mod:`reports.publication`) instead, which has none of them.

Everything here builds plain contexts from the model and the shared view of
:mod:`reports`; rendering is :mod:`reports.html` / :mod:`reports.markdown`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import aggregate, i18n

__all__ = ["EXAMPLES", "check_contexts", "check_slug", "duty_text", "filters", "issue_groups", "issues_context",
           "nav", "write_pages"]

#: example request pseudonyms shown per key issue
EXAMPLES = 3

#: the words for a finding whose check names no duty (a run made before duties existed)
NO_DUTY = "not stated"

#: the findings-table filters, in the order the form shows them: (name, label, row key)
FILTERS: tuple[tuple[str, str, str], ...] = (
    ("check", "Check", "check_id"), ("severity", "Severity", "severity"), ("status", "Status", "status"),
    ("family", "Family", "family"), ("instrument", "Instrument", "instrument"), ("article", "Article", "article"),
    ("party", "Party", "party"), ("provider", "Provider", "provider"), ("period", "Period", "period"),
)


def check_slug(check_id: str) -> str:
    """The file name (without extension) of a check's page: check ids are ``[A-Z0-9]+``, so this
    is the id itself; anything else gets the bounded, hashed Party slug (never a path)."""
    return aggregate.party_slug(str(check_id))


def duty_text(duty: Any, lang: str = "en") -> str:
    """Who must act, in words (``reports.aggregate.duty_label``; "not stated" without a duty)."""
    return aggregate.duty_label(duty, lang) if duty else i18n.translate(NO_DUTY, lang)


def _check_duties(model: dict) -> dict[str, str]:
    return {aggregate._str(c.get("id")): aggregate._str(c.get("duty")) for c in model.get("checks") or []}


def duty_of(finding: dict, check_duties: dict[str, str]) -> str:
    """A finding's ``duty``, else its check's (findings of runs before duties have none)."""
    return aggregate._str(finding.get("duty")) or check_duties.get(aggregate._str(finding.get("check_id")), "")


def filters(rows: list[dict]) -> list[dict]:
    """The filter selects of a findings table: every value present in its rows, per filter
    (a status filter whose rows carry no status is left out)."""
    out = []
    for name, label, key in FILTERS:
        values = {str(v) for v in (r.get(key) for r in rows) if v}
        if not values and name == "status":
            continue
        order = aggregate._severity_rank if name == "severity" else (
            aggregate.natural_key if name == "check" else str)
        out.append({"name": name, "label": label, "values": sorted(values, key=order)})
    return out


def nav(model: dict, depth: int, html: bool) -> dict:
    """Where a page's links go: ``prefix`` back to the report folder (depth 0: the index; 1: a
    Party, provider or check page), the page slugs, and whether the HTML-only pages (key issues,
    check pages) are written. reports.html turns it into links for the extension rendered."""
    checks = {aggregate._str(c.get("id")): check_slug(aggregate._str(c.get("id")))
              for c in model.get("checks") or [] if c.get("id")}
    return {"prefix": "../" * depth, "party": aggregate.slug_map(model, "party"),
            "provider": aggregate.slug_map(model, "provider"), "checks": checks if html else {},
            "issues": html}


# ---------------------------------------------------------------- key issues


def issue_groups(model: dict, findings: list[dict], checks: list[dict], lang: str) -> tuple[list[dict], list[dict]]:
    """(breach groups, advisory groups): the findings not waived, grouped by check x Party x
    who must act, with their count, most severe severity, providers, up to :data:`EXAMPLES`
    request pseudonyms and the check's remediation; ordered by
    severity, then count (most first), then check and Party."""
    by_id = {c["check_id"]: c for c in checks}
    duties = _check_duties(model)
    groups: dict[tuple[bool, str, str, str], dict] = {}
    for f in findings:
        if f.get("waived"):
            continue
        cid, party = f["check_id"], f["party"]
        duty = duty_of(f, duties)
        key = (aggregate.is_advisory(f), cid, party, duty)
        g = groups.get(key)
        if g is None:
            c = by_id.get(cid, {})
            g = groups[key] = {"check_id": cid, "title": c.get("title_l") or c.get("title") or "",
                               "article": f.get("article") or c.get("article") or "",
                               "instrument": f.get("instrument") or c.get("instrument") or "",
                               "family": f.get("family") or c.get("family") or "",
                               "party": party, "duty": duty, "duty_l": duty_text(duty, lang),
                               "severity": f.get("severity") or "", "count": 0, "providers": {},
                               "examples": [], "remediation": c.get("remediation_l") or c.get("remediation") or "",
                               "basis": ""}
        g["count"] += 1
        if aggregate._severity_rank(f.get("severity")) < aggregate._severity_rank(g["severity"]):
            g["severity"] = f.get("severity") or ""
        if f["provider"]:
            g["providers"][f["provider"]] = g["providers"].get(f["provider"], 0) + 1
        if len(g["examples"]) < EXAMPLES and f["request_id"] not in g["examples"]:
            g["examples"].append(f["request_id"])
    out: tuple[list[dict], list[dict]] = ([], [])
    for (advisory, *_), g in groups.items():
        g["sev_rank"] = aggregate._severity_rank(g["severity"])
        g["sort_count"] = g["count"]
        g["providers"] = sorted(g["providers"], key=lambda p, n=g["providers"]: (-n[p], p))
        out[advisory].append(g)
    for lst in out:
        lst.sort(key=lambda g: (g["sev_rank"], -g["sort_count"], aggregate.natural_key(g["check_id"]),
                                g["party"], g["duty"]))
    return out


def _group_filters(rows: list[dict]) -> list[dict]:
    out = []
    for name, label, key in (("check", "Check", "check_id"), ("severity", "Severity", "severity"),
                             ("family", "Family", "family"), ("party", "Party", "party"),
                             ("duty", "Who must act", "duty_l")):
        values = sorted({str(r[key]) for r in rows if r[key]},
                        key=aggregate._severity_rank if name == "severity" else str)
        out.append({"name": name, "label": label, "values": values})
    return out


def issues_context(view: Any, findings: list[dict], checks: list[dict], base_ctx: dict) -> dict:
    """The context of ``issues.html`` / ``issues.md``."""
    breach, advisory = issue_groups(view.model, findings, checks, view.lang)
    for g in advisory:
        g["basis"] = view.basis(next((c for c in checks if c["check_id"] == g["check_id"]), {}))
    active = [f for f in findings if not f.get("waived")]
    n_breach = sum(1 for f in active if not aggregate.is_advisory(f))
    return {**base_ctx, "groups": breach, "advisory_groups": advisory,
            "group_filters": _group_filters(breach), "advisory_group_filters": _group_filters(advisory),
            "findings_total": n_breach, "advisory_total": len(active) - n_breach,
            "examples": EXAMPLES, "nav": nav(view.model, 0, True), "page": "issues"}


# ---------------------------------------------------------------- check pages


def _scope_results(view: Any, kind: str) -> dict[str, dict[str, dict]]:
    """{check id: {Party or provider: its check result there}} for every name of ``kind``."""
    out: dict[str, dict[str, dict]] = {}
    for name in aggregate.slug_map(view.model, kind):
        for r in aggregate.check_results(view.model, **{kind: name}):
            out.setdefault(r["check_id"], {})[name] = r
    return out


def _result_rows(view: Any, results: dict[str, dict], kind: str) -> list[dict]:
    slugs = aggregate.slug_map(view.model, kind)
    rows = []
    for name, r in results.items():
        if not (r["evaluated"] or r["unknown"] or r["findings"] or r["advisory_findings"]):
            continue
        row = {"name": name, "slug": slugs.get(name, ""), "outcome": r["outcome"],
               "evaluated": r["evaluated"], "passed": r["passed"], "failed": r["failed"],
               "advisory": r["advisory"], "unknown": r["unknown"], "findings": r["findings"],
               "advisory_findings": r["advisory_findings"], "records_evaluated": r["records_evaluated"],
               "records_passed": r["records_passed"],
               "compliance_rate": aggregate._rate(r["records_passed"], r["records_evaluated"])}
        rows.append(row)
    rows.sort(key=lambda r: str(r["name"]))
    return rows


def check_contexts(view: Any, findings: list[dict], checks: list[dict], base_ctx: dict) -> Iterable[dict]:
    """One context per check page (lazily: a page is rendered, then the next is built)."""
    by_check = aggregate.group_by(findings, "check_id", aggregate._same)  # shared lists: grouped from columns
    per_party = _scope_results(view, "party")
    per_provider = _scope_results(view, "provider")
    duties = _check_duties(view.model)
    page_nav = nav(view.model, 1, True)
    for c in checks:
        cid = c["check_id"]
        params = [{"name": p, **{k: view.params_by_name.get(p, {}).get(k) for k in
                                 ("value", "kind", "basis", "status", "description")}} for p in c.get("params") or []]
        breach_table, advisory_table = view.findings_tables(by_check.get(cid, []), checks)
        yield {**base_ctx, "check": c, "slug": check_slug(cid), "params": params,
               "duty": duties.get(cid, ""), "duty_l": duty_text(duties.get(cid, ""), view.lang) if duties.get(cid)
               else "",
               "party_results": _result_rows(view, per_party.get(cid, {}), "party"),
               "provider_results": _result_rows(view, per_provider.get(cid, {}), "provider"),
               "findings_table_data": breach_table, "advisory_table_data": advisory_table,
               "nav": page_nav, "page": "check", "index_link": True}


def write_pages(view: Any, out_dir: Path, findings: list[dict], checks: list[dict], base_ctx: dict,
                formats: tuple[str, ...], written: list[Path]) -> None:
    """Write ``issues.html`` and ``check/<ID>.html`` (format html) and ``issues.md`` (format md);
    append the paths to ``written``. No PDF: a PDF links to no page that is not written."""
    from . import html as html_render
    from . import markdown as md_render

    if "html" not in formats and "md" not in formats:
        return
    ctx = issues_context(view, findings, checks, base_ctx)
    if "html" in formats:
        path = out_dir / "issues.html"
        html_render.write_template("issues.html", {**ctx, "ext": "html"}, view.lang, path)
        written.append(path)
    if "md" in formats:
        path = out_dir / "issues.md"
        path.write_text(md_render.render_issues(ctx, view.lang), encoding="utf-8", newline="\n")
        written.append(path)
    if "html" in formats:
        for page in check_contexts(view, findings, checks, base_ctx):
            path = out_dir / "check" / f"{page['slug']}.html"
            html_render.write_template("check.html", {**page, "ext": "html"}, view.lang, path)
            written.append(path)


# French of the fixed strings these pages, the filters and the CSV button add (the lead's table
# in reports.i18n takes precedence when it has the same string).
for _en, _fr in {
    "Key issues": "Problèmes principaux",
    "Key issues: breach findings grouped by check, Party and who must act":
        "Problèmes principaux : constats de manquement regroupés par contrôle, Partie et responsable de l'action",
    "Breach findings (not waived) grouped by check, Party and who must act; most severe first, then the most "
    "findings.":
        "Constats de manquement (non levés) regroupés par contrôle, Partie et responsable de l'action ; les plus "
        "graves d'abord, puis les plus nombreux.",
    "Each group links to its check's page, filtered on the Party.":
        "Chaque groupe renvoie à la page de son contrôle, filtrée sur la Partie.",
    "Who must act": "Qui doit agir",
    "breach findings grouped by check, Party and who must act":
        "constats de manquement regroupés par contrôle, Partie et responsable de l'action",
    "Examples": "Exemples",
    "Providers": "Fournisseurs",
    "all findings": "tous les constats",
    "No breach findings.": "Aucun constat de manquement.",
    "Advisory issues (the auditor's policy thresholds, not breaches of the text)":
        "Points indicatifs (seuils de politique de l'auditeur, et non manquements au texte)",
    "No advisory findings.": "Aucun constat indicatif.",
    "{n} breach findings in {g} groups.": "{n} constats de manquement en {g} groupes.",
    "{n} advisory findings in {g} groups.": "{n} constats indicatifs en {g} groupes.",
    "Check": "Contrôle",
    "Status": "Statut",
    "Download visible rows as CSV": "Télécharger les lignes affichées (CSV)",
    "not stated": "non précisé",
    "more": "de plus",
    "Check page": "Page du contrôle",
    "Provision status": "Statut de la disposition",
    "Parameters": "Paramètres",
    "Outcome": "Résultat",
    "Evaluated records": "Enregistrements évalués",
    "Passed": "Conformes",
    "Failed": "Non conformes",
    "Unknown": "Inconnus",
    "Unknown records: the check could not judge them (a value it needs is missing or not yet due); they are "
    "neither passed nor failed.":
        "Enregistrements inconnus : le contrôle n'a pas pu les juger (une valeur nécessaire manque ou n'est pas "
        "encore échue) ; ils ne sont ni conformes ni non conformes.",
    "Results per Party": "Résultats par Partie",
    "Results per service provider": "Résultats par fournisseur de services",
    "No evaluated records in any Party.": "Aucun enregistrement évalué pour aucune Partie.",
    "No evaluated records for any service provider.": "Aucun enregistrement évalué pour aucun fournisseur.",
    "Findings of this check": "Constats de ce contrôle",
    "key issues": "problèmes principaux",
    "Reason": "Motif",
    "Kind": "Nature",
    "Value": "Valeur",
    "Basis": "Fondement",
    "Name": "Nom",
    "Description": "Description",
}.items():
    i18n.FR.setdefault(_en, _fr)
