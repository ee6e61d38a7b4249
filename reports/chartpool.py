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

``AUDITOR_CHART_CACHE=FOLDER`` keeps every chart drawn in that folder, for any later rendering of
any process (:class:`DiskCache`): a job that renders the same runs again and again (the test
suite, a scheduled job writing several languages) draws each chart once. The key is the chart
call (language, function, data) and the code that draws it (every ``reports/*.py`` and the
matplotlib version), so a changed chart function or translation never reads an old picture. The
folder must be the user's own (not writable by others: the entries are pickles).
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from auditor import forking

from . import i18n

ENV_WORKERS = "AUDITOR_REPORT_WORKERS"
ENV_CACHE = "AUDITOR_CHART_CACHE"
MIN_JOBS = 4  # fewer charts than this: not worth starting processes
#: imported once by the forkserver the workers start from
PRELOAD = ("reports.charts",)


def _render(lang: str, name: str, args: tuple, kwargs: dict) -> tuple[Any, Any, list[str]]:
    """Run ``charts.<name>(*args, t=translator(lang), **kwargs)``; also the strings found missing."""
    from . import charts

    before = set(i18n.MISSING)
    i18n.MISSING.clear()  # this chart's own missing strings, even those already missing before
    try:
        png, data = getattr(charts, name)(*args, t=i18n.translator(lang), **kwargs)
        missing = sorted(i18n.MISSING)
    finally:
        i18n.MISSING.update(before)
    return png, data, missing


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
    __slots__ = ("args", "future", "key", "kwargs", "missing", "name", "value")

    def __init__(self, name: str, args: tuple, kwargs: dict) -> None:
        self.name, self.args, self.kwargs = name, args, kwargs
        self.key: str | None = None
        self.future: Future | None = None
        self.value: tuple[Any, Any] | None = None
        self.missing: list[str] = []


class DiskCache:
    """Charts by call key in a folder (``AUDITOR_CHART_CACHE``), shared by processes: each entry
    one file written whole (a temporary file renamed), so readers never see a partial one; an
    entry that cannot be read is a miss (drawn again). Keys carry :func:`code_version`."""

    def __init__(self, folder: str | os.PathLike) -> None:
        from pathlib import Path  # noqa: PLC0415

        from auditor.errors import UsageError  # noqa: PLC0415

        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            mode = self.folder.stat().st_mode
        except OSError as exc:
            raise UsageError(f"{ENV_CACHE}={self.folder}: the chart cache folder cannot be used "
                             f"({exc.strerror or exc})",
                             hint=f"name a folder you may write to, or unset {ENV_CACHE}") from exc
        if mode & 0o022:
            raise UsageError(f"{ENV_CACHE}={self.folder}: the chart cache folder is writable by others "
                             "(its entries are pickles, read back as code would be)",
                             hint=f"use a folder only you can write (chmod go-w), or unset {ENV_CACHE}")
        self.salt = code_version()

    def _path(self, key: str):
        import hashlib  # noqa: PLC0415

        return self.folder / (hashlib.sha256((self.salt + key).encode()).hexdigest() + ".pickle")

    def get(self, key: str) -> tuple[Any, Any, list[str]] | None:
        import pickle  # noqa: PLC0415

        try:
            with self._path(key).open("rb") as fh:
                png, data, missing = pickle.load(fh)
        except Exception:  # noqa: BLE001 - absent or unreadable: a miss
            return None
        return png, data, list(missing)

    def put(self, key: str, png: Any, data: Any, missing: list[str]) -> None:
        import pickle  # noqa: PLC0415
        import tempfile  # noqa: PLC0415

        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        except OSError:  # the folder is gone or full: the chart is simply not kept
            return
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((png, data, list(missing)), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path(key))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def code_version() -> str:
    """The SHA-256 of every ``reports/*.py`` file and the matplotlib version: what a cached chart
    was drawn by."""
    import hashlib  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    import matplotlib  # noqa: PLC0415

    digest = hashlib.sha256(matplotlib.__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def disk_cache() -> DiskCache | None:
    """The :class:`DiskCache` that ``AUDITOR_CHART_CACHE`` names, or None."""
    folder = os.environ.get(ENV_CACHE, "").strip()
    return DiskCache(folder) if folder else None


class ChartPool:
    """``submit(chart_function_name, *args, **kwargs)`` now, ``result(job)`` -> (png, data) later."""

    def __init__(self, lang: str, workers: int | None = None, cache: dict | None = None) -> None:
        self.lang = lang
        #: (png, data) by the SHA-256 of a chart call pickled: a caller rendering the same run again
        #: (the workbench's report after each decision) draws each chart once
        self.cache = cache
        self.disk = disk_cache()
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
        if self.cache is not None or self.disk is not None:
            job.key = _key(self.lang, name, args, kwargs)
        if job.key is not None and self.cache is not None:
            hit = self.cache.get(job.key)
            if hit is not None:
                job.value = hit
                return job
        if job.key is not None and self.disk is not None:
            stored = self.disk.get(job.key)
            if stored is not None:
                png, data, missing = stored
                i18n.MISSING.update(missing)
                job.value = (png, data)
                if self.cache is not None:
                    self.cache[job.key] = job.value
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
                job.value, job.missing = (png, data), missing
                return self._keep(job)
        png, data, missing = _render(self.lang, job.name, job.args, job.kwargs)
        i18n.MISSING.update(missing)
        job.value, job.missing = (png, data), missing
        return self._keep(job)

    def _keep(self, job: _Job) -> tuple[Any, Any]:
        if job.key is not None:
            if self.cache is not None:
                self.cache[job.key] = job.value
            if self.disk is not None:
                self.disk.put(job.key, *job.value, job.missing)
        return job.value


def _key(lang: str, name: str, args: tuple, kwargs: dict) -> str | None:
    """A chart call's cache key (None: its arguments do not pickle)."""
    import hashlib
    import pickle

    try:
        return hashlib.sha256(pickle.dumps((lang, name, args, sorted(kwargs.items())), protocol=5)).hexdigest()
    except Exception:  # noqa: BLE001 - not cached, drawn as usual
        return None
