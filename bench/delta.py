"""Re-ingest of a nightly export with 1 % new rows (issue 21 item 4): the first ingest of N
requests (with their disclosures and custody events) into a fresh database, then the same files
with 1 % new rows appended and a few existing requests changed, each in a fresh process.

    python -m bench.delta [--requests 200000] [--format parquet|csv] [--db URL] [--rescan]
                          [--profile-out FILE]

Prints the wall time of each ingest (the ``ingest_folder`` call, without process start-up), the
ingesting process's peak RSS (not its helpers') and the delta's share of the first. ``--rescan``
also times a full re-read of the delta (every row normalised and validated: the path every row
took before the raw-row hash); ``--profile-out`` writes a cProfile of the delta re-ingest. The data are cached under
bench/data/delta-<N>-<format>/ (``base/`` and ``delta/``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: requests changed in the delta (an existing row edited: a revision), per 10,000 requests
CHANGED_PER_10K = 5


def make(n: int, out: Path, fmt: str = "parquet") -> tuple[Path, Path]:
    """``out/base`` (N requests) and ``out/delta`` (the same rows, 1 % more, a few changed)."""
    import pandas as pd  # noqa: PLC0415

    from bench.generate import VERSION, generate  # noqa: PLC0415

    base, delta = out / "base", out / "delta"
    stamp = out / "VERSION"
    if stamp.exists() and stamp.read_text() == f"{VERSION}-{fmt}":
        return base, delta
    extra = max(1, n // 100)
    frames = generate(n + extra)
    rids = frames["requests"]["request_id"].iloc[:n]
    for d in (base, delta):
        d.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        whole = frame
        first = frame[frame["request_id"].isin(rids)] if name != "requests" else frame.iloc[:n]
        if name == "requests":  # a few existing requests edited: revisions
            whole = frame.copy()
            step = max(1, 10_000 // CHANGED_PER_10K)
            whole.loc[whole.index[: n : step], "issuing_authority"] = "Edited authority"
        for d, f in ((base, first), (delta, whole)):
            if fmt == "csv":
                f = f.copy()
                for c in f.columns:
                    if isinstance(f[c].dtype, pd.DatetimeTZDtype):
                        f[c] = f[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(f[c].notna())
                f.to_csv(d / f"{name}.csv", index=False)
            else:
                f.to_parquet(d / f"{name}.parquet", index=False)
    parties = ROOT / "sample_data" / "parties.csv"
    for d in (base, delta):
        shutil.copy(parties, d / "parties.csv")
    stamp.write_text(f"{VERSION}-{fmt}")
    return base, delta


def _child(argv: list[str]) -> None:
    """In a fresh process: ``ingest DATA URL JSON_OUT [rescan] [PROFILE_OUT]``."""
    data, url, json_out, rescan, prof = argv[0], argv[1], argv[2], argv[3] == "1", argv[4]
    from auditor import privacy  # noqa: PLC0415
    from auditor.ingest.pipeline import ingest_folder  # noqa: PLC0415
    from auditor.store import db  # noqa: PLC0415

    engine = db.get_engine(url)
    key = privacy.load_key(None)
    profiler = None
    if prof:
        import cProfile  # noqa: PLC0415

        profiler = cProfile.Profile()
        profiler.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    res = ingest_folder(data, engine, key, rescan=rescan)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(prof)
    counts = {c.table: {k: getattr(c, k) for k in ("read", "stored", "unchanged", "revised", "quarantined")}
              for c in res.counts}
    import resource  # noqa: PLC0415

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    Path(json_out).write_text(json.dumps({"wall_s": wall, "cpu_s": cpu, "peak_gib": peak, "counts": counts}))


def _run(data: Path, url: str, rescan: bool = False, prof: str = "") -> dict:
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    env = dict(os.environ)
    env.setdefault("AUDITOR_PSEUDONYM_KEY", "bench-key-not-secret")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    subprocess.run([sys.executable, "-m", "bench.delta", "--child", str(data), url, out, "1" if rescan else "0",
                    prof], check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    got = json.loads(Path(out).read_text())
    os.unlink(out)
    return got


def measure(n: int, fmt: str = "parquet", db: str | None = None, rescan: bool = False,
            prof: str = "", repeat: int = 1) -> dict:
    """{"first": ..., "delta": ..., ["rescan": ...]} (each: wall_s, cpu_s, counts). ``repeat``
    (SQLite only): the delta (and the full re-read) re-ingested that many times, each into a copy
    of the database as the first ingest left it; the fastest counts (the machine is shared)."""
    base, delta = make(n, ROOT / "bench" / "data" / f"delta-{n}-{fmt}", fmt)
    work = Path(tempfile.mkdtemp(prefix="auditor-bench-delta-"))
    try:
        url = db or f"sqlite:///{work / 'delta.db'}"
        out = {"first": _run(base, url)}
        copies = max(1, repeat) if db is None else 1
        if copies > 1:
            shutil.copy(work / "delta.db", work / "first.db")  # a finished ingest: WAL checkpointed
        for i in range(copies):
            for name, kw in (("delta", {"prof": prof if i == 0 else ""}), ("rescan", {"rescan": True})):
                if name == "rescan" and not rescan:
                    continue
                if copies > 1:
                    for suffix in ("-wal", "-shm"):
                        (work / f"delta.db{suffix}").unlink(missing_ok=True)
                    shutil.copy(work / "first.db", work / "delta.db")
                got = _run(delta, url, **kw)
                if name not in out or got["wall_s"] < out[name]["wall_s"]:
                    out[name] = got
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def line(n: int, got: dict) -> str:
    first, delta = got["first"]["wall_s"], got["delta"]["wall_s"]
    text = (f"re-ingest of a 1 % delta ({n:,} requests + {n // 100:,} new, {n * CHANGED_PER_10K // 10_000:,} "
            f"changed): first ingest {first:.1f} s, delta {delta:.1f} s = {delta / first:.0%} (target <= 15 %)")
    if "rescan" in got:
        text += f"; full re-read {got['rescan']['wall_s']:.1f} s"
    return text


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description="auditor bench: 1 % delta re-ingest")
    ap.add_argument("--requests", type=int, default=200_000)
    ap.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    ap.add_argument("--db", default=None, help="database URL (must be empty; default: a fresh SQLite file)")
    ap.add_argument("--rescan", action="store_true", help="also time a full re-read (--rescan) of the delta")
    ap.add_argument("--profile-out", default="", help="write a cProfile of the delta re-ingest here")
    ap.add_argument("--repeat", type=int, default=1, help="re-ingest the delta N times (SQLite), keep the fastest")
    args = ap.parse_args()
    got = measure(args.requests, args.format, args.db, args.rescan, args.profile_out, args.repeat)
    for name, r in got.items():
        print(f"{name:<7} {r['wall_s']:7.2f} s wall {r['cpu_s']:7.2f} s CPU {r['peak_gib']:5.2f} GiB peak RSS "
              f"{json.dumps(r['counts'])}")
    print(line(args.requests, got))


if __name__ == "__main__":
    main()
