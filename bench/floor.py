"""The floor a full run is compared with: read the same files and persist them with pandas
``to_sql`` into a fresh SQLite database.

    python -m bench.floor DATA_DIR DB_FILE JSON_OUT
"""

from __future__ import annotations

import json
import resource
import sqlite3
import sys
import time
from pathlib import Path

import pandas as pd

TABLES = ("requests", "disclosures", "custody_events")


def main(argv: list[str]) -> None:
    data, db_file, json_out = Path(argv[0]), Path(argv[1]), argv[2]
    db_file.unlink(missing_ok=True)
    t0, c0 = time.perf_counter(), time.process_time()
    frames = {t: pd.read_parquet(data / f"{t}.parquet") for t in TABLES}
    t_read = time.perf_counter() - t0
    rows = sum(len(f) for f in frames.values())
    con = sqlite3.connect(db_file)
    t1 = time.perf_counter()
    for name, frame in frames.items():
        frame.to_sql(name, con, index=False, chunksize=50_000)
    con.commit()
    con.close()
    t_store = time.perf_counter() - t1
    Path(json_out).write_text(json.dumps({
        "rows": rows,
        "read_s": t_read,
        "store_s": t_store,
        "total_s": t_read + t_store,
        "total_cpu_s": time.process_time() - c0,
        "maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
