"""Workbench at volume: how long `auditor serve` takes to start and to answer its pages on a run
with a million findings (issue 22: start < 2 s on the demo database, a page of a 1M-finding run
< 1 s).

    python -m bench.workbench --db sqlite:///auditor.db --findings 1000000

The database is copied first (never changed): its latest finished run's findings are repeated
until the copy's run has ``--findings`` rows (each copy gets its own fingerprint), so the pages
answer over as many rows as a messy 1M-request audit stores. The app is then created and asked
in-process (``fastapi.testclient``: the same routes, templates and queries as under uvicorn, no
network), each page several times; the table gives the first answer and the median of the rest.
A script, not a timed test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa


def _grow(url: str, target: int) -> tuple[str, int]:
    """Copy the latest run's findings in ``url`` until it has ``target``; return (run, count)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        run = conn.execute(sa.text("SELECT run_id FROM audit_runs WHERE status = 'finished' "
                                   "ORDER BY started_at DESC LIMIT 1")).scalar_one()
        n = conn.execute(sa.text("SELECT COUNT(*) FROM findings WHERE run_id = :r"), {"r": run}).scalar_one()
        if not n:
            raise SystemExit(f"run {run} has no findings to repeat")
        cols = [c["name"] for c in sa.inspect(conn).get_columns("findings") if c["name"] != "id"]
        copy = 1
        while n < target:  # doubles the run each time (a copy of a copy gets a longer fingerprint)
            sel = ", ".join(f"fingerprint || '-{copy}'" if c == "fingerprint" else c for c in cols)
            added = conn.execute(sa.text(f"INSERT INTO findings ({', '.join(cols)}) SELECT {sel} FROM findings "  # noqa: S608
                                         f"WHERE run_id = :r LIMIT {int(target - n)}"), {"r": run}).rowcount
            n += added
            copy += 1
    engine.dispose()
    return run, n


def _time(client, path: str, repeat: int) -> tuple[float, float, int]:
    times = []
    status = 0
    for _ in range(repeat):
        t = time.perf_counter()
        resp = client.get(path)
        times.append(time.perf_counter() - t)
        status = resp.status_code
    return times[0], statistics.median(times[1:] or times), status


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="sqlite:///auditor.db", help="SQLite database with a finished run (copied)")
    ap.add_argument("--findings", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    src = sa.engine.make_url(args.db)
    if src.get_backend_name() != "sqlite" or not src.database:
        raise SystemExit("--db: a SQLite file (it is copied; PostgreSQL: time the pages on a copy of your own)")
    with tempfile.TemporaryDirectory(prefix="auditor-bench-web-") as tmp:
        db = Path(tmp) / "web.db"
        shutil.copyfile(src.database, db)
        url = f"sqlite:///{db}"
        t = time.perf_counter()
        run, n = _grow(url, args.findings)
        print(f"copied {src.database} and grew run {run} to {n:,} findings in {time.perf_counter() - t:.1f} s")

        from fastapi.testclient import TestClient  # noqa: PLC0415

        from auditor.audit import open_store  # noqa: PLC0415
        from auditor.web import accounts  # noqa: PLC0415
        from auditor.web.app import create_app  # noqa: PLC0415

        engine = open_store(url, write=True)
        t = time.perf_counter()
        app = create_app(engine, secure_cookies=False)
        start = time.perf_counter() - t
        accounts.add_user(engine, "bench", "viewer", "bench-password-123")
        client = TestClient(app)
        token = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"username": "bench", "password": "bench-password-123", "csrf": token})
        with engine.connect() as conn:
            fp, party, check = conn.execute(sa.text("SELECT fingerprint, party, check_id FROM findings "
                                                     "WHERE run_id = :r LIMIT 1"), {"r": run}).one()
        pages = [("runs list", "/"), ("run dashboard", f"/runs/{run}"),
                 ("grouped findings, page 1", f"/runs/{run}/findings"),
                 ("grouped findings, page 2", f"/runs/{run}/findings?page_no=2"),
                 ("filtered by Party and check", f"/runs/{run}/findings?party={party}&check={check}"),
                 ("one finding", f"/runs/{run}/findings/{fp}")]
        print(f"\nauditor workbench, {n:,} findings in one run (create_app incl. its indexes: {start:.2f} s)")
        print(f"{'page':32} {'first s':>8} {'median s':>9} status")
        for name, path in pages:
            first, med, status = _time(client, path, args.repeat)
            print(f"{name:32} {first:8.3f} {med:9.3f} {status}")
        print("targets: start < 2 s (demo database), a page of a 1M-finding run < 1 s")
        engine.dispose()


if __name__ == "__main__":
    main()
