"""One run audits every instrument present: the default is every shipped pack, ``--pack`` narrows
it (repeatable), and `auditor diff` between a one-pack and an all-pack run explains the
difference instead of calling the missing findings "resolved"."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
AS_OF = "2026-10-31"


def _slice(dst: Path, base: int = 150) -> None:
    """The first ``base`` requests of the sample (CETS 224, mutual assistance, early EU orders)
    and every EU scenario request (EU-...), with their disclosures and custody events."""
    dst.mkdir()
    with (SAMPLE / "requests.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        rows = [r for i, r in enumerate(reader) if i < base or r["request_id"].startswith("EU-")]
    ids = {r["request_id"] for r in rows}
    for name, keep in (("requests.csv", rows), ("disclosures.csv", None), ("custody_events.csv", None)):
        if keep is None:
            with (SAMPLE / name).open(newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                fields = reader.fieldnames
                keep = [r for r in reader if r["request_id"] in ids]
        with (dst / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            w.writerows(keep)
    (dst / "parties.csv").write_bytes((SAMPLE / "parties.csv").read_bytes())


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    work = tmp_path_factory.mktemp("packs")
    _slice(work / "data")
    db = f"sqlite:///{work / 'a.db'}"
    res = CliRunner().invoke(main, ["ingest", "--data", str(work / "data"), "--db", db],
                             env={"AUDITOR_PSEUDONYM_KEY": "k" * 20, "GX_ANALYTICS_ENABLED": "false"})
    assert res.exit_code == 0, res.output
    return work, db


def _audit(db: str, *args: str):
    res = CliRunner().invoke(main, ["audit", "--db", db, "--as-of", AS_OF, *args])
    assert res.exit_code == 0, res.output
    return res.output, re.search(r"Run id: (\S+)", res.output).group(1)


def test_default_audits_both_instruments_and_pack_narrows_it(stored):
    _work, db = stored
    everything, _ = _audit(db)
    assert "packs cets224 2026.12.0, eu2023_1543 2026.12.0" in everything
    cets_only, _ = _audit(db, "--pack", "cets224")
    assert "pack cets224 2026.12.0," in cets_only
    # with the CETS pack alone, the EU orders are outside the audited instruments: counted, not judged
    outside = re.search(r"outside the audited instruments \(counted, not judged\): (\d+) request", cets_only)
    outside_all = re.search(r"outside the audited instruments \(counted, not judged\): (\d+) request", everything)
    assert outside and outside_all and int(outside.group(1)) > int(outside_all.group(1))
    assert "eu_epoc" in cets_only.split("outside the audited instruments")[1]
    both, _ = _audit(db, "--pack", "cets224", "--pack", "eu2023_1543")

    def summary(output: str) -> list[str]:  # the audit's summary lines, without log lines and run ids
        return [re.sub(r"run-\S+", "", line) for line in output.splitlines() if line.startswith(("Audit", "  "))]

    assert summary(both) == summary(everything)
    assert any("findings:" in line for line in summary(everything))


def test_diff_between_a_one_pack_and_an_all_pack_run_explains_the_difference(stored):
    _work, db = stored
    _, one = _audit(db, "--pack", "cets224")
    _, every = _audit(db)
    res = CliRunner().invoke(main, ["diff", one, every, "--db", db, "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["resolved"] == [] and d["new"] == []  # same data, same CETS findings
    assert d["persisting"]
    assert d["not_audited_in_a"] and all(r["check_id"].startswith("EU") for r in d["not_audited_in_a"])
    assert "EU001" in d["checks_only_in_b"] and not d["checks_only_in_a"]
    back = CliRunner().invoke(main, ["diff", every, one, "--db", db])
    assert back.exit_code == 0
    assert "0 new, 0 resolved" in back.output
    assert "were not audited in" in back.output


def test_a_parameter_set_differently_by_two_packs_is_a_usage_error(stored, tmp_path):
    _work, db = stored
    src = (ROOT / "checks" / "packs" / "cets224.toml").read_text()
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    a.write_text(src.replace('name = "cets224"', 'name = "pack_a"'))
    b.write_text(src.replace('name = "cets224"', 'name = "pack_b"').replace(
        "[params.art8_serve_days]\nvalue = 45", "[params.art8_serve_days]\nvalue = 40"))
    res = CliRunner().invoke(main, ["audit", "--db", db, "--as-of", AS_OF, "--pack", str(a), "--pack", str(b)])
    assert res.exit_code == 2, res.output
    assert "both set parameter art8_serve_days" in res.output


def test_checks_list_and_explain_show_kind_and_instruments():
    res = CliRunner().invoke(main, ["checks", "list"])
    assert res.exit_code == 0
    assert re.search(r"^PRO003\s+proportionality\s+\S+\s+advisory", res.output, re.M)
    assert re.search(r"^EU004\s+supervision\s+\S+\s+breach", res.output, re.M)
    listed = json.loads(CliRunner().invoke(main, ["checks", "list", "--format", "json"]).output)
    assert {c["id"] for c in listed} >= {"COM001", "EU001"}  # every pack's checks by default
    assert next(c for c in listed if c["id"] == "AUT001")["scope"] == [
        "cets224_art6", "cets224_art7", "cets224_art8", "cets224_art9", "cets224_art10"]
    explained = CliRunner().invoke(main, ["explain", "RET003"]).output
    assert "Kind: advisory" in explained and "Instruments : cets224_art6" in explained
    assert "do not count for --fail-on" in explained


def test_a_database_of_an_earlier_version_gains_the_new_columns(tmp_path):
    from auditor.store import db

    path = tmp_path / "old.db"
    db.get_engine(f"sqlite:///{path}").dispose()
    con = sqlite3.connect(path)  # as an earlier version left it: no kind/pack/advisory columns
    for table, col in (("findings", "kind"), ("findings", "pack"), ("findings", "request_instrument"),
                       ("check_outcomes", "advisory"), ("check_scope_results", "advisory"),
                       ("requests", "validated_at")):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {col}")
    con.commit()
    con.close()
    engine = db.get_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(findings)")}
        assert {"kind", "pack", "request_instrument"} <= cols
        assert "advisory" in {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(check_outcomes)")}
        assert "validated_at" in {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(requests)")}
    assert db.add_missing_columns(engine.connect()) == []  # nothing left to add
