"""Who must act: every check names whose duty its rule is (issue 19 item 3), and the duty reaches
every output. A provider's page must not count an authority's failure against the provider, so
the duty is pinned here by article, with the legal reason, for the checks where it is easy to get
wrong."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.engine import packs
from auditor.engine.registry import DUTIES, DUTY_TEXT, load_all, validate_metadata
from reports import aggregate, sarif

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def registry():
    return load_all()


def test_every_registered_check_has_a_valid_duty(registry):
    offenders = [f"{c.id}: duty {c.duty!r}" for c in registry.values() if c.duty not in DUTIES]
    offenders += [f"{c.id}: as_dict duty {c.as_dict().get('duty')!r}" for c in registry.values()
                  if c.as_dict().get("duty") != c.duty]
    assert not offenders, "\n".join(offenders)
    assert set(DUTY_TEXT) == set(DUTIES) == set(aggregate.DUTY_LABELS)


@pytest.mark.parametrize(("duty", "problem"), [("", "duty is missing"), ("police", "duty 'police' not in")])
def test_a_check_without_a_known_duty_fails_validation(registry, duty, problem):
    bad = dataclasses.replace(registry["COM001"], duty=duty)
    assert any(p.startswith(problem) for p in validate_metadata(bad)), validate_metadata(bad)


@pytest.mark.parametrize(("check_id", "duty"), [
    # Art. 8(6)(a): the requested Party "shall order a return" within 20 / 45 days of service; the
    # provider's reply is evidence only, so even TIM002's advisory rows are the requested Party's.
    ("TIM002", "requested_party"),
    # Art. 8(6)(a): the requested Party makes reasonable efforts to serve the provider within 45 days.
    ("TIM001", "requested_party"),
    # Art. 14(5): the Party that holds the data received keeps them only as long as necessary.
    ("RET001", "receiving_authority"),
    ("RET004", "receiving_authority"),
    # Art. 14(10): onward transfer of data received needs the transferring authority's prior
    # authorisation; the holder of the data transfers them.
    ("ONW001", "receiving_authority"),
    # Art. 14(2)(b): the Party processing the data received keeps only relevant, not excessive data
    # (the over-disclosure is another's act, but Art. 14 binds the receiving Party).
    ("MIN001", "receiving_authority"),
    # Art. 7(3): the contents of the order are the issuing authority's.
    ("COM001", "issuing_authority"),
    # Art. 16: invoking the Protocol before it binds both Parties is the requesting authority's act.
    ("COM003", "issuing_authority"),
    # Art. 13 / ETS 185 Art. 15: necessity and proportionality recorded with the request it issues.
    ("PRO001", "issuing_authority"),
    # Reg. 2023/1543 Art. 10(2)-(3) and 10(4): the addressee transmits within 10 days / 8 hours.
    ("EU009", "provider"),
    ("EU010", "provider"),
    # Art. 7(5)(c): the host Party's stop instruction is addressed to the provider.
    ("NOT005", "provider"),
    # Art. 7(5)(d): the host Party that instructed the provider informs the issuing authority.
    ("NOT006", "requested_party"),
    # Reg. 2023/1543 Art. 13(1): the issuing authority informs the person.
    ("EU012", "issuing_authority"),
])
def test_duty_follows_the_article(registry, check_id, duty):
    assert registry[check_id].duty == duty


def test_non_obvious_choices_say_why_in_the_notes(registry):
    """A check whose provision binds "the Party", or whose duty is not the issuer's content or the
    holder's data, gives its reason (the coverage table quotes it)."""
    for cid in ("COM003", "MIN001", "NOT002", "NOT005", "NOT006", "ONW003", "EU009", "EU017", "TIM002"):
        assert "Who must act: " in registry[cid].notes, cid


