"""The pipeline as library calls: ingest -> audit -> report. The CLI is a thin shell over these.

- ``ingest_data`` stores a data folder (see ``auditor.ingest.pipeline``).
- ``audit_store`` audits everything stored in the database with a rule pack and an ``as_of``
  date, and stores the run: outcomes, counts per check x Party x provider, findings, and the
  aggregates the reports are drawn from. A stored run can be re-rendered at any time.
- ``build_model`` / ``render_run`` turn a stored run into reports.
- ``run_all`` does all of it and writes ``quarantine.csv`` next to the reports.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from auditor import __version__, collector, forking, ledger
from auditor import records as _records
from auditor import waivers as _waivers
from auditor.engine import packs
from auditor.engine import period as _period
from auditor.engine.context import AuditContext
from auditor.engine.profiles import merge_profiles
from auditor.engine.registry import load_all
from auditor.engine.runner import FINDING_COLUMNS, AuditOutput, run_checks
from auditor.errors import InputError, UsageError
from auditor.ingest.pipeline import IngestResult, ingest_folder, new_id
from auditor.ingest.schema import TABLES
from auditor.ingest.spill import FrameSpill
from auditor.rundiff import model_diff
from auditor.store import db, models

log = logging.getLogger("auditor")


def parse_as_of(value: str | None) -> pd.Timestamp:
    """The audit date; None: today (UTC). An ISO date (``YYYY-MM-DD``) only: UsageError naming
    the value for anything else (``06/07/2026`` is 6 July or 7 June depending on the reader,
    ``2026-02-30`` does not exist, ``""`` would be NaT); see ``engine.period.parse_date``."""
    if value is None:
        return pd.Timestamp(datetime.now(UTC).date(), tz="UTC")
    return _period.parse_date(value, "--as-of")


def new_run_id() -> str:
    """A fresh audit run id (``run-YYYYMMDDTHHMMSS-xxxxxx``); the CLI takes it before the run
    starts so that every log line of the run carries it."""
    return new_id("run-")


def open_store(url: str | None, write: bool = False) -> Engine:
    """``db.get_engine`` with the operator's mistakes typed before any work is done: a ``--db``
    that is not a database (a CSV file, say) and, for a command that stores something
    (``write``), a read-only database are UsageError (exit 2)."""
    import sqlalchemy as sa  # noqa: PLC0415

    shown = db.redact_url(url or db.default_url())
    existing = _sqlite_file(url or db.default_url())
    if existing is not None and existing.is_file() and existing.stat().st_size:
        try:
            with existing.open("rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            raise UsageError(f"cannot use the database {shown}: {exc.strerror or exc}",
                             hint="check the path and its permissions") from None
        if header != b"SQLite format 3\x00":  # SQLite would overwrite a short file of another kind
            raise UsageError(f"cannot use the database {shown}: file is not a database ({existing} is not an "
                             "SQLite file; it was left untouched)",
                             hint="point --db at an auditor database: sqlite:///path/auditor.db (created when "
                                  "missing) or postgresql://user@host/db; data files go to --data")
    try:
        engine = db.get_engine(url)
    except sa.exc.DatabaseError as exc:
        why = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise UsageError(f"cannot use the database {shown}: {why}",
                         hint="point --db at an auditor database: sqlite:///path/auditor.db (created when "
                              "missing) or postgresql://user@host/db; data files go to --data") from None
    if write:
        problem = _read_only(engine)
        if problem:
            raise UsageError(f"the database {shown} is read-only ({problem}); nothing was stored",
                             hint="use a database you may write to (the file, its folder and the disk must be "
                                  "writable); report, runs, diff and verify only read it")
    return engine


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``file:`` URIs included), else None."""
    import sqlalchemy as sa  # noqa: PLC0415

    try:
        u = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if not u.drivername.startswith("sqlite") or not u.database or u.database == ":memory:":
        return None
    name = u.database
    if name.startswith("file:"):
        name = name[len("file:"):].split("?", 1)[0]
    return Path(name).expanduser()


def _read_only(engine: Engine) -> str | None:
    """Why the database cannot be written, or None: SQLite tries a write that it rolls back,
    PostgreSQL asks whether the session is read-only."""
    import sqlalchemy as sa  # noqa: PLC0415

    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                with conn.begin() as tx:
                    db.begin_write(conn)
                    conn.exec_driver_sql("CREATE TABLE _auditor_write_probe (x INTEGER)")
                    tx.rollback()
            elif (conn.dialect.name == "postgresql"
                  and str(conn.exec_driver_sql("SHOW transaction_read_only").scalar()).lower() == "on"):
                return "read-only transactions (a standby, or default_transaction_read_only)"
    except sa.exc.DBAPIError as exc:
        return str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return None


def check_out_dir(path: str | Path, option: str = "--out") -> Path:
    """The reports folder, checked before any work: UsageError (exit 2) when it is an existing
    file, sits under a file, or cannot be written (a read-only disk, no permission), and
    ``reports.staging.ForeignFilesError`` (exit 2) when it holds anything the auditor did not
    write (a report set replaces the whole folder: a user's files are never deleted). Creates
    nothing: the nearest existing folder is probed with a temporary file."""
    p = Path(path).expanduser()
    hint = "give a folder for the reports (created when missing) on a disk where you may write"
    if p.exists() and not p.is_dir():
        raise UsageError(f"{option} {p} is an existing file, not a folder", hint=hint)
    probe = p
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"{option} {p}: {probe} is a file, not a folder", hint=hint)
    try:
        with tempfile.TemporaryFile(dir=probe, prefix=".auditor-probe-"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write the reports to {option} {p}: {exc.strerror or exc} ({probe})",
                         hint=hint) from None
    from reports.staging import check_folder  # noqa: PLC0415

    check_folder(p, label=f"{option} {p}")
    return p


