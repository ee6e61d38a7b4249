"""Hostile values never crash the report stage and leave every output safe (issue 18, item 4).

Through the real CLI on a slice of the sample data whose provider names, request ids, waiver
reasons, attestation fields, a Party name and a check's error reason are hostile:

- CSV outputs (findings.csv, quarantine.csv, ``ingest --quarantine-out``) neutralise formulas:
  a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a ``'`` in front; the JSON
  outputs keep the exact values;
- junit.xml stays well-formed XML and the terminal (run, audit, diff, runs, quarantine) and the
  Markdown never receive a raw control character;
- page file names are bounded, hashed when cut or colliding, never a path or a reserved name,
  and every link of the index reaches its page;
- ``$\\undefinedmacro$`` in a name is drawn as text (no mathtext);
- a rendering that fails leaves the reports folder as it was and says how to re-render.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import textsafe
from auditor.cli import main
from reports import aggregate, junit, write_reports
from reports.staging import PREFIX, ReportError, Staging
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
AS_OF = "2026-06-30"

# request ids of the first 60 sample requests that have findings as of AS_OF -> hostile ids
HOSTILE_IDS = {
    "GB-2025-00054": "=SUM(1,2)GB54",
    "DE-2026-00039": "+DE39",
    "NL-2025-00028": "-NL28",
    "ES-2025-00024": "@ES24",
}
P_ESC = "esc\x1b[31mred\x1b]0;title\x07\x9b2J\u202eevil"
P_MATH = "$\\undefinedmacro$ co"
P_FORMULA = '=HYPERLINK("http://evil.example","x")'
P_LONG = "L" + "o" * 299
P_CASE_A, P_CASE_B = "Exämple", "exämple"
P_PATH = "../a/b\\c"
P_RESERVED = "CON"
# providers of the requests with findings, so that each hostile name reaches the findings
FINDING_PROVIDERS = {"GB-2025-00054": P_ESC, "DE-2026-00039": P_MATH, "NL-2025-00028": P_FORMULA,
                     "ES-2025-00024": P_LONG, "ES-2025-00029": P_CASE_A}
OTHER_PROVIDERS = (P_CASE_B, P_PATH, P_RESERVED, P_FORMULA, P_MATH)
HOSTILE_PARTY = "\x1b[2J@party"
WAIVER_REASON = "=cmd|' /C calc'!A0 \x1b[31mred"
CRASH = "\x1b[2J=boom\x07\u202e"

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
RUN_ID = re.compile(r"run-\d{8}T\d{6}-[0-9a-f]{6}")
SLUG_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*\.(html|md|json|pdf)$")


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def _hostile_data(dst: Path, n_requests: int = 60) -> None:
    """The first requests of the sample data (with their disclosures and custody events), with
    hostile request ids (renamed in every file), provider names and one hostile Party."""
    dst.mkdir()

    def rename(row: dict) -> dict:
        return {k: HOSTILE_IDS.get(v, v) for k, v in row.items()}

    with (SAMPLE / "requests.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = [r for _, r in zip(range(n_requests), reader, strict=False)]
    ids = {r["request_id"] for r in rows}
    for i, r in enumerate(rows):
        r["provider"] = FINDING_PROVIDERS.get(r["request_id"], OTHER_PROVIDERS[i % len(OTHER_PROVIDERS)])
    rows[1]["issuing_party"] = HOSTILE_PARTY  # quarantined: not an ISO code
    _write_csv(dst / "requests.csv", fields, [rename(r) for r in rows])
    for name in ("disclosures.csv", "custody_events.csv"):
        with (SAMPLE / name).open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            keep = [rename(r) for r in reader if r["request_id"] in ids]
            _write_csv(dst / name, list(reader.fieldnames or []), keep)
    (dst / "parties.csv").write_bytes((SAMPLE / "parties.csv").read_bytes())


WAIVERS = f"""
[[waivers]]
check = "ONW001"
request = {json.dumps(HOSTILE_IDS["GB-2025-00054"])}
justification = {json.dumps(WAIVER_REASON)}
approver = "-J. Doe"
expires = 2027-01-01

