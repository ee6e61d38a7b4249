"""Evaluate checks over an ``AuditContext``: outcome per check (pass / fail / not_evaluated /
error, never a silent pass), counts per check x Party x provider, and one finding per failing
record."""

from __future__ import annotations

import hashlib
import os
import string
import traceback
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor.engine import deadlines as time_limits
from auditor.engine.context import AuditContext
from auditor.engine.registry import Check
from auditor.ingest.normalise import arrow_text, distinct, index_in

FINDING_COLUMNS = [
    "fingerprint", "check_id", "family", "instrument", "article", "severity", "legal_basis_status",
    "kind", "pack", "request_instrument",
    "party", "receiving_party", "provider", "request_id", "record_id", "issued_at", "message",
]
#: ``failed`` counts every record failing the check's rule; ``advisory`` those of them whose
#: finding is advisory (the auditor's policy, not the text): compliance figures leave them out
SCOPE_COLUMNS = ["check_id", "party", "provider", "evaluated", "passed", "failed", "unknown", "advisory"]
RULE_VERSION = "1"


@dataclass
class CheckRun:
    check: Check
    outcome: str
    reason: str | None = None
    evaluated: int = 0
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    #: an example of why a record could not be evaluated (kept to merge partitions' outcomes)
    why: str | None = None
    #: failed records whose finding is advisory (the auditor's policy, not a breach of the text)
    advisory: int = 0
    #: a time-limit check's measurements (``time_limits.histogram``), else None
    deadlines: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        return {
            "check_id": self.check.id,
            "outcome": self.outcome,
            "reason": self.reason,
            "evaluated": self.evaluated,
            "passed": self.passed,
            "failed": self.failed,
            "unknown": self.unknown,
            "advisory": self.advisory,
        }


@dataclass
class AuditOutput:
    runs: list[CheckRun]
    scope: pd.DataFrame  # SCOPE_COLUMNS
    findings: pd.DataFrame  # FINDING_COLUMNS
    #: time-limit checks' measurements (``time_limits.HIST_COLUMNS``)
    deadlines: pd.DataFrame = field(default_factory=time_limits.empty)

    def deadline_records(self) -> dict:
        """The measurements as the run's aggregates store them (``deadline_checks``)."""
        return time_limits.records(self.deadlines)


def missing_inputs(check: Check, ctx: AuditContext) -> str | None:
    for table, columns in check.requires.items():
        if not ctx.has(table):
            return f"input table {table} was not provided"
        absent = [c for c in columns if c not in ctx.present.get(table, set())]
        if absent:
            return f"column(s) {', '.join(f'{table}.{c}' for c in absent)} absent from the input"
    missing = [p for p in check.params if p not in ctx.params]
    if missing:
        return f"pack parameter(s) {', '.join(missing)} not set"
    return None


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fmt(v) -> str:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return "unknown"
    if isinstance(v, pd.Timestamp):
        if pd.isna(v):
            return "unknown"
        return v.strftime("%Y-%m-%d %H:%M UTC") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _box(v):
    """A NumPy scalar as the Python value ``DataFrame.to_dict`` gives (``_fmt`` sees those)."""
    return v.item() if isinstance(v, np.generic) else v


def _row_messages(template: str, frame: pd.DataFrame) -> list[str]:
    """``template`` filled from each row of ``frame``, every value through ``_fmt``; a field
    that is not a column stays as written ("{name}")."""
    fields = frame.astype(object).to_dict("records")
    return [template.format_map(_Safe({k: _fmt(v) for k, v in row.items()})) for row in fields]


