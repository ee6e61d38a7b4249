"""Links between the HTML pages: every relative link of a written set resolves, in normal and
publish mode; the key issues page and the check pages (reports.pages).

Plain file parsing, no browser: fast.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reports import aggregate, html, i18n, pages, write_reports

_HREF = re.compile(r'\s(?:href|src)="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')
_EXTERNAL = ("http:", "https:", "mailto:", "data:", "blob:", "javascript:")


def _broken_links(root: Path) -> tuple[list[str], int]:
    """(every relative link of the HTML files under ``root`` that does not resolve to a written
    file, or whose #fragment names no element there; how many links were followed)."""
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = set(_ID.findall(path.read_text(encoding="utf-8")))
        return ids[path]

    bad, followed = [], 0
    for page in sorted(root.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for href in set(_HREF.findall(text)):
            href = href.replace("&amp;", "&")
            if not href or href.startswith(_EXTERNAL):
                continue
            followed += 1
            parts = urlsplit(href)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if not target.is_file() or root.resolve() not in target.parents:
                bad.append(f"{page.relative_to(root)} -> {href} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_of(target):
                bad.append(f"{page.relative_to(root)} -> {href} (no such anchor)")
    return bad, followed


def test_every_relative_link_of_the_sample_reports_resolves(sample_run):
    out = sample_run["out"]
    bad, followed = _broken_links(out)
    assert not bad, f"{len(bad)} broken link(s):\n" + "\n".join(bad[:50])
    assert followed > 100
    # the key issues page is linked from the index; every check has its page, linked from the index
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="issues.html"' in index
    checks = sorted(p.stem for p in (out / "check").glob("*.html"))
    assert len(checks) >= 30 and all(re.fullmatch(r"[A-Z0-9]+", c) for c in checks)
    assert all(f'href="check/{c}.html"' in index for c in checks)
    # a Party page links its findings' checks, Party and providers with ../
    fr = (out / "party" / "FR.html").read_text(encoding="utf-8")
    assert 'href="../check/' in fr and 'href="../party/FR.html"' in fr and 'href="../provider/' in fr
    assert (out / "issues.md").is_file()


def test_key_issues_page_of_the_sample_groups_by_check_party_and_duty(sample_run):
    text = (sample_run["out"] / "issues.html").read_text(encoding="utf-8")
    body = text[text.index('<table class="sortable" id="issues">'):text.index('id="advisory"')]
    rows = re.findall(r'<tr data-check="([A-Z0-9]+)" data-severity="(\w+)"[^>]*data-party="([^"]*)"', body)
    assert rows, "no key issue"
    ranks = [aggregate._severity_rank(sev) for _, sev, _ in rows]
    assert ranks == sorted(ranks)  # most severe first
    assert "Who must act" in body and "Remediation" in body
    # the advisory groups are apart, below, labelled as the auditor's policy
    assert text.index('id="advisory-issues"') > text.index('id="issues"')
    assert "Advisory issues (the auditor&#39;s policy thresholds, not breaches of the text)" in text


def _model_with_duties(model: dict) -> dict:
    model = copy.deepcopy(model)
    duties = {"TIM002": "requested_party", "RET001": "receiving_authority", "PRO003": "issuing_authority"}
    for c in model["checks"]:
        c["duty"] = duties.get(c["id"])
    return model


def test_issue_groups_order_count_examples_and_advisory_apart(model):
    model = _model_with_duties(model)
    findings = aggregate.findings_records(model)
    checks = [{**c, "title_l": c["title"], "remediation_l": c["remediation"]} for c in aggregate.check_results(model)]
    breach, advisory = pages.issue_groups(model, findings, checks, "en")
    assert breach and advisory
    keys = [(aggregate._severity_rank(g["severity"]), -g["count"]) for g in breach]
    assert keys == sorted(keys)
    assert sum(g["count"] for g in breach) == sum(1 for f in findings
                                                  if not f.get("waived") and not aggregate.is_advisory(f))
    assert all(len(g["examples"]) <= pages.EXAMPLES and g["examples"] for g in breach)
    assert {g["duty_l"] for g in breach} <= {"Requested Party", "Receiving authority"}
    assert {g["check_id"] for g in advisory} <= {"TIM002", "PRO003"}


def test_finding_row_with_links_matches_the_macro(model):
    from reports import _View

    view = _View(model, "en")
    checks = view.checks(aggregate.check_results(model), explain_all=True)
    rows = view.findings_table(aggregate.findings_records(model), checks)["rows"]
    nav = pages.nav(model, 1, True)
    env = html.environment("en")
    macro = env.from_string('{% from "macros.html" import finding_row %}{{ finding_row(r, false, links) }}')
    _ = i18n.translator("en")
    for ext in ("html", "pdf"):
        links = html.page_links(nav, ext)
        for r in rows:
            assert html.finding_row(r, _, False, links) == macro.render(r=r, links=links) + "\n"
    links = html.page_links(nav, "html")
    row = html.finding_row(rows[0], _, False, links)
    assert f'href="../check/{rows[0]["check_id"]}.html"' in row and 'href="../party/' in row
    # a PDF links no check page (none is written as PDF): the explanation on the page instead
    assert f'href="#chk-{rows[0]["check_id"]}"' in html.finding_row(rows[0], _, False, html.page_links(nav, "pdf"))


def test_published_set_links_only_written_files_and_shows_no_request_id(model, tmp_path):
    model = _model_with_duties(model)
    write_reports(model, tmp_path, ("html", "md"), publish=True)
    bad, _ = _broken_links(tmp_path)
    assert not bad, "\n".join(bad)
    assert not (tmp_path / "check").exists() and not (tmp_path / "issues.html").exists()  # finding pages
    ids = {f["request_id"] for f in model["findings"]}
    for path in tmp_path.rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        assert not any(i in text for i in ids), path
    for name in ("index.html", "index.md", "party/FR.html", "party/FR.md"):
        assert "Published edition." in (tmp_path / name).read_text(encoding="utf-8"), name
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="party/FR.html"' in index


def test_french_key_issues_and_check_pages(model, tmp_path):
    """The written set (not published, French): every link resolves, the key issues show example
    request pseudonyms, a check page its parameters and results per Party; no fixed string of
    these pages lacks its French."""
    i18n.MISSING.clear()
    model = _model_with_duties(model)
    write_reports(model, tmp_path, ("html", "md"), lang="fr")
    bad, _ = _broken_links(tmp_path)
    assert not bad, "\n".join(bad)
    issues = (tmp_path / "issues.html").read_text(encoding="utf-8")
    assert "Problèmes principaux" in issues and "Partie requise" in issues
    assert "DE-2025-000001" in issues and "FR-2025-000099" in (tmp_path / "issues.md").read_text(encoding="utf-8")
    tim = (tmp_path / "check" / "TIM002.html").read_text(encoding="utf-8")
    assert 'id="results-party"' in tim and 'href="../party/FR.html"' in tim
    assert "art8_subscriber_return_days" in tim and "CETS 224 Art. 8(6)(a)(i)" in tim
    # the fixed strings of these pages (other pages' are the French tests' of tests/reports/test_features.py)
    root = Path(pages.__file__).parent
    source = "".join((root / name).read_text(encoding="utf-8") for name in
                     ("templates/issues.html", "templates/check.html", "templates/macros.html"))
    asked = set(re.findall(r'_\("([^"]+)"\)', source)) | set(re.findall(r"_\('([^']+)'\)", source))
    mine = sorted(i18n.MISSING & (asked | {pages.NO_DUTY}))
    assert not mine, f"untranslated fixed strings: {mine}"
