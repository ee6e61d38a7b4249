"""junit.xml and findings.sarif are written by every `auditor run`; SARIF validates against the
OASIS SARIF 2.1.0 JSON schema (vendored: tests/jobs/sarif-schema-2.1.0.json)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from reports import sarif

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())


def _validate(doc: dict) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def test_sarif_of_the_sample_run_is_valid_sarif_2_1_0(sample_run):
    doc = json.loads((sample_run["out"] / "findings.sarif").read_text())
    _validate(doc)
    run = doc["runs"][0]
    findings = json.loads((sample_run["out"] / "findings.json").read_text())
    # one result per check x Party x provider (x kind, x waiver): the counts add up to the findings
    groups = Counter((f["check_id"], f["party"], f["provider"], f["kind"], bool(f.get("waived")),
                      f.get("waiver_id") or "") for f in findings)
    assert len(run["results"]) == len(groups) > 0 and run["properties"]["results"] == "group"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) >= 18
    by_check: Counter = Counter()
    for res in run["results"]:
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["partialFingerprints"]["auditorGroup/v1"]
        props = res["properties"]
        assert 1 <= len(props["examples"]) <= min(5, props["count"])
        by_check[res["ruleId"]] += props["count"]
    assert by_check == Counter(f["check_id"] for f in findings)
    hashes = {a["hashes"]["sha-256"] for a in run["artifacts"]}
    assert len(hashes) == 4 and all(len(h) == 64 for h in hashes)
    # no subscriber identifier in clear
    assert "@mail.example" not in json.dumps(doc)


def test_sarif_detail_lists_every_finding_and_groups_stay_under_the_limit(sample_run, monkeypatch):
    """--sarif-detail: one result per finding, as before; the grouped log caps its results at
    MAX_RESULTS and counts the groups it left out."""
    from auditor import audit
    from auditor.store import db

    model = audit.build_model(db.get_engine(f"sqlite:///{sample_run['db']}"), "latest")
    detail = sarif.build(model, detail=True)
    _validate(detail)
    results = detail["runs"][0]["results"]
    assert len(results) == len(model["findings"]) and all(r["partialFingerprints"]["auditorFingerprint/v1"]
                                                          for r in results)
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    capped = sarif.build(model)["runs"][0]
    _validate({"$schema": sarif.SCHEMA_URI, "version": "2.1.0", "runs": [capped]})
    assert len(capped["results"]) == 3 and capped["properties"]["groups_omitted"] > 0
    assert [r["level"] for r in capped["results"]][0] == "error"  # most severe first


def test_sarif_schema_rejects_a_broken_document(sample_run):
    doc = json.loads((sample_run["out"] / "findings.sarif").read_text())
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc)


def test_waived_result_validates_with_a_suppression():
    model = {"run": {"run_id": "r", "tool_version": "0.1.0", "pack": "cets224", "inputs": [
        {"file": "data dir/requests.csv", "sha256": "a" * 64, "table": "requests"}]},
        "checks": [{"id": "RET001", "title": "t", "severity": "high", "outcome": "fail"}],
        "findings": [{"check_id": "RET001", "severity": "high", "message": "m", "party": "FR", "provider": "p",
                      "request_id": "R1", "fingerprint": "f" * 16, "waived": True, "waiver_reason": "why",
                      "waiver_expires": "2026-12-31", "waiver_approver": "DPO", "waiver_id": "W1"}],
        "attestations": [{"id": "A1", "safeguard": "s", "result": "pass", "status": "pass"}]}
    doc = sarif.build(model)
    _validate(doc)
    assert doc["runs"][0]["results"][0]["suppressions"][0]["justification"] == "why"
    assert doc["runs"][0]["artifacts"][0]["location"]["uri"] == "data%20dir/requests.csv"


def test_junit_has_one_case_per_check_and_party(sample_run):
    root = ET.parse(sample_run["out"] / "junit.xml").getroot()
    findings = json.loads((sample_run["out"] / "findings.json").read_text())
    summary = json.loads((sample_run["out"] / "summary.json").read_text())
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert len(suites) >= 18
    # advisory findings (the auditor's policy) never fail a JUnit case; they are in system-out
    failing = Counter((f["check_id"], f["party"]) for f in findings if f["kind"] == "breach" and not f.get("waived"))
    advisory = Counter((f["check_id"], f["party"]) for f in findings if f["kind"] == "advisory")
    assert advisory
    for (check, party), _n in advisory.items():
        case = suites[check].find(f"testcase[@name='{party}']")
        assert "ADVISORY" in (case.findtext("system-out") or "")
    for (check, party), n in failing.items():
        case = suites[check].find(f"testcase[@name='{party}']")
        assert case is not None, (check, party)
        failure = case.find("failure")
        assert failure is not None and failure.get("message") == f"{n} finding(s) of {check} for {party}"
        lines = failure.text.splitlines()  # the count, then at most 5 examples and "... and N more"
        assert lines[0] == f"{n} finding(s); for example:" and len(lines) <= 7
    cases = [(s.get("name"), c.get("name")) for s in suites.values() for c in s.findall("testcase")]
    assert len(cases) == len(set(cases))  # one per check x Party
    n_fail = sum(1 for s in suites.values() for c in s.findall("testcase") if c.find("failure") is not None)
    assert int(root.get("failures")) == n_fail == len(failing)
    assert int(root.get("tests")) == len(cases)
    assert summary  # the JSON/CSV reports sit next to the machine outputs
    assert (sample_run["out"] / "findings.csv").exists()


@pytest.mark.parametrize("limit", [0, 10**9])
@pytest.mark.parametrize("helpers", ["0", "1"])
def test_machine_outputs_are_identical_inline_and_from_the_helper(sample_run, tmp_path, monkeypatch, limit, helpers):
    """Above HELPER_MAX_FINDINGS (here: 0) SARIF and JUnit are written in the run process, else by
    a helper from the findings frame (or inline when no helper may be forked, AUDITOR_HELPERS=0):
    the files are the same bytes every way."""
    from auditor import audit
    from auditor.store import db

    monkeypatch.setattr(audit, "HELPER_MAX_FINDINGS", limit)
    monkeypatch.setenv("AUDITOR_HELPERS", helpers)
    engine = db.get_engine(f"sqlite:///{sample_run['db']}")
    written = audit.render_run(engine, "latest", tmp_path / "out", ("csv",))
    names = {p.name for p in written}
    assert {"junit.xml", "findings.sarif"} <= names
    for name in ("junit.xml", "findings.sarif"):
        assert (tmp_path / "out" / name).read_bytes() == (sample_run["out"] / name).read_bytes()
