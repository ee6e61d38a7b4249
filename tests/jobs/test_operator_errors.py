"""Operator mistakes (issue 18, item 6) are exit 2 (usage) or 3 (input) with ``Error:`` and
``Fix:``, never an internal error: a ``--db`` that is a CSV file or a read-only database, an
``--out`` that is a file or on a read-only disk, an empty ``--as-of`` (and then nothing is
stored), ``data = 123`` or ``quiet = "false"`` in the config; a relative SQLite path in the
config is relative to the config file; a reader that goes away (``| head``) is a quiet exit."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import audit, config
from tests.jobs.conftest import AS_OF, ENV, invoke


@pytest.fixture
def db(tmp_path, ingested_slice) -> Path:
    shutil.copy(ingested_slice, tmp_path / "a.db")
    return tmp_path / "a.db"


def _error(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, r.output
    assert "Error: " in r.stderr and "  Fix: " in r.stderr, r.output
    assert "Internal error" not in r.output and "Traceback" not in r.output
    for f in fragments:
        assert f in r.stderr, r.stderr


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in ("audit_runs", "check_outcomes", "check_scope_results", "findings", "ledger")}


@pytest.mark.parametrize("command", [["ingest", "--data", "DATA"], ["audit"], ["runs"], ["quarantine"],
                                     ["report", "--out", "OUT"], ["run", "--data", "DATA", "--out", "OUT"],
                                     ["diff", "latest", "previous"]])
def test_db_pointing_at_a_csv_file_is_a_usage_error(tmp_path, slice_dir, command):
    csv = slice_dir / "requests.csv"
    before = csv.read_bytes()
    args = [{"DATA": slice_dir, "OUT": tmp_path / "out"}.get(a, a) for a in command]
    r = invoke(*args, "--db", f"sqlite:///{csv}")
    _error(r, 2, f"cannot use the database sqlite:///{csv}: file is not a database", "point --db at an auditor database")
    assert csv.read_bytes() == before  # the data file is untouched


def test_a_read_only_database_is_a_usage_error_and_nothing_is_audited(tmp_path, db, slice_dir):
    ro = f"sqlite:///file:{db}?mode=ro&uri=true"
    before = _counts(db)
    r = invoke("audit", "--db", ro, "--as-of", AS_OF)
    _error(r, 2, "is read-only (attempt to write a readonly database); nothing was stored",
           "use a database you may write to")
    r = invoke("run", "--data", slice_dir, "--out", tmp_path / "out", "--db", ro, "--as-of", AS_OF)
    _error(r, 2, "is read-only")
    assert not (tmp_path / "out").exists()
    r = invoke("ingest", "--data", slice_dir, "--db", ro)
    _error(r, 2, "is read-only")
    assert _counts(db) == before
    # reading a read-only database is fine
    assert invoke("runs", "--db", ro).exit_code == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only file anyway")
def test_a_database_file_without_write_permission_is_a_usage_error(tmp_path, db):
    os.chmod(db, 0o444)
    os.chmod(db.parent, 0o555)
    try:
        r = invoke("audit", "--db", f"sqlite:///{db}", "--as-of", AS_OF)
        assert r.exit_code == 2, r.output
        assert "Error: " in r.output and "Fix: " in r.output
    finally:
        os.chmod(db.parent, 0o755)
        os.chmod(db, 0o644)


def test_out_that_is_an_existing_file_is_a_usage_error_before_anything_is_stored(tmp_path, db, slice_dir):
    out = tmp_path / "report.html"
    out.write_text("keep me")
    fresh = tmp_path / "fresh.db"
    r = invoke("run", "--data", slice_dir, "--out", out, "--db", f"sqlite:///{fresh}", "--as-of", AS_OF)
    _error(r, 2, f"--out {out} is an existing file, not a folder")
    assert not fresh.exists()  # checked before the database is even opened
    r = invoke("report", "--out", out, "--db", f"sqlite:///{db}")
    _error(r, 2, "is an existing file, not a folder")
    r = invoke("report", "--out", out / "sub", "--db", f"sqlite:///{db}")
    _error(r, 2, f"{out} is a file, not a folder")
    assert out.read_text() == "keep me"


def test_out_on_a_read_only_disk_is_a_usage_error(tmp_path, db, slice_dir, monkeypatch):
    """A read-only file system, as the kernel reports it (EROFS) to every write under ro/."""
    ro = tmp_path / "ro"
    ro.mkdir()
    real_open, real_mkdir = os.open, os.mkdir

    def ro_open(path, flags, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if str(path).startswith(str(ro)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *a, **k)

    def ro_mkdir(path, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if str(path).startswith(str(ro)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *a, **k)

    monkeypatch.setattr(os, "open", ro_open)
    monkeypatch.setattr(os, "mkdir", ro_mkdir)
    before = _counts(db)
    r = invoke("run", "--data", slice_dir, "--out", ro / "reports", "--db", f"sqlite:///{db}", "--as-of", AS_OF)
    _error(r, 2, f"cannot write the reports to --out {ro / 'reports'}: Read-only file system")
    assert _counts(db) == before  # nothing ingested or audited
    r = invoke("report", "--out", ro, "--db", f"sqlite:///{db}")
    _error(r, 2, "Read-only file system")


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -rm (user and mount namespaces)")
def test_out_and_db_on_a_really_read_only_mount(tmp_path, db, slice_dir):
    ro = tmp_path / "mnt"
    ro.mkdir()
    shutil.copy(db, ro / "a.db")
    code = "import sys; from auditor.cli import main; sys.argv[0] = 'auditor'; main()"
    py = f"{sys.executable} -c \"{code}\""
    script = (f"mount --bind {ro} {ro} && mount -o remount,ro,bind {ro} && "
              f"{py} report --out {ro}/out --db sqlite:///{db}; echo rc=$?; "
              f"{py} audit --db sqlite:///{ro}/a.db --as-of {AS_OF}; echo rc=$?")
    env = {**os.environ, **ENV}
    env.pop("AUDITOR_DB_URL", None)
    p = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert p.stdout.count("rc=2") == 2, (p.stdout, p.stderr)
    assert p.stderr.count("Error: ") == 2 and p.stderr.count("Fix: ") == 2, p.stderr
    assert "Read-only file system" in p.stderr and "Internal error" not in p.stderr


@pytest.mark.parametrize("as_of", ["", "   ", "NaT"])
def test_an_empty_as_of_is_a_usage_error_and_stores_nothing(tmp_path, db, slice_dir, as_of):
    before = _counts(db)
    r = invoke("audit", "--db", f"sqlite:///{db}", "--as-of", as_of)
    _error(r, 2, "--as-of")
    r = invoke("run", "--data", slice_dir, "--out", tmp_path / "o", "--db", f"sqlite:///{db}", "--as-of", as_of)
    _error(r, 2, "--as-of")
    assert _counts(db) == before  # no orphan findings or outcomes


def test_a_run_that_fails_while_being_stored_leaves_no_orphan_rows(tmp_path, db, monkeypatch):
    from auditor import ledger

    def boom(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk gone while appending the ledger record")

    monkeypatch.setattr(ledger, "append_run", boom)
    before = _counts(db)
    r = invoke("audit", "--db", f"sqlite:///{db}", "--as-of", AS_OF)
    assert r.exit_code == 4 and "disk gone" in r.output
    assert _counts(db) == before


def _config(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "cfg" / "auditor.toml"
    p.parent.mkdir(exist_ok=True)
    p.write_text(body)
    return p


@pytest.mark.parametrize(("body", "fragment"), [
    ("data = 123\n", "data: expected a string (in quotes), not the integer 123"),
    ('quiet = "false"\n', "quiet: expected true or false (a TOML boolean, without quotes), not the string 'false'"),
    ("quiet = 0\n", "quiet: expected true or false"),
    ('publish = "yes"\n', "publish: expected true or false"),
    ("log_format = 1\n", "log_format: expected a string"),
    ('page_findings = "10"\n', "page_findings: expected an integer, not the string '10'"),
    ("format = [1]\n", "format: expected a string"),
    ("key_file = 5\n", "key_file: expected a path in quotes"),
    ('config = "other.toml"\n', "config: a config file cannot name another config file"),
])
def test_config_values_are_typed_and_errors_name_the_key(tmp_path, body, fragment):
    cfg = _config(tmp_path, body)
    r = invoke("--config", cfg, "runs", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    _error(r, 2, f"{cfg}: {fragment}")


def test_quiet_false_in_the_config_is_not_quiet_and_quiet_true_is(tmp_path, db):
    off = _config(tmp_path, "quiet = false\n")
    r = invoke("--config", off, "audit", "--db", f"sqlite:///{db}", "--as-of", AS_OF)
    assert r.exit_code == 0 and "checks:" in r.stdout and "Run id: " in r.stdout
    on = _config(tmp_path, "quiet = true\n")
    r = invoke("--config", on, "audit", "--db", f"sqlite:///{db}", "--as-of", AS_OF)
    assert r.exit_code == 0 and r.stdout.count("\n") == 1 and r.stdout.startswith("run-")


def test_a_relative_sqlite_path_in_the_config_is_relative_to_the_config_file(tmp_path, slice_dir, monkeypatch):
    cfg = _config(tmp_path, f'db = "sqlite:///auditor.db"\ndata = "{slice_dir}"\nas_of = {AS_OF}\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    r = invoke("--config", cfg, "ingest")
    assert r.exit_code == 0, r.output
    r = invoke("--config", cfg, "audit")  # as_of from the file, a TOML date
    assert r.exit_code == 0, r.output
    assert (cfg.parent / "auditor.db").is_file()
    assert not (elsewhere / "auditor.db").exists()
    with sqlite3.connect(cfg.parent / "auditor.db") as con:
        assert con.execute("SELECT as_of FROM audit_runs").fetchone()[0].startswith(AS_OF)
    # the rule, unit by unit: only relative SQLite files move; other URLs stay as written
    c = config.load(cfg)
    base = cfg.parent
    assert config.resolve_db_url(c, "sqlite:///a.db") == f"sqlite:///{base / 'a.db'}"
    assert config.resolve_db_url(c, "sqlite:////abs/a.db") == "sqlite:////abs/a.db"
    assert config.resolve_db_url(c, "sqlite:///file:d/a.db?mode=ro&uri=true") == \
        f"sqlite:///file:{base / 'd' / 'a.db'}?mode=ro&uri=true"
    for same in ("sqlite://", "sqlite:///:memory:", "postgresql://u@h/db"):
        assert config.resolve_db_url(c, same) == same


def _pipe_with_small_buffer() -> tuple[int, int]:
    r, w = os.pipe()
    with contextlib.suppress(OSError):  # Linux: a 4 KiB pipe, so the output cannot all wait in it
        fcntl.fcntl(w, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
    return r, w


def _cli_with_closed_reader(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``auditor ARGS | head -1``: the reader takes one line and goes away."""
    env = {**os.environ, **ENV}
    env.pop("AUDITOR_DB_URL", None)
    r, w = _pipe_with_small_buffer()
    code = "import sys; from auditor.cli import main; sys.argv[0] = 'auditor'; main()"
    p = subprocess.Popen([sys.executable, "-c", code, *args], stdout=w, stderr=subprocess.PIPE, env=env, cwd=cwd,
                         text=True)
    os.close(w)
    with os.fdopen(r, "rb") as reader:
        first = reader.readline()
    _, err = p.communicate(timeout=600)
    return subprocess.CompletedProcess(p.args, p.returncode, first.decode(), err)


