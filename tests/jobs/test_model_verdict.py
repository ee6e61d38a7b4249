"""``audit.build_model`` checks the run's ledger record in a forked helper while it reads the run
(the check reads every finding once more): the verdict is awaited before the model is returned,
so a changed finding is refused exactly as inline, and an error while reading a run that does not
verify is reported as the verification failure."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from auditor import audit, forking, ledger
from auditor.store import db
from tests.jobs.conftest import AS_OF, invoke, make_slice


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("verdict")
    make_slice(work / "d", n=30)
    url = f"sqlite:///{work / 'a.db'}"
    r = invoke("run", "--data", work / "d", "--out", work / "o", "--as-of", AS_OF, "--db", url, "--format", "csv")
    assert r.exit_code == 0, r.output
    return work / "a.db"


@pytest.fixture
def engine(store, tmp_path):
    import sqlite3

    copy = tmp_path / "copy.db"
    with sqlite3.connect(store) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)  # the write-ahead log included
    return db.get_engine(f"sqlite:///{copy}")


@pytest.fixture
def helpers(monkeypatch):
    """Records whether each ``forking.Beside`` really forked a helper."""
    started: list[bool] = []
    real = forking.Beside.__init__

    def spy(self, func, *args, **kwargs):
        real(self, func, *args, **kwargs)
        started.append(self.proc is not None)

    monkeypatch.setattr(forking.Beside, "__init__", spy)
    return started


def _tamper(engine) -> None:
    with engine.begin() as c:
        c.execute(sa.text("UPDATE findings SET message = message || ' (edited)' WHERE id = (SELECT MIN(id) FROM findings)"))


@pytest.mark.parametrize("inline", [False, True])
def test_verified_run_builds_the_same_model_with_or_without_the_helper(engine, helpers, monkeypatch, inline):
    if inline:
        monkeypatch.setenv("AUDITOR_HELPERS", "0")
    model = audit.build_model(engine, None)
    assert helpers == [not inline]  # forked, or inline when helpers are off
    monkeypatch.setenv("AUDITOR_HELPERS", "0")
    again = audit.build_model(engine, "latest")
    assert model["findings"] == again["findings"] and model["run"] == again["run"] and len(model["findings"]) > 0


@pytest.mark.parametrize("inline", [False, True])
def test_a_changed_finding_is_refused_by_the_helpers_verdict(engine, helpers, monkeypatch, inline):
    if inline:
        monkeypatch.setenv("AUDITOR_HELPERS", "0")
    _tamper(engine)
    with pytest.raises(ledger.RunNotVerified, match="changed after the run"):
        audit.build_model(engine, None)
    assert helpers == [not inline]


def test_an_error_while_reading_a_tampered_run_is_reported_as_the_tampering(engine, helpers, monkeypatch):
    _tamper(engine)

    def broken(*a, **k):
        raise ValueError("a stored value the model cannot read")

    monkeypatch.setattr(audit, "_build_model", broken)
    with pytest.raises(ledger.RunNotVerified):
        audit.build_model(engine, None)
    assert helpers == [True]


def test_an_error_while_reading_a_verified_run_is_raised_as_it_is(engine, monkeypatch):
    def broken(*a, **k):
        raise ValueError("a bug while reading")

    monkeypatch.setattr(audit, "_build_model", broken)
    with pytest.raises(ValueError, match="a bug while reading"):
        audit.build_model(engine, None)


def test_an_unknown_run_is_named(engine):
    with pytest.raises(Exception, match="no-such-run"):
        audit.build_model(engine, "no-such-run")