def _with_workbench(engine: Engine, waiver_file: _waivers.WaiverFile) -> _waivers.WaiverFile:
    """``waiver_file`` and the waivers approved in the workbench (``auditor.web.decisions``): one
    source of truth, recorded with the run like the file's."""
    import dataclasses  # noqa: PLC0415

    from auditor.web.decisions import waivers as approved  # noqa: PLC0415

    extra = approved(engine)
    if not extra:
        return waiver_file
    return dataclasses.replace(waiver_file, waivers=[*waiver_file.waivers, *extra])


def load_waivers(path: str | Path | None) -> _waivers.WaiverFile:
    """Read a waivers/attestations file (InputError with file and line when malformed)."""
    return _waivers.load(path, known_checks=set(load_all())) if path else _waivers.EMPTY


#: more stored requests than this and no --chunk-size: the audit is partitioned automatically
AUTO_PARTITION_REQUESTS = 500_000
#: requests per partition of an automatically partitioned audit
DEFAULT_PARTITION = 250_000


def ingest_data(data_dir: str | Path, engine: Engine, key: bytes, keep_frames: bool | int = False,
                spill: bool = False, rescan: bool = False, profile=None) -> IngestResult:
    """Ingest ``data_dir`` (``auditor.ingest.pipeline.ingest_folder``); ``rescan``: read every file,
    even one whose SHA-256 is that of its table's last ingest (after a pseudonym key change);
    ``profile``: a mapping profile (``auditor.ingest.mapping.load_profile``)."""
    return ingest_folder(data_dir, engine, key, keep_frames=keep_frames, spill=spill, rescan=rescan,
                         profile=profile)


def _load_tables(engine: Engine, present: dict[str, set[str]], fresh: IngestResult | None) -> dict[str, pd.DataFrame]:
    """The stored requests, disclosures and custody events, read in one snapshot.

    With ``fresh`` (an ingest of this process that kept its typed frames), that ingest's rows are
    taken from memory and only the other ingests' rows are read back, provided the database
    still holds exactly the rows the ingest stored (same count, none revised since); otherwise
    everything is read back."""
    names = [n for n in ("requests", "disclosures", "custody_events") if n in present]
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
                conn.exec_driver_sql("BEGIN")  # a read snapshot across the tables (WAL)
            if fresh is None or not fresh.frames or not _fresh_intact(conn, fresh, names):
                return {n: db.load_table(conn, n) for n in names}
            tables = {}
            for n in names:
                t = models.INPUT_MODELS[n].__table__
                others = db.load_table(conn, n, where=t.c.ingest_id != fresh.ingest_id)
                mine = fresh.frames.get(n)
                tables[n] = others if mine is None or mine.empty else (
                    mine if others.empty else pd.concat([others, mine], ignore_index=True))
            return tables


def _fresh_intact(conn, fresh: IngestResult, names: list[str], rows: dict[str, int] | None = None) -> bool:
    """The database holds exactly the rows ``fresh`` stored (``rows`` per table; default: its
    kept frames), none of them revised since."""
    import sqlalchemy as sa  # noqa: PLC0415

    for n in names:
        t = models.INPUT_MODELS[n].__table__
        stored = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.ingest_id == fresh.ingest_id)).scalar_one()
        if stored != (rows.get(n, 0) if rows is not None else len(fresh.frames.get(n, ()))):
            return False
    rv = models.InputRevision.__table__
    moved = conn.execute(sa.select(sa.func.count()).select_from(rv).where(rv.c.old_ingest_id == fresh.ingest_id)).scalar_one()
    return moved == 0


def _spill_usable(engine: Engine, fresh: IngestResult | None, names: list[str]) -> FrameSpill | None:
    """The spill of ``fresh`` if the database holds exactly the rows it spilled (this ingest's,
    none revised since, and no other ingest's), else None: the audit reads the database."""
    spill = fresh.spill if fresh is not None else None
    if spill is None or spill.dir is None:
        return None
    with engine.connect() as conn:  # one snapshot for both tests
        if not _fresh_intact(conn, fresh, names, rows=spill.rows):
            return None
        return spill if all(db.count_rows(conn, n) == spill.rows.get(n, 0) for n in names) else None


def _present_columns(engine: Engine) -> dict[str, set[str]]:
    present: dict[str, set[str]] = {}
    for ing in db.ingests(engine):
        for f in ing.files or []:
            present.setdefault(f["table"], set()).update(f.get("columns") or TABLES[f["table"]].names)
    return present


def audited_instruments(checks: list) -> list[str]:
    """The request instruments some check of the run governs; requests of any other instrument
    are outside the audit (counted and shown, never judged)."""
    return sorted({i for c in checks for i in c.scope})


@dataclass
class AuditResult:
    run: models.AuditRun
    output: AuditOutput


