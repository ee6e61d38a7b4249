"""Stable fingerprints across runs: `auditor diff` and the previous-run section of the reports."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from auditor.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


def _cli(args: list[str], cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args)
    finally:
        os.chdir(old)


def _copy(dst: Path, n: int = 80) -> None:
    """A small slice of the sample data (first ``n`` requests)."""
    dst.mkdir()
    with (SAMPLE / "requests.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows, fields = [r for _, r in zip(range(n), reader, strict=False)], reader.fieldnames
    ids = {r["request_id"] for r in rows}
    with (dst / "requests.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    for name in ("disclosures.csv", "custody_events.csv"):
        with (SAMPLE / name).open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            keep, f2 = [r for r in reader if r["request_id"] in ids], reader.fieldnames
        with (dst / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=f2)
            w.writeheader()
            w.writerows(keep)
    shutil.copy(SAMPLE / "parties.csv", dst / "parties.csv")


def _run_ids(cwd: Path) -> list[str]:
    res = _cli(["runs"], cwd)
    assert res.exit_code == 0, res.output
    return re.findall(r"^(run-\S+)", res.output, re.M)


def test_diff_between_runs(tmp_path):
    data = tmp_path / "data"
    _copy(data)
    work = tmp_path / "work"
    work.mkdir()
    first = _cli(["run", "--data", str(data), "--out", str(work / "r1"), "--as-of", "2026-06-30",
                  "--format", "json"], work)
    assert first.exit_code == 0, first.output
    one = json.loads((work / "r1" / "findings.json").read_text(encoding="utf-8"))
    assert one, "the slice must produce findings"
    # the same data a second time: every finding persists, with the same fingerprints
    second = _cli(["run", "--data", str(data), "--out", str(work / "r2"), "--as-of", "2026-06-30",
                   "--format", "json", "--format", "md"], work)
    assert second.exit_code == 0, second.output
    two = json.loads((work / "r2" / "findings.json").read_text(encoding="utf-8"))
    assert sorted(f["fingerprint"] for f in one) == sorted(f["fingerprint"] for f in two)
    run_a, run_b = _run_ids(work)[-2:]
    res = _cli(["diff", run_a, run_b, "--format", "json"], work)
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert (len(d["new"]), len(d["resolved"]), len(d["persisting"])) == (0, 0, len(one))
    assert d["same_scope"] is True
    # the second run's report compares with the first
    summary = json.loads((work / "r2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings_total"] == len(two)
    md = (work / "r2" / "index.md").read_text(encoding="utf-8")
    assert run_a in md and "| New | Resolved | Persisting |" in md
    assert f"| 0 | 0 | {len(one)} |" in md
    # reversed order of arguments: what persisted is still persisting; table output, exit 0
    res = _cli(["diff", run_b, run_a], work)
    assert res.exit_code == 0 and f"0 new, 0 resolved, {len(one)} persisting" in res.output


def _finished_run(run_id: str, minute: int):
    """A finished run of the cets224 pack started on 2026-07-01 at 00:``minute``."""
    from datetime import UTC, datetime

    from auditor.store import models

    return models.AuditRun(run_id=run_id, as_of=datetime(2026, 6, 30, tzinfo=UTC), pack="cets224", pack_version="1",
                           tool_version="0", status="finished", started_at=datetime(2026, 7, 1, 0, minute, tzinfo=UTC),
                           inputs=[{"table": "requests", "file": "/x/requests.csv"}])


def test_diff_new_and_resolved(engine):
    """Fingerprints in a synthetic pair of runs: one resolved, one new, one persisting."""
    import pandas as pd

    from auditor import rundiff
    from auditor.store import db, models

    db.save(engine, [_finished_run("run-a", 0), _finished_run("run-b", 5)])
    # both runs ran TIM002 (a finding of a check only one run ran is neither new nor resolved)
    db.save(engine, [models.CheckOutcome(run_id=r, check_id="TIM002", outcome="fail") for r in ("run-a", "run-b")])
    base = {"check_id": "TIM002", "family": "timeliness", "instrument": "CETS 224", "article": "Art. 8",
            "severity": "medium", "legal_basis_status": "C", "party": "FR", "provider": "p", "message": "m"}
    rows = [dict(base, run_id="run-a", fingerprint="keep", request_id="R1"),
            dict(base, run_id="run-a", fingerprint="gone", request_id="R2"),
            dict(base, run_id="run-b", fingerprint="keep", request_id="R1"),
            dict(base, run_id="run-b", fingerprint="fresh", request_id="R3")]
    with engine.begin() as conn:
        db.insert_frame(conn, models.Finding.__table__, pd.DataFrame(rows))
    d = rundiff.diff_runs(engine, "run-a", "run-b")
    assert [r["fingerprint"] for r in d["new"]] == ["fresh"]
    assert [r["request_id"] for r in d["resolved"]] == ["R2"]
    assert [r["fingerprint"] for r in d["persisting"]] == ["keep"]
    later = db.get_run(engine, "run-b")
    assert rundiff.previous_run(engine, later).run_id == "run-a"
    m = rundiff.model_diff(engine, later)
    assert m["previous_run_id"] == "run-a" and m["new"] == ["fresh"] and m["persisting"] == ["keep"]
    assert rundiff.model_diff(engine, db.get_run(engine, "run-a")) == {"previous_run_id": None}


def test_diff_says_when_runs_audit_different_periods(engine):
    """Two runs of different periods: the diff says so (a finding may only have left the period)."""
    from datetime import UTC, datetime

    from auditor import rundiff
    from auditor.store import db, models

    def run(run_id: str, minute: int, start: str | None) -> models.AuditRun:
        period = {"from": start, "to": "2026-06-30", "as_of": "2026-06-30", "to_given": False}
        return models.AuditRun(run_id=run_id, as_of=datetime(2026, 6, 30, tzinfo=UTC), pack="cets224", pack_version="1",
                               tool_version="0", status="finished", params={"period": period},
                               started_at=datetime(2026, 7, 1, 0, minute, tzinfo=UTC), inputs=[])

    db.save(engine, [run("run-a", 0, None), run("run-b", 5, "2026-01-01"), run("run-c", 9, "2026-01-01")])
    d = rundiff.diff_runs(engine, "run-a", "run-b")
    assert not d["same_period"]
    assert d["period_a"]["from"] is None and d["period_b"]["from"] == "2026-01-01"
    assert rundiff.diff_runs(engine, "run-b", "run-c")["same_period"]
    from click.testing import CliRunner

    from auditor.cli import main

    out = CliRunner().invoke(main, ["diff", "run-a", "run-b", "--db", str(engine.url)])
    assert out.exit_code == 0, out.output
    assert "different periods (run-a: first request .. 2026-06-30 as of 2026-06-30; run-b: 2026-01-01" in out.output


def test_model_diff_is_what_diff_runs_gives(engine):
    """rundiff.model_diff (this run's three columns, no dict per finding) gives the fingerprint
    lists and resolved records that diff_runs gives: findings of a check only one run ran left
    out of new and resolved, missing request ids sorted first, ties on the fingerprint."""
    import random

    import pandas as pd

    from auditor import rundiff
    from auditor.store import db, models

    db.save(engine, [_finished_run("run-a", 0), _finished_run("run-b", 5)])
    ran = {"run-a": ("TIM002", "RET001", "OLD9"), "run-b": ("TIM002", "RET001", "NEW1")}
    db.save(engine, [models.CheckOutcome(run_id=r, check_id=c, outcome="fail") for r, cs in ran.items() for c in cs])
    rnd = random.Random(2)
    rows = []
    for r, checks in ran.items():
        for i in range(300):
            rows.append({"run_id": r, "check_id": rnd.choice(checks), "family": "f", "instrument": "CETS 224",
                         "article": "Art. 8", "severity": rnd.choice(["high", "low"]), "legal_basis_status": "C",
                         "party": rnd.choice(["FR", None]), "provider": "p", "message": "m",
                         "request_id": rnd.choice([None, "R1", "R2", f"R{i}"]), "record_id": None,
                         "fingerprint": f"fp{rnd.randrange(400)}"})
    frame = pd.DataFrame(rows).drop_duplicates(["run_id", "fingerprint"])
    with engine.begin() as conn:
        db.insert_frame(conn, models.Finding.__table__, frame)
    d = rundiff.diff_runs(engine, "run-a", "run-b")
    m = rundiff.model_diff(engine, db.get_run(engine, "run-b"))
    assert m["new"] == [r["fingerprint"] for r in d["new"]] and m["new"]
    assert m["persisting"] == [r["fingerprint"] for r in d["persisting"]] and m["persisting"]
    assert m["resolved"] == d["resolved"] and m["resolved"]
    assert d["not_audited_in_a"] and d["not_audited_in_b"]  # the checks one run ran are in play
