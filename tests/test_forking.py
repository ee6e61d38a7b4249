"""auditor.forking: helpers are forked only when safe, and a helper's result or error reaches
the caller exactly as if the work had been done inline."""

from __future__ import annotations

import os
import threading

from auditor import forking


def _square_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _fail(x: int) -> None:
    raise ValueError(f"bad {x}")


_SCRIPT = """
import os
from auditor import forking
from tests.test_forking import _fail, _square_pid
b = forking.Beside(_square_pid, 7)
assert b.proc is not None, "not forked"
value, pid = b.result()
assert value == 49 and pid != os.getpid()
try:
    forking.Beside(_fail, 3).result()
except ValueError as exc:
    assert str(exc) == "bad 3"
else:
    raise AssertionError("the helper's error was lost")
print("ok")
"""


def test_helper_result_and_error():
    """In a fresh interpreter: threads left by other tests (dask) rightly prevent forking here."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_inline_when_disabled_or_threads_run(monkeypatch):
    monkeypatch.setenv("AUDITOR_HELPERS", "0")
    b = forking.Beside(_square_pid, 5)
    assert b.proc is None and b.result() == (25, os.getpid())
    monkeypatch.delenv("AUDITOR_HELPERS")
    # threads other tests left behind (dask) count as safe here, so only ours decides
    me = threading.current_thread()
    left = {t.name for t in threading.enumerate() if t is not me}
    monkeypatch.setattr(forking, "FORK_SAFE_THREADS", set(left))
    assert forking.can_fork()
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, name="some-worker")
    t.start()
    try:
        assert not forking.can_fork()
        assert forking.Beside(_square_pid, 2).result() == (4, os.getpid())
        forking.FORK_SAFE_THREADS.add("some-worker")
        assert forking.can_fork()
    finally:
        stop.set()
        t.join()