def _iso(ts: Any) -> str | None:
    if ts is None or ts is pd.NaT or (isinstance(ts, float) and ts != ts):
        return None
    try:
        if pd.isna(ts):
            return None
    except (TypeError, ValueError):
        pass
    t = pd.Timestamp(ts)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    return t.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _aggregates(ctx: AuditContext, params: dict) -> dict:
    r = ctx.tables["requests"]
    key = r[["issuing_party", "provider", "instrument"]].astype(object).fillna("")
    by = key.assign(requests=1).groupby(["issuing_party", "provider", "instrument"], as_index=False)["requests"].sum()
    rt: list[dict] = []
    if ctx.has("disclosures") and not ctx.tables["disclosures"].empty:
        d = ctx.tables["disclosures"]
        per_req = d.groupby("request_id").size()
        key2 = r["request_id"].map(per_req).fillna(0).astype(int)
        disc = key.assign(disclosures=key2.to_numpy()).groupby(["issuing_party", "provider", "instrument"],
                                                               as_index=False)["disclosures"].sum()
        by = by.merge(disc, on=["issuing_party", "provider", "instrument"], how="left")
        first = d.sort_values("responded_at").drop_duplicates("request_id").set_index("request_id")["responded_at"]
        start = r["provider_received_at"].fillna(r["served_at"]).fillna(r["transmitted_at"])
        responded = r["request_id"].map(first)
        days = (responded.dt.normalize() - start.dt.normalize()).dt.days
        ok = days.notna()
        times = key[ok].assign(days=days[ok].astype(int).clip(lower=0))
        rt = (
            times.groupby(["issuing_party", "provider", "instrument", "days"], as_index=False)
            .size()
            .rename(columns={"issuing_party": "party", "size": "count"})
            .to_dict("records")
        )
    else:
        by["disclosures"] = 0
    by = by.rename(columns={"issuing_party": "party"})
    by["disclosures"] = by["disclosures"].fillna(0).astype(int)
    deadlines = {}
    if "art7_escalation_days" in params:
        deadlines["cets224_art7"] = params["art7_escalation_days"]
    if "art8_subscriber_return_days" in params:
        deadlines["cets224_art8"] = params["art8_subscriber_return_days"]
    if "eu_epoc_days" in params:
        deadlines["eu_epoc"] = params["eu_epoc_days"]
    parties = sorted(set(r["issuing_party"].dropna()) | set(r["receiving_party"].dropna()))
    prof = ctx.profiles.reindex(parties)
    profiles = []
    for party, row in prof.iterrows():
        entry = {"party": party}
        for k, v in row.items():
            if isinstance(v, pd.Timestamp) or k.endswith("_at") or k.endswith("_from"):
                entry[k] = _iso(v)[:10] if _iso(v) else None
            else:
                entry[k] = None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)
        entry["profile_source"] = entry.get("profile_source") or "none (not in the shipped chart or the user's file)"
        profiles.append(entry)
    return {
        "period": {"from": _iso(r["issued_at"].min()), "to": _iso(r["issued_at"].max())} if len(r) else {},
        "requests_by": [{k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()} for rec in by.to_dict("records")],
        "response_times": [{k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()} for rec in rt],
        "deadlines": deadlines,
        "profiles": profiles,
    }


