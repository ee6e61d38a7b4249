"""One test per documented exit code, through the real CLI entry point."""

from __future__ import annotations

import json

from tests.jobs.conftest import AS_OF, invoke


def _run(tmp_path, data, *extra):
    return invoke("run", "--data", data, "--out", tmp_path / "out", "--as-of", AS_OF,
                  "--db", f"sqlite:///{tmp_path / 'a.db'}", *extra)


def test_exit_0_when_no_finding_reaches_the_threshold(tmp_path, slice_dir):
    # without custody events there is no onward transfer, the only critical rule (ONW001)
    import shutil

    data = tmp_path / "data"
    shutil.copytree(slice_dir, data)
    (data / "custody_events.csv").unlink()
    r = _run(tmp_path, data, "--fail-on", "critical")
    assert r.exit_code == 0, r.output
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert findings and all(f["severity"] != "critical" for f in findings)


def test_exit_1_when_a_finding_is_at_or_above_fail_on(tmp_path, slice_dir):
    r = _run(tmp_path, slice_dir, "--fail-on", "high")
    assert r.exit_code == 1, r.output
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert any(f["severity"] == "high" for f in findings)
    # reports are still written when the job fails on findings
    assert (tmp_path / "out" / "junit.xml").exists() and (tmp_path / "out" / "findings.sarif").exists()


def test_exit_2_on_a_usage_error(tmp_path, slice_dir):
    r = _run(tmp_path, slice_dir, "--fail-on", "severe")
    assert r.exit_code == 2
    assert "'severe' is not one of" in r.output
    r = _run(tmp_path, slice_dir, "--as-of", "tomorrow")
    assert r.exit_code == 2 and "is not a date" in r.output


def test_exit_3_on_an_input_error_and_nothing_is_audited(tmp_path):
    (tmp_path / "empty").mkdir()
    r = _run(tmp_path, tmp_path / "empty")
    assert r.exit_code == 3
    assert "Error:" in r.output and "Fix:" in r.output
    assert not (tmp_path / "out" / "findings.json").exists()


def test_exit_4_on_an_internal_error(tmp_path, slice_dir):
    r = invoke(
        "run", "--data", slice_dir, "--out", tmp_path / "out", "--as-of", AS_OF,
        "--db", f"sqlite:///{tmp_path / 'a.db'}", env={"AUDITOR_FAULT_INJECT": "raise-after:requests"})
    assert r.exit_code == 4
    assert "Internal error: RuntimeError: injected fault after requests" in r.output
    assert "This is a bug in auditor" in r.output


def test_exit_5_with_strict_when_a_check_is_not_evaluated(tmp_path, slice_dir):
    r = _run(tmp_path, slice_dir, "--strict", "--format", "json")
    assert r.exit_code == 5, r.output
    assert "Exit 5 (--strict): the audit is incomplete: " in r.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())  # reports are still written
    assert summary["checks_not_evaluated"] and summary["check_outcomes"]["not_evaluated"] == len(
        summary["checks_not_evaluated"])
    # not opt-in: the same audit exits 0
    assert _run(tmp_path, slice_dir, "--format", "json").exit_code == 0


def test_exit_codes_are_documented_in_help():
    for args in (["--help"], ["run", "--help"], ["audit", "--help"]):
        r = invoke(*args)
        assert r.exit_code == 0
        text = " ".join(r.output.split())
        assert "Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error" in text
        assert "3 input error (nothing audited), 4 internal error" in text
        assert "5 with --strict: a check not evaluated or in error" in text
    r = invoke("verify", "--help")
    assert "0 the ledger is intact, 1 a link is broken" in " ".join(r.output.split())
