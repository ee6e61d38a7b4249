"""Waivers and attestations: shown as waived (never hidden), not counted for --fail-on, expiry
compared with --as-of (on the expiry date the waiver no longer applies), malformed files fail
fast with file and line, attestations recorded and shown in findings outputs."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from auditor import waivers
from auditor.errors import InputError
from tests.jobs.conftest import invoke

CHECKS = {"NEC001", "MIN001", "RET001"}


@pytest.fixture(scope="session")
def ingested_db(tmp_path_factory, slice_dir):
    work = tmp_path_factory.mktemp("waivers")
    r = invoke("ingest", "--data", slice_dir, "--db", f"sqlite:///{work / 'base.db'}")
    assert r.exit_code == 0, r.output
    import sqlite3

    with sqlite3.connect(work / "base.db") as con:  # fold the WAL into the file before copying it
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return work / "base.db"


@pytest.fixture
def dburl(tmp_path, ingested_db):
    shutil.copy(ingested_db, tmp_path / "a.db")
    return f"sqlite:///{tmp_path / 'a.db'}"


@pytest.fixture(scope="session")
def high(tmp_path_factory, ingested_db):
    """The high findings of the slice without waivers (computed once)."""
    work = tmp_path_factory.mktemp("high")
    shutil.copy(ingested_db, work / "a.db")
    dburl = f"sqlite:///{work / 'a.db'}"
    r = invoke("audit", "--db", dburl, "--as-of", "2026-06-30")
    assert r.exit_code == 0, r.output
    r = invoke("report", "--db", dburl, "--out", work / "base", "--format", "csv")
    findings = json.loads((work / "base" / "findings.json").read_text())
    found = [f for f in findings if f["severity"] in ("high", "critical")]
    assert found, "the sample slice has high findings"
    return found


def _waiver_file(tmp_path, high, expires="2026-07-01"):
    blocks = []
    for f in high:
        blocks.append(f'''[[waivers]]
check = "{f['check_id']}"
party = "{f['party']}"
request = "{f['request_id']}"
justification = "accepted risk, ticket 42"
approver = "J. Doe, DPO"
expires = {expires}
''')
    blocks.append('''[[attestations]]
safeguard = "necessity and proportionality of the emergency requests"
check = "NEC001"
result = "pass"
attested_by = "A. Auditor"
evidence = "file note DPA/2026/17"
expires = 2026-12-31

[[attestations]]
safeguard = "onward transfer authorisation register"
result = "fail"
attested_by = "A. Auditor"
evidence = "register review 2026-05-02"
expires = 2027-01-01
''')
    path = tmp_path / "waivers.toml"
    path.write_text("\n".join(blocks))
    return path


@pytest.mark.parametrize(("as_of", "applies"), [("2026-06-29", True), ("2026-06-30", True),
                                                  ("2026-07-01", False), ("2026-07-02", False)])
def test_waiver_expiry_around_the_boundary_date(tmp_path, dburl, high, as_of, applies):
    wf = _waiver_file(tmp_path, high, expires="2026-07-01")
    r = invoke("audit", "--db", dburl, "--as-of", as_of, "--waivers", wf, "--fail-on", "high")
    assert r.exit_code == (0 if applies else 1), r.output
    r = invoke("report", "--db", dburl, "--out", tmp_path / "o", "--format", "csv")
    assert r.exit_code == 0, r.output
    findings = json.loads((tmp_path / "o" / "findings.json").read_text())
    keys = {(f["check_id"], f["request_id"]) for f in high}
    shown = [f for f in findings if (f["check_id"], f["request_id"]) in keys]
    assert len(shown) == len(high)  # waived findings are shown, never hidden
    assert all(f["waived"] is applies for f in shown)
    if applies:
        assert all(f["waiver_expires"] == "2026-07-01" and "ticket 42" in f["waiver_reason"] for f in shown)


def test_waived_findings_in_sarif_and_junit_and_attestations_recorded(tmp_path, dburl, high):
    wf = _waiver_file(tmp_path, high, expires="2026-12-31")
    r = invoke("audit", "--db", dburl, "--as-of", "2026-06-30", "--waivers", wf, "--fail-on", "high")
    assert r.exit_code == 0, r.output
    assert f"waived: {len(high)} finding(s)" in r.output
    assert "attestation A2 onward transfer authorisation register: fail" in r.output
    invoke("report", "--db", dburl, "--out", tmp_path / "o", "--format", "csv", "--format", "html",
           "--format", "md")
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert [(a["id"], a["result"], a["status"]) for a in summary["attestations"]] == [("A1", "pass", "pass"),
                                                                                     ("A2", "fail", "fail")]
    html = (tmp_path / "o" / "index.html").read_text()
    md = (tmp_path / "o" / "index.md").read_text()
    for page in (html, md):
        assert "Attestations" in page and "file note DPA/2026/17" in page
    sarif = json.loads((tmp_path / "o" / "findings.sarif").read_text())
    run = sarif["runs"][0]
    suppressed = [x for x in run["results"] if x.get("suppressions")]
    assert len(suppressed) == len(high)
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"
    assert suppressed[0]["suppressions"][0]["properties"]["expires"] == "2026-12-31"
    atts = run["properties"]["attestations"]
    assert [(a["id"], a["status"]) for a in atts] == [("A1", "pass"), ("A2", "fail")]
    assert atts[0]["evidence"] == "file note DPA/2026/17" and atts[0]["attested_by"] == "A. Auditor"
    root = ET.parse(tmp_path / "o" / "junit.xml").getroot()
    att_suite = root.find("testsuite[@name='attestations']")
    cases = att_suite.findall("testcase")
    assert len(cases) == 2 and cases[0].find("failure") is None and cases[1].find("failure") is not None
    f = high[0]
    case = root.find(f"testsuite[@name='{f['check_id']}']/testcase[@name='{f['party']}']")
    assert "WAIVED until 2026-12-31" in case.find("system-out").text


def test_attestation_expires_on_its_date():
    a = waivers.Attestation(id="A1", safeguard="x", result="pass", attested_by="me", evidence="e",
                            expires=__import__("datetime").date(2026, 7, 1))
    from datetime import date

    assert a.status(date(2026, 6, 30)) == "pass"
    assert a.status(date(2026, 7, 1)) == "expired"


@pytest.mark.parametrize(("text", "line", "message"), [
    ('[[waivers]]\ncheck = "NEC001"\njustification = "x"\napprover = "y"\n', 1, "'expires' is missing"),
    ('[[waivers]]\ncheck = "NEC001"\njustification = "x"\napprover = "y"\nexpires = 2026-01-01\n\n'
     '[[waivers]]\ncheck = "NEC001"\napprover = "y"\nexpires = 2026-01-01\n', 7, "'justification' is missing"),
    ('[[waivers]]\ncheck = "NOPE01"\njustification = "x"\napprover = "y"\nexpires = 2026-01-01\n', 1,
     "unknown check id 'NOPE01'"),
    ('[[waivers]]\ncheck = "NEC001"\njustification = "x"\napprover = "y"\nexpires = "soon"\n', 1, "is not a date"),
    ('[[waivers]]\ncheck = "NEC001"\nreason = "x"\n', 1, "unknown key(s) in waiver: reason"),
    ('[[waivers]]\ncheck = "NEC001"\njustification = "x\napprover = "y"\n', 3, "not valid TOML"),
    ('[[attestations]]\nsafeguard = "s"\nresult = "maybe"\nattested_by = "a"\nevidence = "e"\n'
     'expires = 2026-01-01\n', 1, "use pass or fail"),
])
def test_malformed_toml_waivers_fail_fast_with_the_line(tmp_path, text, line, message):
    p = tmp_path / "w.toml"
    p.write_text(text)
    with pytest.raises(InputError) as err:
        waivers.load(p, CHECKS)
    assert f"{p}:{line}: " in err.value.message
    assert message in err.value.message


def test_yaml_waivers_and_their_errors_with_lines(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text("waivers:\n  - check: NEC001\n    justification: ok\n    approver: me\n    expires: 2026-09-01\n"
                 "  - check: MIN001\n    approver: me\n    expires: 2026-09-01\n")
    with pytest.raises(InputError) as err:
        waivers.load(p, CHECKS)
    assert f"{p}:6: required key 'justification'" in err.value.message
    p.write_text("waivers:\n  - check: NEC001\n    justification: ok\n    approver: me\n    expires: 2026-09-01\n")
    wf = waivers.load(p, CHECKS)
    assert wf.waivers[0].expires.isoformat() == "2026-09-01" and wf.waivers[0].line == 2
    p.write_text("waivers:\n  - check: [NEC001\n")
    with pytest.raises(InputError, match=r"w.yaml:\d+: not valid YAML"):
        waivers.load(p, CHECKS)


def test_malformed_waivers_file_stops_the_run_before_anything_is_stored(tmp_path, slice_dir):
    p = tmp_path / "w.toml"
    p.write_text('[[waivers]]\ncheck = "NEC001"\n')
    db = tmp_path / "a.db"
    r = invoke("run", "--data", slice_dir, "--out", tmp_path / "o", "--db", f"sqlite:///{db}",
               "--as-of", "2026-06-30", "--waivers", p)
    assert r.exit_code == 3
    assert f"Error: {p}:1: required key 'justification' is missing" in r.output
    assert not db.exists()
