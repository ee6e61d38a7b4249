"""The pseudonymisation key (issue 18, item 5): an empty or short key is refused with a fix;
the key file is created atomically (two processes creating it at once agree on one non-empty
key, mode 0600); its default location does not depend on the working folder, and a key in the
former default location (``.auditor/pseudonym.key`` in the working folder) keeps being used,
with a notice."""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import privacy
from auditor.errors import ConfigError
from tests.jobs.conftest import invoke, make_slice

NO_ENV_KEY = {"AUDITOR_PSEUDONYM_KEY": None, "AUDITOR_KEY_FILE": None}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("keyslice") / "data"
    make_slice(d, n=20)
    return d


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    """A private XDG_CONFIG_HOME: the default key file lives under it."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("AUDITOR_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("AUDITOR_KEY_FILE", raising=False)
    return home


def _pseudonyms(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as con:
        return dict(con.execute("SELECT request_id, subscriber_identifier FROM requests"))


def _ingest(data: Path, db: Path, env: dict | None = None, *extra: str):
    return invoke("ingest", "--data", data, "--db", f"sqlite:///{db}", *extra, env={**NO_ENV_KEY, **(env or {})})


def test_an_empty_key_file_is_refused_with_a_fix_and_nothing_is_stored(tmp_path, small, xdg):
    key = tmp_path / "empty.key"
    key.write_text("\n")
    r = _ingest(small, tmp_path / "a.db", env={"AUDITOR_KEY_FILE": str(key)})
    assert r.exit_code == 2, r.output
    assert f"Error: the pseudonymisation key in {key} is empty" in r.output
    assert "Fix: write a long random key into it" in r.output
    with sqlite3.connect(tmp_path / "a.db") as con:  # the database was opened, nothing ingested
        assert con.execute("SELECT count(*) FROM requests").fetchone()[0] == 0


@pytest.mark.parametrize(("env", "message"), [
    ({"AUDITOR_PSEUDONYM_KEY": ""}, "the pseudonymisation key in AUDITOR_PSEUDONYM_KEY is empty"),
    ({"AUDITOR_PSEUDONYM_KEY": "   "}, "the pseudonymisation key in AUDITOR_PSEUDONYM_KEY is empty"),
    ({"AUDITOR_PSEUDONYM_KEY": "abc123"},
     "the pseudonymisation key in AUDITOR_PSEUDONYM_KEY is too short (6 characters; at least 16)"),
])
def test_an_empty_or_short_key_in_the_environment_is_refused(tmp_path, small, xdg, env, message):
    r = _ingest(small, tmp_path / "a.db", env=env)
    assert r.exit_code == 2, r.output
    assert f"Error: {message}" in r.output and "Fix: set a long random key" in r.output
    assert not (xdg / "auditor" / "pseudonym.key").exists()  # no key file generated behind the user's back


def test_a_short_key_file_is_refused(tmp_path, small, xdg):
    key = tmp_path / "short.key"
    key.write_text("0123456789abcde\n")  # 15 characters
    r = _ingest(small, tmp_path / "a.db", env={"AUDITOR_KEY_FILE": str(key)})
    assert r.exit_code == 2
    assert f"the pseudonymisation key in {key} is too short (15 characters; at least 16)" in r.output


def test_the_default_key_does_not_depend_on_the_working_folder(tmp_path, small, xdg, monkeypatch):
    db = tmp_path / "a.db"
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    monkeypatch.chdir(first)
    r = _ingest(small, db)
    assert r.exit_code == 0, r.output
    key_file = xdg / "auditor" / "pseudonym.key"
    key = key_file.read_text().strip()
    assert len(key) == 64 and int(key, 16) >= 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not (first / ".auditor").exists()
    before = _pseudonyms(db)
    monkeypatch.chdir(second)
    r = _ingest(small, db, None, "--rescan")  # read again (an unchanged file is otherwise skipped)
    assert r.exit_code == 0, r.output
    # from another folder: the same key, so every row is unchanged, none revised
    requests = next(ln for ln in r.stdout.splitlines() if ln.strip().startswith("requests"))
    assert requests.split()[1:] == ["20", "0", "20", "0", "0"], requests
    assert _pseudonyms(db) == before
    expected = privacy.pseudonymise_value("x@mail.example", key.encode())
    assert expected == "psn_" + hmac.digest(key.encode(), b"x@mail.example", hashlib.sha256).hex()[:20]


def test_a_key_in_the_former_default_location_keeps_being_used_with_a_notice(tmp_path, small, xdg, monkeypatch):
    old = tmp_path / "install"
    (old / ".auditor").mkdir(parents=True)
    legacy_key = "legacy-key-0123456789abcdef"
    (old / ".auditor" / "pseudonym.key").write_text(legacy_key + "\n")
    os.chmod(old / ".auditor" / "pseudonym.key", 0o600)
    monkeypatch.chdir(old)
    r = _ingest(small, tmp_path / "a.db")
    assert r.exit_code == 0, r.output
    assert "WARNING auditor.privacy: using the pseudonymisation key" in r.stderr
    assert str(old / ".auditor" / "pseudonym.key") in r.stderr and str(xdg / "auditor" / "pseudonym.key") in r.stderr
    assert not (xdg / "auditor" / "pseudonym.key").exists()  # nothing re-keyed
    import pandas as pd

    src = pd.read_csv(small / "requests.csv", dtype=str, keep_default_na=False).set_index("request_id")
    stored = _pseudonyms(tmp_path / "a.db")
    rid = next(i for i, v in src["subscriber_identifier"].items() if v)
    assert stored[rid] == privacy.pseudonymise_value(src.loc[rid, "subscriber_identifier"], legacy_key.encode())


def test_key_file_in_the_config_is_relative_to_the_config_file(tmp_path, small, xdg, monkeypatch):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "auditor.toml").write_text('key_file = "secrets/pseudonym.key"\n')
    monkeypatch.chdir(tmp_path)
    r = invoke("--config", conf / "auditor.toml", "ingest", "--data", small, "--db", f"sqlite:///{tmp_path / 'a.db'}",
               env=NO_ENV_KEY)
    assert r.exit_code == 0, r.output
    assert len((conf / "secrets" / "pseudonym.key").read_text().strip()) == 64
    assert not (xdg / "auditor" / "pseudonym.key").exists()
    assert "AUDITOR_KEY_FILE" not in os.environ  # the config does not leak into the environment


def _racer(path: str, start, out) -> None:  # noqa: ANN001
    start.wait()
    try:
        out.put(privacy.load_key(path).decode())
    except Exception as exc:  # noqa: BLE001
        out.put(f"ERROR {type(exc).__name__}: {exc}")


def test_processes_creating_the_key_at_once_all_get_the_same_non_empty_key(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDITOR_PSEUDONYM_KEY", raising=False)
    ctx = multiprocessing.get_context("fork")
    for attempt in range(3):
        path = tmp_path / f"race{attempt}" / "pseudonym.key"
        n = 12
        start, out = ctx.Barrier(n), ctx.Queue()
        procs = [ctx.Process(target=_racer, args=(str(path), start, out)) for _ in range(n)]
        for p in procs:
            p.start()
        keys = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert len(set(keys)) == 1, keys
        assert len(keys[0]) == 64 and not keys[0].startswith("ERROR")
        assert path.read_text() == keys[0] + "\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert sorted(p.name for p in path.parent.iterdir()) == ["pseudonym.key"]  # no temporary file left


def test_two_cli_ingests_creating_the_key_at_once_agree(tmp_path, small):
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    env.pop("AUDITOR_PSEUDONYM_KEY", None)
    env.pop("AUDITOR_KEY_FILE", None)
    env.pop("AUDITOR_DB_URL", None)
    code = "import sys; from auditor.cli import main; sys.argv[0] = 'auditor'; main()"
    procs = [subprocess.Popen([sys.executable, "-c", code, "-q", "ingest", "--data", str(small), "--db",
                               f"sqlite:///{tmp_path / f'{i}.db'}"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in (1, 2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    key = (tmp_path / "xdg" / "auditor" / "pseudonym.key").read_text().strip()
    assert len(key) == 64
    one, two = _pseudonyms(tmp_path / "1.db"), _pseudonyms(tmp_path / "2.db")
    assert one == two and any(v for v in one.values())
    assert all(v.startswith("psn_") for v in one.values() if v)


def test_library_errors_for_unusable_key_files(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDITOR_PSEUDONYM_KEY", raising=False)
    (tmp_path / "dir.key").mkdir()
    with pytest.raises(ConfigError, match="cannot read the pseudonymisation key file"):
        privacy.load_key(tmp_path / "dir.key")
    (tmp_path / "bin.key").write_bytes(b"\xff\xfe" * 20)
    with pytest.raises(ConfigError, match="is not text"):
        privacy.load_key(tmp_path / "bin.key")
    (tmp_path / "ok.key").write_text("  a-good-enough-key-0123  \n")
    assert privacy.load_key(tmp_path / "ok.key") == b"a-good-enough-key-0123"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="cannot create the pseudonymisation key file"):
        privacy.load_key(tmp_path / "file" / "sub" / "pseudonym.key")
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert privacy.default_key_file() == tmp_path / "home" / ".config" / "auditor" / "pseudonym.key"
