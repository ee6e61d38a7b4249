"""One run, one folder (``reports.staging``): every write of a report set into a folder leaves
exactly that set there, plus a ``manifest.json`` that lists it; never a mix of two runs, never a
user's file deleted.

Fast: the small fixture model in Markdown/JSON/CSV (no charts), and the shared ``sample_run``
(one ``auditor report`` of it in JSON into a copy of its folder)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.cli import main
from reports import staging, write_reports
from reports.staging import (
    MANIFEST,
    OLD_PREFIX,
    PREFIX,
    ForeignFilesError,
    Staging,
    manifest_problems,
)
from tests.reports.conftest import RUN_ID

FAST = ("md", "json", "csv")


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _manifest(path: Path) -> dict:
    return json.loads((path / MANIFEST).read_text(encoding="utf-8"))


def _without(model: dict, party: str) -> dict:
    """``model`` with one Party fewer (its pages are not part of the set)."""
    m = copy.deepcopy(model)
    for key in ("scope", "findings", "profiles", "requests_by", "response_times"):
        m[key] = [r for r in m.get(key) or [] if r.get("party") != party]
    return m


def _assert_exactly_the_manifest(out: Path) -> dict:
    """The folder holds the files its manifest lists and nothing else, with the hashes listed
    (recomputed here, not by the code under test)."""
    manifest = _manifest(out)
    listed = {f["path"]: f for f in manifest["files"]}
    files = {k: v for k, v in _tree(out).items() if k != MANIFEST}
    assert set(files) == set(listed)
    for rel, data in files.items():
        assert listed[rel]["size"] == len(data), rel
        assert listed[rel]["sha256"] == hashlib.sha256(data).hexdigest(), rel
    assert manifest_problems(out) == []
    assert not [p for p in out.iterdir() if p.name.startswith((PREFIX, OLD_PREFIX))]  # no work folder left
    return manifest


# ---------------------------------------------------------------- a rerun replaces the set


def test_rerun_with_fewer_formats_and_parties_leaves_no_stale_file(model, tmp_path):
    out = tmp_path / "out"
    write_reports(copy.deepcopy(model), out, FAST)
    first = _assert_exactly_the_manifest(out)
    assert {"index.md", "findings.csv", "party/DE.md", "party/DE.json"} <= {f["path"] for f in first["files"]}
    written = write_reports(_without(model, "DE"), out, ("json",))
    manifest = _assert_exactly_the_manifest(out)
    names = set(_tree(out))
    assert not {"index.md", "findings.csv", "party/DE.md", "party/DE.json"} & names  # the old run's
    assert {"summary.json", "findings.json", "party/FR.json", MANIFEST} <= names
    assert {p.relative_to(out).as_posix() for p in written} == {f["path"] for f in manifest["files"]}
    assert manifest["formats"] == ["json"] and manifest["run_id"] == RUN_ID
    assert set(manifest) >= {"run_id", "tool_version", "formats", "written_at", "files"}
    # a rerun that writes no page at all leaves no emptied page folder behind
    write_reports(copy.deepcopy(model), out, ("csv",))
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.json", MANIFEST, "summary.json"]


def test_older_output_without_manifest_is_replaced_whole(model, tmp_path):
    """A folder written before manifests existed, holding only names the auditor writes, is the
    auditor's: replaced, every old file gone (an OS's .DS_Store is left alone)."""
    out = tmp_path / "out"
    old = ["index.html", "index.pdf", "junit.xml", "findings.sarif", "quarantine.csv", "issues.html",
           "guide.html", "runs.html", "party/DE.html", "provider/x.pdf", "check/TIM002.html",
           f".quarantine.csv.{os.getpid()}-0123abcd.tmp"]
    for rel in old:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("old run", encoding="utf-8")
    (out / ".DS_Store").write_bytes(b"\0")
    write_reports(copy.deepcopy(model), out, ("md",))
    assert ".DS_Store" in set(_tree(out))
    (out / ".DS_Store").unlink()
    _assert_exactly_the_manifest(out)
    assert not (out / "check").exists() and not (out / "provider" / "x.pdf").exists()


def test_files_an_interrupted_write_listed_are_the_auditors(model, tmp_path):
    """A write killed during its swap leaves no manifest.json, new files of any name and its
    work folder; the next write takes the work folder's manifest as the listing and replaces all."""
    out = tmp_path / "out"
    dead = out / f"{PREFIX}999999999-dead-{staging._host()}"
    dead.mkdir(parents=True)
    (dead / MANIFEST).write_text(json.dumps({"files": [{"path": "trend/FR.html"}, {"path": "extra.txt"}]}),
                                 encoding="utf-8")
    (out / "trend").mkdir()
    (out / "trend" / "FR.html").write_text("half of a killed write", encoding="utf-8")
    (out / "extra.txt").write_text("half of a killed write", encoding="utf-8")
    (out / "index.md").write_text("old", encoding="utf-8")
    write_reports(copy.deepcopy(model), out, ("md",))
    _assert_exactly_the_manifest(out)
    assert not (out / "trend").exists() and not dead.exists()


