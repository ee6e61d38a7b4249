"""The vectorised pre-checks find exactly the defects of the full great-expectations suite, and
the great-expectations contract layer still names rows should the pre-checks miss them."""

from __future__ import annotations

import pandas as pd
import pytest

from auditor.ingest import normalise, validate
from auditor.ingest.readers import read_table
from auditor.ingest.schema import TABLES
from tests.conftest import KEY, SAMPLE


@pytest.fixture(scope="module")
def corrupted() -> pd.DataFrame:
    return corrupted_frame()


def corrupted_frame() -> pd.DataFrame:
    raw = read_table(TABLES["requests"], SAMPLE / "requests.csv").frame.head(400).copy()
    raw.loc[3, "instrument"] = "carrier_pigeon"            # enum
    raw.loc[5, "issuing_party"] = "Atlantis"              # party
    raw.loc[7, "emergency"] = "maybe"                     # bool
    raw.loc[9, "data_requested"] = "subscriber;dna"       # set
    raw.loc[11, "issued_at"] = "yesterday"                # timestamp
    raw.loc[13, "identifiers_count"] = "2.5"              # int
    raw.loc[15, "offence_max_penalty_years"] = "ten"      # float
    raw.loc[17, "issuing_authority"] = None               # required
    raw.loc[19, "request_id"] = raw.loc[21, "request_id"]  # unique (both rows)
    raw.loc[23, "provider"] = None                         # provider required
    raw.loc[23, "instrument"] = "cets224_art7"
    return normalise.canonical(raw, TABLES["requests"], KEY)


def _pairs(defects) -> set[tuple[int, str, str]]:
    return {(d.index, d.column, d.reason) for d in defects}


def test_prechecks_equal_the_full_suite(corrupted):
    spec = TABLES["requests"]
    fast = validate.precheck(corrupted, spec)
    full = validate.validate_full_suite(corrupted, spec)
    assert _pairs(fast) == _pairs(full)
    assert {d.index for d in fast} >= {3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23}


def test_parent_reference_rule_matches_the_suite():
    spec = TABLES["disclosures"]
    raw = read_table(spec, SAMPLE / "disclosures.csv").frame.head(200).copy()
    canon = normalise.canonical(raw, spec, KEY)
    parents = canon["request_id"].iloc[10:]
    fast = validate.precheck(canon, spec, parents)
    assert _pairs(fast) == _pairs(validate.validate_full_suite(canon, spec, parents))
    assert {d.index for d in fast if d.column == "request_id"} == set(range(10)) - {
        i for i in range(10) if canon["request_id"].iloc[i] in set(parents)}


def test_contract_suite_names_rows_the_prechecks_missed(corrupted, monkeypatch):
    monkeypatch.setattr(validate, "precheck", lambda *a, **k: [])
    found = validate.validate(corrupted, TABLES["requests"])
    # the contract suite covers required columns, the main enumeration and id uniqueness
    assert {(d.index, d.column) for d in found} == {
        (17, "issuing_authority"), (3, "instrument"), (19, "request_id"), (21, "request_id")}


def test_validate_reports_gx_time(corrupted):
    validate.GX_SECONDS.clear()
    validate.validate(corrupted, TABLES["requests"])
    assert validate.GX_SECONDS["requests"] > 0


_HELPER_SCRIPT = """
import json, sys
from tests.scale.test_validate_layers import corrupted_frame
from auditor.ingest import validate
from auditor.ingest.schema import TABLES
frame, spec = corrupted_frame(), TABLES["requests"]
with validate.ContractWorker() as worker:
    forked = worker._proc is not None
    first = worker.submit(frame, spec)
    second = worker.submit(frame.drop(index=[3, 17, 19]), spec)
    found, rest = worker.collect(first), worker.collect(second)
print(json.dumps({"forked": forked, "found": sorted([d.index, d.column] for d in found),
                  "rest": len(rest), "gx_s": validate.GX_SECONDS.get("requests", 0)}))
"""