def test_output_piped_into_head_is_a_quiet_exit(tmp_path):
    p = _cli_with_closed_reader(["checks", "list"], tmp_path)
    assert p.stdout.startswith("id ")
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""


def test_a_run_piped_into_head_still_finishes_with_its_own_exit_code(tmp_path, slice_dir):
    out = tmp_path / "out"
    p = _cli_with_closed_reader(["run", "--data", str(slice_dir), "--out", str(out), "--as-of", AS_OF,
                                 "--db", f"sqlite:///{tmp_path / 'a.db'}", "--fail-on", "high"], tmp_path)
    assert p.stdout.startswith("Ingest ")
    assert p.returncode == 1, p.stderr  # high findings: the job's own exit code, not a crash
    assert "BrokenPipe" not in p.stderr and "Internal error" not in p.stderr and "Exception ignored" not in p.stderr
    assert "Exit 1: " in p.stderr
    assert (out / "summary.json").is_file() and (out / "quarantine.csv").is_file()


def test_the_library_checks_paths_and_databases_before_work(tmp_path):
    from auditor.errors import UsageError

    (tmp_path / "f").write_text("x")
    with pytest.raises(UsageError, match="is an existing file"):
        audit.check_out_dir(tmp_path / "f")
    assert audit.check_out_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # probing creates nothing
    with pytest.raises(UsageError, match="file is not a database"):  # even a 1-byte file SQLite would take over
        audit.open_store(f"sqlite:///{tmp_path / 'f'}")
    assert (tmp_path / "f").read_text() == "x"
    with pytest.raises(UsageError, match="is empty"):
        audit.parse_as_of("")


def test_environment_failures_met_mid_run_are_typed_not_internal_errors(tmp_path):
    import sqlalchemy as sa

    from auditor.errors import InputError, UsageError, from_environment

    full = from_environment(OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "x.html")))
    assert isinstance(full, UsageError) and full.exit_code == 2
    assert full.message == f"cannot use {tmp_path / 'out' / 'x.html'}: No space left on device"
    ro = from_environment(sa.exc.OperationalError("INSERT", {}, Exception("attempt to write a readonly database")))
    assert isinstance(ro, UsageError) and "the database is read-only" in ro.message
    if os.geteuid() != 0:
        f = tmp_path / "requests.csv"
        f.write_text("x")
        f.chmod(0)
        err = from_environment(PermissionError(errno.EACCES, "Permission denied", str(f)))
        assert isinstance(err, InputError) and err.exit_code == 3
    assert from_environment(ValueError("a bug")) is None
    assert from_environment(OSError(errno.ENOENT, "No such file", "x")) is None