@pytest.mark.parametrize("pack", ["cets224", "eu2023_1543"])
def test_the_coverage_table_of_who_must_act_agrees_with_the_registry(registry, pack):
    text = (ROOT / "docs" / "coverage" / f"{pack}.md").read_text(encoding="utf-8")
    section = text.split("\n## Who must act\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| ([A-Z]{2,3}\d{3}) \| [^|]+ \| ([^|]+?) \|", section, re.M))
    labels = {v: k for k, v in aggregate.DUTY_LABELS.items()}
    assert set(rows) == set(packs.load(pack).checks)
    wrong = {cid: label for cid, label in rows.items() if labels.get(label) != registry[cid].duty}
    assert not wrong, wrong


def test_duty_labels_in_english_and_french():
    assert aggregate.duty_label("issuing_authority") == "Issuing authority"
    assert [aggregate.duty_label(d, "fr") for d in DUTIES] == [
        "Autorité d'émission", "Partie requise", "Fournisseur de services", "Autorité destinataire"]
    assert aggregate.duty_label(None) == "" and aggregate.duty_label("other") == "other"


def _model(duty_of_ret: str | None = "receiving_authority") -> dict:
    checks = [{"id": "EU009", "duty": "provider"}, {"id": "RET001", "duty": duty_of_ret},
              {"id": "COM001", "duty": "issuing_authority"}]
    findings = [{"check_id": cid, "severity": "high", "party": "FR", "provider": "cloudbox",
                 "request_id": f"R{i}", "message": "m", "duty": "provider"}  # a row cannot override
                for i, cid in enumerate(("EU009", "RET001", "COM001", "GONE01"))]
    return {"run": {"run_id": "r1", "pack": "cets224"}, "checks": checks, "findings": findings}


def test_findings_records_take_the_duty_of_their_check():
    records = aggregate.findings_records(_model())
    assert {r["check_id"]: r["duty"] for r in records} == {
        "EU009": "provider", "RET001": "receiving_authority", "COM001": "issuing_authority", "GONE01": None}
    assert list(aggregate.ALL_FINDING_COLUMNS)[-1] == "duty"


def test_provider_split_keeps_authority_findings_apart_from_the_providers_own():
    own, others = aggregate.provider_split(aggregate.findings_records(_model()))
    assert [r["check_id"] for r in own] == ["EU009"]
    # an unknown duty (a check no longer registered) is never counted against the provider
    assert sorted(r["check_id"] for r in others) == ["COM001", "GONE01", "RET001"]


def test_sarif_carries_the_duty_on_rules_and_results():
    doc = sarif.build(_model())
    run = doc["runs"][0]
    assert {r["id"]: r["properties"]["duty"] for r in run["tool"]["driver"]["rules"]} == {
        "COM001": "issuing_authority", "EU009": "provider", "RET001": "receiving_authority"}
    # results are grouped (check x Party x provider) and ordered most severe first: compare as a multiset
    assert sorted(map(str, (r["properties"]["duty"] for r in run["results"]))) == sorted(
        ["provider", "receiving_authority", "issuing_authority", "None"])


def test_explain_says_who_must_act():
    out = CliRunner().invoke(main, ["explain", "TIM002"]).output
    assert "Who must act: the requested Party" in out
    assert "Who must act: the issuing authority" in CliRunner().invoke(main, ["explain", "com001"]).output


def test_every_finding_of_the_sample_run_says_who_must_act(sample_run, registry):
    out = sample_run["out"]
    with (out / "findings.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    wrong = [(r["check_id"], r["duty"]) for r in rows if r["duty"] != registry[r["check_id"]].duty]
    assert not wrong, wrong[:10]
    assert {r["duty"] for r in json.loads((out / "findings.json").read_text())} <= set(DUTIES)
    results = json.loads((out / "findings.sarif").read_text())["runs"][0]["results"]
    assert all(r["properties"]["duty"] == registry[r["ruleId"]].duty for r in results)
    suites = ET.parse(out / "junit.xml").getroot().iter("testsuite")
    duties = {s.get("name"): {p.get("name"): p.get("value") for p in s.iter("property")}.get("duty") for s in suites}
    assert all(duties[cid] == c.duty for cid, c in registry.items() if cid in duties)
