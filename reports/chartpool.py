"""Render the charts of one rendering in worker processes while the pages are being written.

A chart costs a fairly constant ~0.1-0.3 s of matplotlib work whatever the data size, and a run
has 4-6 per page. :class:`ChartPool` takes the chart calls as they come (``submit``) and hands
back their results on demand (``result``), computed either in a pool of worker processes
started from a forkserver with only the chart's data (``auditor.forking.small_context``: no copy
of the report model; when the machine has more than one core) or inline, with the very same functions and inputs,
so the PNG bytes are identical either way. Strings the charts could not translate are merged
back into :data:`reports.i18n.MISSING`. Any failure of the pool itself falls back to rendering
inline; errors of a chart function are raised as they would be inline.

``AUDITOR_REPORT_WORKERS`` sets the number of worker processes (``0`` or ``1``: render inline); by
default one per core (at most 4), none on a single core.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from auditor import forking

from . import i18n

ENV_WORKERS = "AUDITOR_REPORT_WORKERS"
MIN_JOBS = 4  # fewer charts than this: not worth starting processes
#: imported once by the forkserver the workers start from
PRELOAD = ("reports.charts",)


def _render(lang: str, name: str, args: tuple, kwargs: dict) -> tuple[Any, Any, list[str]]:
    """Run ``charts.<name>(*args, t=translator(lang), **kwargs)``; also the strings found missing."""
    from . import charts

    before = set(i18n.MISSING)
    png, data = getattr(charts, name)(*args, t=i18n.translator(lang), **kwargs)
    return png, data, sorted(i18n.MISSING - before)


def default_workers() -> int:
    env = os.environ.get(ENV_WORKERS, "").strip()
    if env:
        try:
            return max(0, int(env))
        except ValueError:
            return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return min(cpus, 4) if cpus > 1 else 0


class _Job:
    __slots__ = ("args", "future", "key", "kwargs", "name", "value")

    def __init__(self, name: str, args: tuple, kwargs: dict) -> None:
        self.name, self.args, self.kwargs = name, args, kwargs
        self.key: str | None = None
        self.future: Future | None = None
        self.value: tuple[Any, Any] | None = None


class ChartPool:
    """``submit(chart_function_name, *args, **kwargs)`` now, ``result(job)`` -> (png, data) later."""

    def __init__(self, lang: str, workers: int | None = None, cache: dict | None = None) -> None:
        self.lang = lang
        #: (png, data) by the SHA-256 of a chart call pickled: a caller rendering the same run again
        #: (the workbench's report after each decision) draws each chart once
        self.cache = cache
        self.workers = default_workers() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[_Job] = []
        # workers start from a forkserver (auditor.forking.small_context), not as forks of this
        # process: no copy of the report model, and this process's threads do not matter
        self._broken = self.workers < 2

    def __enter__(self) -> ChartPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, name: str, *args: Any, **kwargs: Any) -> _Job:
        job = _Job(name, args, kwargs)
        if self.cache is not None:
            job.key = _key(self.lang, name, args, kwargs)
            hit = self.cache.get(job.key)
            if hit is not None:
                job.value = hit
                return job
        if self._broken:
            return job  # rendered inline by result()
        if self._pool is not None:
            self._start(job)
            return job
        self._pending.append(job)
        if len(self._pending) >= MIN_JOBS:
            for queued in self._pending:
                self._start(queued)
            self._pending.clear()
        return job

    def _start(self, job: _Job) -> None:
        if self._broken:
            return
        try:
            if self._pool is None:
                # a small start (matplotlib imported once, in the forkserver): each job's
                # arguments are the chart's own data, pickled
                ctx = forking.small_context(PRELOAD)
                self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)
                job.future = self._pool.submit(_render, self.lang, job.name, job.args, job.kwargs)
            else:
                job.future = self._pool.submit(_render, self.lang, job.name, job.args, job.kwargs)
        except Exception:  # noqa: BLE001 - no processes here: render inline
            self._broken = True
            job.future = None

    def result(self, job: _Job) -> tuple[Any, Any]:
        if job.value is not None:
            return job.value
        if job.future is not None:
            try:
                png, data, missing = job.future.result()
            except Exception:  # noqa: BLE001 - pool broken, or the chart failed: redo it inline
                job.future = None
            else:
                i18n.MISSING.update(missing)
                job.value = (png, data)
                return self._keep(job)
        png, data, _ = _render(self.lang, job.name, job.args, job.kwargs)
        job.value = (png, data)
        return self._keep(job)

    def _keep(self, job: _Job) -> tuple[Any, Any]:
        if self.cache is not None and job.key is not None:
            self.cache[job.key] = job.value
        return job.value


def _key(lang: str, name: str, args: tuple, kwargs: dict) -> str | None:
    """A chart call's cache key (None: its arguments do not pickle)."""
    import hashlib
    import pickle

    try:
        return hashlib.sha256(pickle.dumps((lang, name, args, sorted(kwargs.items())), protocol=5)).hexdigest()
    except Exception:  # noqa: BLE001 - not cached, drawn as usual
        return None
