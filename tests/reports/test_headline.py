"""The index's first figures and the rankings (reports.headline): what a reader needs first, and
an order that weighs severity and sample size instead of a record-level rate."""

from __future__ import annotations

import csv
import json
import math
import re

import pytest

from reports import headline, write_reports


def _finding(i: int, party: str, severity: str, request: str | None = None, **extra) -> dict:
    return {"fingerprint": f"x{i}", "check_id": extra.pop("check_id", "TIM002"), "family": "timeliness", "instrument": "CETS 224",
            "kind": "breach", "pack": "cets224", "request_instrument": "cets224_art8", "article": "Art. 8(6)(a)",
            "severity": severity, "legal_basis_status": "R", "party": party, "receiving_party": "US",
            "provider": "cloudco" if party == "DE" else "examplemail",
            "request_id": request or f"{party}-{i:04d}", "record_id": None, "issued_at": "2025-03-04T10:00:00Z",
            "message": "m", **extra}


def _param(model: dict, name: str, value) -> None:
    model["run"]["params"].append({"name": name, "value": value, "kind": "policy", "basis": "test",
                                   "status": "policy", "description": ""})


def test_headline_counts_requests_with_a_breach_not_findings(model):
    # two findings on one request, an advisory and a waived one: one request with a finding
    model["findings"] = [_finding(1, "FR", "high", "FR-1"), _finding(2, "FR", "critical", "FR-1"),
                         _finding(3, "FR", "low", "FR-2", kind="advisory"),
                         _finding(4, "FR", "low", "FR-3", waived=True)]
    h = headline.headline(model)
    audited = sum(r["requests"] for r in model["requests_by"] if r["instrument"] not in ("mla", "other"))
    assert h["requests_audited"] == audited
    assert h["requests_with_findings"] == 1
    assert h["share_with_findings"] == pytest.approx(1 / audited)
    assert h["critical_high"] == 2
    assert h["critical_high_per_100"] == pytest.approx(round(200 / audited, 2))
    assert h["advisory"] == 1 and h["waived"] == 1
    assert h["requests_outside"] == 45
    assert h["quarantined_rows"] == 1  # the inputs' quarantined rows
    assert sorted(c["check_id"] for c in h["checks_not_evaluated"]) == sorted(
        c["id"] for c in model["checks"] if c["outcome"] == "not_evaluated")


def test_ranking_weighs_severity_so_one_critical_outranks_two_lows(model):
    _param(model, "report_min_requests", 5)
    model["findings"] = [_finding(1, "FR", "low"), _finding(2, "FR", "low"), _finding(3, "DE", "critical")]
    rows = headline.ranking(model, "party")
    assert [r["name"] for r in rows] == ["DE", "FR"]  # both have 10 audited requests
    de, fr = rows
    assert (de["rank"], fr["rank"]) == (1, 2)
    assert de["score"] == pytest.approx(100 * 10 / 10) and fr["score"] == pytest.approx(100 * 2 / 10)
    assert de["worst"] == "critical" and fr["worst"] == "low"


def test_confidence_interval_is_the_normal_interval_of_the_per_request_mean():
    w = headline.DEFAULT_WEIGHTS
    findings = [_finding(1, "FR", "high", "a"), _finding(2, "FR", "low", "b"), _finding(3, "FR", "low", "b")]
    s = headline.score(findings, 10, w)
    xs = [5.0, 2.0] + [0.0] * 8
    mean = sum(xs) / 10
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / 9)
    assert s["score"] == pytest.approx(100 * mean)
    assert s["ci_low"] == pytest.approx(round(100 * max(0.0, mean - 1.959963984540054 * sd / math.sqrt(10)), 2))
    assert s["ci_high"] == pytest.approx(round(100 * (mean + 1.959963984540054 * sd / math.sqrt(10)), 2))
    # one request with a finding: no interval rather than a meaningless one
    assert headline.score(findings[:1], 10, w)["ci_low"] is None


def test_below_the_minimum_sample_a_party_is_insufficient_data_not_ranked(model):
    _param(model, "report_min_requests", 11)  # FR and DE have 10 audited requests each
    model["findings"] = [_finding(1, "DE", "critical")]
    rows = headline.ranking(model, "party")
    assert all(r["insufficient"] and r["rank"] is None for r in rows)
    _param(model, "report_min_requests", 10)
    model["run"]["params"] = [p for p in model["run"]["params"] if p["value"] != 11]
    rows = headline.ranking(model, "party")
    assert [r["rank"] for r in rows] == [1, 2]


