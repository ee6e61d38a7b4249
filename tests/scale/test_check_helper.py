"""Checks shared with a forked helper process (``runner._check_results``) give exactly the
outcomes, per-scope counts and findings of checks run one after another, also when the helper
dies. In a fresh interpreter: threads left by other tests rightly keep this process from forking."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

_SCRIPT = """
import json, os, sys
from auditor import audit
from auditor.engine import runner
from auditor.engine.context import AuditContext
from auditor.engine.profiles import merge_profiles
from auditor.engine.registry import load_all
from auditor.store import db
from tests.conftest import AS_OF, KEY, SAMPLE

engine = db.get_engine(f"sqlite:///{sys.argv[1]}")
audit.ingest_data(SAMPLE, engine, KEY)
present = audit._present_columns(engine)
tables = audit._load_tables(engine, present, None)
pack = audit.packs.load("cets224")
profiles = merge_profiles(db.load_table(engine, "parties"), pack.values())
registry = load_all()
checks = [registry[c] for c in pack.checks]
ran_here = []
real = runner.run_check
def spy(check, ctx):
    ran_here.append(check.id)
    return real(check, ctx)
if sys.argv[2] == "die":
    def dying(conn, ctx, checks, counter):  # takes two checks, dies before returning anything
        runner._next(counter, len(checks)), runner._next(counter, len(checks))
        os._exit(0)
    runner._check_helper = dying

def audit_once(helper):
    os.environ["AUDITOR_CHECK_HELPER"] = helper
    ctx = AuditContext(as_of=audit.parse_as_of(AS_OF), tables=tables, params=pack.values(),
                       profiles=profiles, present=present)
    return runner.run_checks(ctx, checks)

runner.PARALLEL_MIN_REQUESTS = 1
alone = audit_once("0")
runner.run_check = spy
shared = audit_once("1")
print(json.dumps({
    "checks": len(checks), "ran_here": len(ran_here),
    "runs": [r.as_dict() for r in alone.runs] == [r.as_dict() for r in shared.runs],
    "why": [r.why for r in alone.runs] == [r.why for r in shared.runs],
    "scope": alone.scope.equals(shared.scope),
    "findings": alone.findings.equals(shared.findings), "n": len(alone.findings),
}))
"""


def _run(tmp_path, mode: str) -> dict:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "c.db"), mode], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the check helper runs on multi-core machines only")
def test_checks_shared_with_a_helper_give_the_same_audit(tmp_path):
    got = _run(tmp_path, "share")
    assert got["n"] > 0 and got["runs"] and got["why"] and got["scope"] and got["findings"]
    assert 0 < got["ran_here"] < got["checks"]  # the helper took some of the checks


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the check helper runs on multi-core machines only")
def test_checks_of_a_dead_helper_run_here(tmp_path):
    got = _run(tmp_path, "die")
    assert got["n"] > 0 and got["runs"] and got["why"] and got["scope"] and got["findings"]
    assert got["ran_here"] == got["checks"]
