"""One partition's audit, shared by the pandas engine (``auditor.engine.chunked``) and the dask
engine (``auditor.engine.dask_engine``): both import it from here, so neither engine module
imports the other's internals (chunked starts the dask engine; the dask engine needs only
this)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from auditor.engine import period as _period
from auditor.engine.context import AuditContext
from auditor.engine.registry import Check
from auditor.engine.runner import AuditOutput, run_checks

#: the report aggregates of one audited context: (context, params) -> aggregates
Aggregator = Callable[[AuditContext, dict], dict]


def audit_partition(tables: dict[str, pd.DataFrame], as_of: pd.Timestamp, params: dict[str, Any],
                    profiles: pd.DataFrame, present: dict[str, set[str]], checks: list[Check],
                    aggregator: Aggregator, period: _period.AuditPeriod | None = None) -> tuple[AuditOutput, dict]:
    """Audit one partition: the same check functions as an unpartitioned run. With ``period``,
    the partition is first cut to it (``engine.period.restrict``: a request and everything
    linked to it share a partition, so the cut is the same as the whole data's); what was left
    out travels in the aggregates under ``period.CUT_KEY``."""
    evidence, cut = None, None
    if period is not None:
        tables, evidence, cut = _period.restrict(tables, period)
    ctx = AuditContext(as_of=as_of, tables=tables, params=params, profiles=profiles,
                       present={k: set(v) for k, v in present.items()}, evidence=evidence)
    output = run_checks(ctx, checks)
    aggregates = aggregator(ctx, params)
    if cut is not None:
        aggregates[_period.CUT_KEY] = cut
    return output, aggregates