def test_providers_are_ranked_on_their_own_duties_only(model):
    _param(model, "report_min_requests", 5)
    # who must act is the check's: TIM002 as the issuing authority's, RET001 (for this test) the provider's
    duty = {"TIM002": "issuing_authority", "RET001": "provider"}
    for c in model["checks"]:
        c["duty"] = duty.get(c["id"], "receiving_authority")
    model["findings"] = [_finding(1, "FR", "critical"), _finding(2, "DE", "low", check_id="RET001")]
    rows = {r["name"]: r for r in headline.ranking(model, "provider")}
    assert rows["examplemail"]["findings"] == 0 and rows["examplemail"]["authority_findings"] == 1
    assert rows["cloudco"]["findings"] == 1 and rows["cloudco"]["rank"] == 1


def test_weights_and_minimum_are_pack_parameters_of_kind_policy():
    from auditor.engine import packs

    for name in packs.available():
        pack = packs.load(name)
        for p in ("report_min_requests", *(f"report_weight_{s}" for s in headline.DEFAULT_WEIGHTS)):
            assert pack.params[p].kind == "policy", (name, p)
        assert {s: float(pack.params[f"report_weight_{s}"].value) for s in headline.DEFAULT_WEIGHTS} \
            == headline.DEFAULT_WEIGHTS


def test_published_edition_has_no_ranking_score(model, tmp_path):
    _param(model, "report_min_requests", 5)
    model["findings"] = [_finding(1, "DE", "critical")]
    write_reports(model, tmp_path, ("html",), publish=True, threshold=5)
    s = json.loads((tmp_path / "summary.json").read_text())
    assert "ranking" not in s and "headline" not in s  # scores and shares are not in the edition
    de = next(r for r in s["parties"] if r["name"] == "DE")
    assert de["findings"] in ("<5", "x") and de["findings_per_100"] is None
    assert "score" not in (tmp_path / "index.html").read_text(encoding="utf-8").lower()


# ---------------------------------------------------------------- the sample audit


def _breaches(out) -> list[dict]:
    with (out / "findings.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["kind"] == "breach" and r.get("waived") != "True"]


def test_sample_index_leads_with_the_figures_of_the_findings(sample_run):
    out = sample_run["out"]
    h = json.loads((out / "summary.json").read_text())["headline"]
    breaches = _breaches(out)
    assert h["findings"] == len(breaches)
    assert h["requests_with_findings"] == len({r["request_id"] for r in breaches})
    assert h["critical_high"] == sum(r["severity"] in ("critical", "high") for r in breaches)
    page = (out / "index.html").read_text(encoding="utf-8")
    glance = page.index('id="at-a-glance"')
    assert glance < page.index('id="attention"') < page.index("Compliance rate:")  # the headline comes first
    value = re.search(r'id="glance-with-findings">(\d+)', page)
    assert value and int(value.group(1)) == h["requests_with_findings"]


def test_sample_ranking_puts_critical_parties_first_and_small_ones_apart(sample_run):
    s = json.loads((sample_run["out"] / "summary.json").read_text())["ranking"]
    rows = s["parties"]
    ranked = [r for r in rows if r["rank"] is not None]
    assert all(r["requests"] >= s["min_requests"] for r in ranked)
    assert all(r["insufficient"] and r["requests"] < s["min_requests"] for r in rows if r["rank"] is None)
    assert [r["score"] for r in ranked] == sorted((r["score"] for r in ranked), reverse=True)
    assert ranked.index(ranked[0]) == 0 and rows[: len(ranked)] == ranked  # unranked rows come last


def test_sample_pages_explain_themselves(sample_run):
    out = sample_run["out"]
    guide = (out / "guide.html").read_text(encoding="utf-8")
    for term in ("UNCONFIRMED", "ADVISORY", "n/a", "Compliance rate", "Who must act"):
        assert term in guide
    for page in ("index.html", "party/FR.html", "provider/cloudbox.html"):
        assert "guide.html" in (out / page).read_text(encoding="utf-8"), page
    runs = (out / "runs.html").read_text(encoding="utf-8")
    run_id = json.loads((out / "summary.json").read_text())["run_id"]
    assert run_id in runs and "this run" in runs


def test_sample_data_quality_section_counts_the_quarantine_by_reason(sample_run):
    out = sample_run["out"]
    with (out / "quarantine.csv").open(encoding="utf-8") as fh:
        quarantined = list(csv.DictReader(fh))
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="data-quality"'):page.index('id="data-quality"') + 20000]
    cells = re.findall(r'<td class="num">(\d+)</td></tr>', section.split("</table>")[0])
    assert sum(map(int, cells)) == len(quarantined) > 0


def test_sample_party_profile_reads_in_words(sample_run):
    page = (sample_run["out"] / "party" / "DE.html").read_text(encoding="utf-8")
    assert "Reservation: does not apply Article 7" in page
    assert 'id="profile-source"' in page and "user+default" not in page.split('id="profile-source"')[1][:300]


def test_provider_page_lists_the_authorities_findings_apart(sample_run):
    page = (sample_run["out"] / "provider" / "cloudbox.html").read_text(encoding="utf-8")
    assert 'id="authority-findings"' in page and "The provider&#39;s own findings" in page