[[attestations]]
safeguard = "necessity"
result = "pass"
attested_by = "+A. Auditor\\u001b[0m"
evidence = "@file\\u001b]0;pwn\\u0007note"
expires = 2027-01-01
"""


def _invoke(work: Path, args: list[str], **kw):
    old = os.getcwd()
    os.chdir(work)
    try:
        return CliRunner().invoke(main, args, catch_exceptions=False, **kw)
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """`auditor run` on the hostile slice, from its folder, with data in ``@data`` (a relative
    path starting with a formula character, as the quarantine rows cite it)."""
    work = tmp_path_factory.mktemp("hostile")
    _hostile_data(work / "@data")
    (work / "waivers.toml").write_text(WAIVERS, encoding="utf-8")
    env = {"AUDITOR_PSEUDONYM_KEY": "test-key-0123456789", "GX_ANALYTICS_ENABLED": "false",
           "AUDITOR_DB_URL": f"sqlite:///{work / 'auditor.db'}"}
    res = _invoke(work, ["run", "--data", "@data", "--out", "out", "--as-of", AS_OF, "--waivers", "waivers.toml",
                         "--format", "html", "--format", "md", "--format", "json", "--format", "csv"], env=env)
    assert res.exit_code == 0, res.output
    return {"work": work, "out": work / "out", "env": env, "output": res.output}


def _findings_json(out: Path) -> list[dict]:
    return json.loads((out / "findings.json").read_text(encoding="utf-8"))


def _csv_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- 1. CSV formulas


def test_findings_csv_neutralises_formulas_and_json_keeps_exact_values(hostile):
    out = hostile["out"]
    records = _findings_json(out)
    by_fp = {r["fingerprint"]: r for r in records}
    ids = {r["request_id"] for r in records}
    assert set(HOSTILE_IDS.values()) <= ids  # the JSON keeps the exact values
    assert {P_ESC, P_MATH, P_FORMULA, P_LONG} <= {r["provider"] for r in records}
    waived = [r for r in records if r.get("waived")]
    assert [r["waiver_reason"] for r in waived] == [WAIVER_REASON + " (approved by -J. Doe)"]
    rows = _csv_rows(out / "findings.csv")
    assert len(rows) == len(records) == 5
    for row in rows:
        rec = by_fp[row["fingerprint"]]
        for col, cell in row.items():
            assert not cell.startswith(textsafe.FORMULA_FIRST), (col, cell)
            value = rec.get(col)
            if isinstance(value, str):
                assert cell == (("'" + value) if value[:1] in "=+-@\t\r" else value), (col, cell, value)
    csv_ids = {r["request_id"] for r in rows}
    assert {"'=SUM(1,2)GB54", "'+DE39", "'-NL28", "'@ES24"} <= csv_ids
    assert "'" + P_FORMULA in {r["provider"] for r in rows}
    assert "'" + WAIVER_REASON + " (approved by -J. Doe)" in {r["waiver_reason"] for r in rows}


def test_quarantine_csv_neutralises_formulas(hostile):
    rows = _csv_rows(hostile["out"] / "quarantine.csv")
    assert rows, "the hostile Party row is quarantined"
    assert all(not v.startswith(textsafe.FORMULA_FIRST) for r in rows for v in r.values())
    assert {r["file"] for r in rows} >= {"'@data/requests.csv"}


def test_ingest_quarantine_out_neutralises_formulas(hostile, tmp_path):
    work = hostile["work"]
    env = {**hostile["env"], "AUDITOR_DB_URL": f"sqlite:///{tmp_path / 'q.db'}"}
    res = _invoke(work, ["-q", "ingest", "--data", "@data", "--quarantine-out", str(tmp_path / "q" / "q.csv")], env=env)
    assert res.exit_code == 0, res.output
    rows = _csv_rows(tmp_path / "q" / "q.csv")
    assert rows and "'@data/requests.csv" in {r["file"] for r in rows}
    assert all(r["file"].startswith("'@data/") for r in rows)
    assert "issuing_party" in {r["column"] for r in rows}
    assert not list((tmp_path / "q").glob(".*"))  # written whole: no temporary file left


def test_csv_frame_rule():
    frame = pd.DataFrame({
        "text": ["=1+2", "+x", "-x", "@x", "\tx", "\rx", "x=1", "", None, " =x"],
        "number": [-1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "mixed": [True, "=x", None, 1.5, "a", "b", "c", "d", "e", "f"],
    })
    out = textsafe.csv_frame(frame)
    assert list(out["text"]) == ["'=1+2", "'+x", "'-x", "'@x", "'\tx", "'\rx", "x=1", "", None, " =x"]
    assert list(out["number"]) == [-1, *range(2, 11)]
    assert list(out["mixed"]) == [True, "'=x", None, 1.5, "a", "b", "c", "d", "e", "f"]
    assert frame.loc[0, "text"] == "=1+2"  # the frame given is left alone
    clean = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
    assert textsafe.csv_frame(clean) is clean  # nothing to change: no copy
    assert textsafe.csv_cell(-3) == -3 and textsafe.csv_cell("-3") == "'-3"


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=8))
def test_csv_frame_matches_csv_cell(values):
    frame = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    out = textsafe.csv_frame(frame)
    assert list(out["v"]) == [textsafe.csv_cell(v) for v in values]  # vectorised = the cell rule
    for v in out["v"]:
        assert v is None or not v.startswith(textsafe.FORMULA_FIRST)


# ---------------------------------------------------------------- 2. XML and terminal


def test_junit_is_valid_xml_and_escapes_controls(hostile):
    path = hostile["out"] / "junit.xml"
    data = path.read_bytes()
    ET.fromstring(data)  # well-formed
    text = data.decode("utf-8")
    assert not RAW_CONTROL.search(text)
    assert "esc\\x1b[31mred\\x1b]0;title\\x07\\x9b2J\\u202eevil" in text
    assert "WAIVED until" in text and "\\x1b[31mred" in text


def test_terminal_output_of_run_has_no_raw_control(hostile):
    out = hostile["output"]
    assert not RAW_CONTROL.search(out)
    assert "attestation" in out and "\\x1b]0;pwn\\x07" in out  # escaped, still shown


def test_markdown_has_no_raw_control(hostile):
    for path in hostile["out"].rglob("*.md"):
        assert not RAW_CONTROL.search(path.read_text(encoding="utf-8")), path
    assert "esc\\x1b\\[31mred" in (hostile["out"] / "index.md").read_text(encoding="utf-8")


def test_diff_runs_quarantine_print_no_raw_control(hostile):
    work, env = hostile["work"], hostile["env"]
    first = RUN_ID.findall(_invoke(work, ["runs"], env=env).output)[0]
    res = _invoke(work, ["audit", "--as-of", AS_OF], env=env)
    assert res.exit_code == 0, res.output
    (second,) = set(RUN_ID.findall(res.output))
    assert second != first
    table = _invoke(work, ["diff", first, second], env=env)
    assert table.exit_code == 0, table.output
    assert "persisting" in table.output and "esc\\x1b[31mred" in table.output
    assert not RAW_CONTROL.search(table.output)
    as_json = _invoke(work, ["diff", first, second, "--format", "json"], env=env)
    d = json.loads(as_json.output)
    assert P_ESC in {r["provider"] for r in d["persisting"]}  # JSON: the exact value
    for args in (["runs"], ["quarantine"]):
        res = _invoke(work, args, env=env)
        assert res.exit_code == 0, res.output
        assert not RAW_CONTROL.search(res.output), args
    assert "@data/requests.csv:3 [issuing_party]" in _invoke(work, ["quarantine"], env=env).output


def test_check_error_reason_escaped_in_terminal_and_junit(hostile, monkeypatch, tmp_path):
    """A check that crashes with control characters in its message: the audit prints the reason
    escaped, and junit.xml (the case's error text) stays valid XML."""
    import dataclasses

    from auditor.engine import registry

    def crash(ctx):
        raise ValueError(CRASH)

    registry.load_all()
    monkeypatch.setitem(registry._REGISTRY, "REC001", dataclasses.replace(registry._REGISTRY["REC001"], func=crash))
    work, env = hostile["work"], {**hostile["env"], "AUDITOR_DB_URL": f"sqlite:///{tmp_path / 'crash.db'}"}
    assert _invoke(work, ["-q", "ingest", "--data", "@data"], env=env).exit_code == 0
    res = _invoke(work, ["audit", "--as-of", AS_OF], env=env)
    assert res.exit_code == 0, res.output
    assert "ERROR in REC001: ValueError: \\x1b[2J=boom\\x07\\u202e" in res.output
    assert not RAW_CONTROL.search(res.output)
    rep = _invoke(work, ["report", "--out", str(tmp_path / "r"), "--format", "md"], env=env)
    assert rep.exit_code == 0, rep.output
    root = ET.parse(tmp_path / "r" / "junit.xml").getroot()
    errors = [e.text for e in root.iter("error")]
    assert errors and all(t == "ValueError: \\x1b[2J=boom\\x07\\u202e" for t in errors)


def test_printable_and_json_for_terminal():
    assert textsafe.printable("a\x1b[31mb\r\n\t\x00\x7f\x9b\u202e\u2028\ud800\\x") == (
        "a\\x1b[31mb\\x0d\\x0a\\x09\\x00\\x7f\\x9b\\u202e\\u2028\\ud800\\x")
    assert textsafe.printable("two\nlines\tok\x1b", lines=True) == "two\nlines\tok\\x1b"
    assert textsafe.printable(None) == "" and textsafe.printable(3) == "3"
    value = {"p": "\x9b2J\u202e\x1b\u2028é"}
    text = textsafe.json_for_terminal(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value and not RAW_CONTROL.search(text) and "é" in text


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=20), st.text(max_size=20))
def test_junit_always_well_formed(model, name, reason):
    m = {**model, "findings": [{**f, "provider": name, "request_id": name + "x", "message": reason}
                               for f in model["findings"]],
         "checks": [{**c, "reason": reason, "outcome": "error" if c["id"] == "SEC001" else c["outcome"]}
                    for c in model["checks"]],
         "scope": [{**r, "party": name or r["party"]} for r in model["scope"]]}
    root = junit.build(m)
    ET.indent(root)
    ET.fromstring(ET.tostring(root, encoding="utf-8"))


