"""``make bench``: generate N requests (one disclosure and two custody events each, Parquet),
run the full ``auditor run`` on them, and print wall time, peak memory and rows/s per stage next
to the floor measured in the same invocation (read the same files + pandas ``to_sql`` to SQLite).

    python -m bench.run [--requests 1000000] [--db URL] [--keep] [-- extra auditor run options]

Each measurement runs in a fresh process. Data are cached under bench/data/<N>/.
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
STAGES = ("read", "validate", "store", "audit", "report", "other")
GiB = 1024**3


def _child(module: str, args: list[str], extra: list[str] | None = None) -> dict:
    """Run ``python -m module *args JSON_OUT *extra`` in a fresh process; return its JSON."""
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    env = dict(os.environ)
    env.setdefault("AUDITOR_PSEUDONYM_KEY", "bench-key-not-secret")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    cmd = [sys.executable, "-m", module, *args, out, *(extra or [])]
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    result = json.loads(Path(out).read_text())
    os.unlink(out)
    return result


def help_time() -> float:
    exe = Path(sys.executable).with_name("auditor")
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description="auditor benchmark")
    ap.add_argument("--requests", type=int, default=int(os.environ.get("N", 1_000_000)))
    ap.add_argument("--db", default=None, help="database URL for the run (default: a fresh SQLite file)")
    ap.add_argument("--keep", action="store_true", help="keep the run's database and reports")
    ap.add_argument("extra", nargs="*", help="extra `auditor run` options (after --)")
    args = ap.parse_args()
    n = args.requests
    from bench.generate import VERSION  # noqa: PLC0415

    data = ROOT / "bench" / "data" / str(n)
    version = data / "VERSION"
    if not (data / "requests.parquet").exists() or not version.exists() or version.read_text() != VERSION:
        # in a process of its own: Linux keeps a process's peak RSS across fork and exec, so
        # generating here (9.8 GiB at 5M) would show up as the measured run's peak
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.generate", "--requests", str(n), "--out", str(data)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        print(f"generated {n:,} requests in {time.perf_counter() - t0:.1f} s -> {data}")
    work = Path(tempfile.mkdtemp(prefix="auditor-bench-"))
    try:
        floor = _child("bench.floor", [str(data), str(work / "floor.db")])
        url = args.db or f"sqlite:///{work / 'run.db'}"
        run = _child("bench.stages", [str(data), str(work / "out"), url], args.extra)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    rows = floor["rows"]
    print(f"\nauditor bench: {n:,} requests, {rows:,} rows in all (requests + disclosures + custody events)")
    print(f"{'stage':<10} {'wall s':>8} {'cpu s':>8} {'peak RSS':>10} {'rows/s':>12}   {'floor s':>8}")
    fl = {"read": floor["read_s"], "store": floor["store_s"]}
    for s in STAGES:
        sec = run["seconds"].get(s, 0.0)
        cpu = run.get("cpu_s", {}).get(s, 0.0)
        peak = run["peak_bytes"].get(s)
        peak_s = f"{peak / GiB:.2f} GiB" if peak else "-"
        rate = f"{rows / sec:,.0f}" if sec > 0.01 and s != "other" else "-"
        f = f"{fl[s]:.1f}" if s in fl else ""
        print(f"{s:<10} {sec:>8.1f} {cpu:>8.1f} {peak_s:>10} {rate:>12}   {f:>8}")
    total, ftotal = run["total_s"], floor["total_s"]
    print(f"{'total':<10} {total:>8.1f} {run.get('total_cpu_s', 0):>8.1f} {run['maxrss_bytes'] / GiB:>6.2f} GiB "
          f"{rows / total:>12,.0f}   {ftotal:>8.1f}")
    print(f"  great-expectations (contract suite, in a helper process beside the ingest): {run.get('gx_s', 0):.1f} s")
    print(f"  helper processes (contract suite, table writers, check helper, partition loader, report writers): "
          f"{run.get('children_cpu_s', 0):.1f} s CPU, peak {run.get('peak_children_bytes', 0) / GiB:.2f} GiB PSS; "
          f"run + helpers peak {run.get('peak_with_children_bytes', 0) / GiB:.2f} GiB PSS")
    ht = help_time()
    print(f"\nfloor (read Parquet + pandas to_sql SQLite): {ftotal:.1f} s, peak {floor['maxrss_bytes'] / GiB:.2f} GiB")
    print(f"auditor run / floor = {total / ftotal:.2f}x wall, "
          f"{(run.get('total_cpu_s', 0) + run.get('children_cpu_s', 0)) / floor.get('total_cpu_s', ftotal):.2f}x CPU "
          "(helpers included)   (target <= 1.5x at 1M requests)")
    print(f"peak memory {run['maxrss_bytes'] / GiB:.2f} GiB   (targets: < 4 GiB at 1M, < 8 GiB at 5M)")
    print(f"auditor --help: {ht:.2f} s   (target < 0.5 s)   exit code of the run: {run['exit_code']}")


if __name__ == "__main__":
    main()
