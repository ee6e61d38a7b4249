"""Run partitioned audits on a dask.distributed cluster (``auditor run --engine dask``).

The driver loads one partition at a time from the database (co-partitioned by root request id,
see ``auditor.engine.chunked``) and submits it to the cluster; a worker runs the same check
functions on it (``partition.audit_partition``); the driver merges the results. At most
``2 x workers`` partitions are in flight, so the driver's memory stays bounded.

``scheduler``: the address of an existing scheduler (``tcp://host:8786``); workers there must
have auditor installed (same version) and see no database: they get the data from the driver.
Without it, a LocalCluster is started in this process (``AUDITOR_DASK_WORKERS`` workers,
default 2, threads; set ``AUDITOR_DASK_PROCESSES=1`` for worker processes).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pandas as pd

from auditor.engine.partition import Aggregator, audit_partition
from auditor.engine.period import AuditPeriod
from auditor.engine.runner import AuditOutput
from auditor.errors import UsageError


def _task(tables: dict[str, pd.DataFrame], as_of: pd.Timestamp, params: dict[str, Any],
          profiles: pd.DataFrame, present: dict[str, set[str]], check_ids: list[str],
          aggregator: Aggregator, period: AuditPeriod | None = None) -> tuple[AuditOutput, dict]:
    from auditor.engine.registry import load_all  # noqa: PLC0415  (on the worker)

    registry = load_all()
    return audit_partition(tables, as_of, params, profiles, present, [registry[c] for c in check_ids],
                           aggregator, period)


def _client(scheduler: str | None):
    try:
        from dask.distributed import Client, LocalCluster  # noqa: PLC0415
    except ImportError:
        raise UsageError("--engine dask needs dask.distributed",
                         hint="pip install 'auditor[dask]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the dask scheduler at {scheduler}: {exc}",
                             hint="start it with `dask scheduler`, or omit --scheduler for a local cluster") from None
    workers = int(os.environ.get("AUDITOR_DASK_WORKERS", "2"))
    processes = os.environ.get("AUDITOR_DASK_PROCESSES", "") in ("1", "true", "yes")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                           dashboard_address=None)
    return Client(cluster), cluster


def run_on_dask(frames: Iterable[dict[str, pd.DataFrame]], as_of: pd.Timestamp, params: dict[str, Any],
                profiles: pd.DataFrame, present: dict[str, set[str]], check_ids: list[str],
                aggregator: Aggregator, scheduler: str | None = None,
                period: AuditPeriod | None = None) -> list[tuple[AuditOutput, dict]]:
    """Submit every partition to the cluster and return the results in submission order."""
    from dask.distributed import wait  # noqa: PLC0415

    client, cluster = _client(scheduler)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        limit = 2 * n_workers
        present_plain = {k: sorted(v) for k, v in present.items()}
        [prof] = client.scatter([profiles], broadcast=True)
        futures, results = [], []
        for tables in frames:
            futures.append(client.submit(_task, tables, as_of, params, prof, present_plain, check_ids,
                                         aggregator, period, pure=False))
            pending = [f for f in futures if not f.done()]
            if len(pending) >= limit:
                wait(pending, return_when="FIRST_COMPLETED")
        for f in futures:
            results.append(f.result())
            f.release()
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