# ---------------------------------------------------------------- 3. file names


def test_report_file_names_bounded_hashed_and_linked(hostile):
    out = hostile["out"]
    names = [p.name for p in (out / "provider").iterdir()] + [p.name for p in (out / "party").iterdir()]
    for name in names:
        assert SLUG_FILE.match(name), name
        stem = name.rsplit(".", 1)[0]
        assert len(stem) <= aggregate.SLUG_MAX + 1 + aggregate.SLUG_HASH, name
        assert stem.lower() not in aggregate.RESERVED_SLUGS, name
    stems = {n.rsplit(".", 1)[0] for n in names if n.endswith(".html")}
    h = aggregate.name_hash
    assert "l" + "o" * 63 + "-" + h(P_LONG) in stems  # cut, with the name's hash
    assert h(P_LONG) == hashlib.sha256(P_LONG.encode()).hexdigest()[:10]
    assert {f"ex_mple-{h(P_CASE_A)}", f"ex_mple-{h(P_CASE_B)}"} <= stems  # collision: both hashed
    assert f"con-{h(P_RESERVED)}" in stems
    assert "___a_b_c" in stems and "_hyperlink__http___evil_example___x__" in stems
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="((?:party|provider)/[^"#]+)"', index)
    assert len(hrefs) >= 10
    for href in hrefs:
        assert (out / href).is_file(), href
    md = (out / "index.md").read_text(encoding="utf-8")
    for href in re.findall(r"\]\(((?:party|provider)/[^)]+)\)", md):
        assert (out / href).is_file(), href
    long_page = (out / "provider" / f"{'l' + 'o' * 63}-{h(P_LONG)}.json").read_text(encoding="utf-8")
    assert json.loads(long_page)["name"] == P_LONG
    assert not [p for p in out.iterdir() if p.name.startswith(PREFIX)]  # no staging folder left


