"""Report features on the small fixture model: findings table, comparisons, publication mode,
French, waivers, reconciliation and the previous-run section."""

from __future__ import annotations

import json
import re

import pytest

from reports import compare, i18n, write_reports


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """HTML + Markdown + JSON of the fixture model, rendered once for this module."""
    import copy

    from tests.reports.conftest import _MODEL

    out = tmp_path_factory.mktemp("pages")
    write_reports(copy.deepcopy(_MODEL), out, ("html", "md", "json"))
    return out


def _rows(html: str, table_id: str) -> list[str]:
    body = re.search(rf'<table class="sortable" id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr\b[^>]*>.*?</tr>", body, re.S)


def test_findings_table_has_filter_attributes_and_links(pages):
    html = (pages / "index.html").read_text(encoding="utf-8")
    rows = _rows(html, "findings")
    assert len(rows) == 5
    first = rows[0]
    for attr in ("data-severity", "data-family", "data-article", "data-party", "data-provider", "data-period"):
        assert attr in first
    assert 'data-period="2025-Q2"' in html and 'data-period="2025-Q1"' in html
    # every finding links to its check's explanation, and the explanation exists
    for cid in set(re.findall(r'href="#chk-(\w+)"', html)):
        assert f'id="chk-{cid}"' in html
    expl = re.search(r'<section class="check" id="chk-TIM002">.*?</section>', html, re.S).group(0)
    assert "Escalate overdue orders." in expl and "Art. 8 orders must be answered in time." in expl
    # the policy parameter used, with its value
    assert "art8_subscriber_return_days</span> = 20" in expl
    # filter controls: one select per dimension, options from the data
    form = re.search(r'<form class="filters".*?</form>', html, re.S).group(0)
    for name in ("severity", "family", "article", "party", "provider", "period"):
        assert f'name="{name}"' in form
    assert '<option value="timeliness">' in form and '<option value="DE">' in form


def test_ranking_median_and_party_comparison(model, pages):
    rows = compare.rank(__import__("reports").aggregate.scope_rows(model, "party"))
    assert [(r["rank"], r["name"]) for r in rows] == [(1, "FR"), (2, "DE")]
    assert compare.median_rate(rows) == round((0.875 + 0.7857) / 2, 4)  # median of the shown rates
    comp = compare.party_comparison(model, "FR")
    fams = {f["family"]: f for f in comp["families"]}
    # FR: retention 6/6, timeliness 8/10; DE: retention 2/4, timeliness 9/10
    assert fams["retention"]["rate"] == 1.0 and fams["retention"]["median"] == 0.75
    assert fams["timeliness"]["rate"] == 0.8 and fams["timeliness"]["median"] == 0.85
    assert fams["timeliness"]["difference_points"] == -5.0
    fr = (pages / "party" / "FR.html").read_text(encoding="utf-8")
    assert "all-Party median" in fr and "83.0%" in fr and "-5.0" in fr


def test_heatmap_and_trend_data(model):
    heat = compare.heatmap(model)
    assert heat["parties"] == ["DE", "FR"] and heat["families"] == ["retention", "timeliness"]
    assert heat["cells"]["DE"]["retention"] == {"evaluated": 4, "passed": 2, "rate": 0.5}
    from reports import aggregate

    findings = [f for f in aggregate.findings_records(model) if not aggregate.is_advisory(f)]
    assert compare.trend(findings, "party", "quarter") == {"DE": {"2025-Q1": 0, "2025-Q2": 3},
                                                             "FR": {"2025-Q1": 2, "2025-Q2": 0}}
    assert compare.trend(findings, None, "month")["all"] == {"2025-02": 1, "2025-03": 1, "2025-05": 1,
                                                             "2025-06": 2}
    assert compare.granularity(model) == "quarter"  # 2025-01 .. 2026-05 spans more than 12 months


def test_publish_writes_the_protected_edition_only(model, tmp_path):
    write_reports(model, tmp_path, ("html", "md", "json", "csv"), publish=True, threshold=5)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for rid in ("FR-2025-000123", "FR-2025-000099", "DE-2025-000001", "D-000002"):
                assert rid not in text, (path, rid)
            assert "late answer" not in text  # messages carry request ids: never published
    names = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert not names & {"findings.json", "findings.csv", "quarantine.csv", "findings.sarif", "junit.xml"}
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="publish-note"' in index and "Published edition." in index
    assert "Published edition." in (tmp_path / "party" / "FR.md").read_text(encoding="utf-8")
    s = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert s["publication"]["threshold"] == 5 and s["publication"]["request_ids"] is False
    assert s["total"]["findings"] == 5  # 5 is not below the threshold, and a run total is kept
    shown = set(s["cells"].values())
    assert {v for v in shown if isinstance(v, str)} <= {"<5", "x"}
    assert all(v == 0 or v >= 5 for v in shown if isinstance(v, int))
    fr = json.loads((tmp_path / "party" / "FR.json").read_text(encoding="utf-8"))
    assert fr["kind"] == "party" and fr["findings"] in ("<5", "x")
    # the threshold is configurable
    other = tmp_path / "t3"
    write_reports(model, other, ("json",), publish=True, threshold=3)
    s3 = json.loads((other / "summary.json").read_text(encoding="utf-8"))
    assert s3["publication"]["threshold"] == 3
    assert {v for v in s3["cells"].values() if isinstance(v, str)} <= {"<3", "x"}
    assert "<3" in s3["cells"].values()


def test_publish_rates_only_where_both_counts_are_published(model, tmp_path):
    write_reports(model, tmp_path, ("json", "md"), publish=True)
    s = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    for row in [s["total"], *s["parties"], *s["providers"]]:
        both = isinstance(row["requests"], int) and isinstance(row["findings"], int) and row["requests"] > 0
        assert (row["findings_per_100"] is not None) == both, row
        assert "compliance_rate" not in row  # with its denominator it would give the findings away
    md = (tmp_path / "party" / "DE.md").read_text(encoding="utf-8")
    de = next(r for r in s["parties"] if r["name"] == "DE")
    if de["findings_per_100"] is None:
        assert "| Breach findings per 100 requests | n/a |" in md


def test_french_pages(model, tmp_path):
    i18n.MISSING.clear()
    model["checks"][0]["title_fr"] = "Les informations relatives aux abonnés sont remises dans le délai"
    write_reports(model, tmp_path, ("html", "md"), lang="fr")
    assert not i18n.MISSING, f"untranslated fixed strings: {sorted(i18n.MISSING)}"
    html = (tmp_path / "party" / "FR.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert "Résultats des contrôles" in html and "Constats" in html and "87,5\u00a0%" in html  # babel: a no-break space before %
    assert "Les informations relatives aux abonnés sont remises dans le délai" in html
    # RET001 has no French title: English with a marker
    assert "[EN] Retention does not exceed the limit" in html
    md = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert md.startswith("# Audit de conformité") and "Parties classées par constats pondérés par demande" in md
    assert i18n.missing_check_texts([{"id": "X1", "title_fr": "t"}]) == {"X1": ["remediation"]}
    with pytest.raises(ValueError):
        write_reports(model, tmp_path, ("md",), lang="de")


def test_waived_findings_shown_not_counted(model, tmp_path):
    model["findings"][0].update(waived=True, waiver_reason="accepted risk, ticket 42", waiver_expires="2026-12-31")
    write_reports(model, tmp_path, ("html", "json", "csv"))
    fr = (tmp_path / "party" / "FR.html").read_text(encoding="utf-8")
    assert "WAIVED" in fr and "accepted risk, ticket 42" in fr and "FR late answer alpha" in fr
    data = json.loads((tmp_path / "party" / "FR.json").read_text(encoding="utf-8"))
    assert data["summary"]["findings"] == 1 and data["summary"]["waived"] == 1
    s = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert s["findings_total"] == 4 and s["findings_waived"] == 1
    assert "waived" in (tmp_path / "findings.csv").read_text(encoding="utf-8").splitlines()[0]


def test_reconciliation_section_when_present(model, tmp_path):
    model["reconciliation"] = [
        {"party": "FR", "provider": "examplemail", "period": "2025-H1", "metric": "requests", "logged": 12,
         "published_low": 10, "published_high": 14, "status": "consistent", "note": ""},
        {"party": "DE", "provider": "cloudco", "period": "2025-H1", "metric": "requests", "logged": 3,
         "published_low": 20, "published_high": 20, "status": "under_logged", "note": "check the log"},
    ]
    write_reports(model, tmp_path, ("html", "md"))
    fr = (tmp_path / "party" / "FR.html").read_text(encoding="utf-8")
    assert 'id="reconciliation"' in fr and "2025-H1" in fr and "check the log" not in fr
    cloud = (tmp_path / "provider" / "cloudco.html").read_text(encoding="utf-8")
    assert "under logged" in cloud and "check the log" in cloud
    sec = cloud.split("Reconciliation with published transparency figures")[1]
    assert 'src="data:image/png;base64,' in sec.split("</figure>")[0]
    assert "Reconciliation" in (tmp_path / "provider" / "cloudco.md").read_text(encoding="utf-8")
    # absent or empty: no section
    model["reconciliation"] = []
    write_reports(model, tmp_path / "none", ("html",))
    assert 'id="reconciliation"' not in (tmp_path / "none" / "party" / "FR.html").read_text(encoding="utf-8")


def test_previous_run_section(model, tmp_path):
    model["diff"] = {"previous_run_id": "run-20260101T000000-aaaaaa", "previous_as_of": "2026-01-01",
                     "new": ["f1", "f3"], "persisting": ["f2", "f4", "f5"],
                     "resolved": [{"fingerprint": "old1", "check_id": "TIM002", "family": "timeliness",
                                   "article": "Art. 8(6)(a)", "severity": "medium", "party": "FR",
                                   "provider": "examplemail", "request_id": "FR-2024-000007"}]}
    write_reports(model, tmp_path, ("html", "json"))
    fr = (tmp_path / "party" / "FR.html").read_text(encoding="utf-8")
    assert "run-20260101T000000-aaaaaa" in fr and "FR-2024-000007" in fr
    counts = re.search(r'<table id="diff-counts">.*?</table>', fr, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', counts) == ["1", "1", "1"]  # f1 new, f2 persisting
    assert "NEW" in fr and "PERSISTING" in fr
    data = json.loads((tmp_path / "party" / "DE.json").read_text(encoding="utf-8"))
    assert (data["diff"]["new"], data["diff"]["persisting"], data["diff"]["resolved"]) == (1, 2, 0)
