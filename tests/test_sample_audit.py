"""The default run on the committed sample data (a mixed log: CETS 224 orders, EU production and
preservation orders, mutual assistance and `other` requests) finds exactly the planted violations
of both instruments, each with its kind (breach or advisory), raises nothing on the labelled near
misses, and judges no request outside its instrument: per check, and per safeguard family with
100 % precision and recall against the generator's per-request labels."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def findings(sample_run) -> pd.DataFrame:
    return pd.read_csv(sample_run["out"] / "findings.csv", dtype=str, keep_default_na=False)


def _got(findings: pd.DataFrame) -> set[tuple[str, str, str]]:
    return set(zip(findings.check_id, findings.request_id, findings.record_id, strict=True))


def test_sample_data_is_what_the_generator_makes():
    from sample_data.generate import generate

    tables, expected = generate()
    for name, frame in tables.items():
        committed = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        regenerated = frame.astype(object).where(frame.notna(), "").astype(str).reset_index(drop=True)
        assert list(committed.columns) == list(regenerated.columns), name
        assert committed.equals(regenerated.astype(str)), f"{name}.csv differs from `make sample` output"
    assert json.loads((SAMPLE / "expected.json").read_text()) == json.loads(json.dumps(expected))


def test_the_default_run_audits_every_shipped_pack(sample_run, expected):
    from auditor.engine import packs

    summary = json.loads((sample_run["out"] / "summary.json").read_text())
    assert sorted(expected["packs"]) == packs.available()
    assert "cets224" in sample_run["output"] and "eu2023_1543" in sample_run["output"]
    assert summary["pack"] == "+".join(expected["packs"])


def test_audit_finds_exactly_the_planted_violations(findings, expected):
    got = _got(findings)
    want = {tuple(x[:3]) for x in expected["labels"]}
    assert not (want - got), f"planted but not found: {sorted(want - got)[:10]}"
    assert not (got - want), f"found but not planted: {sorted(got - want)[:10]}"
    assert findings.check_id.value_counts().to_dict() == expected["findings_per_check"]


def test_each_finding_has_the_planted_kind(findings, expected):
    kinds = {tuple(x[:3]): x[3] for x in expected["labels"]}
    got = {(c, r, e): k for c, r, e, k in zip(findings.check_id, findings.request_id, findings.record_id,
                                             findings.kind, strict=True)}
    wrong = {key: (got[key], kinds[key]) for key in got if key in kinds and got[key] != kinds[key]}
    assert not wrong, f"(found, planted) kind differs: {dict(list(wrong.items())[:10])}"
    per_check = {}
    for (c, _r, _e), k in got.items():
        per_check.setdefault(c, {"breach": 0, "advisory": 0})[k] += 1
    assert per_check == expected["kinds_per_check"]


def test_near_misses_raise_nothing(findings, expected):
    """The same defect on a request of an instrument the check does not govern, or a case the text
    allows (a 1-year terrorism offence, a published general notice, an incident without
    significant risk, a traffic-only Art. 8 order to a 7(8) declarant...), is no finding."""
    assert len(expected["near_misses"]) >= 30
    flagged = set(zip(findings.check_id, findings.request_id, strict=True))
    hit = [x for x in expected["near_misses"] if (x[0], x[1]) in flagged]
    assert not hit, f"near misses reported: {hit[:10]}"


def test_no_request_is_judged_outside_its_instrument(findings, sample_run, expected):
    assert set(findings.request_instrument) <= {"cets224_art6", "cets224_art7", "cets224_art8", "cets224_art9",
                                                "cets224_art10", "eu_epoc", "eu_epoc_pr"}
    cets = findings[findings.instrument == "CETS 224"]
    eu = findings[findings.instrument == "EU 2023/1543"]
    assert cets.request_instrument.str.startswith("cets224_").all()
    assert eu.request_instrument.str.startswith("eu_").all()
    assert set(cets.pack) == {"cets224"} and set(eu.pack) == {"eu2023_1543"}
    # the requests outside the audited instruments are counted and shown, never dropped
    summary = json.loads((sample_run["out"] / "summary.json").read_text())
    outside = summary["outside_audited_instruments"]
    assert outside["by_instrument"] == expected["outside_audited_instruments"]
    assert outside["total"] == sum(expected["outside_audited_instruments"].values())
    assert "outside the audited instruments" in sample_run["output"]


def test_every_family_and_check_of_both_packs_has_a_finding(findings):
    from auditor.engine import packs
    from auditor.engine.registry import load_all

    registry = load_all()
    every = packs.select()
    assert set(findings.check_id) == set(every.checks)
    covered = {registry[c].family for c in every.checks}
    assert covered - set(findings.family) == set()
    assert len(covered) >= 14  # every spec family except those no rule maps to


def _confusion(labels: set[tuple], got: set[tuple], families: dict[str, str]) -> dict[str, dict]:
    """Per family, over (family, request_id) pairs: the ground truth is per request."""
    out: dict[str, dict] = {}
    for fam in sorted({families[c] for c, _r, _e in labels | got}):
        want = {r for c, r, _e in labels if families[c] == fam}
        have = {r for c, r, _e in got if families[c] == fam}
        out[fam] = {"tp": len(want & have), "fp": sorted(have - want), "fn": sorted(want - have)}
    return out


@pytest.mark.parametrize("instrument", ["CETS 224", "EU 2023/1543"])
def test_precision_and_recall_are_100_percent_per_family(findings, expected, instrument):
    from auditor.engine.registry import load_all

    registry = load_all()
    families = {cid: c.family for cid, c in registry.items()}
    mine = {cid for cid, c in registry.items() if c.instrument == instrument}
    got = {x for x in _got(findings) if x[0] in mine}
    labels = {tuple(x[:3]) for x in expected["labels"] if x[0] in mine}
    # the per-request ground truth written by the generator agrees with the per-record labels
    assert expected["requests_per_check"] == {
        c: sorted({r for c2, r, _e, _k in expected["labels"] if c2 == c})
        for c in sorted({x[0] for x in expected["labels"]})
    }
    table = _confusion(labels, got, families)
    lines = []
    for fam, c in table.items():
        tp, fp, fn = c["tp"], len(c["fp"]), len(c["fn"])
        lines.append(f"{fam:<18} tp={tp:<3} fp={fp:<3} fn={fn:<3} precision={tp / max(tp + fp, 1):.2f} "
                     f"recall={tp / max(tp + fn, 1):.2f} false+ {c['fp'][:5]} missed {c['fn'][:5]}")
    report = f"{instrument}: confusion per family (over requests):\n" + "\n".join(lines)
    assert all(not c["fp"] and not c["fn"] for c in table.values()), report
    assert len(table) >= (14 if instrument == "CETS 224" else 7), report


def test_findings_never_double_count(findings):
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
    # an EU order outside the Regulation's time or territory is EU001's / EU002's alone
    eu_scope = set(findings.loc[findings.check_id.isin(["EU001", "EU002"]), "request_id"])
    other_eu = set(findings.loc[findings.instrument.eq("EU 2023/1543") & ~findings.check_id.isin(["EU001", "EU002"]),
                                "request_id"])
    assert eu_scope and not (eu_scope & other_eu)


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
              "request_id", "message", "kind", "pack", "request_instrument"}
    for rec in records:
        assert needed <= rec.keys()
        assert rec["article"].startswith(("Art. ", "Annex "))
        assert rec["kind"] in ("breach", "advisory")
    sample = next(r for r in records if r["check_id"] == "COM002")
    assert sample["instrument"] == "CETS 224" and sample["article"] == "Art. 7(9)(a)"
    assert sample["pack"] == "cets224" and sample["request_instrument"] == "cets224_art7"
    assert "reserved Art. 7" in sample["message"]


def test_advisory_findings_do_not_fail_the_job(sample_run, tmp_path):
    """--fail-on counts breaches only; --fail-on-advisory adds the advisory findings."""
    import shutil

    from click.testing import CliRunner

    from auditor.cli import main

    for suffix in ("", "-wal", "-shm"):  # a copy: the session's sample database stays as it is
        src = sample_run["db"].with_name(sample_run["db"].name + suffix)
        if src.exists():
            shutil.copy(src, tmp_path / f"sample.db{suffix}")
    db = f"sqlite:///{tmp_path / 'sample.db'}"
    runner = CliRunner()
    # only advisory findings for PRO003 (policy thresholds): a pack with that one check
    pack = tmp_path / "advisory_only.toml"
    src = (SAMPLE.parent / "checks" / "packs" / "cets224.toml").read_text()
    pack.write_text(src.replace(src[src.index("checks = ["):src.index("]", src.index("checks = [")) + 1],
                                'checks = ["PRO003"]').replace('name = "cets224"', 'name = "advisory_only"'))
    plain = runner.invoke(main, ["audit", "--db", db, "--pack", str(pack), "--as-of", "2026-10-31",
                                 "--fail-on", "info"])
    assert plain.exit_code == 0, plain.output
    assert "advisory: 4" in plain.output
    strict = runner.invoke(main, ["audit", "--db", db, "--pack", str(pack), "--as-of", "2026-10-31",
                                  "--fail-on", "info", "--fail-on-advisory"])
    assert strict.exit_code == 1, strict.output


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