def test_slug_rules():
    assert aggregate.provider_slug("a.b C") == "a_b_c"
    assert aggregate.provider_slug("-x") == "_x"
    assert aggregate.provider_slug("") == "_"
    assert aggregate.provider_slug("nul") == f"nul-{aggregate.name_hash('nul')}"
    assert aggregate.party_slug("lpt1") == f"LPT1-{aggregate.name_hash('lpt1')}"
    long = "x" * 300
    assert aggregate.provider_slug(long) == "x" * 64 + "-" + aggregate.name_hash(long)
    assert aggregate.provider_slug(long) == aggregate.provider_slug(long)  # stable


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=6, unique=True))
def test_slug_map_is_safe_and_injective(model, names):
    m = {**model, "findings": [{**model["findings"][0], "provider": n, "party": n} for n in names]}
    for kind in ("party", "provider"):
        slugs = aggregate.slug_map(m, kind)
        assert len({s.lower() for s in slugs.values()}) == len(slugs)
        for name, slug in slugs.items():
            assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]*", slug), slug
            assert len(slug) <= aggregate.SLUG_MAX + 1 + 64
            assert slug.lower() not in aggregate.RESERVED_SLUGS
            if len(slug) > aggregate.SLUG_MAX + 1 + aggregate.SLUG_HASH:  # only for a name like a hashed slug
                assert slug.endswith(hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest())


