"""When this process may fork helper processes (chart rendering, the contract suite).

Forking a process that runs other threads can deadlock the child on a lock one of them held, so
helpers are forked only when the calling thread is alone, apart from threads known to be harmless
(``FORK_SAFE_THREADS``) and tqdm's monitor thread, which is stopped first.
"""

from __future__ import annotations

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
    """True when a helper may be forked from the current thread now."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    _stop_tqdm_monitor()
    me = threading.current_thread()
    return not [t for t in threading.enumerate() if t is not me and t.name not in FORK_SAFE_THREADS]
