"""New, resolved and persisting findings between two stored audit runs.

A finding's identity is its fingerprint (check id, request id, record id, rule version; see
``auditor.engine.runner.fingerprint``), so the same violation keeps its fingerprint across runs.
A finding of a check that only one of the two runs ran (a pack selected in one run and not the
other) is neither new nor resolved: it is listed apart as "not audited in run A/B".
"The previous run on the same data scope" is the latest finished run started before this one
with the same rule pack and the same input files (table and file name; contents may differ).

``diff_runs`` takes run ids or ``latest`` (the last finished run) and ``previous`` (the finished
run before it), in either order: the earlier run is always the baseline, so ``auditor diff
latest previous`` and ``auditor diff previous latest`` both list what changed since the previous
run.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from auditor.errors import NotFoundError
from auditor.store import db, models

DIFF_COLUMNS = ["fingerprint", "check_id", "family", "article", "severity", "party", "provider",
                "request_id", "record_id"]


def scope_key(run: models.AuditRun) -> tuple[str, tuple[tuple[str, str], ...]]:
    files = {(str(f.get("table") or ""), PurePath(str(f.get("file") or "")).name) for f in run.inputs or []}
    return str(run.pack), tuple(sorted(files))


def previous_run(engine: Engine, run: models.AuditRun) -> models.AuditRun | None:
    key = scope_key(run)
    earlier = [r for r in db.list_runs(engine)
               if r.run_id != run.run_id and r.status == "finished" and r.started_at < run.started_at
               and scope_key(r) == key]
    return earlier[-1] if earlier else None


def _findings(engine: Engine, run_id: str, columns: tuple[str, ...] | list[str] = tuple(DIFF_COLUMNS)) -> pd.DataFrame:
    """The run's findings, one row per fingerprint, with ``columns`` only (the others are not
    read: at a million findings each column read costs), None where a value is missing."""
    leave_out = tuple(c.name for c in models.Finding.__table__.c if c.name not in columns)
    f = db.read_sql_frame(engine, models.Finding, leave_out=leave_out, run_id=run_id)
    f = f[[c for c in columns if c in f.columns]].drop_duplicates("fingerprint")
    return f.astype(object).where(f.notna(), None)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["check_id", "request_id", "fingerprint"], na_position="first", kind="stable")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return _sorted(frame).to_dict("records")


def _checks_run(engine: Engine, run_id: str) -> set[str]:
    return set(db.read_sql_frame(engine, models.CheckOutcome, run_id=run_id)["check_id"].astype(str))


def resolve_run(engine: Engine, ref: str | None) -> models.AuditRun:
    """A stored run by id, or ``latest`` (the last finished run) or ``previous`` (the finished
    run before the latest); NotFoundError (exit 2) when there is none."""
    word = (ref or "latest").strip()
    if word.lower() == "previous":
        finished = [r for r in db.list_runs(engine) if r.status == "finished"]
        if len(finished) < 2:
            raise NotFoundError(f"no run before the latest one ({len(finished)} finished run(s) in this database)",
                                hint="'previous' needs two finished runs; list them with `auditor runs`")
        return finished[-2]
    return db.get_run(engine, "latest" if word.lower() == "latest" else word)


def _split(fa: pd.DataFrame, fb: pd.DataFrame, ran_a: set[str], ran_b: set[str]) -> tuple[pd.Series, ...]:
    """(new, resolved, persisting, only_a, only_b) row masks of the earlier run's findings ``fa``
    and the later run's ``fb`` (``ran_a``/``ran_b``: the checks each ran): new and persisting of
    ``fb``, resolved of ``fa``; ``only_a`` / ``only_b``: findings of checks the other run did not
    run (never new or resolved)."""
    only_a, only_b = ~fa["check_id"].isin(ran_b), ~fb["check_id"].isin(ran_a)
    a_in_b, b_in_a = fa["fingerprint"].isin(set(fb["fingerprint"])), fb["fingerprint"].isin(set(fa["fingerprint"]))
    return ~b_in_a & ~only_b, ~a_in_b & ~only_a, b_in_a, only_a, only_b


def diff_runs(engine: Engine, run_a: str, run_b: str) -> dict[str, Any]:
    """Findings of the later run against the earlier one (``run_a``/``run_b``: ids, ``latest``
    or ``previous``, in either order): new (only in the later run), resolved (only in the
    earlier), persisting; findings of checks that only one run ran are ``not_audited_in_a`` /
    ``not_audited_in_b`` (their packs were not selected there), never new or resolved. In the
    result ``run_a`` is the earlier run and ``run_b`` the later."""
    a, b = resolve_run(engine, run_a), resolve_run(engine, run_b)
    if (a.started_at, a.run_id) > (b.started_at, b.run_id):
        a, b = b, a
    fa, fb = _findings(engine, a.run_id), _findings(engine, b.run_id)
    ran_a, ran_b = _checks_run(engine, a.run_id), _checks_run(engine, b.run_id)
    new, resolved, persisting, only_a, only_b = _split(fa, fb, ran_a, ran_b)
    return {
        "run_a": a.run_id,
        "run_b": b.run_id,
        "same_scope": scope_key(a) == scope_key(b),
        "packs_a": str(a.pack),
        "packs_b": str(b.pack),
        "new": _records(fb[new]),
        "resolved": _records(fa[resolved]),
        "persisting": _records(fb[persisting]),
        "not_audited_in_a": _records(fb[only_b]),
        "not_audited_in_b": _records(fa[only_a]),
        "checks_only_in_a": sorted(ran_a - ran_b),
        "checks_only_in_b": sorted(ran_b - ran_a),
        "period_a": run_period(a),
        "period_b": run_period(b),
        "same_period": run_period(a) == run_period(b),
    }


def run_period(run: models.AuditRun) -> dict[str, Any]:
    """The audited period a run stored (``params["period"]``: ``from``, ``to``, ``as_of``); runs
    from before periods were stored give their as-of date only."""
    stored = dict((run.params or {}).get("period") or {})
    as_of = stored.get("as_of") or (f"{run.as_of:%Y-%m-%d}" if run.as_of is not None else None)
    return {"from": stored.get("from"), "to": stored.get("to"), "as_of": as_of}


def model_diff(engine: Engine, run: models.AuditRun) -> dict[str, Any]:
    """The ``diff`` key of the report model: against the previous run on the same data scope."""
    prev = previous_run(engine, run)
    if prev is None:
        return {"previous_run_id": None}
    # what diff_runs(prev, run) gives, reading of this run's findings only the three columns the
    # fingerprint lists need and making no dict per finding: a nightly run's report reads two
    # runs of a million findings here (resolved findings, of the previous run, keep every column)
    fa = _findings(engine, prev.run_id)
    fb = _findings(engine, run.run_id, ("fingerprint", "check_id", "request_id"))
    ran = _checks_run(engine, prev.run_id), _checks_run(engine, run.run_id)
    new, resolved, persisting, _, _ = _split(fa, fb, *ran)
    return {
        "previous_run_id": prev.run_id,
        "previous_as_of": pd.Timestamp(prev.as_of).strftime("%Y-%m-%d"),
        "new": _sorted(fb[new])["fingerprint"].tolist(),
        "persisting": _sorted(fb[persisting])["fingerprint"].tolist(),
        "resolved": _records(fa[resolved]),
    }