def audit_store(
    engine: Engine,
    pack_name: str | list[str] | tuple[str, ...] | None = None,
    as_of: pd.Timestamp | None = None,
    overrides: dict[str, str] | None = None,
    waivers: _waivers.WaiverFile | str | Path | None = None,
    config_sha256: str | None = None,
    chunk_size: int | None = None,
    engine_name: str = "pandas",
    scheduler: str | None = None,
    fresh: IngestResult | None = None,
    run_id: str | None = None,
    period: _period.AuditPeriod | None = None,
) -> AuditResult:
    """Audit everything stored in the database and store the run.

    ``pack_name``: the rule packs to run (names or .toml paths; ``packs.select``); None runs
    every shipped pack, so each request is judged by the rules of its own instrument. Each
    check sees only the requests of the instruments it governs; requests of no audited
    instrument (mutual assistance, ``other``, or an instrument whose pack was not selected)
    are counted in the run's aggregates, never judged.

    ``waivers`` (a loaded file or its path) marks matching findings waived as of ``as_of``; the
    run is appended to the tamper-evident ledger (``auditor.ledger``) with ``config_sha256``.
    ``fresh``: the result of an ingest made by this process with ``keep_frames=True``; its rows
    are audited from memory instead of being read back (same findings, see ``_load_tables``).
    A partitioned audit reads them from the ingest's spill files instead (``spill=True``,
    ``_spill_usable``).
    ``chunk_size``: requests per partition (``engine.chunked``); None partitions automatically
    above ``AUTO_PARTITION_REQUESTS`` stored requests; 0 never partitions.
    ``run_id``: the id to store the run under (``new_run_id``); default: a fresh one.
    ``period`` (``engine.period.AuditPeriod``, default: up to the as-of date): only the requests
    issued in it are audited; records dated after the audit date are left out; both counted in
    ``aggregates["period"]`` and the period stored in ``params["period"]`` (hashed by the ledger).
    Waivers that waive nothing (expired on ``as_of``, of a check this run does not run, or
    matching no finding) are logged as warnings. Nothing is stored unless the whole run is: a
    failure while storing removes what was written."""
    waiver_file = waivers if isinstance(waivers, _waivers.WaiverFile) else load_waivers(waivers)
    waiver_file = _with_workbench(engine, waiver_file)
    pack = packs.select(pack_name).with_overrides(overrides or {})
    as_of = as_of if as_of is not None else parse_as_of(None)
    if pd.isna(as_of):
        raise UsageError("the audit date is not a date (NaT)", hint="give --as-of as YYYY-MM-DD")
    period = _period.AuditPeriod.make(as_of, *((period.start, period.end) if period is not None else ()))
    started = datetime.now(UTC)
    stored_requests = db.count_rows(engine, "requests")
    if stored_requests == 0:
        raise InputError("the database holds no requests to audit", hint="ingest a data folder first: auditor ingest --data DIR")
    if chunk_size is None and stored_requests > AUTO_PARTITION_REQUESTS:
        chunk_size = DEFAULT_PARTITION
        log.info("%d requests stored: auditing them %d at a time (bounded memory; --chunk-size 0 audits "
                 "everything at once)", stored_requests, chunk_size,
                 extra={"requests": stored_requests, "chunk_size": chunk_size})
    present = _present_columns(engine)
    user_profiles = db.load_table(engine, "parties") if "parties" in present else None
    profiles = merge_profiles(user_profiles, pack.values())
    registry = load_all()
    if chunk_size or engine_name != "pandas":  # partitioned: memory bounded by chunk_size (engine.chunked)
        from auditor.engine.chunked import audit_partitioned  # noqa: PLC0415

        spill = _spill_usable(engine, fresh, [n for n in ("requests", "disclosures", "custody_events")
                                              if n in present])
        output, aggregates = audit_partitioned(
            engine, [registry[c] for c in pack.checks], as_of, pack.values(), profiles, present,
            _aggregates, chunk_size=chunk_size, engine_name=engine_name, scheduler=scheduler, spill=spill,
            period=period)
        cut = aggregates.pop(_period.CUT_KEY)
    else:
        tables, evidence, cut = _period.restrict(_load_tables(engine, present, fresh), period)
        ctx = AuditContext(as_of=as_of, tables=tables, params=pack.values(), profiles=profiles, present=present,
                           evidence=evidence)
        output = run_checks(ctx, [registry[c] for c in pack.checks])
        aggregates = _aggregates(ctx, pack.values())
    aggregates["period"] = _period.describe(period, cut, aggregates.get("period"))
    for line in _period.warnings(period, cut):
        log.warning("%s", line)
    output.findings["pack"] = output.findings["check_id"].map(pack.pack_of())
    as_of_date = as_of.date()
    output.findings = _waivers.apply(output.findings, waiver_file.waivers, as_of_date)
    for warning in _waivers.review(waiver_file, output.findings, as_of_date, set(pack.checks),
                                   packs.select(None).pack_of(), pack.name):
        log.warning("%s", warning.message, extra=warning.fields)
    attestations = [a.as_dict(as_of_date) for a in waiver_file.attestations]
    log.info("audit: %d checks, %d findings (%d waived), %d attestations", len(output.runs),
             len(output.findings), int(output.findings["waived"].sum()), len(attestations),
             extra={"checks": len(output.runs), "findings": len(output.findings),
                    "waived": int(output.findings["waived"].sum()), "attestations": len(attestations)})
    run = models.AuditRun(
        run_id=run_id or new_run_id(),
        as_of=as_of.to_pydatetime(),
        pack=pack.name,
        pack_version=pack.version,
        tool_version=__version__,
        started_at=started,
        params={"pack_title": pack.title, "pack_file": pack.path,
                "packs": [{"name": p.name, "version": p.version, "title": p.title, "file": p.path,
                           "sha256": p.sha256, "checks": list(p.checks)} for p in pack.parts],
                "audited_instruments": audited_instruments([registry[c] for c in pack.checks]),
                "values": [p.as_dict() for p in pack.params.values()],
                "waivers": waiver_file.as_dict(), "attestations": attestations,
                "config_sha256": config_sha256, "period": period.as_params()},
        inputs=[f for ing in db.ingests(engine) for f in (ing.files or [])],
    )
    aggregates["deadline_checks"] = output.deadline_records()  # time limits as the checks measured them
    f = output.findings
    # the run's findings per Party, severity and kind, for the trend across runs of later reports
    # (db.run_history), which would otherwise count every stored run's findings on each report
    aggregates["finding_counts"] = db.finding_counts(f)
    run.aggregates = json.loads(json.dumps(aggregates, default=str))
    run.summary = {
        "outcomes": {o: sum(1 for r in output.runs if r.outcome == o)
                     for o in ("pass", "fail", "advisory", "not_evaluated", "error")},
        "findings": len(f),
        "advisory": int((f["kind"] == "advisory").sum()) if "kind" in f.columns else 0,
        "waived": int(f["waived"].sum()) if "waived" in f.columns else 0,
        "attestations": {s: sum(1 for a in attestations if a["status"] == s) for s in ("pass", "fail", "expired")},
    }
    run.status = "finished"
    run.finished_at = datetime.now(UTC)
    def store(conn) -> dict[str, pd.DataFrame | ledger.DigestAhead]:  # in the ledger's transaction: the run's rows, its row and its record, or nothing
        with db.bulk_cache(conn):
            return _store_rows(conn)

    def _store_rows(conn) -> dict[str, pd.DataFrame | ledger.DigestAhead]:
        outcomes = pd.DataFrame([r.as_dict() for r in output.runs]).assign(run_id=run.run_id)
        db.insert_frame(conn, models.CheckOutcome.__table__, outcomes)
        if not output.scope.empty:
            db.insert_frame(conn, models.CheckScopeResult.__table__, output.scope.assign(run_id=run.run_id))
        if not f.empty:
            # issued_at is joined back on render; waiver status is re-derived from the stored waivers
            fdb = f.drop(columns=["issued_at", *_waivers.WAIVER_COLUMNS], errors="ignore").assign(run_id=run.run_id)
            # the ledger digests the findings from what is written, while it is written
            ahead = ledger.DigestAhead("findings", fdb, conn.dialect.name)
            db.insert_frame(conn, models.Finding.__table__, fdb)
            return {"findings": ahead}
        return {}

    if len(f) >= collector.RELEASE_ROWS:  # what the merge of partitions freed, before the insert and digest
        collector.release_memory()
    try:
        ledger.append_run(engine, run, {
            "pack": {"sha256": pack.sha256,  # of the selection (one pack: its file's text)
                     "packs": [{"name": p.name, "version": p.version, "file": p.path, "sha256": p.sha256}
                               for p in pack.parts],
                     "values": [p.as_dict() for p in pack.params.values()]},
            "config_sha256": config_sha256,
            "waivers_sha256": waiver_file.sha256,
        }, store=store)
    except BaseException:
        _discard_run(engine, run.run_id)
        raise
    return AuditResult(run, output)