def test_colliding_slugs_keep_the_lossless_name(model, tmp_path):
    model["findings"][0]["provider"] = "mail co"
    model["findings"][1]["provider"] = "mail_co"
    slugs = aggregate.slug_map(model, "provider")
    assert slugs["mail_co"] == "mail_co"
    assert slugs["mail co"] == "mail_co-" + aggregate.name_hash("mail co")


# ---------------------------------------------------------------- 4. chart text


def test_dollar_names_are_text_not_mathtext(model, tmp_path, monkeypatch):
    """``$\\undefinedmacro$`` as a Party, provider, family and instrument name: every chart is
    drawn (matplotlib would raise on the mathtext)."""
    monkeypatch.setenv("AUDITOR_REPORT_WORKERS", "0")
    bad = "$\\undefinedmacro$"
    for f in model["findings"]:
        if f["party"] == "FR":
            f["party"], f["provider"] = bad, bad + " p"
    for r in model["scope"] + model["requests_by"] + model["response_times"]:
        if r["party"] == "FR":
            r["party"], r["provider"] = bad, bad + " p"
    model["checks"][1]["family"] = bad
    model["response_times"][0]["instrument"] = bad
    model["deadlines"][bad] = 5
    write_reports(model, tmp_path, formats=("html",))
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.count("data:image/png;base64,") >= 5
    party_pages = list((tmp_path / "party").glob("*.html"))
    assert any("data:image/png;base64," in p.read_text(encoding="utf-8") for p in party_pages)


