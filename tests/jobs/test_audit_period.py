"""A strict audit period: ``--as-of`` takes ISO dates only; ``--from``/``--to`` bound the
requests audited by their issue date; records dated after the audit date are left out and
counted; a date far from the data warns; the period is stored in the run (and hashed by the
ledger). See ``auditor.engine.period`` and docs/operations.md, "The audit period"."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from auditor import audit
from auditor.engine import period
from auditor.errors import UsageError
from tests.conftest import SAMPLE
from tests.jobs.conftest import invoke


def _db(tmp_path, source) -> str:
    """A private copy of a SQLite store (the backup API: its WAL included), as a URL."""
    dst = tmp_path / "a.db"
    with sqlite3.connect(source) as src, sqlite3.connect(dst) as out:
        src.backup(out)
    return f"sqlite:///{dst}"


def _last_run(url: str) -> dict:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        run_id, params, agg = con.execute(
            "SELECT run_id, params, aggregates FROM audit_runs ORDER BY started_at DESC LIMIT 1").fetchone()
        found = pd.read_sql_query("SELECT f.request_id, r.issued_at FROM findings f JOIN requests r "
                                  "ON r.request_id = f.request_id WHERE f.run_id = ?", con, params=(run_id,))
    return {"run_id": run_id, "params": json.loads(params), "period": json.loads(agg)["period"],
            "requests_by": json.loads(agg)["requests_by"],
            "issued": pd.to_datetime(found["issued_at"], utc=True, format="ISO8601")}


def _issued(csv_dir, stored_in: str | None = None) -> pd.Series:
    """Issue times of the requests of a data folder (of those stored in ``stored_in`` when given)."""
    req = pd.read_csv(csv_dir / "requests.csv", dtype=str, keep_default_na=False)
    if stored_in is not None:
        with sqlite3.connect(stored_in.removeprefix("sqlite:///")) as con:
            stored = {r[0] for r in con.execute("SELECT request_id FROM requests")}
        req = req[req["request_id"].isin(stored)]
    return pd.to_datetime(req["issued_at"], utc=True, format="ISO8601")


# ------------------------------------------------------------------------------ ISO dates only
@pytest.mark.parametrize("value", ["06/07/2026", "June 30 2026", "2026-02-30", "2026-6-30", "2026-06-30T12:00",
                                   "20260630", "NaT", "yesterday"])
def test_as_of_takes_an_iso_date_only_and_the_error_names_the_value(value):
    with pytest.raises(UsageError) as err:
        audit.parse_as_of(value)
    assert repr(value) in err.value.message and "YYYY-MM-DD" in (err.value.hint or "")


def test_a_day_month_date_is_refused_with_both_readings():
    with pytest.raises(UsageError) as err:
        audit.parse_as_of("06/07/2026")
    assert "2026-07-06 or 2026-06-07" in err.value.hint


def test_iso_dates_parse_to_midnight_utc():
    assert audit.parse_as_of(" 2026-06-30 ") == pd.Timestamp("2026-06-30", tz="UTC")
    assert audit.parse_as_of("2028-02-29") == pd.Timestamp("2028-02-29", tz="UTC")


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "06/07/2026"], "--as-of '06/07/2026' is not a date in the form YYYY-MM-DD"),
    (["--as-of", "June 30 2026"], "--as-of 'June 30 2026' is not a date"),
    (["--as-of", "2026-02-30"], "--as-of '2026-02-30' is not a date: day is out of range for month"),
    (["--as-of", "2026-06-30", "--from", "1/1/2026"], "--from '1/1/2026' is not a date"),
    (["--as-of", "2026-06-30", "--to", "2026-07-01"], "--to 2026-07-01 is after the audit date --as-of 2026-06-30"),
    (["--as-of", "2026-06-30", "--from", "2026-05-01", "--to", "2026-04-30"],
     "--from 2026-05-01 is after --to 2026-04-30"),
    (["--as-of", "2026-06-30", "--from", "2026-07-01"], "--from 2026-07-01 is after the audit date"),
])
@pytest.mark.parametrize("command", ["audit", "run"])
def test_bad_dates_and_periods_are_usage_errors_before_anything_is_stored(tmp_path, slice_dir, command, args,
                                                                          message):
    db = tmp_path / "a.db"
    extra = ["--data", slice_dir, "--out", tmp_path / "o"] if command == "run" else []
    r = invoke(command, "--db", f"sqlite:///{db}", *extra, *args)
    assert r.exit_code == 2, r.output
    assert f"Error: {message}" in r.output and "Fix:" in r.output
    assert not db.exists()  # nothing ingested, nothing stored


# ------------------------------------------------------------------------------ the audit date
def test_requests_issued_after_the_audit_date_are_excluded_and_counted(tmp_path, sample_run):
    url = _db(tmp_path, sample_run["db"])
    r = invoke("audit", "--db", url, "--as-of", "2026-06-30")
    assert r.exit_code == 0, r.output
    run = _last_run(url)
    issued = _issued(SAMPLE, url)
    end = pd.Timestamp("2026-07-01", tz="UTC")  # the whole as-of day is known
    after = int((issued >= end).sum())
    assert after > 0
    p = run["period"]
    assert p["excluded"]["issued_after_as_of"] == after
    assert p["requests_in_period"] == len(issued) - after
    assert sum(row["requests"] for row in run["requests_by"]) == len(issued) - after  # "requests in scope"
    assert p["as_of"] == p["audit_to"] == "2026-06-30" and p["audit_from"] is None
    assert p["data_last"] == issued.max().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert pd.Timestamp(p["to"]) < end  # the audited requests' range
    assert (run["issued"] < end).all()  # no finding on a request the audit date could not know
    for name, column in (("disclosures", "responded_at"), ("custody_events", "at")):
        dated = pd.to_datetime(pd.read_csv(SAMPLE / f"{name}.csv", dtype=str)[column], utc=True, format="ISO8601")
        # the committed files' rows, less the quarantined ones (none of them dated after the audit date)
        assert p["excluded"][f"{name}_after_as_of"] == int((dated >= end).sum()), name
    assert run["params"]["period"] == {"from": None, "to": "2026-06-30", "as_of": "2026-06-30", "to_given": False}
    assert f"excluded: {after} request(s) issued after the audit date" in r.output


def test_the_sample_audit_date_excludes_nothing(sample_run):
    """At the sample's own audit date nothing is left out (tests/test_sample_audit.py holds the
    findings); the run summary says so."""
    assert "nothing excluded" in sample_run["output"]
    with sqlite3.connect(sample_run["db"]) as con:
        (agg,) = con.execute("SELECT aggregates FROM audit_runs ORDER BY started_at LIMIT 1").fetchone()
    assert not any(json.loads(agg)["period"]["excluded"].values())


# ------------------------------------------------------------------------------ --from / --to
def test_from_and_to_bound_the_requests_audited_and_count_the_rest(tmp_path, ingested_slice, slice_dir):
    url = _db(tmp_path, ingested_slice)
    r = invoke("audit", "--db", url, "--as-of", "2026-10-31", "--from", "2025-04-01", "--to", "2025-09-30")
    assert r.exit_code == 0, r.output
    run = _last_run(url)
    issued = _issued(slice_dir, url)
    lo, hi = pd.Timestamp("2025-04-01", tz="UTC"), pd.Timestamp("2025-10-01", tz="UTC")
    ex = run["period"]["excluded"]
    assert ex["before_from"] == int((issued < lo).sum()) > 0
    assert ex["after_to"] == int((issued >= hi).sum()) > 0
    assert ex["issued_after_as_of"] == 0
    assert ex["disclosures_of_excluded_requests"] > 0 and ex["custody_events_of_excluded_requests"] > 0
    assert run["period"]["requests_in_period"] == int(((issued >= lo) & (issued < hi)).sum())
    assert len(run["issued"]) and run["issued"].between(lo, hi, inclusive="left").all()
    assert run["params"]["period"] == {"from": "2025-04-01", "to": "2025-09-30", "as_of": "2026-10-31",
                                       "to_given": True}
    assert "period 2025-04-01 .. 2025-09-30 (issue dates)" in r.output
    assert f"{ex['before_from']} request(s) issued before --from" in r.output

    # the period is part of the run's hashed record: editing it breaks `auditor verify`
    assert invoke("verify", "--db", url).exit_code == 0
    params = dict(run["params"], period=dict(run["params"]["period"], **{"from": "2025-01-01"}))
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        con.execute("UPDATE audit_runs SET params = ? WHERE run_id = ?", (json.dumps(params), run["run_id"]))
    v = invoke("verify", "--db", url)
    assert v.exit_code == 1 and "parameters" in v.output, v.output


def test_a_partitioned_audit_cuts_the_same_period(tmp_path, ingested_slice):
    """Partitions are cut one by one (``chunked.audit_partition``) and their counts merged: the
    same as the whole data's cut (checks left out here: the cut happens before them)."""
    from auditor.engine import chunked
    from auditor.store import db

    engine = db.get_engine(_db(tmp_path, ingested_slice))
    present = audit._present_columns(engine)
    span = period.AuditPeriod.make(pd.Timestamp("2025-12-31", tz="UTC"), "2025-03-01", "2025-10-31")
    _, _, whole = period.restrict(audit._load_tables(engine, present, None), span)
    profiles = pd.DataFrame()
    parts = [chunked.audit_partition(frames, span.as_of, {}, profiles, present, [], lambda ctx, params: {}, span)[1]
             for frames in chunked.partition_frames(engine, present, 40)]
    assert len(parts) > 1
    merged = chunked.merge_aggregates(parts)[period.CUT_KEY]
    assert merged == whole and all(whole["counts"][k] for k in ("before_from", "after_to"))