def _discard_run(engine: Engine, run_id: str) -> None:
    """Remove what a run that could not be stored whole left behind (outcomes, scope rows,
    findings, its run row), so no orphan rows outlive a failed audit. Best effort: the error
    that stopped the run is the one reported."""
    import sqlalchemy as sa  # noqa: PLC0415

    try:
        with engine.begin() as conn:
            if conn.execute(sa.select(sa.func.count()).select_from(models.LedgerRecord.__table__)
                            .where(models.LedgerRecord.__table__.c.run_id == run_id)).scalar_one():
                return  # the run reached the ledger: it is complete, keep it
            for model in (models.Finding, models.CheckScopeResult, models.CheckOutcome, models.AuditRun):
                t = model.__table__
                conn.execute(sa.delete(t).where(t.c.run_id == run_id))
    except Exception:  # noqa: BLE001
        log.warning("could not remove the rows of the failed run %s", run_id, extra={"run_id": run_id})


def build_model(engine: Engine, run_id: str | None, with_decisions: bool = False,
                findings_frame: bool = False) -> dict:
    """The report model of a stored run (see reports.write_reports). A run whose ledger record
    does not check out (its stored record, findings, outcomes or counts changed since it ran, or
    no record at all) is refused: ``ledger.RunNotVerified``, exit 3. ``with_decisions``: also
    ``decisions``, the workbench state of the run's findings (:func:`workbench_decisions`).

    The ledger check reads every finding of the run once more (a large SQLite run in Arrow, by a
    helper of the helper's own: ``ledger._arrow_lines``); it runs in a forked helper
    (``forking.Beside``, started before anything is read, so the fork is small) while this process
    reads the run, and its verdict is awaited before the model is returned: a run that does not
    verify is refused exactly as before, and an error while reading a run that does not verify
    is reported as the verification failure (inline when no helper can be forked).

    ``findings_frame``: also ``findings_frame``, the DataFrame the model's findings are made of
    (same rows, same order; for ``reports.write_findings_files``), and ``findings`` left None for
    the caller to make (``records.to_records(frame)``) once it has forked the helpers that need
    the frame only: a helper forked while the parent holds a dict per finding would see the
    parent copy every page of them as it goes on (copy-on-write), doubling that memory."""
    rid = ledger.resolve_run(engine, run_id)
    if rid is None:  # no such run: the old path names it (db.get_run)
        return _build_model(engine, ledger.require_verified_run(engine, run_id), with_decisions, findings_frame)
    helper = forking.Beside(_ledger_verdict, engine, rid, children=True)  # its Arrow read forks
    try:
        model = _build_model(engine, rid, with_decisions, findings_frame)
    except Exception:
        ledger.raise_unless_verified(run_id, *helper.result())  # tampering explains the error: say so
        raise
    ledger.raise_unless_verified(run_id, *helper.result())
    return model


def _ledger_verdict(engine: Engine, run_id: str) -> tuple[str | None, str | None, int | None]:
    """``ledger.run_verdict`` for :func:`build_model`'s helper: in a forked helper the parent's
    pooled connections are left to the parent (``dispose(close=False)``), new ones opened."""
    import multiprocessing  # noqa: PLC0415

    if multiprocessing.parent_process() is not None:
        engine.dispose(close=False)
    return ledger.run_verdict(engine, run_id)