@pytest.mark.filterwarnings("ignore:Tight layout not applied")
def test_chart_functions_draw_hostile_labels():
    from reports import charts

    bad = "$\\frac{$ \x1b[31m_" + "w" * 80
    assert charts.compliance_rate_chart([{"name": bad, "compliance_rate": 0.5}])[0].startswith(b"\x89PNG")
    assert charts.trend_chart({bad: {"2025-01": 2, "2025-02": 3}}, "t $x$")[0].startswith(b"\x89PNG")
    heat = {"parties": [bad], "families": [bad], "cells": {bad: {bad: {"rate": 0.5, "evaluated": 9}}}}
    assert charts.heatmap_chart(heat)[0].startswith(b"\x89PNG")
    assert charts.findings_by_family_chart({bad: 3})[0].startswith(b"\x89PNG")
    assert charts._label(bad) == "$\\frac{$ \\x1b[31m_" + "w" * 21 + "…"
    assert charts._label("_x", legend=True) == " _x"


# ---------------------------------------------------------------- 5. all or nothing


def _old_folder(path: Path) -> dict[str, bytes]:
    path.mkdir(parents=True)
    # an earlier set (a folder with a user's file is refused before rendering: test_one_run_folder)
    (path / "index.md").write_text("old", encoding="utf-8")
    (path / "summary.json").write_text('{"old": true}', encoding="utf-8")
    return {p.name: p.read_bytes() for p in path.iterdir()}


def _snapshot(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def test_failed_rendering_leaves_the_folder_as_it_was(hostile, monkeypatch, tmp_path):
    import reports.markdown

    def broken(*a, **k):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(reports.markdown, "render_index", broken)
    work, env = hostile["work"], {**hostile["env"], "AUDITOR_HELPERS": "0"}
    old = tmp_path / "old"
    before = _old_folder(old)
    res = _invoke(work, ["report", "--out", str(old), "--format", "md", "--format", "csv"], env=env)
    assert res.exit_code == 4, res.output
    assert "Error: rendering the reports of run run-" in res.output and "renderer bug" in res.output
    assert "Fix: the audit is stored: render it again with `auditor report --run run-" in res.output
    assert _snapshot(old) == before
    fresh = tmp_path / "fresh" / "reports"
    res = _invoke(work, ["report", "--out", str(fresh), "--format", "md"], env=env)
    assert res.exit_code == 4 and not fresh.parent.exists()


def test_full_disk_is_a_usage_error_and_writes_nothing(hostile, monkeypatch, tmp_path):
    import reports.jsonio

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(reports.jsonio, "dump", full)
    old = tmp_path / "old"
    before = _old_folder(old)
    res = _invoke(hostile["work"], ["report", "--out", str(old), "--format", "json"],
                  env={**hostile["env"], "AUDITOR_HELPERS": "0"})
    assert res.exit_code == 2, res.output
    assert "could not be written" in res.output and "No space left on device" in res.output
    assert "auditor report --run run-" in res.output
    assert _snapshot(old) == before


def test_staging_commits_whole_and_cleans_up(tmp_path):
    out = tmp_path / "out"
    from reports.staging import _host

    stale = out / f"{PREFIX}999999999-dead-{_host()}"
    stale.mkdir(parents=True)  # left by a killed rendering on this host: removed by the next one
    elsewhere = out / f"{PREFIX}999999999-dead-other.host"
    elsewhere.mkdir()  # another host's (a shared disk): left alone
    with Staging(out) as stage:
        (stage.dir / "party").mkdir()
        a, b = stage.dir / "summary.json", stage.dir / "party" / "FR.md"
        a.write_text("s", encoding="utf-8")
        b.write_text("p", encoding="utf-8")
        assert stage.commit([a, b]) == [out / "summary.json", out / "party" / "FR.md"]
    assert {k: v for k, v in _snapshot(out).items() if k != "manifest.json"} == {"summary.json": b"s",
                                                                               "party/FR.md": b"p"}
    assert [p for p in out.iterdir() if p.name.startswith(PREFIX)] == [elsewhere]
    with pytest.raises(ReportError), Staging(tmp_path / "new") as stage:
        (stage.dir / "x").write_text("x", encoding="utf-8")
        raise ReportError("boom")
    assert not (tmp_path / "new").exists()
