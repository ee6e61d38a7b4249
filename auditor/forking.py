"""When this process may fork helper processes (chart rendering, the contract suite).

Forking a process that runs other threads can deadlock the child on a lock one of them held, so
helpers are forked only when the calling thread is alone, apart from threads known to be harmless
(``FORK_SAFE_THREADS``) and tqdm's monitor thread, which is stopped first.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading

#: names of threads known not to hold locks a forked child could need (the benchmark's sampler)
FORK_SAFE_THREADS: set[str] = set()


def _stop_tqdm_monitor() -> None:
    """tqdm starts a monitor thread with its first bar (great-expectations makes one even with
    its bars off); stop it, and keep it from restarting."""
    std = sys.modules.get("tqdm.std")
    if std is None:
        return
    std.tqdm.monitor_interval = 0
    from tqdm._monitor import TMonitor  # noqa: PLC0415

    for t in threading.enumerate():
        if isinstance(t, TMonitor):
            cls = t.tqdm_cls
            cls.monitor_interval = 0
            t.exit()
            cls.monitor = None


def can_fork() -> bool:
    """True when a helper may be forked from the current thread now: never from a daemonic
    helper (multiprocessing allows one no children; ``spawn(children=True)`` starts one that is not)."""
    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return False
    _stop_tqdm_monitor()
    me = threading.current_thread()
    return not [t for t in threading.enumerate() if t is not me and t.name not in FORK_SAFE_THREADS]


def small_context(preload: tuple[str, ...] = ()) -> multiprocessing.context.BaseContext:
    """A multiprocessing context whose processes start from a small state, not from a copy of
    this (possibly multi-gigabyte) process: ``forkserver`` (a fresh interpreter that imports
    ``preload`` once, then forks each worker from itself), else ``spawn``. Everything a worker
    needs is passed to it explicitly (pickled), so it never sees the caller's data, and threads of
    the caller cannot deadlock it."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        if preload:
            ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")


def disabled(env: str) -> bool:
    """True when the switch ``env`` turns a helper off (0, false, no)."""
    import os  # noqa: PLC0415

    return os.environ.get(env, "1").strip().lower() in ("0", "false", "no")


def spawn(target, *args, name: str, duplex: bool = False, children: bool = False):
    """Fork ``target(conn, *args)`` as a daemon helper process; return (process, the parent's
    end of the pipe), or None when it cannot be forked now (see ``can_fork``). Without
    ``duplex`` the helper only sends and the parent only receives. The helper closes its copy of
    the parent's end, so the parent's exit (even a kill) ends the helper's reads and writes, and
    leaves with ``os._exit`` (no atexit handlers of the parent run twice).

    ``children``: the helper may fork helpers of its own, so it is not a daemon (multiprocessing
    allows a daemon no children); the caller joins it on every path (``Beside.result`` does), or
    the interpreter's exit waits for it."""
    if not can_fork():
        return None
    ctx = multiprocessing.get_context("fork")
    try:
        if duplex:
            mine, theirs = ctx.Pipe(duplex=True)
        else:
            mine, theirs = ctx.Pipe(duplex=False)  # (receiving end, sending end)
        proc = ctx.Process(target=_helper_main, args=(target, theirs, mine, args), daemon=not children,
                           name=f"auditor-{name}")
        proc.start()
    except OSError:  # pragma: no cover - no processes here: the caller works inline
        return None
    theirs.close()
    return proc, mine


def _helper_main(target, conn, parent_end, args) -> None:  # pragma: no cover - forked helper
    import os  # noqa: PLC0415

    from auditor import collector  # noqa: PLC0415

    collector.inherited()  # its collections leave the parent's objects (and pages) alone
    parent_end.close()
    try:
        target(conn, *args)
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the parent has gone
    finally:
        with contextlib.suppress(OSError):
            conn.close()
        os._exit(0)


class Beside:
    """``func(*args)`` run in a forked helper process while the caller goes on; ``result()``
    waits and returns its value (or raises its error). Runs inline, at ``result()``, when
    forking is unsafe or ``AUDITOR_HELPERS=0``. For work that only writes files from data the
    caller already holds (e.g. machine-readable reports). ``children``: ``func`` may fork helpers
    of its own (``spawn``)."""

    def __init__(self, func, *args, children: bool = False) -> None:
        self.func, self.args, self.proc, self.conn = func, args, None, None
        if disabled("AUDITOR_HELPERS"):
            return
        started = spawn(_beside, func, args, name=getattr(func, "__name__", "helper").strip("_"), children=children)
        if started is not None:
            self.proc, self.conn = started

    def result(self):
        if self.proc is None:
            return self.func(*self.args)
        try:
            status, value = self.conn.recv()
        except (EOFError, OSError):  # the helper died: do it here
            status, value = "retry", None
        finally:
            self.conn.close()
            self.proc.join()
            self.proc = None
        if status == "ok":
            return value
        if status == "error":
            raise value
        return self.func(*self.args)


def _beside(conn, func, args) -> None:  # pragma: no cover - forked helper
    try:
        conn.send(("ok", func(*args)))
    except Exception as exc:  # noqa: BLE001 - raised in the parent
        with contextlib.suppress(Exception):  # unpicklable error: the parent redoes the work
            conn.send(("error", exc))