def _fmt_column(values: pd.Series) -> np.ndarray:
    """``_fmt`` of every value of a column (as ``_row_messages`` sees it), as an object array of
    text, computed per column: text as it is, dates and times with NumPy's ISO formatting,
    numbers once per distinct value. Other columns (object, categories) value by value."""
    dtype = values.dtype
    na = values.isna().to_numpy()
    # a typed column's missing values are all the same object once boxed (NaN, NA or NaT)
    na_text = _fmt(_box(values[na].astype(object).iloc[0])) if na.any() else "unknown"
    if isinstance(dtype, pd.StringDtype):
        out = values.to_numpy(dtype=object, na_value=na_text)
    elif pd.api.types.is_datetime64_any_dtype(dtype) and _four_digit_years(values):
        local = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        stamps = local.to_numpy()
        if stamps.dtype.kind != "M":
            return np.array([_fmt(_box(v)) for v in values.astype(object)], dtype=object)
        timed = ((local.dt.hour != 0) | (local.dt.minute != 0)).fillna(False).to_numpy(dtype=bool)
        minutes = np.char.replace(np.datetime_as_string(stamps, unit="m"), "T", " ")
        days = np.datetime_as_string(stamps, unit="D")
        out = np.where(timed, np.char.add(minutes, " UTC"), days).astype(object)
        out[na] = na_text
    elif pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        texts = np.array([_fmt(_box(u)) for u in pd.Series(uniques).astype(object)] + [na_text], dtype=object)
        out = texts[codes]  # code -1 (missing) takes the last entry
    else:
        return np.array([_fmt(_box(v)) for v in values.astype(object)], dtype=object)
    return out


def _four_digit_years(values: pd.Series) -> bool:
    """True when every date of ``values`` is in years 1000-9999 (``strftime`` and NumPy write
    those alike; elsewhere they pad differently)."""
    try:
        years = values.dt.year
        return bool(years.isna().all() or (years.min() >= 1000 and years.max() <= 9999))
    except (AttributeError, TypeError, ValueError):
        return False


