"""Behavioural tests for the reports package."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from reports import aggregate, charts, write_reports
from reports.aggregate import FINDING_COLUMNS

REQUIRED = list(FINDING_COLUMNS)


@pytest.fixture
def out(model, tmp_path) -> Path:
    write_reports(model, tmp_path)
    return tmp_path


def test_written_paths_exist(model, tmp_path):
    paths = write_reports(model, tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    for name in (
        "summary.json", "findings.json", "findings.csv", "index.html", "index.md",
        "party/FR.html", "party/FR.md", "party/FR.json", "party/DE.html",
        "provider/examplemail.html", "provider/cloudco.json", "provider/cloudco.md",
    ):
        assert name in names
        assert (tmp_path / name).is_file()
    # empty-provider findings get no provider report
    assert not any(n.startswith("provider/_") or n == "provider/.html" for n in names)
    assert sorted(p.name for p in (tmp_path / "provider").iterdir()) == sorted(
        f"{s}.{e}" for s in ("cloudco", "examplemail") for e in ("html", "md", "json")
    )


def test_summary_counts(model, out):
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["run_id"] == model["run"]["run_id"]
    assert s["tool_version"] == "0.1.0"
    assert (s["pack"], s["pack_version"]) == ("cets224", "2026.11.0")
    assert s["as_of"] == "2026-06-30T00:00:00Z"
    assert s["inputs"][0]["sha256"] == "a" * 64
    assert s["inputs"][0]["quarantined"] == 1
    assert s["findings_total"] == 5  # breach findings; the 4 advisory ones are counted apart
    assert s["findings_advisory"] == 4 and s["advisory_by_check"] == {"PRO003": 2, "TIM002": 2}
    assert s["findings_by_severity"] == {"critical": 0, "high": 2, "medium": 3, "low": 0, "info": 0}
    assert list(s["findings_by_severity"]) == ["critical", "high", "medium", "low", "info"]
    assert s["findings_by_party"] == {"DE": 3, "FR": 2}
    assert s["findings_by_provider"] == {"": 2, "cloudco": 1, "examplemail": 2}
    assert s["check_outcomes"] == {"pass": 0, "fail": 2, "advisory": 1, "not_evaluated": 2, "error": 0}
    # advisory records are in no compliance figure: TIM002 22 - 2 advisory, PRO003 (advisory) none
    assert (s["records_evaluated"], s["records_passed"], s["records_failed"]) == (30, 25, 5)
    # stable key order: a second run gives byte-identical output
    first = (out / "summary.json").read_text(encoding="utf-8")
    write_reports(model, out)
    assert (out / "summary.json").read_text(encoding="utf-8") == first


def test_findings_csv(model, out):
    with (out / "findings.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][: len(REQUIRED)] == REQUIRED
    assert len(rows) == 1 + 9  # every finding, breach and advisory
    assert {r[0] for r in rows[1:]} == {model["run"]["run_id"]}
    # sorted by severity (high before medium), then check_id, request_id
    sev = [r[REQUIRED.index("severity")] for r in rows[1:]]
    assert sev == ["high", "high"] + ["medium"] * 5 + ["low", "low"]
    req = [r[REQUIRED.index("request_id")] for r in rows[1:]]
    assert req[2:7] == sorted(req[2:7])


def test_findings_csv_header_when_empty(empty_model, tmp_path):
    write_reports(empty_model, tmp_path)
    lines = (tmp_path / "findings.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert lines[0].split(",")[: len(REQUIRED)] == REQUIRED
    assert json.loads((tmp_path / "findings.json").read_text(encoding="utf-8")) == []


def test_findings_json(model, out):
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == 9
    for rec in data:
        assert set(REQUIRED) <= set(rec)
        assert rec["run_id"] == model["run"]["run_id"]
        assert "subscriber_identifier" not in rec


def test_subscriber_identifier_never_emitted(model, tmp_path):
    model["findings"][0]["subscriber_identifier"] = "alice@example.org"
    write_reports(model, tmp_path)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "alice@example.org" not in text
            assert "subscriber_identifier" not in text


def test_index_links_and_targets(out):
    html = (out / "index.html").read_text(encoding="utf-8")
    for target in ("party/FR.html", "party/DE.html", "provider/examplemail.html", "provider/cloudco.html"):
        assert f'href="{target}"' in html
        assert (out / target).is_file()
    md = (out / "index.md").read_text(encoding="utf-8")
    assert "(party/FR.md)" in md and "(provider/cloudco.md)" in md
    # the check results per Party give the counts behind each rate: FR 14/16, DE 11/14; the
    # ranking (reports.headline) needs report_min_requests (20) audited requests: 10 each here
    ranking = re.search(r'<table[^>]*id="party-ranking-table">.*?</table>', html, re.S).group(0)
    assert ranking.count("insufficient data") == 2 and 'href="party/FR.html"' in ranking
    results = re.search(r'<table[^>]*id="parties">.*?</table>', html, re.S).group(0)
    fr = re.search(r'href="party/FR\.html".*?</tr>', results).group(0)
    assert "87.5%" in fr and '<td class="num">14</td><td class="num">16</td>' in fr
    de = re.search(r'href="party/DE\.html".*?</tr>', results).group(0)
    assert "78.6%" in de and '<td class="num">11</td><td class="num">14</td>' in de


def test_html_self_contained(out):
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', html), path
        assert "http://" not in html and "https://" not in html
        assert "<style>" in html and "@media print" in html
        assert "<link" not in html
        assert html.count("<script") == 1 and "<script>" in html  # one inline script, no src
    index = (out / "index.html").read_text(encoding="utf-8")
    # compliance by family, by Party, heat map, response times, trend by Party, trend by provider
    # 5: the fixture is a run without the checks' time-limit measurements (a note, not that chart)
    assert index.count('src="data:image/png;base64,') == 5
    for img in re.findall(r"<img[^>]*>", index):
        assert re.search(r'alt="[^"]+"', img)


def test_html_autoescape(out):
    html = (out / "party" / "FR.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;beta&lt;/b&gt;" in html
    assert "<b>beta</b>" not in html


def test_party_page_only_own_findings(out):
    fr = (out / "party" / "FR.html").read_text(encoding="utf-8")
    assert "FR late answer alpha" in fr
    assert "DE late answer gamma" not in fr
    assert "DE kept too long delta" not in fr
    de = (out / "party" / "DE.html").read_text(encoding="utf-8")
    assert "DE kept too long delta" in de and "FR late answer alpha" not in de
    # profile shown for FR, absence noted for DE
    assert "cets224_in_force_from" in fr and "2025-05-01" in fr
    assert "No profile recorded" in de
    # UNCONFIRMED visible, global not-evaluated reason shown
    assert "UNCONFIRMED" in fr
    assert "no incidents table supplied" in fr
    # checks appendix
    for title in ("Subscriber information returned within deadline", "Security incidents notified"):
        assert title in fr
    assert "Escalate overdue orders." in fr


def test_provider_page_scope(out):
    cloud = (out / "provider" / "cloudco.html").read_text(encoding="utf-8")
    assert "DE late answer gamma" in cloud
    assert "DE kept too long delta" not in cloud  # empty provider
    assert "FR late answer alpha" not in cloud
    data = json.loads((out / "provider" / "cloudco.json").read_text(encoding="utf-8"))
    assert [f["message"] for f in data["findings"] if f["kind"] == "breach"] == ["DE late answer gamma"]
    by_id = {c["check_id"]: c for c in data["checks"]}
    assert by_id["TIM002"]["outcome"] == "fail"
    assert (by_id["TIM002"]["evaluated"], by_id["TIM002"]["passed"], by_id["TIM002"]["advisory"]) == (11, 9, 1)
    # RET001 has no cloudco rows: not evaluated in this scope although it failed globally
    assert by_id["RET001"]["outcome"] == "not_evaluated"
    assert by_id["SEC001"]["reason"] == "no incidents table supplied"


def test_json_twin_matches(out):
    data = json.loads((out / "party" / "FR.json").read_text(encoding="utf-8"))
    assert set(data) >= {"scope", "summary", "checks", "findings", "profile"}
    assert data["scope"]["pack_version"] == "2026.11.0"
    assert data["scope"]["params"][0]["status"] == "UNCONFIRMED"
    assert data["profile"]["party"] == "FR"
    s = data["summary"]
    # TIM002 fail, RET001 pass, PRO003 advisory (evaluated, neither passed nor failed); SEC001, EU009 not
    assert (s["checks_evaluated"], s["checks_passed"], s["checks_failed"], s["checks_not_evaluated"]) == (3, 1, 1, 2)
    assert (s["checks_advisory"], s["checks_advisory_only"]) == (2, 1)
    assert (s["records_evaluated"], s["records_passed"]) == (16, 14)
    assert s["compliance_rate"] == 0.875
    assert {f["party"] for f in data["findings"]} == {"FR"}
    assert len(data["findings"]) == 4 and (s["findings"], s["advisory"]) == (2, 2)


def test_md_twin_summary_numbers(out):
    md = (out / "party" / "FR.md").read_text(encoding="utf-8")
    assert "## At a glance" in md and "## Check results" in md
    assert "87.5%" in md and "14 passed / 16 evaluated records" in md
    assert "- Checks evaluated: 3 (of 5 in pack)" in md
    assert "- Checks passed: 1" in md
    assert "- Checks failed: 1" in md
    assert "- Checks with advisory findings: 2 (1 with advisory findings only)" in md
    assert "- Not evaluated: 2" in md
    assert "**UNCONFIRMED**" in md
    assert "DE late answer gamma" not in md
    # no raw HTML tags leak through
    assert "<b>" not in md


def test_formats_json_only(model, tmp_path):
    paths = write_reports(model, tmp_path, formats=("json",))
    assert not list(tmp_path.rglob("*.html"))
    assert not list(tmp_path.rglob("*.md"))
    assert not (tmp_path / "findings.csv").exists()
    assert (tmp_path / "summary.json").is_file() and (tmp_path / "findings.json").is_file()
    assert (tmp_path / "party" / "FR.json").is_file()
    assert all(p.suffix == ".json" for p in paths)


def test_formats_csv_only_writes_always_files(model, tmp_path):
    write_reports(model, tmp_path, formats=("csv",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.csv", "findings.json", "manifest.json", "summary.json"]


def test_unknown_format_rejected(model, tmp_path):
    with pytest.raises(ValueError):
        write_reports(model, tmp_path, formats=("docx",))


def test_empty_model(empty_model, tmp_path):
    write_reports(empty_model, tmp_path)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "no data" in html
    assert "data:image/png;base64" not in html
    s = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert s["findings_total"] == 0
    assert not (tmp_path / "party").exists()


def test_zero_findings_party_says_no_findings(model, tmp_path):
    model["findings"] = [f for f in model["findings"] if f["party"] != "FR"]
    write_reports(model, tmp_path)
    fr = (tmp_path / "party" / "FR.html").read_text(encoding="utf-8")
    assert "No findings." in fr
    assert "Check results" in fr and "87.5%" in fr
    assert "No findings." in (tmp_path / "party" / "FR.md").read_text(encoding="utf-8")


def test_provider_slug_sanitised(model, tmp_path):
    model["findings"][2]["provider"] = "Cloud Co/../x"
    write_reports(model, tmp_path, formats=("html",))
    assert (tmp_path / "provider" / "cloud_co____x.html").is_file()
    assert aggregate.provider_slug("a.b C") == "a_b_c"


def test_colliding_provider_slugs_get_distinct_files(model, tmp_path):
    model["findings"][0]["provider"] = "mail co"
    model["findings"][1]["provider"] = "mail_co"
    write_reports(model, tmp_path, formats=("html",))
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    # the name that is its own slug keeps it; the other gets the stable hash of its name
    hashed = "mail_co-" + aggregate.name_hash("mail co")
    assert 'href="provider/mail_co.html"' in index and f'href="provider/{hashed}.html"' in index
    assert "FR late answer alpha" in (tmp_path / "provider" / f"{hashed}.html").read_text(encoding="utf-8")
    assert "FR late answer &lt;b&gt;beta" in (tmp_path / "provider" / "mail_co.html").read_text(
        encoding="utf-8"
    )


def test_chart_family_data(model):
    breaches = [f for f in aggregate.findings_records(model) if not aggregate.is_advisory(f)]
    png, data = charts.findings_by_family_chart(aggregate.findings_by_family(breaches))
    assert png.startswith(b"\x89PNG")
    assert data == {"retention": 2, "timeliness": 3}
    png, data = charts.findings_by_family_chart({})
    assert png is None and data == {}


def test_chart_time_limits_of_a_run_without_the_checks_measurements(model):
    """A run of an earlier version stored no time-limit measurements: no chart, a note (the old
    response-time chart counted from another clock start; tests/reports/test_deadline_chart.py)."""
    assert charts.deadline_chart(aggregate.deadline_checks(model)) == (None, {"unavailable": True})


def test_chart_compliance_rate_data(model):
    rows = aggregate.scope_rows(model, "party")
    png, data = charts.compliance_rate_chart(rows)
    assert png.startswith(b"\x89PNG")
    assert data == {"DE": 78.57, "FR": 87.5}


def test_matplotlib_not_imported_at_module_level():
    import subprocess
    import sys

    code = "import sys, reports, reports.charts, reports.aggregate; print('matplotlib' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"


def _finding_rows(page: str) -> list[str]:
    body = page.split('id="findings">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", body, flags=re.S)[1:]  # the header row first


def test_pages_group_findings_above_page_findings(model, tmp_path):
    """A page with more than ``page_findings`` findings (breach and advisory together) shows
    them grouped (check x Party x provider x message template, most severe first, at most
    ``page_findings`` groups per table), says so and links to findings.csv; a page with fewer
    lists them one by one; the JSON and CSV files keep every finding. 0 lists all."""
    from reports import i18n
    from reports.markdown import _cell

    write_reports(model, tmp_path / "cut", ("html", "md", "json", "csv"), page_findings=4)
    index = (tmp_path / "cut" / "index.html").read_text(encoding="utf-8")  # 9 findings: grouped
    rows = _finding_rows(index)  # 5 breach findings, 5 distinct messages: 5 groups, the 4 most severe shown
    assert len(rows) == 4 and all("RET001" in r and "HIGH" in r.upper() for r in rows[:2])
    assert 'class="sortable grouped" id="findings"' in index and 'href="findings.csv"' in index
    note = i18n.GROUP_NOTE.format(total=5, limit=4, groups=5)
    cut = i18n.GROUPS_CUT_NOTE.format(shown=4, groups=5)
    index_md = (tmp_path / "cut" / "index.md").read_text(encoding="utf-8")
    assert note in index and cut in index and "most severe of" not in index
    assert _cell(note) in index_md and _cell(cut) in index_md and "(findings.csv)" in index_md
    md_findings = index_md.split("\n## Findings\n")[1].split("\n## Advisory findings")[0]
    md_rows = [line for line in md_findings.splitlines() if line.startswith("| HIGH") or line.startswith("| MEDIUM")]
    assert [line.split(" |")[0] for line in md_rows] == ["| HIGH", "| HIGH", "| MEDIUM", "| MEDIUM"]
    de = (tmp_path / "cut" / "party" / "DE.html").read_text(encoding="utf-8")  # 3 + 2 advisory findings
    assert len(_finding_rows(de)) == 3 and i18n.GROUP_NOTE.format(total=3, limit=4, groups=3) in de
    assert 'href="../findings.csv"' in de and 'class="sortable grouped" id="advisory-findings"' in de
    fr = (tmp_path / "cut" / "party" / "FR.html").read_text(encoding="utf-8")  # 2 + 2 advisory: listed
    assert len(_finding_rows(fr)) == 2 and "sortable grouped" not in fr and "FR late answer alpha" in fr
    assert len(json.loads((tmp_path / "cut" / "findings.json").read_text(encoding="utf-8"))) == 9
    with (tmp_path / "cut" / "findings.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 9
    # a twin over the limit lists none and says where they are (issue 21); one at or under it lists them
    de_twin = json.loads((tmp_path / "cut" / "party" / "DE.json").read_text(encoding="utf-8"))
    assert de_twin["findings"] is None and de_twin["findings_omitted"]["count"] == 5
    fr_twin = json.loads((tmp_path / "cut" / "party" / "FR.json").read_text(encoding="utf-8"))
    assert len(fr_twin["findings"]) == 4 and "findings_omitted" not in fr_twin

    write_reports(model, tmp_path / "all", ("html",), page_findings=0)
    whole = (tmp_path / "all" / "index.html").read_text(encoding="utf-8")
    assert len(_finding_rows(whole)) == 5 and "sortable grouped" not in whole

    write_reports(model, tmp_path / "fr", ("html", "md"), lang="fr", page_findings=4)
    from markupsafe import escape

    assert str(escape(i18n.FR[i18n.GROUP_NOTE].format(total=5, limit=4, groups=5))) in (
        tmp_path / "fr" / "index.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="page_findings"):
        write_reports(model, tmp_path / "bad", ("html",), page_findings=-1)
