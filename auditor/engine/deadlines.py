"""Time limits as the checks measured them: a compact histogram the report charts are drawn from.

A chart that recomputes a time limit on its own drifts from the check (another clock start,
one limit for every data category, instruments the run does not audit) and then contradicts
it. So a check that measures a time limit returns, beside ``request_id`` and ``failed``, per
result row:

- ``elapsed``: the days or hours it measured (NA where it could not measure);
- ``limit``: the limit that applied to that row (e.g. 20 or 45 days by data category);
- ``clock``: what was measured, starting with its unit ("days from service to the ordered
  return date"); a check may use several clocks (the duty's, and the evidence it falls back on);
- ``limit_kind``: what the limit is, one of :data:`LIMIT_KINDS`.

:func:`histogram` counts the rows per (clock, Party, provider, request instrument, elapsed,
limit, state) with the state taken from the very masks the engine turns into findings
(``breach``, ``advisory``, ``pass``, ``unknown``): a chart's "over the limit" count is the
check's own failures, not a recomputation. Hours are counted in whole hours rounded up, so a
row over an integer limit never lands on the limit. The run stores :func:`records` of it in its
aggregates (``deadline_checks``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: what a limit is -> which side of it fails: "max", an elapsed time beyond it (a deadline);
#: "min", an act before it has run (an escalation or waiting period)
LIMIT_KINDS: dict[str, str] = {
    "deadline": "max",  # the text's time limit: a later act is a breach
    "target": "max",  # a reasonable-efforts target of the text (advisory)
    "policy threshold": "max",  # the auditor's number where the text fixes none (advisory)
    "escalation period": "min",  # an escalation is allowed only once the period has run (CETS 224 Art. 7(7))
    "waiting period": "min",  # an act not allowed before the period ends (EU 2023/1543 Art. 10(2))
}
#: the result columns that make a check's rows a time-limit measurement
COLUMNS = ("elapsed", "limit", "clock", "limit_kind")
KEYS = ["check_id", "article", "clock", "limit_kind", "party", "provider", "instrument", "elapsed", "limit",
        "state"]
HIST_COLUMNS = [*KEYS, "count"]
STATES = ("breach", "advisory", "pass", "unknown")


def empty() -> pd.DataFrame:
    return pd.DataFrame(columns=HIST_COLUMNS)


def unit_of(clock: str) -> str:
    """"days" or "hours": the first word of a clock label."""
    word = str(clock).split(" ", 1)[0]
    return word if word in ("days", "hours") else "days"


def histogram(check_id: str, article: str, res: pd.DataFrame, failed: pd.Series,
              advisory: pd.Series) -> pd.DataFrame | None:
    """The counts of a check's result rows (``res`` labelled with ``party``, ``provider`` and
    ``request_instrument`` by the runner; ``failed`` and ``advisory`` the runner's own masks);
    None when the check returns no time-limit columns. ValueError for an unknown
    ``limit_kind`` (a check's bug, reported as the check's error)."""
    if any(c not in res.columns for c in COLUMNS):
        return None
    n = len(res)
    clock = res["clock"].astype("string").fillna("")
    kind = res["limit_kind"].astype("string").fillna("")
    bad = sorted(set(kind.unique()) - set(LIMIT_KINDS))
    if bad:
        raise ValueError(f"unknown limit_kind {', '.join(map(repr, bad))} (one of {', '.join(LIMIT_KINDS)})")
    fail = failed.fillna(False).to_numpy(dtype=bool)
    adv = advisory.to_numpy(dtype=bool) & fail
    state = np.where(failed.isna().to_numpy(), "unknown",
                     np.where(adv, "advisory", np.where(fail, "breach", "pass")))
    elapsed = pd.to_numeric(res["elapsed"], errors="coerce").astype("float64").to_numpy()
    elapsed = np.ceil(elapsed)  # whole days stay; hours round up (8.2 h is over an 8-hour limit)
    limit = pd.to_numeric(res["limit"], errors="coerce").astype("float64").to_numpy()
    frame = pd.DataFrame({
        "check_id": check_id, "article": article, "clock": clock.to_numpy(dtype=object),
        "limit_kind": kind.to_numpy(dtype=object),
        "party": res["party"].astype("string").fillna("").to_numpy(dtype=object),
        "provider": res["provider"].astype("string").fillna("").to_numpy(dtype=object),
        "instrument": res["request_instrument"].astype("string").fillna("").to_numpy(dtype=object),
        "elapsed": elapsed, "limit": limit, "state": state, "count": np.ones(n, dtype=np.int64),
    })
    return _sum(frame)


def _sum(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts summed per key (NA elapsed or limit is a key of its own)."""
    if frame.empty:
        return empty()
    out = frame.groupby(KEYS, dropna=False, sort=True, as_index=False)["count"].sum()
    return out[HIST_COLUMNS].reset_index(drop=True)


def merge(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One histogram from the histograms of disjoint partitions (counts add up)."""
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return empty()
    return _sum(pd.concat(frames, ignore_index=True))


def _num(v: float) -> int | float | None:
    if v is None or v != v:
        return None
    return int(v) if float(v).is_integer() else float(v)


def records(frame: pd.DataFrame | None) -> dict[str, Any]:
    """The stored form (JSON): ``clocks`` (one per check x clock: check_id, article, clock, unit,
    limit_kind, bound) and ``rows`` (clock index ``c``, party, provider, instrument, elapsed,
    limit, state, count)."""
    if frame is None or frame.empty:
        return {"clocks": [], "rows": []}
    clocks: list[dict] = []
    index: dict[tuple, int] = {}
    rows = []
    for rec in frame.itertuples(index=False):
        key = (rec.check_id, rec.article, rec.clock, rec.limit_kind)
        c = index.get(key)
        if c is None:
            c = index[key] = len(clocks)
            clocks.append({"check_id": rec.check_id, "article": rec.article, "clock": rec.clock,
                           "unit": unit_of(rec.clock), "limit_kind": rec.limit_kind,
                           "bound": LIMIT_KINDS.get(rec.limit_kind, "max")})
        rows.append({"c": c, "party": rec.party, "provider": rec.provider, "instrument": rec.instrument,
                     "elapsed": _num(rec.elapsed), "limit": _num(rec.limit), "state": rec.state,
                     "count": int(rec.count)})
    return {"clocks": clocks, "rows": rows}