def _build_model(engine: Engine, run_id: str | None, with_decisions: bool = False,
                 findings_frame: bool = False) -> dict:
    run = db.get_run(engine, run_id)
    registry = load_all()
    with Session(engine) as s:
        outcomes = {o.check_id: o for o in s.exec(select(models.CheckOutcome).where(models.CheckOutcome.run_id == run.run_id))}
    # the row ids and the run id (the same in every row) are not part of the model
    scope = db.read_sql_frame(engine, models.CheckScopeResult, leave_out=("id", "run_id"), run_id=run.run_id)
    findings = db.findings_with_issued_at(engine, run.run_id)  # one read, joined in SQLite
    if findings is None:
        findings = db.read_sql_frame(engine, models.Finding, leave_out=("id", "run_id"), run_id=run.run_id)
        req = db.load_table(engine, "requests", columns=["request_id", "issued_at"])
        findings = findings.merge(req, on="request_id", how="left")
        findings["issued_at"] = (_records.iso_utc(findings["issued_at"])
                                 if isinstance(findings["issued_at"].dtype, pd.DatetimeTZDtype)
                                 else findings["issued_at"].map(_iso))
    findings = findings.sort_values(["check_id", "request_id", "record_id"], na_position="first", kind="stable")
    run_params = run.params or {}
    pack_of: dict[str, str] = {}
    for p in run_params.get("packs") or [{"name": run.pack, "checks": list(outcomes)}]:
        for cid in p.get("checks") or []:
            pack_of.setdefault(cid, p["name"])
    checks = []
    for cid, o in outcomes.items():
        meta = registry[cid].as_dict() if cid in registry else {"id": cid}
        meta.update(outcome=o.outcome, reason=o.reason, evaluated=o.evaluated, passed=o.passed,
                    failed=o.failed, unknown=o.unknown, advisory=o.advisory or 0, pack=pack_of.get(cid, run.pack))
        checks.append(meta)
    checks.sort(key=lambda c: c["id"])
    agg = run.aggregates or {}
    stored_waivers = _waivers.from_dict((run.params or {}).get("waivers"))
    findings = _waivers.apply(findings, stored_waivers.waivers, pd.Timestamp(run.as_of).date())
    keep = [c for c in FINDING_COLUMNS if c in findings.columns] + _waivers.WAIVER_COLUMNS
    model = {
        "run": {
            "run_id": run.run_id,
            "as_of": _iso(run.as_of),
            "tool_version": run.tool_version,
            "pack": run.pack,
            "pack_version": run.pack_version,
            "pack_title": (run.params or {}).get("pack_title", ""),
            "packs": [{k: p.get(k) for k in ("name", "version", "title", "file", "sha256")}
                      for p in run_params.get("packs") or []],
            "audited_instruments": run_params.get("audited_instruments"),
            "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at),
            "period": agg.get("period", {}),
            "inputs": run.inputs or [],
            "params": (run.params or {}).get("values", []),
            "waivers_file": (run.params or {}).get("waivers", {}).get("file"),
            "config_sha256": (run.params or {}).get("config_sha256"),
        },
        "attestations": (run.params or {}).get("attestations", []),
        "waivers": (run.params or {}).get("waivers", {}).get("waivers", []),
        "checks": checks,
        "scope": scope.drop(columns=["id", "run_id"], errors="ignore").fillna("").to_dict("records"),
        # shared strings, built column by column; with findings_frame (and no decisions) left to the
        # caller, who makes them after forking any helper that needs the frame only
        "findings": None if findings_frame and not with_decisions else _records.to_records(findings[keep]),
        "profiles": agg.get("profiles", []),
        "response_times": agg.get("response_times", []),
        "deadlines": agg.get("deadlines", {}),
        "deadline_checks": agg.get("deadline_checks"),  # None: a run of an earlier version
        "requests_by": agg.get("requests_by", []),
        "reconciliation": _reconciliation(engine),
        "data_quality": db.quarantine_summary(engine),
        "history": db.run_history(engine),
        "diff": model_diff(engine, run),
    }
    if with_decisions:
        model["decisions"] = workbench_decisions(engine, model["findings"], model["run"]["as_of"])
    if findings_frame:
        model["findings_frame"] = _text_in_arrow(findings[keep].reset_index(drop=True))
    return model


