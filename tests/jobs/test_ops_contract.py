"""The contract a scheduler can trust (issue 18, item 7): ``--strict`` exits 5 when a check was
not evaluated or crashed; summary.json always lists those checks; one stderr line says why the
exit code is 1 (or 5); the run id is printed even with ``--quiet`` and is in every JSON log line
of the run; ``auditor diff latest previous``; warnings for waivers that waive nothing."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sqlite3

import pytest

from auditor.engine import registry
from tests.jobs.conftest import AS_OF, ROOT, invoke

SEVERITIES = ("info", "low", "medium", "high", "critical")


@pytest.fixture
def db(tmp_path, ingested_slice) -> str:
    shutil.copy(ingested_slice, tmp_path / "a.db")
    return f"sqlite:///{tmp_path / 'a.db'}"


def _outcomes(db: str, run_id: str) -> dict[str, str]:
    with sqlite3.connect(db.removeprefix("sqlite:///")) as con:
        return dict(con.execute("SELECT check_id, outcome FROM check_outcomes WHERE run_id = ?", (run_id,)))


def _quiet_audit(db: str, *args: str):
    r = invoke("-q", "audit", "--db", db, "--as-of", AS_OF, *args)
    assert r.exit_code in (0, 1, 5), r.output
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and re.fullmatch(r"run-\d{8}T\d{6}-[0-9a-f]{6}", lines[0]), r.stdout
    return r, lines[0]


def test_strict_exits_5_when_checks_are_not_evaluated_and_says_which(tmp_path, db):
    r, run_id = _quiet_audit(db)
    assert r.exit_code == 0 and r.stderr == ""  # without --strict: not evaluated is not a failure
    outcomes = _outcomes(db, run_id)
    not_evaluated = sorted(c for c, o in outcomes.items() if o == "not_evaluated")
    assert not_evaluated  # the slice has no EU orders, no emergency requests, ...
    r, strict_id = _quiet_audit(db, "--strict")
    assert r.exit_code == 5, r.output
    [line] = r.stderr.splitlines()
    assert line.startswith(f"Exit 5 (--strict): the audit is incomplete: {len(not_evaluated)} check(s) not "
                           "evaluated (")
    # summary.json lists them, always, with the reason the run stored
    assert invoke("report", "--db", db, "--run", strict_id, "--out", tmp_path / "o", "--format", "json").exit_code == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert [c["id"] for c in summary["checks_not_evaluated"]] == not_evaluated
    assert summary["check_outcomes"]["not_evaluated"] == len(not_evaluated)
    assert all(c["reason"] and c["pack"] in ("cets224", "eu2023_1543") for c in summary["checks_not_evaluated"])
    assert summary["checks_error"] == []


def test_strict_exits_0_when_every_check_was_evaluated(tmp_path, db):
    _, run_id = _quiet_audit(db, "--pack", "cets224")
    evaluated = [c for c, o in _outcomes(db, run_id).items() if o in ("pass", "fail", "advisory")]
    src = (ROOT / "checks" / "packs" / "cets224.toml").read_text()
    pack = tmp_path / "evaluated.toml"
    pack.write_text(re.sub(r"checks = \[[^\]]*\]", "checks = " + json.dumps(evaluated), src, count=1)
                    .replace('name = "cets224"', 'name = "evaluated"'))
    r, _ = _quiet_audit(db, "--pack", str(pack), "--strict")
    assert r.exit_code == 0 and r.stderr == "", r.output


def test_a_crashed_check_is_reported_and_fails_a_strict_run(tmp_path, db, monkeypatch):
    def boom(_ctx):  # noqa: ANN001, ANN202
        raise ZeroDivisionError("injected crash")

    check = registry.load_all()["RET001"]
    monkeypatch.setitem(registry._REGISTRY, "RET001", dataclasses.replace(check, func=boom))  # noqa: SLF001
    r = invoke("audit", "--db", db, "--as-of", AS_OF, "--strict")
    assert r.exit_code == 5, r.output
    assert "ERROR in RET001: ZeroDivisionError: injected crash" in r.stdout
    assert "1 check(s) in error (RET001)" in r.stderr
    run_id = r.stdout.strip().splitlines()[-1].removeprefix("Run id: ")
    invoke("report", "--db", db, "--run", run_id, "--out", tmp_path / "o", "--format", "json")
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["checks_error"] == [{"id": "RET001", "pack": "cets224",
                                        "reason": "ZeroDivisionError: injected crash"}]
    assert summary["check_outcomes"]["error"] == 1


def test_one_stderr_line_says_why_the_exit_code_is_1(tmp_path, db):
    r, run_id = _quiet_audit(db, "--fail-on", "high")
    assert r.exit_code == 1
    invoke("report", "--db", db, "--run", run_id, "--out", tmp_path / "o", "--format", "json")
    findings = json.loads((tmp_path / "o" / "findings.json").read_text())
    hit = [f for f in findings if f["kind"] == "breach" and not f["waived"]
           and SEVERITIES.index(f["severity"]) >= SEVERITIES.index("high")]
    assert hit
    by_sev = {s: sum(f["severity"] == s for f in hit) for s in ("critical", "high")}
    sev = ", ".join(f"{n} {s}" for s, n in by_sev.items() if n)
    checks = ", ".join(sorted({f["check_id"] for f in hit}))
    assert r.stderr.splitlines() == [f"Exit 1: {len(hit)} breach finding(s) at or above --fail-on high, not waived "
                                     f"({sev}) in {checks}"]
    # with --strict as well, exit 1 wins (a certain failure) and the incomplete audit is a second line
    r, _ = _quiet_audit(db, "--fail-on", "high", "--strict")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Exit 1: ") and lines[1].startswith("--strict: also ")
    # nothing crosses the threshold: exit 0 and nothing said
    r, _ = _quiet_audit(db, "--fail-on", "critical", "--pack", "eu2023_1543")
    assert r.exit_code == 0 and r.stderr == ""


def test_run_prints_the_run_id_with_quiet_and_every_json_log_line_carries_it(tmp_path, slice_dir):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    r = invoke("--quiet", "--log-format", "json", "run", "--data", slice_dir, "--out", tmp_path / "o",
               "--as-of", AS_OF, "--db", db, "--format", "json")
    assert r.exit_code == 0, r.output
    [run_id] = r.stdout.splitlines()
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["run_id"] == run_id
    r = invoke("--log-format", "json", "run", "--data", slice_dir, "--out", tmp_path / "o2", "--as-of", AS_OF,
               "--db", db, "--format", "json", "--fail-on", "high")
    assert r.exit_code == 1
    run_id = re.search(r"^Audit (run-\S+):", r.stdout, re.M).group(1)
    lines = [json.loads(ln) for ln in r.stderr.splitlines()]
    assert {x["logger"] for x in lines} >= {"auditor.ingest", "auditor", "auditor.exit"}
    assert all(x["run_id"] == run_id for x in lines), [x for x in lines if x.get("run_id") != run_id]
    exit_line = lines[-1]
    assert exit_line["exit_code"] == 1 and exit_line["message"].startswith("Exit 1: ")
    # the next command in the same process does not inherit the run id
    r = invoke("--log-format", "json", "ingest", "--data", slice_dir, "--db", db)
    assert r.exit_code == 0 and all("run_id" not in json.loads(ln) for ln in r.stderr.splitlines())


def test_diff_latest_previous_in_either_order_and_by_id(db):
    _, first = _quiet_audit(db, "--pack", "cets224")
    _, second = _quiet_audit(db)
    results = []
    for a, b in (("latest", "previous"), ("previous", "latest"), (first, second), (second, first),
                 ("previous", second)):
        r = invoke("diff", a, b, "--db", db, "--format", "json")
        assert r.exit_code == 0, r.output
        results.append(json.loads(r.stdout))
    assert all(d == results[0] for d in results)
    d = results[0]
    assert (d["run_a"], d["run_b"]) == (first, second)  # the earlier run is the baseline
    assert d["new"] == [] and d["resolved"] == [] and d["persisting"]
    assert d["checks_only_in_b"] and all(c.startswith("EU") for c in d["checks_only_in_b"])
    r = invoke("diff", "latest", "previous", "--db", db)
    assert r.stdout.startswith(f"Findings of {second} since {first}: 0 new, 0 resolved")


def test_diff_previous_needs_two_runs(tmp_path, db):
    _quiet_audit(db)
    r = invoke("diff", "latest", "previous", "--db", db)
    assert r.exit_code == 2
    assert "Error: no run before the latest one (1 finished run(s) in this database)" in r.stderr
    assert "Fix: " in r.stderr


def test_waivers_that_waive_nothing_are_warned_about(tmp_path, db):
    _, run_id = _quiet_audit(db, "--pack", "cets224")
    with sqlite3.connect(db.removeprefix("sqlite:///")) as con:
        check, party, request = con.execute("SELECT check_id, party, request_id FROM findings WHERE run_id = ? "
                                            "ORDER BY check_id LIMIT 1", (run_id,)).fetchone()
    entry = 'justification = "ticket 7"\napprover = "J. Doe"\n'
    wf = tmp_path / "waivers.toml"
    wf.write_text(f'''[[waivers]]
check = "{check}"
request = "{request}"
{entry}expires = 2027-01-01

[[waivers]]
check = "RET001"
{entry}expires = 2026-01-01

[[waivers]]
check = "EU001"
{entry}expires = 2027-01-01

[[waivers]]
check = "{check}"
party = "ZZ"
{entry}expires = 2027-01-01
''')
    line = [i + 1 for i, ln in enumerate(wf.read_text().splitlines()) if ln == "[[waivers]]"]
    r = invoke("-q", "audit", "--db", db, "--as-of", AS_OF, "--pack", "cets224", "--waivers", wf)
    assert r.exit_code == 0, r.output
    warnings = [ln for ln in r.stderr.splitlines() if "WARNING" in ln]
    assert len(warnings) == 3, r.stderr
    expired, other_pack, no_match = warnings
    assert f"waiver W2 ({wf}:{line[1]}) for RET001 expired on 2026-01-01 (audit date {AS_OF})" in expired
    assert (f"waiver W3 ({wf}:{line[2]}) for EU001: EU001, a check of pack eu2023_1543, was not run in this audit "
            "(packs cets224)") in other_pack
    assert f"waiver W4 ({wf}:{line[3]}) for {check} (party ZZ) matches no finding of this audit" in no_match
    assert "W1" not in r.stderr  # it waived a finding
    # with both packs, EU001 runs: no warning for W3 (it may match nothing, then it says so)
    r = invoke("-q", "--log-format", "json", "audit", "--db", db, "--as-of", AS_OF, "--waivers", wf)
    problems = {json.loads(ln)["waiver"]: json.loads(ln)["waiver_problem"] for ln in r.stderr.splitlines()
                if "waiver_problem" in ln}
    assert problems.get("W2") == "expired" and problems.get("W4") == "no_match"
    assert problems.get("W3") in (None, "no_match")


def test_help_documents_exit_code_5():
    for args in (["--help"], ["run", "--help"], ["audit", "--help"]):
        text = " ".join(invoke(*args).output.split())
        assert "5 with --strict: a check not evaluated or in error" in text
    assert "--strict" in invoke("audit", "--help").output
    readme = (ROOT / "README.md").read_text()
    ops = (ROOT / "docs" / "operations.md").read_text()
    assert "| 5 |" in readme and "| 5 |" in ops