def test_a_linked_request_before_from_stays_evidence_never_judged():
    """An Art. 8 request of the period that follows an Art. 7 order issued before --from still
    finds the order (COM007 would otherwise report a missing prior attempt): the order is
    evidence, not audited."""
    from auditor.engine.context import AuditContext

    ts = pd.to_datetime(["2025-11-12", "2026-02-10", "2026-08-01"], utc=True)
    req = pd.DataFrame({"request_id": pd.array(["A7", "A8", "LATE"], dtype="string"),
                        "linked_request_id": pd.array([None, "A7", "A7"], dtype="string"),
                        "instrument": pd.array(["cets224_art7", "cets224_art8", "cets224_art8"], dtype="string"),
                        "data_requested": pd.array(["subscriber"] * 3, dtype="string"), "issued_at": ts})
    span = period.AuditPeriod.make(pd.Timestamp("2026-06-30", tz="UTC"), "2026-01-01")
    tables, evidence, cut = period.restrict({"requests": req}, span)
    assert list(tables["requests"]["request_id"]) == ["A8"]
    assert cut["counts"]["before_from"] == 1 and cut["counts"]["issued_after_as_of"] == 1
    ctx = AuditContext(as_of=span.as_of, tables=tables, params={}, profiles=pd.DataFrame(), evidence=evidence)
    assert list(ctx.linked_requests(tables["requests"]["linked_request_id"])["request_id"]) == ["A7"]
    assert ctx.follow_ups(pd.Series(["A7"]))["request_id"].tolist() == ["A8"]  # LATE had not happened


# ------------------------------------------------------------------------------ far dates
def test_an_audit_date_far_after_the_data_warns_and_still_runs(tmp_path, ingested_slice):
    r = invoke("audit", "--db", _db(tmp_path, ingested_slice), "--as-of", "2100-01-01")
    assert r.exit_code == 0, r.output
    assert "WARNING" in r.output and f"more than {period.FAR_DAYS}" in r.output
    assert "the audit date 2100-01-01 is" in r.output


def test_an_audit_date_before_the_data_warns_and_audits_nothing(tmp_path, ingested_slice):
    url = _db(tmp_path, ingested_slice)
    r = invoke("audit", "--db", url, "--as-of", "1999-01-01")
    assert r.exit_code == 0, r.output
    assert "is before the first stored request" in r.output
    assert "no stored request was issued in the audited period (up to 1999-01-01" in r.output
    assert _last_run(url)["period"]["requests_in_period"] == 0
    strict = invoke("audit", "--db", url, "--as-of", "1999-01-01", "--strict")
    assert strict.exit_code == 5, strict.output  # an empty period never passes a --strict job


def test_from_and_to_have_config_twins():
    from auditor import config
    from auditor.cli import main

    assert {"from", "to", "as_of"} <= config.known_keys(main)