def _text_in_arrow(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each ``object`` column that holds text only (and missing values) as
    Arrow-backed text (``string[pyarrow]``): the same values read back (a missing value is None
    either way), in a fraction of the memory, and in buffers no reference count writes to, so a
    forked helper holding the frame shares them with the parent instead of copying the pages (the
    request ids, issued_at and the waiver columns: the frame of 927,806 findings measured 0.51 GiB
    with them as Python objects, 0.36 GiB so). The dtype is named, not ``str``: pandas 2 would
    make the text "None" of a None."""
    text = pd.StringDtype("pyarrow")
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
            frame[name] = col.astype(text)
    return frame


#: a finding's fields a row of the report's decisions section repeats
_DECISION_KEYS = ("check_id", "severity", "kind", "party", "provider", "request_id", "record_id", "fingerprint")


def workbench_decisions(engine: Engine, findings: list[dict], as_of: str | None) -> list[dict]:
    """One row per finding of ``findings`` with a workbench state (``auditor serve``: explanation
    requested, answered, decision proposed or approved; ``auditor.web.decisions.by_fingerprint``),
    in the findings' order: the finding's check, severity, kind, Party, provider, request (its
    pseudonymised ids) and fingerprint, then its state. The other findings are open."""
    from auditor.web import decisions  # noqa: PLC0415  (sqlmodel only: no FastAPI)

    states = decisions.by_fingerprint(engine, {str(f.get("fingerprint")) for f in findings}, as_of)
    rows, seen = [], set()
    for f in findings:
        fp = str(f.get("fingerprint"))
        if fp in states and fp not in seen:
            seen.add(fp)
            rows.append({**{k: f.get(k) for k in _DECISION_KEYS}, **states[fp]})
    return rows


def _reconciliation(engine: Engine) -> list[dict]:
    """Transparency reconciliation rows (empty when no provider report was imported)."""
    from auditor.transparency.reconcile import rows_for_report  # noqa: PLC0415

    return rows_for_report(engine)


@collector.paused()  # a million finding dicts and records, no cycle among them (auditor.collector)
def render_run(engine: Engine, run_id: str | None, out_dir: str | Path, formats: tuple[str, ...],
               lang: str = "en", publish: bool = False, threshold: int = 5,
               page_findings: int | None = None, quarantine: pd.DataFrame | None = None,
               sarif_detail: bool = False, classification: str | None = None,
               pdf_standard: str | None = None, with_decisions: bool = False,
               compress: str = "auto") -> list[Path]:
    """Write the reports of a stored run (``reports.write_reports``; ``page_findings`` None: its
    default), unless published the machine outputs (JUnit, SARIF), with ``quarantine`` (the
    rejected rows of the ingest of ``auditor run``) ``quarantine.csv``, and ``manifest.json``
    into ``out_dir``; return the paths written, the manifest last.

    One run, one folder: the set replaces the folder's earlier set whole, files the new set
    does not write included (``reports.staging``); a folder holding anything the auditor did not
    write is refused before any work (``ForeignFilesError``, exit 2).
    All or nothing: the files are written into a staging folder inside ``out_dir`` and moved
    into place once every one is written (``reports.staging``). A failure leaves ``out_dir`` as
    it was (a folder this call created is removed) and raises a typed error naming the stored
    run, whose Fix re-renders it (``auditor report --run RUN --out DIR``): UsageError (exit 2)
    when the disk is at fault (full, read-only, no permission), else ``ReportError`` (exit 4, a
    bug; ``AUDITOR_DEBUG=1`` raises the original error instead). ``sarif_detail``: one SARIF result
    per finding instead of one per check x Party x provider group. ``classification``: the
    marking of the pages, ``pdf_standard`` the PDFs' conformance (``reports.write_reports``).
    ``with_decisions``: the pages and ``summary.json`` also show the workbench state of each
    finding that has one (``auditor report --with-decisions``; :func:`workbench_decisions`).
    ``compress``: findings.json gzip-compressed as findings.json.gz (``auto``: above
    ``reports.JSON_GZIP_ABOVE`` findings; ``always``; ``never``)."""
    import contextlib  # noqa: PLC0415
    import os  # noqa: PLC0415

    from auditor.errors import AuditorError  # noqa: PLC0415
    from reports import (  # noqa: PLC0415  (matplotlib only when rendering)
        JSON_COMPACT_ABOVE,
        PAGE_FINDINGS,
        findings_json_name,
        write_findings_files,
        write_reports,
    )
    from reports.staging import Staging  # noqa: PLC0415

    model = build_model(engine, run_id, with_decisions=with_decisions, findings_frame=True)
    frame = model.pop("findings_frame", None)  # None: a model made otherwise (the records write the files)
    count = len(frame) if frame is not None else len(model["findings"])
    json_name = findings_json_name(count, compress)  # the notes of junit.xml name it
    try:
        with Staging(out_dir, formats=formats, run_id=str(model["run"]["run_id"])) as stage:
            machine = files = None
            inline: list[Path] = []
            try:
                if frame is not None and not publish and count > JSON_COMPACT_ABOVE:
                    # findings.json(.gz) and findings.csv of a big run: written from the findings
                    # frame by a helper process while the pages render (reports.write_findings_files),
                    # forked before the parent makes a dict per finding (it shares the frame only)
                    files = forking.Beside(write_findings_files, frame, model, stage.dir, formats, json_name)
                    # the helper has the frame (forked): should it die, the files are made from the
                    # run read again, so that the pages may let the frame go once their records are made
                    again = str(model["run"]["run_id"])
                    files.let_go(lambda: write_findings_files(_build_model(engine, again, findings_frame=True)
                                                              ["findings_frame"], model, stage.dir, formats, json_name))
                pages_frame = None
                if frame is not None and not publish:
                    # the pages make their records from the frame (one dict per finding); the
                    # model's findings (made only for the workbench decisions) are let go now
                    model["findings"], pages_frame = None, frame
                elif model["findings"] is None:  # the published edition reads the model's findings
                    model["findings"] = _records.to_records(frame)
                del frame
                # machine outputs for pipelines carry request ids: never in a published set. They
                # read the frame (a count and the first few findings per group: _machine_outputs);
                # with --sarif-detail the model's findings (a dict per finding), made from the
                # frame by whoever writes them and let go once written: up to HELPER_MAX_FINDINGS
                # by a helper process while the pages render (forked before the parent makes a dict
                # per finding), above it here, before the pages make theirs (a helper's dicts beside
                # the pages' records would hold two dicts per finding at once: at 1M, 1.3 GB more
                # for the process tree)
                if not publish and count <= HELPER_MAX_FINDINGS:
                    machine = forking.Beside(_machine_outputs, model, stage.dir, sarif_detail, json_name, pages_frame)
                    if machine.proc is None:  # no helper: written now, its dicts gone before the pages' are made
                        inline, machine = machine.result(), None
                elif not publish:
                    inline = _machine_outputs(model, stage.dir, sarif_detail, json_name, pages_frame)
                # without a frame the pages let the model's findings go unless a helper may still
                # need them (one that dies has its work redone here, from the same model)
                # handed over in a list the pages empty once their records are made: at 5M findings
                # the frame (~1.9 GB) was held beside those records to the end of the pages
                handed = [pages_frame] if pages_frame is not None else None
                del pages_frame
                written = write_reports(model, stage.dir, formats, lang=lang, publish=publish, threshold=threshold,
                                        page_findings=PAGE_FINDINGS if page_findings is None else page_findings,
                                        staged=False, classification=classification,
                                        pdf_standard=pdf_standard, release_findings=not publish and machine is None,
                                        compress=compress, findings_files=files is None, findings_frame=handed)
                del handed
                if files is not None:
                    helper, files = files, None
                    written.extend(helper.result())
                if machine is not None:
                    helper, machine = machine, None
                    written.extend(helper.result())
                written.extend(inline)
                # the same set: a stale quarantine.csv never survives. Published: no row-level
                # file at all (the pages count the quarantined rows per reason, suppressed)
                if quarantine is not None and not publish:
                    written.append(_quarantine_csv(quarantine, stage.dir))
            finally:
                for helper in (machine, files):
                    if helper is not None and helper.proc is not None:
                        # the pages failed: the helper finishes before its folder is removed
                        with contextlib.suppress(Exception):
                            helper.result()
            return [*stage.commit(written), stage.manifest]
    except Exception as exc:
        if isinstance(exc, AuditorError) or os.environ.get("AUDITOR_DEBUG"):
            raise
        raise _render_error(exc, str(model["run"]["run_id"]), out_dir) from exc


def _render_error(exc: Exception, run_id: str, out_dir: str | Path) -> Exception:
    """The typed error for a rendering that failed with ``exc`` (nothing was written)."""
    import errno  # noqa: PLC0415
    import shlex  # noqa: PLC0415

    from reports.staging import ReportError  # noqa: PLC0415

    # an OSError that is the disk's doing, not a bug
    disk = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.ENAMETOOLONG,
            errno.ENOTDIR, errno.EISDIR, errno.EEXIST}
    again = f"the audit is stored: render it again with `auditor report --run {run_id} --out {shlex.quote(str(out_dir))}`"
    if isinstance(exc, OSError) and exc.errno in disk:
        return UsageError(f"the reports of run {run_id} could not be written to {out_dir}: "
                          f"{exc.strerror or exc}{f' ({exc.filename})' if exc.filename else ''}; nothing was written there",
                          hint=f"free space on the disk or choose a folder you may write to, then {again}")
    return ReportError(f"rendering the reports of run {run_id} failed ({type(exc).__name__}: {exc}); "
                       f"nothing was written to {out_dir}",
                       hint=f"{again}; if it fails again, this is a bug in auditor: please report it with the "
                            "command you ran (AUDITOR_DEBUG=1 shows where it failed)")


#: above this many findings SARIF/JUnit are written in the run process, before the pages (see render_run)
HELPER_MAX_FINDINGS = 200_000


def _machine_outputs(model: dict, out: Path, sarif_detail: bool = False,
                     json_name: str = "findings.json", frame: pd.DataFrame | None = None) -> list[Path]:
    """``junit.xml`` and ``findings.sarif`` of ``model``; its findings read from ``frame`` (the
    findings frame of ``build_model(findings_frame=True)``) when the model holds none. Both
    summarise groups of findings (a count and the first few), read from the frame without a dict
    per finding (``records.FrameRecords``: at 1M findings the dicts were ~4.5 s of ~7); a SARIF
    result per finding (``sarif_detail``) needs every finding's dict."""
    from reports import junit, sarif  # noqa: PLC0415

    findings = model.get("findings")
    if findings is None and frame is not None:
        findings = _records.to_records(frame) if sarif_detail else _records.FrameRecords(frame)
    return [junit.write(model, out / "junit.xml", json_name, findings),
            sarif.write(model, out / "findings.sarif", detail=sarif_detail, findings=findings)]


def _quarantine_csv(frame: pd.DataFrame, folder: Path) -> Path:
    """``quarantine.csv`` in ``folder``: a cell a spreadsheet would run as a formula (``=``,
    ``+``, ``-``, ``@``, tab, CR first) with a ``'`` in front (``auditor.textsafe.write_csv``)."""
    from auditor import textsafe  # noqa: PLC0415

    return textsafe.write_csv(frame, Path(folder) / "quarantine.csv")


def write_quarantine(result: IngestResult, out_dir: str | Path) -> Path:
    """``quarantine.csv`` of an ingest as a set of its own in ``out_dir`` (with ``manifest.json``:
    no run id, the ingest id), replacing the folder's earlier set like a rendering does
    (``reports.staging``). For an ``auditor run`` whose audit could not run: the rejected rows are
    what the data supplier needs, and old reports beside them would be another run's. A run that
    audits writes ``quarantine.csv`` with its reports instead (``render_run(quarantine=...)``)."""
    from reports.staging import Staging  # noqa: PLC0415

    with Staging(out_dir, extra={"ingest_id": result.ingest_id}) as stage:
        assert stage.dir is not None
        (path,) = stage.commit([_quarantine_csv(result.quarantine, stage.dir)])
        return path
