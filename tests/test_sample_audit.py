"""The audit of the committed sample data finds exactly the planted violations: per check, and per
safeguard family with 100 % precision and recall against the generator's per-request labels."""

from __future__ import annotations

import json

import pandas as pd

from tests.conftest import SAMPLE


def test_sample_data_is_what_the_generator_makes():
    from sample_data.generate import generate

    tables, expected = generate()
    for name, frame in tables.items():
        committed = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        regenerated = frame.astype(object).where(frame.notna(), "").astype(str).reset_index(drop=True)
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


def test_every_family_the_pack_covers_has_a_finding(sample_run):
    from auditor.engine import packs
    from auditor.engine.registry import load_all

    registry = load_all()
    covered = {registry[c].family for c in packs.load("cets224").checks}
    findings = pd.read_csv(sample_run["out"] / "findings.csv", dtype=str)
    assert covered - set(findings.family) == set()
    assert len(covered) >= 14  # every spec family except those no CETS 224 rule maps to


def _confusion(labels: set[tuple], got: set[tuple], families: dict[str, str]) -> dict[str, dict]:
    """Per family, over (family, request_id) pairs: the ground truth is per request."""
    out: dict[str, dict] = {}
    for fam in sorted({families[c] for c, _r, _e in labels | got}):
        want = {r for c, r, _e in labels if families[c] == fam}
        have = {r for c, r, _e in got if families[c] == fam}
        out[fam] = {"tp": len(want & have), "fp": sorted(have - want), "fn": sorted(want - have)}
    return out


def test_precision_and_recall_are_100_percent_per_family(sample_run, expected):
    from auditor.engine.registry import load_all

    families = {cid: c.family for cid, c in load_all().items()}
    findings = pd.read_csv(sample_run["out"] / "findings.csv", dtype=str, keep_default_na=False)
    got = set(zip(findings.check_id, findings.request_id, findings.record_id, strict=True))
    labels = {tuple(x) for x in expected["labels"]}
    # the per-request ground truth written by the generator agrees with the per-record labels
    assert expected["requests_per_check"] == {
        c: sorted({r for c2, r, _e in labels if c2 == c}) for c in sorted({c for c, _r, _e in labels})
    }
    table = _confusion(labels, got, families)
    lines = []
    for fam, c in table.items():
        tp, fp, fn = c["tp"], len(c["fp"]), len(c["fn"])
        lines.append(f"{fam:<18} tp={tp:<3} fp={fp:<3} fn={fn:<3} precision={tp / max(tp + fp, 1):.2f} "
                     f"recall={tp / max(tp + fn, 1):.2f} false+ {c['fp'][:5]} missed {c['fn'][:5]}")
    report = "confusion per family (over requests):\n" + "\n".join(lines)
    assert all(not c["fp"] and not c["fn"] for c in table.values()), report
    assert len(table) >= 14, report


def test_findings_never_double_count(sample_run):
    findings = pd.read_csv(sample_run["out"] / "findings.csv", dtype=str, keep_default_na=False)
    key = findings[["check_id", "request_id", "record_id"]]
    assert not key.duplicated().any(), key[key.duplicated(keep=False)].head()
    # precedence: a request outside the Protocol (COM003) gets no reservation-family finding
    outside = set(findings.loc[findings.check_id == "COM003", "request_id"])
    reserved = set(findings.loc[findings.family == "reservation", "request_id"])
    assert outside and not (outside & reserved)
    # a domestic share without its reference is ONW002's finding, not REC001's as well
    onw002 = set(findings.loc[findings.check_id == "ONW002", "record_id"])
    rec001 = set(findings.loc[findings.check_id == "REC001", "record_id"])
    assert onw002 and not (onw002 & rec001)


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
    n_req, n_dis = expected["rows"]["requests"], expected["rows"]["disclosures"]
    # line numbers (header = line 1): three bad requests at the end, the orphan disclosure last
    assert set(q["row"]) == {n_req - 1, n_req, n_req + 1, n_dis + 1}
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
