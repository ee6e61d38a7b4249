"""Breach vs advisory findings, packs and instruments in every report format (fixture model).

The fixture (conftest.py): TIM002 is a mixed check (3 breach + 2 advisory findings), PRO003 an
advisory check (2 advisory findings, outcome "advisory"), RET001 a breach check (2 findings),
EU009 (pack eu2023_1543) and SEC001 are not evaluated; requests_by has 42 mla (FR, examplemail)
and 3 other (DE, cloudco) requests outside the audited instruments.
"""

from __future__ import annotations

import copy
import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reports import aggregate, compare, i18n, junit, sarif, write_reports

ADVISORY_HEADING = "Advisory findings (the auditor's policy thresholds, not breaches of the text)"
ADVISORY_IDS = {"FR-2025-000150", "DE-2025-000010", "FR-2025-000160", "DE-2025-000020"}
BREACH_IDS = {"FR-2025-000123", "FR-2025-000099", "DE-2025-000001", "DE-2025-000002", "DE-2025-000003"}
NEW_FIELDS = ("kind", "pack", "request_instrument")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    from tests.reports.conftest import _MODEL

    path = tmp_path_factory.mktemp("advisory")
    write_reports(copy.deepcopy(_MODEL), path, ("html", "md", "json", "csv"))
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    from tests.reports.conftest import _MODEL

    path = tmp_path_factory.mktemp("published")
    write_reports(copy.deepcopy(_MODEL), path, ("html", "md", "json", "csv"), publish=True, threshold=5)
    return path


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _table(html: str, table_id: str) -> str:
    return re.search(rf'<table[^>]*id="{table_id}">.*?</table>', html, re.S).group(0)


