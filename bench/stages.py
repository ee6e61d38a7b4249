"""Run the real ``auditor run`` in this process with timers around its stages.

    python -m bench.stages DATA_DIR OUT_DIR DB_URL JSON_OUT [extra auditor run options...]

The library functions the CLI calls are wrapped (not re-implemented), so the figures are those
of the shipped code path. Time spent inside a nested stage is charged to that stage only
(e.g. the inserts made during ingest count as "store", not "validate"). Peak memory per stage
is the highest resident set size sampled (every 10 ms) while the stage ran.
"""

from __future__ import annotations

import functools
import json
import resource
import sys
import threading
import time
from pathlib import Path

from bench.generate import AS_OF

_PAGE = 4096


def rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE


def _pss(pid: str) -> int:
    """Proportional set size: pages shared with the parent after fork are split, not counted twice."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def children_pss() -> tuple[int, int]:
    """(PSS of every helper process below this one (helpers, their helpers, chart workers), PSS
    of this process)."""
    return sum(_pss(pid) for pid in _tree()), _pss("self")


def _tree(pid: str = "self") -> set[str]:
    """The pids of every descendant of ``pid`` (helpers, their helpers, chart workers)."""
    out: set[str] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                for kid in (task / "children").read_text().split():
                    if kid not in out:
                        out.add(kid)
                        todo.append(kid)
        except OSError:
            continue
    return out


def _rss_of(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss() -> int:
    """Resident set size of this process plus every descendant (pages a forked helper shares
    with its parent are counted in both: an upper bound; PSS below splits them)."""
    return rss() + sum(_rss_of(pid) for pid in _tree())


def _size(out: Path) -> tuple[int, int]:
    """(bytes of every file under ``out``, bytes of its .html files)."""
    total = html = 0
    for p in out.rglob("*"):
        if p.is_file():
            n = p.stat().st_size
            total += n
            html += n if p.suffix == ".html" else 0
    return total, html


class Stages:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.peak: dict[str, int] = {}
        #: the whole process tree's PSS (this process and every helper) at its highest per stage
        self.peak_tree_pss: dict[str, int] = {}
        self.peak_children = 0
        self.peak_tree_rss = 0
        self._ticks = 0
        self.peak_total = 0
        self._maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # only later rises count
        self.stack: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True, name="auditor-bench-sampler")
        from auditor import forking  # noqa: PLC0415  (the sampler holds no lock a forked helper needs)

        forking.FORK_SAFE_THREADS.add(self._thread.name)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self._note()

    def _note(self) -> None:
        now = rss()
        self._ticks += 1
        # PSS every 0.5 s: smaps_rollup walks every page table of the run and its helpers, and
        # read every 0.1 s the sampler itself took ~25 s of CPU in a 1M run (a core's share on
        # this 2-core machine), slowing the run it measures
        kids, own = children_pss() if self._ticks % 50 == 0 else (0, 0)
        tree = tree_rss() if self._ticks % 5 == 0 else now  # every 50 ms: a few /proc reads
        with self._lock:
            self.peak_tree_rss = max(self.peak_tree_rss, tree)
            self.peak_children = max(self.peak_children, kids)
            self.peak_total = max(self.peak_total, own + kids)
            for s in set(self.stack):
                self.peak[s] = max(self.peak.get(s, 0), now)
                if own:
                    self.peak_tree_pss[s] = max(self.peak_tree_pss.get(s, 0), own + kids)

    def _high_water(self) -> None:
        """A peak the sampler missed (it needs the GIL, which a long C call may hold while it
        allocates) still raises the process's ``ru_maxrss``: charged to the stages running when
        a stage ends, so the per-stage peaks agree with the run's."""
        high = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        with self._lock:
            if high > self._maxrss:
                self._maxrss = high
                for s in set(self.stack):
                    self.peak[s] = max(self.peak.get(s, 0), high)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def timed(self, func, stage: str):
        """``func`` with its time (exclusive of nested stages) charged to ``stage``."""
        outer = self

        @functools.wraps(func)
        def timed(*args, **kwargs):
            with outer._lock:
                outer.stack.append(stage)
            outer._note()
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                dt, dc = time.perf_counter() - t0, time.process_time() - c0
                outer._note()
                outer._high_water()
                with outer._lock:
                    outer.stack.pop()
                    outer.seconds[stage] = outer.seconds.get(stage, 0.0) + dt
                    outer.cpu[stage] = outer.cpu.get(stage, 0.0) + dc
                    if outer.stack:  # exclusive time: take it off the enclosing stage
                        parent = outer.stack[-1]
                        outer.seconds[parent] = outer.seconds.get(parent, 0.0) - dt
                        outer.cpu[parent] = outer.cpu.get(parent, 0.0) - dc

        return timed

    def wrap(self, owner, name: str, stage: str) -> None:
        setattr(owner, name, self.timed(getattr(owner, name), stage))

    def wrap_iter(self, owner, name: str, stage: str) -> None:
        """For a generator function: the time of producing each item goes to ``stage``."""
        func = getattr(owner, name)
        step = self.timed(next, stage)

        @functools.wraps(func)
        def items(*args, **kwargs):
            it = iter(func(*args, **kwargs))
            while True:
                try:
                    item = step(it)
                except StopIteration:
                    return
                yield item

        setattr(owner, name, items)