# ---------------------------------------------------------------- a user's files: refused


@pytest.mark.parametrize("foreign", ["notes.txt", "data/requests.csv", "party/README.txt", "index.html.bak"])
def test_a_foreign_file_refuses_the_write_and_changes_nothing(model, tmp_path, foreign):
    out = tmp_path / "out"
    write_reports(copy.deepcopy(model), out, ("md",))
    (out / foreign).parent.mkdir(parents=True, exist_ok=True)
    (out / foreign).write_text("mine", encoding="utf-8")
    before = _tree(out)
    with pytest.raises(ForeignFilesError) as err:
        write_reports(copy.deepcopy(model), out, ("json",))
    assert err.value.exit_code == 2
    shown = foreign.split("/")[0] + "/" if foreign.startswith("data/") else foreign
    assert shown in err.value.message and str(out) in err.value.message
    assert "choose an empty or new folder" in err.value.hint
    assert _tree(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith((PREFIX, OLD_PREFIX))]


def test_a_symbolic_link_is_never_followed_or_deleted(model, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "DE.html").write_text("someone's", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "party").symlink_to(target, target_is_directory=True)
    with pytest.raises(ForeignFilesError, match="party"):
        write_reports(copy.deepcopy(model), out, ("md",))
    assert (target / "DE.html").read_text(encoding="utf-8") == "someone's"


