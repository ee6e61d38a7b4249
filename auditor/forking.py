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


class Ahead:
    """``func(*args)`` computed in a daemon thread while the caller goes on; ``result()`` waits for
    it and returns its value, or raises its error in the caller's thread. For work that runs
    mostly without the interpreter lock (Arrow's kernels, numpy, hashing, SQLite, waiting on a
    helper's pipe), so that it overlaps the caller's. While it runs, ``can_fork`` is false (a
    helper would run inline): call ``result()`` before forking one."""

    def __init__(self, func, *args, name: str) -> None:
        self._value: object = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(func, args), name=name, daemon=True)
        self._thread.start()

    def _run(self, func, args) -> None:
        try:
            self._value = func(*args)
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread by result()
            self._error = exc

    def done(self) -> bool:
        """Whether the result is ready (``result()`` would not wait)."""
        return not self._thread.is_alive()

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


class Prefetched:
    """The items of ``items`` (an iterator), each made in a thread up to ``depth`` items ahead of
    the one the caller holds: for reading (a Parquet file's batches decode without the
    interpreter lock) while the caller works on the previous item. Iterate once, within
    ``with``: leaving it stops the thread and waits for it (an item being made is finished
    first). The iterator's error is raised where its item would have been."""

    def __init__(self, items, *, name: str, depth: int = 1) -> None:
        import queue  # noqa: PLC0415

        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(items,), name=name, daemon=True)
        self._thread.start()

    def _put(self, entry: tuple) -> bool:
        import queue  # noqa: PLC0415

        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, items) -> None:
        try:
            for item in items:
                if not self._put(("item", item)):
                    break
            else:
                self._put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
            self._put(("error", exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()

    def __iter__(self):
        while True:
            kind, value = self._queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    def __enter__(self) -> Prefetched:
        return self

    def __exit__(self, *exc: object) -> None:
        import queue  # noqa: PLC0415

        self._stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        self._thread.join()


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

    def let_go(self, redo) -> None:
        """The caller lets the arguments' data go: while a helper runs, this object drops its
        references to them, and a helper that dies has its work redone by ``redo()`` instead.
        Work that runs inline (no helper) keeps its arguments."""
        if self.proc is not None:
            self.func, self.args = redo, ()

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