def main(argv: list[str]) -> None:
    data, out, url, json_out, *extra = argv
    t_import = time.perf_counter()
    from auditor import audit, cli, ledger  # noqa: PLC0415
    from auditor.ingest import normalise, pipeline, readers, validate  # noqa: PLC0415
    from auditor.store import db, writer  # noqa: PLC0415

    st = Stages()
    st.wrap(pipeline, "read_table", "read")  # the up-front check of every file
    st.wrap_iter(readers.RawTable, "chunks", "read")  # each chunk read (parsed) when its turn comes
    st.wrap(readers.RawTable, "columns", "read")  # the id and parent columns of a file
    st.wrap(normalise, "canonical", "validate")
    st.wrap(validate, "validate", "validate")
    st.wrap(validate, "precheck", "validate")
    st.wrap(validate.ContractWorker, "collect", "validate")  # waiting for the helper's answer
    st.wrap(pipeline, "_quarantine_frame", "validate")
    st.wrap(pipeline, "_row_hash", "validate")  # content hashes: unchanged / revised rows
    st.wrap(pipeline, "_raw_hash", "validate")  # hashes of the rows as read (the re-ingest's fast path)
    st.wrap(normalise, "typed", "store")
    st.wrap(ledger, "frame_lines", "store")  # the ingest's ledger digest ...
    st.wrap(pipeline, "_new_lines", "store")
    st.wrap(ledger.LineSpool, "add_run", "store")
    st.wrap(ledger.LineSpool, "finish_table", "store")
    st.wrap(ledger.LineSpool, "digest", "store")
    st.wrap(pipeline, "_duplicated_ids", "validate")
    st.wrap(pipeline, "_missing_parents", "validate")
    st.wrap(db, "insert_frame", "store")
    st.wrap(db, "stored_hashes", "store")
    for cls in (writer.ForkedWriter, writer.InlineWriter):  # the table's transaction (store.writer):
        for method in ("stored_hashes", "insert", "archive", "__exit__"):  # sends, waits, commit
            st.wrap(cls, method, "store")
    st.wrap(audit, "audit_store", "audit")
    counted: list[int] = []
    _audit_store = audit.audit_store

    def audit_store(*args, **kwargs):  # the findings count of the run (outside the timers)
        res = _audit_store(*args, **kwargs)
        counted.append(len(res.output.findings))
        return res

    audit.audit_store = audit_store
    st.wrap(audit, "render_run", "report")
    st.wrap(audit, "write_quarantine", "report")
    st.start()
    t0, c0 = time.perf_counter(), time.process_time()
    code = 0
    try:
        cli.main(["run", "--data", data, "--out", out, "--db", url, "--as-of", AS_OF, *extra],
                 standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    st.stop()
    seconds = dict(st.seconds)
    seconds["other"] = total - sum(seconds.values())
    cpu = dict(st.cpu)
    cpu["other"] = total_cpu - sum(cpu.values())
    from auditor.ingest.validate import GX_SECONDS  # noqa: PLC0415

    out_bytes, html_bytes = _size(Path(out))
    Path(json_out).write_text(json.dumps({
        "exit_code": code,
        "total_s": total,
        "import_s": t0 - t_import,
        "seconds": seconds,
        "cpu_s": cpu,
        "total_cpu_s": total_cpu,
        "gx_s": sum(GX_SECONDS.values()),
        "peak_bytes": st.peak,
        "maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "children_cpu_s": resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime,
        "peak_children_bytes": st.peak_children,
        "peak_with_children_bytes": st.peak_total,
        "peak_tree_pss_bytes": st.peak_tree_pss,
        "peak_tree_rss_bytes": max(st.peak_tree_rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),
        "findings": sum(counted),
        "output_bytes": out_bytes,
        "html_bytes": html_bytes,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