@pytest.mark.parametrize("helper", ["1", "0"])
def test_contract_worker_gives_the_inline_result(helper):
    """The helper process (or its inline fallback) returns what the suite finds inline. Run in a
    fresh interpreter: other tests leave threads behind (dask), and then nothing is forked."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "AUDITOR_GX_WORKER": helper, "GX_ANALYTICS_ENABLED": "false"}
    out = subprocess.run([sys.executable, "-c", _HELPER_SCRIPT], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["forked"] == (helper == "1")
    assert got["found"] == sorted([[17, "issuing_authority"], [3, "instrument"], [19, "request_id"],
                                   [21, "request_id"]])
    assert got["rest"] == 0 and got["gx_s"] > 0


_LINES_SCRIPT = """
import json, sys
from tests.scale.test_validate_layers import corrupted_frame
from auditor import ledger
from auditor.ingest import normalise, validate
from auditor.ingest.schema import TABLES
frame, spec = corrupted_frame(), TABLES["requests"]
converted = {}
bad = {d.index for d in validate.precheck(frame, spec, converted=converted)}
good = frame.drop(index=list(bad))
here = ledger.frame_lines("requests", normalise.typed(good, spec), with_ids=True)
with validate.ContractWorker() as worker:
    forked = worker._proc is not None
    with_conv = worker.submit(good, spec, lines=True, converted=converted)
    extra = worker.collect(with_conv)
    got = worker.collect_lines(with_conv)
    without = worker.submit(good, spec, lines=True)
    worker.collect(without)
    got_plain = worker.collect_lines(without)
print(json.dumps({"forked": forked, "extra": len(extra), "converted": sorted(converted),
                  "same": [g is not None and g[0].equals(here[0]) and g[1].equals(here[1])
                           for g in (got, got_plain)]}))
"""


def test_the_helper_types_rows_with_the_parents_conversions_and_gives_the_same_lines():
    """The ledger lines the helper computes from the rows and the conversions ``precheck`` made
    in the parent are those the parent computes itself (and those of the helper converting again)."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "AUDITOR_GX_WORKER": "1", "GX_ANALYTICS_ENABLED": "false"}
    out = subprocess.run([sys.executable, "-c", _LINES_SCRIPT], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["forked"] and got["extra"] == 0
    assert {"issued_at", "identifiers_count"} <= set(got["converted"])  # timestamps and numbers
    assert got["same"] == [True, True]


def test_ingest_quarantines_what_only_the_helper_found(tmp_path, monkeypatch):
    """With layer 1 switched off, the contract suite (in the helper, or inline when this test
    process may not fork) still quarantines the bad rows before anything is stored, and the
    counts reconcile."""
    from auditor.ingest.pipeline import ingest_folder
    from auditor.store import db

    monkeypatch.setenv("AUDITOR_GX_WORKER", "1")
    monkeypatch.setattr(validate, "precheck", lambda *a, **k: [])
    d = tmp_path / "d"
    d.mkdir()
    raw = pd.read_csv(SAMPLE / "requests.csv", dtype=str, keep_default_na=False).head(50)
    raw.loc[4, "issuing_authority"] = ""
    raw.loc[6, "request_id"] = raw.loc[8, "request_id"]
    raw.to_csv(d / "requests.csv", index=False)
    engine = db.get_engine(f"sqlite:///{tmp_path / 'a.db'}")
    res = ingest_folder(d, engine, KEY)
    c = res.count("requests")
    assert (c.read, c.stored, c.quarantined) == (50, 47, 3) and c.reconciles
    assert set(res.quarantine["column"]) == {"issuing_authority", "request_id"}
    assert db.count_rows(engine, "requests") == 47


def test_gx_batches_are_not_fingerprinted(corrupted, monkeypatch):
    """GX hashes every pandas batch under HASH_THRESHOLD bytes for a marker nothing reads (14.7 s
    of 17.9 s at 1M requests); the contract context turns that off. If a GX release renames the
    constant, this fails instead of the cost coming back unnoticed."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    validate._context()
    assert engine.HASH_THRESHOLD == 0
    calls = []
    monkeypatch.setattr(engine, "hash_pandas_dataframe", lambda df: calls.append(len(df)) or "x")
    batch = validate._batch(TABLES["requests"], corrupted, ".fingerprint-test")
    assert "pandas_data_fingerprint" not in batch.batch_markers
    assert calls == []
    # and the suite's findings do not depend on the fingerprint
    assert {(d.index, d.column) for d in validate.contract_defects(corrupted, TABLES["requests"])} >= {
        (17, "issuing_authority"), (3, "instrument")}