def format_messages(template: str, frame: pd.DataFrame) -> list[str]:
    """The finding message of each row of ``frame``: ``template.format_map`` with each column's
    value through ``_fmt`` (a field that is not a column stays "{name}"), the same text as
    ``_row_messages`` but built column by column in Arrow instead of a dict per row. Templates
    with a format spec, a conversion, an attribute or index, or a positional field, frames with
    repeated column names, and text Arrow cannot hold go the row-by-row way."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        parsed = None
    if (parsed is None or not frame.columns.is_unique or len(frame) == 0
            or any(name is not None and (spec or conv or not name or name.isdigit() or "." in name or "[" in name)
                   for _, name, spec, conv in parsed)):
        return _row_messages(template, frame)
    columns: dict[str, np.ndarray] = {}
    parts: list = []
    for literal, name, _, _ in parsed:
        if literal:
            parts.append(literal)
        if name is None:
            continue
        if name not in frame.columns:
            parts.append("{" + name + "}")
            continue
        if name not in columns:
            columns[name] = _fmt_column(frame[name])
        parts.append(columns[name])
    if not any(isinstance(p, np.ndarray) for p in parts):
        return ["".join(parts)] * len(frame)
    try:
        arrays = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else pa.array(p, pa.large_string())
                  for p in parts]
        return pc.binary_join_element_wise(*arrays, pa.scalar("", pa.large_string())).to_pylist()
    except (pa.ArrowException, UnicodeEncodeError):  # e.g. a lone surrogate: joined in Python
        texts = [p if isinstance(p, np.ndarray) else [p] * len(frame) for p in parts]
        return ["".join(row) for row in zip(*texts, strict=True)]


def fingerprint(check_id: str, request_id: pd.Series, record_id: pd.Series) -> pd.Series:
    """sha256 of ``check_id|request_id|record_id|RULE_VERSION`` (a missing id as ""), 32 hex digits."""
    requests = request_id.astype("string").fillna("").tolist()
    records = record_id.astype("string").fillna("").tolist()
    sha = hashlib.sha256
    return pd.Series([sha(f"{check_id}|{q}|{r}|{RULE_VERSION}".encode()).hexdigest()[:32]
                      for q, r in zip(requests, records, strict=True)], index=request_id.index, dtype=object)


def finalise(run: CheckRun) -> CheckRun:
    """Outcome and reason of an evaluated check from its counts (also after merging partitions)."""
    why = run.why or "needed values missing"
    run.outcome, run.reason = "pass", None
    if run.evaluated + run.unknown == 0:
        run.outcome, run.reason = "not_evaluated", "no applicable records in scope"
    elif run.evaluated == 0:
        run.outcome, run.reason = "not_evaluated", f"no record could be evaluated ({why})"
    elif run.failed > run.advisory:
        run.outcome = "fail"
    elif run.failed:
        run.outcome = "advisory"  # only advisory findings: no breach of the text
    if run.unknown and run.outcome != "not_evaluated":
        run.reason = f"{run.unknown} record(s) could not be evaluated (e.g. {why})"
    return run


def merge_outputs(parts: list[AuditOutput]) -> AuditOutput:
    """One output from the outputs of disjoint partitions of the requests (each request with its
    disclosures and custody events in exactly one partition): counts add up, outcomes follow
    from the summed counts, scope rows are re-aggregated, findings concatenated in run order
    (``_merged_findings``: the parts' findings frames are used up, left without columns)."""
    if len(parts) == 1:
        return parts[0]
    runs: list[CheckRun] = []
    for i, first in enumerate(parts[0].runs):
        same = [p.runs[i] for p in parts]
        err = next((r for r in same if r.outcome == "error"), None)
        if err is not None:
            runs.append(CheckRun(first.check, "error", err.reason))
            continue
        if first.outcome == "not_evaluated" and all(r.reason == first.reason for r in same) and not any(
            r.evaluated or r.unknown for r in same
        ) and first.reason != "no applicable records in scope" and not (first.reason or "").startswith(
            "no record could be evaluated"
        ):
            runs.append(CheckRun(first.check, "not_evaluated", first.reason))  # missing inputs
            continue
        merged = CheckRun(first.check, "pass", None,
                          sum(r.evaluated for r in same), sum(r.passed for r in same),
                          sum(r.failed for r in same), sum(r.unknown for r in same),
                          why=min((r.why for r in same if r.why), default=None),
                          advisory=sum(r.advisory for r in same))
        runs.append(finalise(merged))
    scopes = [p.scope for p in parts if not p.scope.empty]
    if scopes:
        scope = pd.concat(scopes, ignore_index=True).groupby(
            ["check_id", "party", "provider"], as_index=False, sort=False
        )[["evaluated", "passed", "failed", "unknown", "advisory"]].sum()
        order = {r.check.id: i for i, r in enumerate(runs)}
        scope = scope.assign(_o=scope["check_id"].map(order)).sort_values(
            ["_o", "party", "provider"], kind="stable").drop(columns="_o").reset_index(drop=True)
        scope = scope[SCOPE_COLUMNS]
    else:
        scope = pd.DataFrame(columns=SCOPE_COLUMNS)
    findings = _merged_findings([p.findings for p in parts if not p.findings.empty])
    measured = time_limits.merge([p.deadlines for p in parts])
    errors = {r.check.id for r in runs if r.outcome == "error"}  # no partial figures of a failed check
    if errors and not measured.empty:
        measured = measured[~measured["check_id"].isin(errors)].reset_index(drop=True)
    return AuditOutput(runs, scope, findings, measured)


def _merged_findings(found: list[pd.DataFrame]) -> pd.DataFrame:
    """The partitions' findings in one frame sorted by check, request and record, made a column
    at a time, each column dropped from the partitions' frames once taken (they are the merge's
    to use up): the frames and their sorted copy were both held whole, at 5 million messy
    requests ~2 GB each. The same rows in the same order as ``concat`` + ``sort_values``."""
    if not found:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    keys = ["check_id", "request_id", "record_id"]
    if any(list(f.columns) != list(found[0].columns) for f in found):  # not as the checks make them: as it was
        return pd.concat(found, ignore_index=True).sort_values(keys, na_position="first", kind="stable"
                                                             ).reset_index(drop=True)
    order = (pd.concat([f[keys] for f in found], ignore_index=True)
             .sort_values(keys, na_position="first", kind="stable").index.to_numpy())
    columns = {}
    for name in list(found[0].columns):
        columns[name] = pd.concat([f[name] for f in found], ignore_index=True).take(order).reset_index(drop=True)
        for f in found:
            del f[name]
    return pd.DataFrame(columns)


_REQUEST_FIELDS = ("issuing_party", "receiving_party", "provider", "issued_at", "instrument")


def _request_lookup(ctx: AuditContext) -> _Lookup:
    """The stored requests' ids (an Arrow array for ``index_in``) and their Party/provider/...
    fields, built once per context: every check's result rows are labelled from it (a merge per
    check cost more than the checks themselves at scale)."""
    cache = ctx._cache  # noqa: SLF001 - the context's own per-audit cache
    if "_request_lookup" not in cache:
        req = ctx.tables["requests"][["request_id", *_REQUEST_FIELDS]].reset_index(drop=True)
        if not req["request_id"].is_unique:
            raise ValueError("request_id is not unique in the stored requests")
        cache["_request_lookup"] = _Lookup(arrow_text(req["request_id"]), req,
                                           *_sorted_codes(req["issuing_party"]), *_sorted_codes(req["provider"]))
    return cache["_request_lookup"]


@dataclass(frozen=True)
class _Lookup:
    keys: pa.Array  # request ids
    req: pd.DataFrame  # request_id and _REQUEST_FIELDS, in the order of ``keys``
    party_codes: np.ndarray  # per request: its Party's position in party_names
    party_names: np.ndarray  # "" (a missing Party) first, then the Parties in sorted order
    provider_codes: np.ndarray
    provider_names: np.ndarray

    def codes(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Party and provider codes of result rows at request positions ``pos`` (-1: an unknown
        request, counted under "", code 0)."""
        known = pos >= 0
        at = np.where(known, pos, 0)
        if not len(self.party_codes):
            zero = np.zeros(len(pos), dtype=np.int64)
            return zero, zero
        return (np.where(known, self.party_codes[at], 0), np.where(known, self.provider_codes[at], 0))


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, names): ``values`` as text ("" for a missing one) coded by position in ``names``,
    the distinct texts sorted with "" always first (so that a code order is the name order)."""
    codes, uniques = distinct(values.astype("string").fillna(""))
    names = sorted({"", *uniques.tolist()})
    order = {name: i for i, name in enumerate(names)}
    remap = np.array([order[u] for u in uniques.tolist()], dtype=np.int64)
    return (remap[codes] if len(remap) else np.zeros(len(codes), dtype=np.int64)), np.array(names, dtype=object)


def _scope_counts(check_id: str, party: pd.Series, provider: pd.Series, failed: pd.Series,
                  advisory: pd.Series | None = None) -> pd.DataFrame:
    """Passed / failed / unknown records per (Party, provider), a missing one counted under "",
    sorted by Party then provider (:func:`_scope_table` of the values' codes)."""
    p_codes, p_names = _sorted_codes(party)
    v_codes, v_names = _sorted_codes(provider)
    return _scope_table(check_id, p_codes, p_names, v_codes, v_names, failed, advisory)


def _scope_table(check_id: str, p_codes: np.ndarray, p_names: np.ndarray, v_codes: np.ndarray,
                 v_names: np.ndarray, failed: pd.Series, advisory: pd.Series | None = None) -> pd.DataFrame:
    """The scope rows of records coded by their Party and provider (codes in name order, as
    :func:`_sorted_codes` gives them): counted with ``np.bincount`` of the combined codes, whose
    order is the (Party, provider) order (a pandas group-by on object keys cost more than many
    checks themselves)."""
    width = max(len(v_names), 1)
    groups, inverse = np.unique(p_codes * width + v_codes, return_inverse=True)
    unknown = failed.isna().to_numpy()
    fail = failed.fillna(False).to_numpy(dtype=bool)
    adv = (np.zeros(len(fail), dtype=bool) if advisory is None
           else advisory.fillna(False).to_numpy(dtype=bool) & fail)
    counts = {name: np.bincount(inverse, weights=mask, minlength=len(groups)).astype(np.int64)
              for name, mask in (("passed", ~fail & ~unknown), ("failed", fail), ("unknown", unknown),
                                 ("advisory", adv))}
    return pd.DataFrame({
        "check_id": check_id,
        "party": p_names[groups // width],
        "provider": v_names[groups % width],
        "evaluated": counts["passed"] + counts["failed"],
        **counts,
    })[SCOPE_COLUMNS]


def _empty_scope() -> pd.DataFrame:
    return pd.DataFrame(columns=SCOPE_COLUMNS)


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame(columns=FINDING_COLUMNS)


def run_check(check: Check, ctx: AuditContext) -> tuple[CheckRun, pd.DataFrame, pd.DataFrame]:
    reason = missing_inputs(check, ctx)
    if reason:
        return CheckRun(check, "not_evaluated", reason), _empty_scope(), _empty_findings()
    try:
        scoped = ctx.scoped(check.scope)
        res = check.func(scoped)
        if "request_id" not in res or "failed" not in res:
            raise TypeError("a check must return request_id and failed columns")
        if check.kind == "mixed" and "advisory" not in res:
            raise TypeError("a mixed check must return an advisory column")
        outside = index_in(res["request_id"], scoped.in_scope_ids()) < 0
        if outside.any():
            raise ValueError(f"{int(outside.sum())} result row(s) concern requests outside the instruments "
                             f"the check governs ({', '.join(check.scope)})")
    except Exception as exc:  # noqa: BLE001 - reported as the check's outcome, never swallowed
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return CheckRun(check, "error", tb), _empty_scope(), _empty_findings()
    res = res.reset_index(drop=True)
    if "record_id" not in res:
        res["record_id"] = pd.Series(pd.NA, index=res.index, dtype="string")
    res = res.drop(columns=[c for c in ("party", "request_instrument", *_REQUEST_FIELDS)
                            if c in res.columns and c != "instrument"])
    lookup = _request_lookup(ctx)
    pos = index_in(res["request_id"], lookup.keys)  # -1 for an unknown request: its fields stay NA
    failed = res["failed"].astype("boolean")
    advisory = advisory_rows(check, res, failed)
    if all(c in res.columns for c in time_limits.COLUMNS):  # a time-limit check: labelled rows for its chart data
        labelled = _labelled(res, lookup.req, pos)
        try:  # the chart data: the same rows and masks as the findings
            measured = time_limits.histogram(check.id, check.article, labelled, failed, advisory)
        except Exception as exc:  # noqa: BLE001 - a check's malformed time-limit columns are its error
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            return CheckRun(check, "error", tb), _empty_scope(), _empty_findings()
    else:
        measured = None
    n_fail = int(failed.fillna(False).sum())
    n_unknown = int(failed.isna().sum())
    n_pass = len(failed) - n_fail - n_unknown
    why = None
    if n_unknown:
        # the first reason in sorted order, so that partitioned runs report the same example
        why = min(res["why"].dropna().astype(str)) if "why" in res and res["why"].notna().any() else None
    run = finalise(CheckRun(check, "pass", None, n_pass + n_fail, n_pass, n_fail, n_unknown, why=why,
                            advisory=int(advisory.sum()), deadlines=measured))

    p_codes, v_codes = lookup.codes(pos)
    scope = _scope_table(check.id, p_codes, lookup.party_names, v_codes, lookup.provider_names, failed, advisory)

    failing = failed.fillna(False).to_numpy()
    if not n_fail:
        return run, scope, _empty_findings()
    bad = _labelled(res[failing], lookup.req, pos[failing])
    bad_advisory = advisory.to_numpy()[failing]
    template = check.message
    messages = format_messages(template, bad)
    findings = pd.DataFrame(
        {
            "fingerprint": fingerprint(check.id, bad["request_id"], bad["record_id"]).to_numpy(),
            "check_id": check.id,
            "family": check.family,
            "instrument": check.instrument,
            "article": check.article,
            "severity": check.severity,
            "legal_basis_status": check.legal_basis_status,
            "kind": np.where(bad_advisory, "advisory", "breach"),
            "pack": None,
            "request_instrument": bad["request_instrument"].to_numpy(),
            "party": bad["party"].to_numpy(),
            "receiving_party": bad["receiving_party"].to_numpy(),
            "provider": bad["provider"].to_numpy(),
            "request_id": bad["request_id"].to_numpy(),
            "record_id": bad["record_id"].to_numpy(),
            "issued_at": bad["issued_at"].to_numpy(),
            "message": messages,
        }
    )
    return run, scope, findings


def _labelled(res: pd.DataFrame, req: pd.DataFrame, pos: np.ndarray) -> pd.DataFrame:
    """``res`` with its request's fields (``request_instrument``, ``party`` = the issuing Party,
    ``receiving_party``, ``provider``, ``issued_at``) taken from the stored requests at ``pos``."""
    res = res.reset_index(drop=True)
    for col in _REQUEST_FIELDS:
        target = "request_instrument" if col == "instrument" else col
        res[target] = req[col].array.take(pos, allow_fill=True)
    return res.rename(columns={"issuing_party": "party"})


def advisory_rows(check: Check, res: pd.DataFrame, failed: pd.Series) -> pd.Series:
    """Per result row: True where a failure is advisory. An ``advisory`` check's failures all
    are; a ``breach`` check's none; a ``mixed`` check says so per row in its ``advisory`` column
    (a missing value counts as advisory: never a breach the check did not claim)."""
    fail = failed.fillna(False).astype(bool)
    if check.kind == "advisory":
        return fail
    if check.kind == "mixed":
        return res["advisory"].astype("boolean").fillna(True).astype(bool) & fail
    return pd.Series(False, index=res.index)


#: at least this many requests in a context before its checks are shared with a helper process
#: (below it, forking costs more than it saves)
PARALLEL_MIN_REQUESTS = 20_000


def _check_results(ctx: AuditContext, checks: list[Check]) -> list[tuple[CheckRun, pd.DataFrame, pd.DataFrame]]:
    """``run_check`` for each check, in order; on a multi-core machine a forked helper process
    takes checks from the same queue (a counter in shared memory), so two checks run at a time.
    The helper works on the context it inherited (copy-on-write: no data is sent) and returns
    its results when the queue is empty; checks it took but did not return (it died) run here.
    Off with ``AUDITOR_CHECK_HELPER=0``, when forking is unsafe, and for small contexts."""
    from auditor import forking  # noqa: PLC0415

    n = len(checks)
    requests = ctx.tables.get("requests")
    helper = None
    if (n > 1 and requests is not None and len(requests) >= PARALLEL_MIN_REQUESTS
            and (os.cpu_count() or 1) > 1 and not forking.disabled("AUDITOR_CHECK_HELPER")):
        import multiprocessing  # noqa: PLC0415

        _request_lookup(ctx)  # built once, before the fork, and inherited
        counter = multiprocessing.get_context("fork").Value("i", 0)
        helper = forking.spawn(_check_helper, ctx, checks, counter, name="checks")
    if helper is None:
        return [run_check(c, ctx) for c in checks]
    proc, conn = helper
    results: dict[int, tuple[CheckRun, pd.DataFrame, pd.DataFrame]] = {}
    try:
        while (i := _next(counter, n)) is not None:
            results[i] = run_check(checks[i], ctx)
        try:
            for i, fields, scope, found in conn.recv():
                results[i] = (CheckRun(checks[i], **fields), scope, found)
        except (EOFError, OSError):
            pass  # the helper died: its checks run below
    except BaseException:
        proc.kill()
        raise
    finally:
        conn.close()
        proc.join()
    return [results[i] if i in results else run_check(checks[i], ctx) for i in range(n)]


def _next(counter, n: int) -> int | None:
    with counter.get_lock():
        i = counter.value
        if i >= n:
            return None
        counter.value = i + 1
        return i


def _check_helper(conn, ctx: AuditContext, checks: list[Check], counter) -> None:  # pragma: no cover - forked helper
    done = []
    while (i := _next(counter, len(checks))) is not None:
        run, scope, found = run_check(checks[i], ctx)
        fields = {k: v for k, v in vars(run).items() if k != "check"}
        done.append((i, fields, scope, found))
    conn.send(done)


def run_checks(ctx: AuditContext, checks: list[Check]) -> AuditOutput:
    # grouped by scope, so that each scoped context is cut once (AuditContext.scoped); results
    # are put back in the given order
    order = sorted(range(len(checks)), key=lambda i: tuple(sorted(checks[i].scope)))
    grouped = _check_results(ctx, [checks[i] for i in order])
    results: list = [None] * len(checks)
    for k, i in enumerate(order):
        results[i] = grouped[k]
    runs, scopes, findings = [], [], []
    for r, s, f in results:
        runs.append(r)
        if not s.empty:
            scopes.append(s)
        if not f.empty:
            findings.append(f)
    scope = pd.concat(scopes, ignore_index=True) if scopes else pd.DataFrame(columns=SCOPE_COLUMNS)
    found = pd.concat(findings, ignore_index=True) if findings else pd.DataFrame(columns=FINDING_COLUMNS)
    if not found.empty:
        found = found.sort_values(["check_id", "request_id", "record_id"], na_position="first", kind="stable")
        found = found.reset_index(drop=True)
    return AuditOutput(runs, scope, found, time_limits.merge([r.deadlines for r in runs]))