def _md_section(md: str, heading: str) -> str:
    """The text of a Markdown section, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    body = md.split("\n" + heading + "\n", 1)[1]
    return re.split(rf"\n#{{1,{len(level)}}} ", body, maxsplit=1)[0]


# ---------------------------------------------------------------- 1. files carry kind, pack, request instrument


def test_findings_csv_and_json_carry_kind_pack_and_request_instrument(out):
    with (out / "findings.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    header = reader.fieldnames
    assert header[: len(aggregate.FINDING_COLUMNS)] == list(aggregate.FINDING_COLUMNS)  # the contract first
    assert set(NEW_FIELDS) <= set(header)
    by_id = {r["request_id"]: r for r in rows}
    assert {k: by_id["FR-2025-000160"][k] for k in NEW_FIELDS} == {
        "kind": "advisory", "pack": "cets224", "request_instrument": "cets224_art7"}
    assert {k: by_id["DE-2025-000001"][k] for k in NEW_FIELDS} == {
        "kind": "breach", "pack": "cets224", "request_instrument": "cets224_art8"}
    assert {r["request_id"] for r in rows if r["kind"] == "advisory"} == ADVISORY_IDS
    assert {r["request_id"] for r in rows if r["kind"] == "breach"} == BREACH_IDS
    records = json.loads(_read(out / "findings.json"))
    assert [{k: r[k] for k in ("request_id", *NEW_FIELDS)} for r in records] == [
        {k: r[k] for k in ("request_id", *NEW_FIELDS)} for r in rows]


@pytest.mark.parametrize("twin", ["party/FR.json", "party/DE.json", "provider/examplemail.json",
                                  "provider/cloudco.json"])
def test_json_twins_carry_kind_pack_and_request_instrument(out, twin):
    data = json.loads(_read(out / twin))
    assert data["findings"]
    for f in data["findings"]:
        assert f["kind"] in ("breach", "advisory") and f["pack"] == "cets224"
        assert f["request_instrument"] in ("cets224_art7", "cets224_art8")
    assert {f["kind"] for f in data["findings"]} == {"breach", "advisory"}


def test_findings_of_an_earlier_run_are_breaches_of_their_checks_pack(model):
    """A model from before kinds existed: its findings are breaches, of the check's (else the run's) pack."""
    for f in model["findings"]:
        for k in NEW_FIELDS:
            f.pop(k)
    model["checks"][1].pop("pack")  # RET001: the run's pack
    records = aggregate.findings_records(model)
    assert {r["kind"] for r in records} == {"breach"}
    assert {r["pack"] for r in records} == {"cets224"} and {r["request_instrument"] for r in records} == {None}
    s = aggregate.run_summary(model)
    assert (s["findings_total"], s["findings_advisory"]) == (9, 0)


# ---------------------------------------------------------------- 2. advisory apart in HTML and Markdown


@pytest.mark.parametrize("page", ["index", "party/FR", "party/DE", "provider/examplemail", "provider/cloudco"])
def test_html_lists_breaches_in_the_findings_table_and_advisory_findings_apart(out, page):
    html = _read(out / f"{page}.html")
    # a provider page lists the provider's own breaches ("findings") apart from the authorities'
    # ("authority-findings"); no check of this model is the provider's duty
    findings = _table(html, "authority-findings" if page.startswith("provider/") else "findings")
    advisory = _table(html, "advisory-findings")
    assert not any(rid in findings for rid in ADVISORY_IDS)
    assert not any(rid in advisory for rid in BREACH_IDS)
    assert set(re.findall(r'data-kind="(\w+)"', findings)) == {"breach"}
    assert set(re.findall(r'data-kind="(\w+)"', advisory)) == {"advisory"}
    # the advisory section follows the findings and is headed as such
    section = re.search(r'<section class="advisory" id="advisory">.*?</section>', html, re.S).group(0)
    assert ADVISORY_HEADING.replace("'", "&#39;") in section and advisory in section
    assert html.index(f'id="{"authority-findings" if page.startswith("provider/") else "findings"}"') \
        < html.index('id="advisory-findings"')
    assert "<th>Parameter basis</th>" in advisory and "<th>Parameter basis</th>" not in findings


def test_advisory_rows_give_the_parameter_basis(out):
    advisory = _table(_read(out / "party" / "FR.html"), "advisory-findings")
    pro = re.search(r"<tr[^>]*>(?:(?!</tr>).)*FR-2025-000160.*?</tr>", advisory, re.S).group(0)
    assert "proportionality_bulk_identifiers = 50 (auditor policy; CETS 224 Art. 13 fixes no number)" in pro
    assert "cets224<br>cets224_art7" in pro  # pack / request instrument
    # a check with no policy parameter: its parameters, with their basis
    tim = re.search(r"<tr[^>]*>(?:(?!</tr>).)*FR-2025-000150.*?</tr>", advisory, re.S).group(0)
    assert "art8_subscriber_return_days = 20 (CETS 224 Art. 8(6)(a)(i))" in tim


def test_markdown_lists_advisory_findings_apart(out):
    for page in ("index.md", "party/FR.md", "provider/cloudco.md"):
        md = _read(out / page)
        level = "##"
        breaches = _md_section(md, f"{level} Findings")
        advisory = _md_section(md, f"{level} {ADVISORY_HEADING}")
        assert not any(rid in breaches for rid in ADVISORY_IDS), page
        assert any(rid in advisory for rid in ADVISORY_IDS) and not any(rid in advisory for rid in BREACH_IDS)
        assert "| Parameter basis |" in advisory and "Parameter basis" not in breaches
    fr = _read(out / "party" / "FR.md")
    assert "| LOW | PRO003 | proportionality | Art. 13, CETS 224 | cets224 / cets224\\_art7 | FR |" in fr
    assert "proportionality\\_bulk\\_identifiers = 50 (auditor policy; CETS 224 Art. 13 fixes no number) |" in fr


def test_check_tables_show_kind_and_pack(out):
    html = _read(out / "index.html")
    checks = _table(html, "checks")
    kinds = re.findall(r'<tr data-kind="(\w+)"><td class="mono">(?:<a href="[^"]*">)?(\w+)', checks)
    assert {cid: kind for kind, cid in kinds} == {"TIM002": "mixed", "RET001": "breach", "SEC001": "breach",
                                                  "PRO003": "advisory", "EU009": "breach"}
    assert '<td class="mono">eu2023_1543</td>' in checks and "kind-advisory" in checks
    pro = re.search(r'<tr data-kind="advisory">.*?</tr>', checks, re.S).group(0)
    assert "out-advisory" in pro  # outcome "advisory": it failed advisory rules only
    expl = re.search(r'<section class="check" id="chk-PRO003">.*?</section>', html, re.S).group(0)
    assert "every finding of this check is advisory" in expl and "governs cets224_art6" in expl
    md = _read(out / "index.md")
    assert "| PRO003 | No request is bulk | Art. 13, CETS 224 | cets224 | ADVISORY | low | R | advisory | 8 | 6 | 2 | 2 | 0 |" in md
    assert "| TIM002 | Subscriber information returned within deadline | Art. 8(6)(a), CETS 224 | cets224 | MIXED |" in md


def test_french_pages_translate_every_new_text(model, tmp_path):
    i18n.MISSING.clear()
    write_reports(model, tmp_path, ("html", "md"), lang="fr")
    write_reports(model, tmp_path / "pub", ("html", "md"), lang="fr", publish=True)
    assert not i18n.MISSING, f"untranslated fixed strings: {sorted(i18n.MISSING)}"
    fr = _read(tmp_path / "party" / "FR.html")
    assert i18n.FR[ADVISORY_HEADING].replace("'", "&#39;") in fr
    assert "Conformité par instrument juridique" in fr and "Demandes hors des instruments audités" in fr
    assert "INDICATIF" in fr and "MIXTE" in fr and "MANQUEMENT" in fr
    md = _read(tmp_path / "index.md")
    assert "45 demandes relevaient d'instruments non audités" in md and "42 mla, 3 other" in md


# ---------------------------------------------------------------- 3. compliance figures leave advisory out


def test_compliance_counts_per_kind():
    assert aggregate.compliance_counts("breach", 10, 8, 2, 0) == (10, 8, 2)
    assert aggregate.compliance_counts("mixed", 22, 17, 5, 2) == (20, 17, 3)
    assert aggregate.compliance_counts("advisory", 8, 6, 2, 2) == (0, 0, 0)


def test_check_results_outcomes_and_compliance_records(model):
    res = {r["check_id"]: r for r in aggregate.check_results(model)}
    tim, pro = res["TIM002"], res["PRO003"]
    assert (tim["kind"], tim["outcome"], tim["findings"], tim["advisory_findings"]) == ("mixed", "fail", 3, 2)
    assert (tim["evaluated"], tim["failed"], tim["advisory"]) == (22, 5, 2)  # the check's own counts
    assert (tim["records_evaluated"], tim["records_passed"], tim["records_failed"]) == (20, 17, 3)
    assert (pro["kind"], pro["outcome"], pro["findings"], pro["advisory_findings"]) == ("advisory", "advisory", 0, 2)
    assert (pro["records_evaluated"], pro["records_passed"], pro["records_failed"]) == (0, 0, 0)
    # per scope: DE's TIM002 records (11: 9 passed, 1 breach, 1 advisory)
    de = {r["check_id"]: r for r in aggregate.check_results(model, party="DE")}
    assert (de["TIM002"]["records_evaluated"], de["TIM002"]["records_failed"], de["TIM002"]["outcome"]) == (10, 1, "fail")
    assert de["PRO003"]["outcome"] == "advisory"
    # a Party with only advisory failures of a mixed check: outcome advisory in its scope
    model["findings"] = [f for f in model["findings"] if not (f["check_id"] == "TIM002" and f["party"] == "DE"
                                                              and f["kind"] == "breach")]
    model["scope"][1].update(failed=1, passed=10)
    assert {r["check_id"]: r for r in aggregate.check_results(model, party="DE")}["TIM002"]["outcome"] == "advisory"


def test_compliance_summary_counts_breaches_only(model):
    s = aggregate.compliance_summary(aggregate.check_results(model), aggregate.findings_records(model))
    assert (s["records_evaluated"], s["records_passed"], s["records_failed"]) == (30, 25, 5)
    assert s["compliance_rate"] == round(25 / 30, 4)
    assert (s["findings"], s["advisory"], s["waived"]) == (5, 4, 0)
    assert s["findings_by_severity"] == {"critical": 0, "high": 2, "medium": 3, "low": 0, "info": 0}
    assert s["findings_by_family"] == {"retention": 2, "timeliness": 3}
    assert s["advisory_by_check"] == {"PRO003": 2, "TIM002": 2}
    # checks failed = outcome fail; the checks with advisory findings are counted apart
    assert (s["checks_evaluated"], s["checks_passed"], s["checks_failed"]) == (3, 0, 2)
    assert (s["checks_advisory"], s["checks_advisory_only"], s["checks_not_evaluated"]) == (2, 1, 2)
    # the same run with PRO003's rule read as a breach: its records and findings count
    model["checks"][3]["kind"] = "breach"
    model["checks"][3]["advisory"] = 0
    for row in model["scope"]:
        if row["check_id"] == "PRO003":
            row["advisory"] = 0
    for f in model["findings"]:
        if f["check_id"] == "PRO003":
            f["kind"] = "breach"
    s = aggregate.compliance_summary(aggregate.check_results(model), aggregate.findings_records(model))
    assert (s["records_evaluated"], s["records_passed"], s["records_failed"], s["findings"]) == (38, 31, 7, 7)
    assert s["checks_failed"] == 3 and s["findings_by_severity"]["low"] == 2


def test_scope_rows_count_breaches_only(model):
    rows = {r["name"]: r for r in aggregate.scope_rows(model, "party")}
    assert {k: rows["FR"][k] for k in ("findings", "advisory", "records_evaluated", "records_passed",
                                       "records_failed", "checks_failed", "checks_advisory", "requests_outside")} == {
        "findings": 2, "advisory": 2, "records_evaluated": 16, "records_passed": 14, "records_failed": 2,
        "checks_failed": 1, "checks_advisory": 2, "requests_outside": 42}
    assert (rows["DE"]["findings"], rows["DE"]["advisory"], rows["DE"]["requests_outside"]) == (3, 2, 3)


def test_family_rates_and_heatmap_leave_the_advisory_check_out(model):
    fams = {f["family"]: f for f in compare.family_rates(model)}
    assert set(fams) == {"retention", "timeliness"}  # proportionality: PRO003 is advisory only
    assert (fams["timeliness"]["evaluated"], fams["timeliness"]["passed"]) == (20, 17)
    assert compare.heatmap(model)["families"] == ["retention", "timeliness"]
    assert compare.heatmap(model)["cells"]["FR"]["timeliness"] == {"evaluated": 10, "passed": 8, "rate": 0.8}


def test_summary_json_new_keys_and_unchanged_ones(model, out):
    s = json.loads(_read(out / "summary.json"))
    # every key summary.json had, in its place, and the new ones
    assert list(s) == [
        "run_id", "tool_version", "pack", "pack_version", "packs", "audited_instruments", "as_of", "period",
        "inputs", "findings_total", "findings_waived", "findings_by_severity", "findings_by_party",
        "findings_by_provider", "findings_advisory", "advisory_by_check", "check_outcomes",
        "checks_not_evaluated", "checks_error", "checks_advisory",
        "records_evaluated", "records_passed", "records_failed", "compliance_rate", "outside_audited_instruments",
        "attestations", "headline", "ranking"]
    assert s["packs"] == [{"name": "cets224", "version": "2026.11.0"}, {"name": "eu2023_1543", "version": "2026.12.0"}]
    assert s["audited_instruments"] == ["cets224_art6", "cets224_art7", "cets224_art8", "cets224_art9",
                                        "cets224_art10", "eu_epoc", "eu_epoc_pr"]
    assert (s["findings_total"], s["findings_advisory"], s["findings_waived"]) == (5, 4, 0)
    assert s["advisory_by_check"] == {"PRO003": 2, "TIM002": 2}
    assert s["findings_by_party"] == {"DE": 3, "FR": 2} and s["findings_by_provider"] == {
        "": 2, "cloudco": 1, "examplemail": 2}
    assert s["check_outcomes"] == {"pass": 0, "fail": 2, "advisory": 1, "not_evaluated": 2, "error": 0}
    assert s["checks_advisory"] == 2
    assert s["outside_audited_instruments"] == {"total": 45, "by_instrument": {"mla": 42, "other": 3},
                                                "by_party": {"DE": 3, "FR": 42}}
    # a waived advisory finding is waived, not advisory: total + advisory + waived = every finding
    model["findings"][5]["waived"] = True
    w = aggregate.run_summary(model)
    assert (w["findings_total"], w["findings_advisory"], w["findings_waived"]) == (5, 3, 1)


def test_summary_cards_on_pages(out):
    html = _read(out / "index.html")
    assert '<div class="v" id="summary-findings">5</div>' in html
    assert '<div class="v" id="summary-advisory">4</div>' in html
    assert '<div class="v" id="summary-checks-advisory">2</div>' in html
    sev = _table(html, "severity-counts")
    assert "Breach findings by severity" in sev
    assert re.findall(r'<td class="num">(\d+)</td>', sev) == ["0", "2", "3", "0", "0"]
    md = _read(out / "party" / "DE.md")
    assert "- Findings: 3 (breaches of the text)" in md and "- Advisory findings: 2 (not in the compliance figures)" in md


# ---------------------------------------------------------------- 4. requests outside the audited instruments


def test_outside_audited_counts(model):
    assert aggregate.outside_audited(model) == {"total": 45, "by_instrument": {"mla": 42, "other": 3},
                                                "by_party": {"DE": 3, "FR": 42}}
    assert aggregate.outside_audited(model, party="FR")["by_instrument"] == {"mla": 42}
    assert aggregate.outside_audited(model, provider="cloudco")["by_instrument"] == {"other": 3}
    tally = aggregate.requests_tally(model)
    assert (tally["requests"], tally["requests_audited"], tally["requests_outside"]) == (65, 20, 45)
    # an instrument whose pack was not selected is outside too
    model["run"]["audited_instruments"] = [i for i in model["run"]["audited_instruments"] if not i.startswith("eu_")]
    assert aggregate.outside_audited(model)["by_instrument"] == {"eu_epoc": 4, "mla": 42, "other": 3}
    # without the run's list, the checks' scopes say what was audited; a request with no instrument is "(none)"
    del model["run"]["audited_instruments"]
    model["requests_by"].append({"party": "FR", "provider": "examplemail", "instrument": None, "requests": 2,
                                 "disclosures": 0})
    assert aggregate.outside_audited(model)["by_instrument"] == {"(none)": 2, "mla": 42, "other": 3}
    # a run of an earlier version (no scopes either) judged every request: none outside
    for c in model["checks"]:
        c.pop("scope")
    assert aggregate.outside_audited(model)["total"] == 0


def test_index_and_party_pages_show_the_requests_outside(out):
    index = _read(out / "index.html")
    assert ("45 requests were outside the audited instruments (no check of this run governs them) and were "
            "therefore not judged: 42 mla, 3 other.") in index
    assert re.findall(r'<td class="mono">(\w+)</td><td class="num">(\d+)</td>', _table(index, "outside-instruments")) == [
        ("mla", "42"), ("other", "3")]
    assert re.findall(r"<td>(\w+)</td><td class=\"num\">(\d+)</td>", _table(index, "outside-parties")) == [
        ("DE", "3"), ("FR", "42")]
    assert "20 under an audited instrument, 45 outside the audited instruments (counted, not judged)." in index
    fr = _read(out / "party" / "FR.html")
    assert "42 requests were outside the audited instruments" in fr and "therefore not judged: 42 mla." in fr
    de = _read(out / "party" / "DE.html")
    assert "therefore not judged: 3 other." in de
    md = _read(out / "index.md")
    assert "therefore not judged: 42 mla, 3 other." in md and "| mla | 42 |" in md and "| FR | 42 |" in md
    assert "therefore not judged: 3 other." in _read(out / "party" / "DE.md")
    assert json.loads(_read(out / "party" / "FR.json"))["outside_audited_instruments"]["by_instrument"] == {"mla": 42}


def test_provider_pages_show_the_requests_outside_where_there_are_some(model, tmp_path):
    model["requests_by"] = [r for r in model["requests_by"] if r["instrument"] != "other"]  # cloudco: none
    write_reports(model, tmp_path, ("html", "md"))
    assert "therefore not judged: 42 mla." in _read(tmp_path / "provider" / "examplemail.html")
    assert "therefore not judged: 42 mla." in _read(tmp_path / "provider" / "examplemail.md")
    cloud = _read(tmp_path / "provider" / "cloudco.html")
    assert "Requests outside the audited instruments</h3>" not in cloud and 'id="outside-note"' not in cloud
    assert "### Requests outside the audited instruments" not in _read(tmp_path / "provider" / "cloudco.md")
    # a Party page always says it, even when there are none
    de = _read(tmp_path / "party" / "DE.html")
    assert "None: every request in scope is under an audited instrument." in de


# ---------------------------------------------------------------- 5. per legal instrument


def test_instrument_rows(model):
    rows = {r["instrument"]: r for r in aggregate.instrument_rows(model)}
    assert list(rows) == ["CETS 224", "EU 2023/1543"]
    cets, eu = rows["CETS 224"], rows["EU 2023/1543"]
    assert cets["request_instruments"] == ["cets224_art6", "cets224_art7", "cets224_art8", "cets224_art9",
                                           "cets224_art10"]
    assert (cets["packs"], cets["requests"], cets["checks"], cets["checks_evaluated"]) == (["cets224"], 16, 4, 3)
    assert (cets["records_evaluated"], cets["records_passed"], cets["compliance_rate"]) == (30, 25, 0.8333)
    assert cets["findings_by_severity"] == {"critical": 0, "high": 2, "medium": 3, "low": 0, "info": 0}
    assert (cets["findings"], cets["advisory"]) == (5, 4)
    assert (eu["packs"], eu["request_instruments"], eu["requests"], eu["checks_evaluated"]) == (
        ["eu2023_1543"], ["eu_epoc"], 4, 0)
    assert eu["compliance_rate"] is None and (eu["findings"], eu["advisory"]) == (0, 0)
    fr = {r["instrument"]: r for r in aggregate.instrument_rows(model, party="FR")}
    assert (fr["CETS 224"]["requests"], fr["CETS 224"]["records_evaluated"], fr["CETS 224"]["advisory"]) == (10, 16, 2)
    assert fr["EU 2023/1543"]["requests"] == 0  # FR's 42 mla requests are under no instrument of the run


def test_instrument_tables_on_pages(out):
    for page in ("index.html", "party/FR.html", "party/DE.html"):
        table = _table(_read(out / page), "instruments")
        assert "<td>CETS 224</td>" in table and "<td>EU 2023/1543</td>" in table
    index = _table(_read(out / "index.html"), "instruments")
    cets = re.search(r"<tr><td>CETS 224</td>.*?</tr>", index, re.S).group(0)
    assert '<td class="num">16</td>' in cets and "83.3%" in cets and "(25/30)" in cets
    assert re.findall(r'<td class="num">(\d+)</td>', cets)[-6:] == ["0", "2", "3", "0", "0", "4"]
    md = _read(out / "party" / "FR.md")
    assert ("| CETS 224 | cets224 | cets224\\_art6, cets224\\_art7, cets224\\_art8, cets224\\_art9, cets224\\_art10 "
            "| 10 | 3 / 4 | 87.5% (14/16) | 0 | 0 | 2 | 0 | 0 | 2 |") in md
    assert json.loads(_read(out / "party" / "FR.json"))["instruments"][0]["instrument"] == "CETS 224"


def test_findings_tables_show_instrument_and_pack_and_filter_by_instrument(out):
    html = _read(out / "index.html")
    findings = _table(html, "findings")
    assert 'data-instrument="CETS 224"' in findings and "cets224<br>cets224_art8" in findings
    form = re.search(r'<form class="filters" data-table="findings".*?</form>', html, re.S).group(0)
    assert 'name="instrument"' in form and '<option value="CETS 224">' in form


# ---------------------------------------------------------------- 6. SARIF


def test_sarif_advisory_results_are_notes_and_every_result_has_kind_pack_instrument(model):
    import jsonschema

    doc = sarif.build(model, detail=True)
    schema = json.loads((Path(__file__).parents[1] / "jobs" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    results = doc["runs"][0]["results"]
    assert len(results) == 9
    by_req = {r["properties"]["request_id"]: r for r in results}
    for rid in ADVISORY_IDS:
        assert by_req[rid]["level"] == "note" and by_req[rid]["properties"]["kind"] == "advisory"
    assert by_req["DE-2025-000002"]["level"] == "error"  # a high breach keeps its level
    assert by_req["FR-2025-000123"]["level"] == "warning"  # a medium breach too
    for r in results:
        assert r["properties"]["pack"] == "cets224"
        assert r["properties"]["kind"] in ("breach", "advisory") and r["properties"]["request_instrument"]
    assert by_req["FR-2025-000160"]["properties"]["request_instrument"] == "cets224_art7"
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["PRO003"]["defaultConfiguration"]["level"] == "note"
    assert (rules["TIM002"]["properties"]["kind"], rules["EU009"]["properties"]["pack"]) == ("mixed", "eu2023_1543")
    assert rules["TIM002"]["defaultConfiguration"]["level"] == "warning"
    # a finding without kind (an earlier run) is a breach of its check's pack
    for f in model["findings"]:
        f.pop("kind")
        f.pop("pack")
    again = sarif.build(model, detail=True)["runs"][0]["results"]
    assert {(r["level"], r["properties"]["kind"], r["properties"]["pack"]) for r in again
            if r["properties"]["request_id"] == "FR-2025-000160"} == {("note", "breach", "cets224")}


# ---------------------------------------------------------------- 7. JUnit


def test_junit_advisory_findings_never_fail_a_case(model, tmp_path):
    root = ET.parse(junit.write(model, tmp_path / "junit.xml")).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    # PRO003 (outcome advisory): passing cases, the findings in system-out marked ADVISORY
    for party, rid in (("FR", "FR-2025-000160"), ("DE", "DE-2025-000020")):
        case = suites["PRO003"].find(f"testcase[@name='{party}']")
        assert case.find("failure") is None and case.find("skipped") is None
        assert "ADVISORY" in case.find("system-out").text and rid in case.find("system-out").text
    assert suites["PRO003"].get("failures") == "0"
    # TIM002 (mixed): the case fails on its breaches only; the advisory one is listed, not counted
    fr = suites["TIM002"].find("testcase[@name='FR']")
    failure = fr.find("failure")
    assert failure.get("message") == "2 finding(s) of TIM002 for FR"
    assert "FR-2025-000150" not in failure.text and "FR-2025-000150" in fr.find("system-out").text
    assert fr.find("system-out").text.startswith("ADVISORY")
    props = {p.get("name"): p.get("value") for p in suites["TIM002"].find("properties")}
    assert (props["kind"], props["pack"]) == ("mixed", "cets224")
    # failures: TIM002 FR + DE, RET001 DE
    assert root.get("failures") == "3"
    # an advisory-only Party of a failing mixed check passes
    model["findings"] = [f for f in model["findings"] if not (f["check_id"] == "TIM002" and f["party"] == "DE"
                                                              and f["kind"] == "breach")]
    root = junit.build(model)
    de = root.find("testsuite[@name='TIM002']/testcase[@name='DE']")
    assert de.find("failure") is None and "DE-2025-000010" in de.find("system-out").text


# ---------------------------------------------------------------- 9. publication


def test_published_edition_counts_advisory_findings_apart_and_shows_no_request_ids(published):
    for path in published.rglob("*"):
        if path.is_file():
            text = _read(path)
            for rid in ADVISORY_IDS | BREACH_IDS:
                assert rid not in text, (path, rid)
            assert "after grace" not in text and "bulk request" not in text  # messages: never published
    s = json.loads(_read(published / "summary.json"))
    assert s["total"]["advisory_findings"] in ("<5", "x")
    by_check = {c["check_id"]: c for c in s["checks"]}
    assert by_check["PRO003"]["advisory_findings"] in ("<5", "x") and by_check["PRO003"]["kind"] == "advisory"
    # the edition publishes no finding rows, no per-instrument rates and no outside-instrument counts
    assert not (published / "findings.json").exists() and not (published / "findings.csv").exists()
    assert "instruments" not in s and "outside_audited_instruments" not in s
    md = _read(published / "index.md")
    assert "| PRO003 | No request is bulk (advisory) |" in md
