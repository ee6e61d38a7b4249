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


def _die(x: int) -> None:
    os._exit(3)


_SCRIPT = """
import os
from auditor import forking
from tests.test_forking import _die, _fail, _square_pid
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
# the caller lets the arguments go: a helper that dies has its work redone by the redo given
data = [1, 2, 3]
b = forking.Beside(_die, data)
b.let_go(lambda: "redone")
assert b.args == () and b.result() == "redone"
b = forking.Beside(_square_pid, 6)
b.let_go(lambda: "not needed")
assert b.result()[0] == 36
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
    b.let_go(lambda: "redone")  # inline work keeps its arguments
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


def test_ahead_gives_its_value_or_raises_its_error_in_the_caller(monkeypatch):
    """``forking.Ahead`` computes in a thread; ``result`` returns the value, or raises the error
    where it is asked for; while it runs no helper is forked (``can_fork`` sees the thread)."""
    me = threading.current_thread()  # threads other tests left behind count as safe here
    monkeypatch.setattr(forking, "FORK_SAFE_THREADS", {t.name for t in threading.enumerate() if t is not me})
    assert forking.can_fork()
    release = threading.Event()

    def slow(x: int) -> int:
        release.wait()
        return x * x

    ahead = forking.Ahead(slow, 6, name="auditor-test-ahead")
    assert not ahead.done() and not forking.can_fork()
    release.set()
    assert ahead.result() == 36 and ahead.done() and ahead.result() == 36
    assert forking.can_fork()
    failed = forking.Ahead(_fail, 4, name="auditor-test-ahead")
    try:
        failed.result()
    except ValueError as exc:
        assert str(exc) == "bad 4"
    else:
        raise AssertionError("the thread's error was lost")


def test_prefetched_gives_the_items_in_order_and_the_error_where_it_was():
    """``forking.Prefetched`` makes the next item in a thread: the caller gets every item in
    order, the iterator's error where its item would have been, and leaving the ``with`` early
    stops the thread and closes the iterator."""
    def items(n: int, fail_at: int | None = None):
        for i in range(n):
            if i == fail_at:
                raise ValueError(f"bad {i}")
            yield i

    with forking.Prefetched(items(50), name="auditor-test-read") as got:
        assert list(got) == list(range(50))
    seen = []
    try:
        with forking.Prefetched(items(10, fail_at=4), name="auditor-test-read") as got:
            for i in got:
                seen.append(i)
    except ValueError as exc:
        assert str(exc) == "bad 4"
    else:
        raise AssertionError("the iterator's error was lost")
    assert seen == [0, 1, 2, 3]
    closed = threading.Event()

    def endless():
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.set()

    with forking.Prefetched(endless(), name="auditor-test-read", depth=2) as got:
        first = next(iter(got))
        reader = got._thread
    assert first == 0 and not reader.is_alive() and closed.is_set()
