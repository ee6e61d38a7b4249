"""Crash injection (SIGKILL during and after a table's transaction, then rerun: counts exact) and
two concurrent `auditor run` processes on one database, SQLite and PostgreSQL (both succeed, data
consistent)."""

from __future__ import annotations

import signal

import pytest
import sqlalchemy as sa

from auditor.store import db
from tests.jobs.conftest import AS_OF, cli_subprocess, make_slice

TABLES = ("requests", "disclosures", "custody_events", "parties")


def _counts(url: str) -> dict[str, int]:
    eng = db.get_engine(url)
    try:
        return {t: db.count_rows(eng, t) for t in TABLES}
    finally:
        eng.dispose()


def _finish(p, timeout=300):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


@pytest.fixture(scope="module")
def clean_counts(tmp_path_factory):
    work = tmp_path_factory.mktemp("clean")
    make_slice(work / "d", n=60)
    url = f"sqlite:///{work / 'clean.db'}"
    rc, out, err = _finish(cli_subprocess("ingest", "--data", work / "d", "--db", url))
    assert rc == 0, err
    return work / "d", _counts(url)


@pytest.mark.parametrize("fault", ["kill-during:disclosures", "kill-after:disclosures"])
def test_kill_mid_ingest_then_rerun_gives_exact_counts(tmp_path, clean_counts, fault):
    data, expected = clean_counts
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    killed_tmp, rerun_tmp = tmp_path / "tmp-killed", tmp_path / "tmp-rerun"
    killed_tmp.mkdir()
    rerun_tmp.mkdir()
    # a SIGKILLed process cannot remove its temporary files (the ledger spool): keep them here
    rc, _out, _err = _finish(cli_subprocess("ingest", "--data", data, "--db", url,
                                            env={"AUDITOR_FAULT_INJECT": fault, "TMPDIR": str(killed_tmp)}))
    assert rc == -signal.SIGKILL
    assert [p.name.startswith("auditor-ledger-") for p in killed_tmp.iterdir()] == [True]
    after_crash = _counts(url)
    assert after_crash["requests"] == expected["requests"]  # committed before the kill
    # the killed table is all or nothing; nothing after it was written
    assert after_crash["disclosures"] == (0 if fault.startswith("kill-during") else expected["disclosures"])
    assert after_crash["custody_events"] == 0 and after_crash["parties"] == 0
    rc, out, err = _finish(cli_subprocess("ingest", "--data", data, "--db", url, env={"TMPDIR": str(rerun_tmp)}))
    assert rc == 0, err
    assert list(rerun_tmp.iterdir()) == []  # a finished ingest removes its own
    assert _counts(url) == expected
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("requests "))
    read, added, unchanged, revised, quarantined = map(int, line.split()[1:])
    assert (added, revised) == (0, 0) and unchanged == expected["requests"]
    rc, out, err = _finish(cli_subprocess("verify", "--db", url))
    assert rc == 0, err


def test_two_concurrent_runs_on_one_database(tmp_path, db_url):
    """SQLite (one file) and PostgreSQL (one schema): both runs succeed, nothing lost or doubled."""
    make_slice(tmp_path / "a", n=80)
    make_slice(tmp_path / "b", n=80, start=40)  # overlaps a by 40 requests
    make_slice(tmp_path / "u", n=120)  # the union, for the expected counts
    url = db_url
    procs = [cli_subprocess("--log-format", "json", "run", "--data", tmp_path / d, "--out", tmp_path / f"o{d}",
                            "--as-of", AS_OF, "--db", url, "--format", "csv") for d in ("a", "b")]
    results = [_finish(p) for p in procs]
    for rc, _out, err in results:
        assert rc == 0, err
    ref = f"sqlite:///{tmp_path / 'ref.db'}"
    rc, _o, err = _finish(cli_subprocess("ingest", "--data", tmp_path / "u", "--db", ref))
    assert rc == 0, err
    assert _counts(url) == _counts(ref)
    eng = sa.create_engine(url)
    with eng.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM audit_runs WHERE status = 'finished'")).scalar() == 2
        assert c.execute(sa.text("SELECT COUNT(*) FROM ledger")).scalar() == 2
        assert c.execute(sa.text("SELECT COUNT(*) FROM input_revisions")).scalar() == 0
        if url.startswith("sqlite"):
            assert c.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    rc, out, err = _finish(cli_subprocess("verify", "--db", url))
    assert rc == 0, err + out
