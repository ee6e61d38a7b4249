"""The CLI through its real entry point: messages people see and documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
from click.testing import CliRunner

from auditor.cli import main
from tests.conftest import AS_OF, KEY, SAMPLE

ENV = {"AUDITOR_PSEUDONYM_KEY": KEY.decode(), "GX_ANALYTICS_ENABLED": "false"}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), env=ENV)


def test_help_lists_commands_and_exit_codes_without_heavy_imports():
    code = (
        "import sys; from click.testing import CliRunner; from auditor.cli import main;"
        "r = CliRunner().invoke(main, ['--help']); print(r.output);"
        "print('HEAVY', [m for m in ('great_expectations', 'pandas', 'matplotlib', 'sqlalchemy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for cmd in ("run", "ingest", "audit", "report", "checks", "explain"):
        assert cmd in out
    assert "Exit codes: 0 ok, 1 findings" in out
    assert "HEAVY []" in out


def test_checks_list_json_has_citations():
    r = invoke("checks", "list", "--pack", "cets224", "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.output)
    from auditor.engine import packs

    assert [c["id"] for c in rows] == list(packs.load("cets224").checks)
    com002 = next(c for c in rows if c["id"] == "COM002")
    assert (com002["instrument"], com002["article"], com002["family"]) == ("CETS 224", "Art. 7(9)(a)", "reservation")
    assert com002["requires"] == {"requests": ["instrument", "receiving_party"]}


def test_explain_prints_the_check_documentation():
    r = invoke("explain", "ret001")
    assert r.exit_code == 0
    assert "RET001: Received data are deleted" in r.output
    assert "CETS 224 Art. 14(5)" in r.output and "Remediation" in r.output


def test_explain_unknown_check_is_a_usage_error():
    r = invoke("explain", "RET999")
    assert r.exit_code == 2
    assert "Error: unknown check id 'RET999'" in r.output
    assert "did you mean RET001, RET002" in r.output


def test_bad_as_of_is_a_usage_error(tmp_path):
    r = invoke("run", "--data", str(SAMPLE), "--out", str(tmp_path / "o"), "--as-of", "yesterday",
               "--db", f"sqlite:///{tmp_path}/a.db")
    assert r.exit_code == 2
    assert "--as-of 'yesterday' is not a date" in r.output


def test_unknown_pack_and_param_are_usage_errors(tmp_path):
    db = f"sqlite:///{tmp_path}/a.db"
    r = invoke("audit", "--pack", "nope", "--db", db)
    assert r.exit_code == 2 and "unknown rule pack 'nope'" in r.output
    r = invoke("audit", "--param", "art8_serve_days=abc", "--db", db)
    assert r.exit_code == 2 and "is not a int" in r.output


def test_missing_data_folder_is_an_input_error(tmp_path):
    r = invoke("ingest", "--data", str(tmp_path / "missing"), "--db", f"sqlite:///{tmp_path}/a.db")
    assert r.exit_code == 3
    assert "does not exist" in r.output and "Fix:" in r.output


def test_missing_required_column_is_an_input_error_naming_the_file(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    pd.DataFrame({"request_id": ["R1"]}).to_csv(d / "requests.csv", index=False)
    r = invoke("ingest", "--data", str(d), "--db", f"sqlite:///{tmp_path}/a.db")
    assert r.exit_code == 3
    assert f"{d / 'requests.csv'}: required column(s) missing: instrument" in r.output


def test_audit_of_an_empty_database_is_an_input_error(tmp_path):
    r = invoke("audit", "--db", f"sqlite:///{tmp_path}/a.db")
    assert r.exit_code == 3 and "holds no requests" in r.output


def test_separate_steps_and_rerendering_a_past_run(tmp_path):
    db = f"sqlite:///{tmp_path}/a.db"
    assert invoke("ingest", "--data", str(SAMPLE), "--db", db).exit_code == 0
    first = invoke("audit", "--db", db, "--as-of", AS_OF)
    assert first.exit_code == 0, first.output
    run_a = first.stdout.strip().splitlines()[-1].removeprefix("Run id: ")
    second = invoke("audit", "--db", db, "--as-of", "2025-06-30", "--fail-on", "critical")
    run_b = second.stdout.strip().splitlines()[-1].removeprefix("Run id: ")  # stderr says why exit 1
    assert run_a != run_b
    r = invoke("report", "--run", run_a, "--out", str(tmp_path / "ra"), "--db", db, "--format", "json")
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "ra" / "summary.json").read_text())
    assert summary["run_id"] == run_a and summary["as_of"].startswith(AS_OF)
    assert not (tmp_path / "ra" / "index.html").exists()
    listing = invoke("runs", "--db", db)
    assert run_a in listing.output and run_b in listing.output
    r = invoke("report", "--run", "run-nope", "--out", str(tmp_path / "x"), "--db", db)
    assert r.exit_code == 2 and "no audit run with id 'run-nope'" in r.output


def test_fail_on_sets_exit_code_1(tmp_path):
    db = f"sqlite:///{tmp_path}/a.db"
    invoke("ingest", "--data", str(SAMPLE), "--db", db)
    assert invoke("audit", "--db", db, "--as-of", AS_OF, "--fail-on", "critical").exit_code == 1
    assert invoke("audit", "--db", db, "--as-of", AS_OF).exit_code == 0


def test_page_findings_reaches_the_pages_and_defaults_to_the_reports_default(tmp_path):
    from reports import PAGE_FINDINGS, i18n

    for command in ("run", "report"):
        option = next(p for p in main.commands[command].params if p.name == "page_findings")
        assert option.default == PAGE_FINDINGS
    db = f"sqlite:///{tmp_path}/a.db"
    assert invoke("ingest", "--data", str(SAMPLE), "--db", db).exit_code == 0
    assert invoke("audit", "--db", db, "--as-of", AS_OF).exit_code == 0
    r = invoke("report", "--out", str(tmp_path / "r"), "--db", db, "--format", "md", "--page-findings", "1")
    assert r.exit_code == 0, r.output
    # the page lists breaches; advisory findings have their own section
    total = sum(1 for f in json.loads((tmp_path / "r" / "findings.json").read_text()) if f["kind"] == "breach")
    assert total > 1
    # more findings than --page-findings: the page shows them grouped and says so
    assert i18n.GROUP_NOTE.split(":")[0].format(limit=1) in (tmp_path / "r" / "index.md").read_text()
    assert invoke("report", "--out", str(tmp_path / "x"), "--db", db, "--page-findings", "-1").exit_code == 2