def test_cli_refuses_a_folder_with_foreign_files_before_any_work(tmp_path):
    """`run` stops with exit 2 on --out before reading --data (missing here: it would be exit 3)
    or creating the database; `report` the same."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("mine", encoding="utf-8")
    (out / "index.html").write_text("an old report", encoding="utf-8")
    before = _tree(out)
    db = tmp_path / "a.db"
    for args in (["run", "--data", str(tmp_path / "missing"), "--as-of", "2026-10-31"], ["report"]):
        r = CliRunner().invoke(main, [*args, "--out", str(out), "--db", f"sqlite:///{db}"])
        assert r.exit_code == 2, r.output
        assert f"Error: --out {out} holds 1 file(s) or folder(s) the auditor did not write (thesis.docx)" in r.output
        assert "Fix: choose an empty or new folder" in r.output
        assert _tree(out) == before and not db.exists()


def test_empty_and_missing_folders_are_fine(model, tmp_path):
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new" / "deeper"):
        write_reports(copy.deepcopy(model), out, ("csv",))
        _assert_exactly_the_manifest(out)


# ---------------------------------------------------------------- failures leave the earlier set


def test_a_failure_during_rendering_leaves_the_previous_set_intact(model, tmp_path, monkeypatch):
    import reports.markdown

    out = tmp_path / "out"
    write_reports(copy.deepcopy(model), out, FAST)
    before = _tree(out)

    def broken(*a, **k):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(reports.markdown, "render_index", broken)
    with pytest.raises(RuntimeError, match="renderer bug"):
        write_reports(_without(model, "DE"), out, ("md",))
    assert _tree(out) == before
    _assert_exactly_the_manifest(out)


@pytest.mark.parametrize("phase", ["old out, first", "old out, midway", "new in, midway"])
def test_a_failure_during_the_swap_puts_the_previous_set_back(model, tmp_path, monkeypatch, phase):
    """A disk error while the old files move out or the new ones move in restores the earlier
    set, manifest included."""
    out = tmp_path / "out"
    write_reports(copy.deepcopy(model), out, FAST)
    before = _tree(out)
    old_files = len(before)  # its files and the manifest move out first
    fail_at = {"old out, first": 1, "old out, midway": 3, "new in, midway": old_files + 2}[phase]
    real, calls = staging._move, []

    def flaky(src, dest):
        calls.append(src)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device")
        real(src, dest)

    monkeypatch.setattr(staging, "_move", flaky)
    with pytest.raises(OSError, match="No space left"):
        write_reports(_without(model, "DE"), out, ("json",))
    assert _tree(out) == before
    _assert_exactly_the_manifest(out)


def test_a_foreign_file_added_while_rendering_stops_the_swap(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ForeignFilesError), Staging(out) as stage:
        (stage.dir / "summary.json").write_text("{}", encoding="utf-8")
        (out / "mine.txt").write_text("mine", encoding="utf-8")
        stage.commit([stage.dir / "summary.json"])
    assert _tree(out) == {"mine.txt": b"mine"}


# ---------------------------------------------------------------- auditor run / report, quarantine


def test_auditor_run_writes_one_set_with_machine_outputs_and_quarantine(sample_run):
    out = sample_run["out"]
    manifest = _assert_exactly_the_manifest(out)
    listed = {f["path"] for f in manifest["files"]}
    assert {"quarantine.csv", "junit.xml", "findings.sarif", "index.html", "summary.json"} <= listed
    assert manifest["run_id"] == json.loads((out / "summary.json").read_text(encoding="utf-8"))["run_id"]
    assert manifest["formats"] == ["html", "md", "json", "csv"]
    assert f"Reports ({len(listed) + 1} files) written to" in sample_run["output"]  # + the manifest


def test_auditor_report_replaces_the_set_of_a_run(sample_run, tmp_path):
    """Re-rendering a stored run with fewer formats into a folder of `auditor run`: the HTML,
    Markdown, CSV and the ingest's quarantine.csv of the earlier set are gone."""
    out = tmp_path / "out"
    shutil.copytree(sample_run["out"], out)
    r = CliRunner().invoke(main, ["report", "--run", "latest", "--out", str(out), "--format", "json",
                                  "--db", f"sqlite:///{sample_run['db']}"])
    assert r.exit_code == 0, r.output
    manifest = _assert_exactly_the_manifest(out)
    names = set(_tree(out))
    assert not [n for n in names if n.endswith((".html", ".md", ".csv"))]
    assert "quarantine.csv" not in names
    assert {"junit.xml", "findings.sarif", "summary.json", "findings.json"} <= names
    assert manifest["formats"] == ["json"]
    assert f"Reports ({len(manifest['files']) + 1} files)" in r.output


def test_quarantine_of_a_failed_audit_is_a_set_of_its_own(model, tmp_path):
    """`auditor run` whose audit cannot run writes the ingest's quarantine.csv alone: the
    earlier run's reports do not stay beside another run's rejected rows."""
    from auditor import audit

    out = tmp_path / "out"
    write_reports(copy.deepcopy(model), out, FAST)
    rejected = pd.DataFrame({"file": ["requests.csv"], "row": [2], "column": ["instrument"], "reason": ["=bogus"]})
    path = audit.write_quarantine(SimpleNamespace(quarantine=rejected, ingest_id="ing-x"), out)
    assert path == out / "quarantine.csv"
    manifest = _assert_exactly_the_manifest(out)
    assert [f["path"] for f in manifest["files"]] == ["quarantine.csv"]
    assert manifest["run_id"] is None and manifest["ingest_id"] == "ing-x" and manifest["formats"] == []
    assert "'=bogus" in path.read_text(encoding="utf-8")  # formulas still neutralised


@pytest.mark.parametrize(("rel", "own"), [
    ("index.html", True), ("index.pdf", True), ("findings.sarif", True), ("quarantine.csv", True),
    ("issues.md", True), ("runs.html", True), ("guide.html", True), ("party/DE.json", True),
    ("provider/a-0123456789.pdf", True), ("check/TIM002.html", True), ("assets/app.js", True),
    ("index.docx", False), ("notes.md", False), ("party/README.txt", False), ("data/requests.csv", False),
    ("auditor.db", False), (".index.html.swp", False),
])
def test_own_names(rel, own):
    assert staging.is_own_name(rel) is own
