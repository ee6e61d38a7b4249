"""The audit of the committed sample data finds exactly the planted violations."""

from __future__ import annotations

import json

import pandas as pd

from tests.conftest import SAMPLE


def test_sample_data_is_what_the_generator_makes():
    from sample_data.generate import generate

    tables, expected = generate()
    for name, frame in tables.items():
        committed = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        regenerated = frame.astype(str).replace({"nan": ""}).reset_index(drop=True)
        assert list(committed.columns) == list(regenerated.columns), name
        assert committed.equals(regenerated.astype(str)), f"{name}.csv differs from `make sample` output"
    assert json.loads((SAMPLE / "expected.json").read_text()) == json.loads(json.dumps(expected))


def test_audit_finds_exactly_the_planted_violations(sample_run, expected):
    findings = pd.read_csv(sample_run["out"] / "findings.csv", dtype=str, keep_default_na=False)
    got = set(zip(findings.check_id, findings.request_id, findings.record_id, strict=True))
    want = {tuple(x) for x in expected["labels"]}
    assert not (want - got), f"planted but not found: {sorted(want - got)[:10]}"
    assert not (got - want), f"found but not planted: {sorted(got - want)[:10]}"
    assert findings.check_id.value_counts().to_dict() == expected["findings_per_check"]


def test_every_family_of_the_first_set_has_a_finding(sample_run):
    findings = pd.read_csv(sample_run["out"] / "findings.csv", dtype=str)
    families = set(findings.family)
    for fam in ("necessity", "proportionality", "minimisation", "retention", "timeliness",
                "completeness", "notification", "onward_transfer"):
        assert fam in families


def test_summary_reconciles_rows_read_stored_quarantined(sample_run, expected):
    summary = json.loads((sample_run["out"] / "summary.json").read_text())
    inputs = {i["table"]: i for i in summary["inputs"]}
    for table, n in expected["rows"].items():
        i = inputs[table]
        assert i["read"] == n
        assert i["read"] == i["stored"] + i["unchanged"] + i["quarantined"]
        assert i["quarantined"] == expected["quarantined"][table]
        assert len(i["sha256"]) == 64
    q = pd.read_csv(sample_run["out"] / "quarantine.csv")
    assert set(q["row"]) == {3002, 3003, 3004, 2839}
    assert set(q["column"]) == {"issued_at", "receiving_party", "data_requested", "request_id"}


def test_findings_records_have_the_contract_fields(sample_run):
    records = json.loads((sample_run["out"] / "findings.json").read_text())
    assert isinstance(records, list) and records
    needed = {"run_id", "check_id", "family", "instrument", "article", "severity", "party", "provider",
              "request_id", "message"}
    for rec in records:
        assert needed <= rec.keys()
        assert rec["article"].startswith("Art. ")
    sample = next(r for r in records if r["check_id"] == "COM002")
    assert sample["instrument"] == "CETS 224" and sample["article"] == "Art. 7(9)(a)"
    assert "reserved Art. 7" in sample["message"]


def test_reports_exist_per_party_and_provider(sample_run):
    out = sample_run["out"]
    for party in ("FR", "DE", "ES", "NL", "GB", "US", "CA"):
        for ext in ("html", "md", "json"):
            assert (out / "party" / f"{party}.{ext}").exists(), (party, ext)
    for provider in ("examplemail", "chatapp", "cloudbox", "hostco", "jpmail", "nameco"):
        assert (out / "provider" / f"{provider}.html").exists()
    index = (out / "index.html").read_text()
    assert 'href="party/FR.html"' in index and 'href="provider/jpmail.html"' in index
    fr = json.loads((out / "party" / "FR.json").read_text())
    assert all(f["party"] == "FR" for f in fr["findings"])
