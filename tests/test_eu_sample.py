"""The eu2023_1543 pack on the committed sample data: 100 % precision and recall per family
against the labelled EU scenarios (sample_data/expected_eu.json), through the real CLI."""

from __future__ import annotations

import json
import os
from collections import defaultdict

import pandas as pd
import pytest

from tests.conftest import KEY, SAMPLE

EXPECTED_EU = SAMPLE / "expected_eu.json"


@pytest.fixture(scope="module")
def expected_eu() -> dict:
    return json.loads(EXPECTED_EU.read_text())


@pytest.fixture(scope="module")
def eu_run(tmp_path_factory, expected_eu):
    """`auditor run --pack eu2023_1543` on the sample data at the labels' as_of."""
    from click.testing import CliRunner

    from auditor.cli import main

    work = tmp_path_factory.mktemp("eu_run")
    out = work / "out"
    env = {"AUDITOR_PSEUDONYM_KEY": KEY.decode(), "GX_ANALYTICS_ENABLED": "false"}
    old = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(main, ["run", "--data", str(SAMPLE), "--out", str(out), "--pack",
                                           "eu2023_1543", "--as-of", expected_eu["as_of"]], env=env)
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    findings = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    return {"out": out, "findings": findings, "output": result.output}


def _confusion(findings: pd.DataFrame, labels: list[list[str]]) -> dict[str, dict[str, int]]:
    from auditor.engine.registry import load_all

    family = {cid: c.family for cid, c in load_all().items()}
    got = set(zip(findings.check_id, findings.request_id, findings.record_id, strict=True))
    want = {tuple(x) for x in labels}
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for key in got | want:
        cell = "tp" if key in got and key in want else "fp" if key in got else "fn"
        table[family[key[0]]][cell] += 1
    return dict(table)


def test_expected_eu_is_what_the_generator_makes(expected_eu):
    from sample_data.eu_scenarios import expected_eu as build
    from sample_data.generate import generate

    tables, _ = generate()
    assert json.loads(json.dumps(build(tables))) == expected_eu


def test_eu_pack_has_full_precision_and_recall_per_family(eu_run, expected_eu):
    confusion = _confusion(eu_run["findings"], expected_eu["labels"])
    report = "\n".join(f"{fam:16} tp={c['tp']:4} fp={c['fp']:3} fn={c['fn']:3}" for fam, c in sorted(confusion.items()))
    wrong = {fam: c for fam, c in confusion.items() if c["fp"] or c["fn"]}
    assert not wrong, "confusion per family:\n" + report
    assert eu_run["findings"].check_id.value_counts().to_dict() == expected_eu["findings_per_check"]


def test_every_family_and_check_of_the_pack_has_findings(eu_run):
    from auditor.engine import packs
    from auditor.engine.registry import load_all

    registry = load_all()
    pack = packs.load("eu2023_1543")
    found = eu_run["findings"]
    assert set(found.check_id) == set(pack.checks)
    assert set(found.family) == {registry[c].family for c in pack.checks}


def test_each_finding_cites_instrument_article_and_paragraph(eu_run):
    found = eu_run["findings"]
    assert (found["instrument"] == "EU 2023/1543").all()
    # "Art. 10(2)-(3)", "Annex III", "Annex I §§A, C, L": an article with its paragraph, or an annex
    assert found["article"].str.match(r"^(Art\. \d+\(\d+\)|Annex [IVX]+)").all()


def test_findings_never_double_count(eu_run):
    found = eu_run["findings"]
    assert not found.duplicated(["check_id", "request_id", "record_id"]).any()
    per_request = found.groupby("request_id")["check_id"].nunique()
    assert (per_request == 1).all(), per_request[per_request > 1].head().to_dict()


def test_no_raw_identifier_in_eu_outputs(eu_run):
    for path in eu_run["out"].rglob("*"):
        if path.is_file() and path.suffix in (".json", ".csv", ".html", ".md"):
            assert "eu-target" not in path.read_text(encoding="utf-8", errors="ignore"), path
