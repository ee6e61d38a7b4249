"""``make bench``: generate N requests (one disclosure and two custody events each, Parquet;
the clean profile, the messy one of bench/messy.py, or both), run the full ``auditor run`` on
them, and print wall time, peak memory and rows/s per stage next to the floor measured in the
same invocation (read the same files + pandas ``to_sql`` to SQLite), the findings count, the
reports' size and the peak memory of the whole process tree.

    python -m bench.run [--requests 1000000] [--profile clean|messy|both] [--db URL] [--keep]
                        [--delta-requests N] [-- extra auditor run options]

It also times the re-ingest of a nightly export with 1 % new rows against its first ingest
(``bench.delta``, clean data, at most ``--delta-requests`` requests, by default as many as
``--requests``: issue 21 sets the 15 % target for the clean 1M profile; 0 skips it).

Each measurement runs in a fresh process. Data are cached under bench/data/<N>/
(clean) and bench/data/messy-<N>/.
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


def _data(n: int, profile: str) -> Path:
    """The cached data of ``profile`` at ``n`` requests, generated (in a process of its own) when
    missing or of another version."""
    from bench.generate import VERSION  # noqa: PLC0415
    from bench.messy import MESSY_VERSION  # noqa: PLC0415

    data = ROOT / "bench" / "data" / (str(n) if profile == "clean" else f"{profile}-{n}")
    want = VERSION if profile == "clean" else MESSY_VERSION
    version = data / "VERSION"
    if not (data / "requests.parquet").exists() or not version.exists() or version.read_text() != want:
        # in a process of its own: Linux keeps a process's peak RSS across fork and exec, so
        # generating here (9.8 GiB at 5M) would show up as the measured run's peak
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.generate", "--requests", str(n), "--out", str(data),
                        "--profile", profile], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        print(f"generated {n:,} {profile} requests in {time.perf_counter() - t0:.1f} s -> {data}")
    return data


def _measure(n: int, profile: str, db: str | None, keep: bool, extra: list[str]) -> tuple[dict, dict]:
    """(floor figures, run figures) of one profile, each measured in a fresh process."""
    data = _data(n, profile)
    work = Path(tempfile.mkdtemp(prefix=f"auditor-bench-{profile}-"))
    try:
        floor = _child("bench.floor", [str(data), str(work / "floor.db")])
        url = db or f"sqlite:///{work / 'run.db'}"
        run = _child("bench.stages", [str(data), str(work / "out"), url], extra)
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return floor, run


def _mb(b: float) -> str:
    return f"{b / 1e6:,.1f} MB"


def _table(n: int, profile: str, floor: dict, run: dict) -> None:
    rows = floor["rows"]
    print(f"\nauditor bench, {profile} profile: {n:,} requests, {rows:,} rows in all "
          "(requests + disclosures + custody events)")
    print(f"{'stage':<10} {'wall s':>8} {'cpu s':>8} {'peak RSS':>10} {'tree PSS':>10} {'rows/s':>12}   {'floor s':>8}")
    fl = {"read": floor["read_s"], "store": floor["store_s"]}
    for s in STAGES:
        sec = run["seconds"].get(s, 0.0)
        cpu = run.get("cpu_s", {}).get(s, 0.0)
        peak = run["peak_bytes"].get(s)
        peak_s = f"{peak / GiB:.2f} GiB" if peak else "-"
        tree = run.get("peak_tree_pss_bytes", {}).get(s)  # the run and every helper, sampled every 0.5 s
        tree_s = f"{tree / GiB:.2f} GiB" if tree else "-"
        rate = f"{rows / sec:,.0f}" if sec > 0.01 and s != "other" else "-"
        f = f"{fl[s]:.1f}" if s in fl else ""
        print(f"{s:<10} {sec:>8.1f} {cpu:>8.1f} {peak_s:>10} {tree_s:>10} {rate:>12}   {f:>8}")
    total, ftotal = run["total_s"], floor["total_s"]
    print(f"{'total':<10} {total:>8.1f} {run.get('total_cpu_s', 0):>8.1f} {run['maxrss_bytes'] / GiB:>6.2f} GiB "
          f"{run.get('peak_with_children_bytes', 0) / GiB:>6.2f} GiB {rows / total:>12,.0f}   {ftotal:>8.1f}")
    print(f"  findings {run.get('findings', 0):,} ({run.get('findings', 0) / n:.2f} per request); "
          f"reports {_mb(run.get('output_bytes', 0))}, of which HTML {_mb(run.get('html_bytes', 0))}")
    print(f"  great-expectations (contract suite, in a helper process beside the ingest): {run.get('gx_s', 0):.1f} s")
    print(f"  helper processes (contract suite, table writers, check helper, partition loader, report writers, "
          f"chart workers): {run.get('children_cpu_s', 0):.1f} s CPU, peak {run.get('peak_children_bytes', 0) / GiB:.2f}"
          f" GiB PSS; run + helpers peak {run.get('peak_with_children_bytes', 0) / GiB:.2f} GiB PSS, "
          f"{run.get('peak_tree_rss_bytes', 0) / GiB:.2f} GiB RSS summed over the process tree")
    print(f"  floor (read Parquet + pandas to_sql SQLite): {ftotal:.1f} s, peak {floor['maxrss_bytes'] / GiB:.2f} GiB;"
          f" auditor run / floor = {total / ftotal:.2f}x wall, "
          f"{(run.get('total_cpu_s', 0) + run.get('children_cpu_s', 0)) / floor.get('total_cpu_s', ftotal):.2f}x CPU "
          f"(helpers included); exit code of the run: {run['exit_code']}")


def main() -> None:
    ap = argparse.ArgumentParser(description="auditor benchmark")
    ap.add_argument("--requests", type=int, default=int(os.environ.get("N", 1_000_000)))
    ap.add_argument("--profile", choices=("clean", "messy", "both"), default=os.environ.get("PROFILE", "both"),
                    help="clean: about 1 %% of requests with a defect; messy: about one finding per request "
                         "(bench/messy.py); both (default): clean, then messy")
    ap.add_argument("--db", default=None, help="database URL for the run (default: a fresh SQLite file)")
    ap.add_argument("--keep", action="store_true", help="keep the run's database and reports")
    ap.add_argument("--delta-requests", type=int, default=int(os.environ.get("DELTA_N", -1)),
                    help="requests of the 1 %% delta re-ingest measurement (default and at most: --requests; "
                         "0: skip it)")
    ap.add_argument("extra", nargs="*", help="extra `auditor run` options (after --)")
    args = ap.parse_args()
    n = args.requests
    profiles = ("clean", "messy") if args.profile == "both" else (args.profile,)
    results = [(p, *_measure(n, p, args.db, args.keep, args.extra)) for p in profiles]
    delta_n = n if args.delta_requests < 0 else min(n, args.delta_requests)
    delta = None
    if delta_n > 0:
        from bench import delta as _delta  # noqa: PLC0415

        delta = (delta_n, _delta.measure(delta_n))  # a fresh SQLite database (--db holds the runs)
    for profile, floor, run in results:
        _table(n, profile, floor, run)
    print(f"\n{'profile':<8} {'total s':>8} {'floor s':>8} {'ratio':>6} {'report s':>9} {'findings':>10} "
          f"{'reports':>11} {'HTML':>10} {'peak tree RSS':>14} {'PSS':>9}")
    for profile, floor, run in results:
        print(f"{profile:<8} {run['total_s']:>8.1f} {floor['total_s']:>8.1f} {run['total_s'] / floor['total_s']:>5.2f}x "
              f"{run['seconds'].get('report', 0):>9.1f} {run.get('findings', 0):>10,} {_mb(run.get('output_bytes', 0)):>11} "
              f"{_mb(run.get('html_bytes', 0)):>10} {run.get('peak_tree_rss_bytes', 0) / GiB:>10.2f} GiB "
              f"{run.get('peak_with_children_bytes', 0) / GiB:>5.2f} GiB")
    print("targets: messy 1M total <= 4x the floor, report <= 30 s, peak < 3 GiB (process tree), reports <= 500 MB, "
          "HTML <= 20 MB; clean 1M: < 4 GiB")
    if delta is not None:
        from bench import delta as _delta  # noqa: PLC0415

        print(_delta.line(*delta))
    print(f"auditor --help: {help_time():.2f} s   (target < 0.5 s)")


if __name__ == "__main__":
    main()
