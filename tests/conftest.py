"""Shared fixtures: a temporary SQLite database, a fixed pseudonymisation key, and one audit of
the committed sample data (run once per test session, reused by the tests that read it)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
AS_OF = "2026-10-31"  # the sample's audit date (sample_data/generate.py AS_OF)
KEY = b"test-key-0123456789"


def alone(request) -> bool:
    """False when this process may fork (a fast read forks its helper); else the test is run
    again, alone, in a fresh pytest process (this worker runs threads other tests left behind,
    and then nothing is forked here), its outcome asserted, and True returned."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from auditor import forking  # noqa: PLC0415

    if forking.can_fork():
        return False
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    return True


def examples(n: int) -> int:
    """Hypothesis examples for a property test: ``n`` in ``make test`` (bounded: the suite has a
    time limit), ``n`` times ``AUDITOR_FUZZ`` in ``make fuzz`` (default 10) for a deeper search."""
    import os  # noqa: PLC0415

    return max(1, int(n * float(os.environ.get("AUDITOR_FUZZ", "1"))))


@pytest.fixture(scope="session", autouse=True)
def _chart_cache(tmp_path_factory):
    """One chart cache (``AUDITOR_CHART_CACHE``, ``reports.chartpool.DiskCache``) for the whole
    session and every worker and subprocess: the same sample is rendered by dozens of tests, and
    its ~90 charts cost ~20 s of CPU a rendering. Each chart is still drawn (by the first rendering
    that needs it; the chart tests call the chart functions themselves).
    ``AUDITOR_TEST_CHART_CACHE=0`` draws every chart every time."""
    if os.environ.get("AUDITOR_TEST_CHART_CACHE", "1") == "0":
        yield
        return
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "chart-cache"
    folder.mkdir(mode=0o700, exist_ok=True)
    old = os.environ.get("AUDITOR_CHART_CACHE")
    os.environ["AUDITOR_CHART_CACHE"] = str(folder)
    yield
    if old is None:
        os.environ.pop("AUDITOR_CHART_CACHE", None)
    else:
        os.environ["AUDITOR_CHART_CACHE"] = old


@pytest.fixture(scope="session", autouse=True)
def _great_expectations_once():
    """great-expectations imported (and its ephemeral context built) once per test process: every
    ingest forks its contract helper from here (``validate.ContractWorker``), and a helper that
    finds it imported starts in milliseconds instead of paying ~4 s of import per `auditor run`
    of the suite. The import in the helper itself is tested by the subprocess runs. Only in a
    pytest-xdist worker (``make test``): a single test run by hand does not wait for it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from auditor.ingest import validate

    validate._context()


@pytest.fixture(autouse=True)
def _isolate(monkeypatch, tmp_path):
    monkeypatch.setenv("AUDITOR_PSEUDONYM_KEY", KEY.decode())
    monkeypatch.delenv("AUDITOR_DB_URL", raising=False)
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def engine(tmp_path):
    from auditor.store import db

    return db.get_engine(f"sqlite:///{tmp_path / 'test.db'}")


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(SAMPLE, dst, ignore=shutil.ignore_patterns("*.py", "*.md", "*.json", "__pycache__"))
    return dst


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text())


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """`auditor run` on the committed sample data, through the real CLI entry point."""
    import os

    from click.testing import CliRunner

    from auditor.cli import main

    work = tmp_path_factory.mktemp("sample_run")
    out = work / "out"
    env = {"AUDITOR_PSEUDONYM_KEY": KEY.decode(), "GX_ANALYTICS_ENABLED": "false"}
    old = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(
            main, ["run", "--data", str(SAMPLE), "--out", str(out), "--as-of", AS_OF], env=env
        )
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return {"out": out, "db": work / "auditor.db", "output": result.output, "work": work}


def postgres_unreachable(where: str, why: object = "") -> None:
    """A PostgreSQL test without a server: a failure in CI, a skip with the reason elsewhere
    (a laptop has no server)."""
    msg = f"PostgreSQL at {where} is unreachable" + (f": {why}" if why else "")
    if os.environ.get("CI"):
        pytest.fail(msg + " (required in CI)")
    pytest.skip(msg + " (set CI=1 to make this a failure)")


# ---------------------------------------------------------------- headless Chromium (Playwright)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _need(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module; skips on a laptop without it,
    fails in CI (``CI`` set: ``make test`` installs chromium)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright is not installed (pip install playwright)")
    exe = _chromium()
    if exe is None:
        _need("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu",
                                                         "--disable-background-networking"])
        yield b
        b.close()
