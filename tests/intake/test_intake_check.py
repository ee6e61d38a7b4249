"""`auditor intake check` says what a profile leaves out before anything is stored: unmapped
columns, unmapped values with counts, required columns missing, checks NOT EVALUATED; exit 1
when something blocks, 2 on a profile that cannot be used (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from auditor.cli import main

INTAKE = Path(__file__).resolve().parents[2] / "sample_data" / "intake"


def _incomplete(tmp_path: Path) -> Path:
    """The wide profile with a required column, a check's column and one instrument label left out."""
    text = (INTAKE / "wide.toml").read_text(encoding="utf-8")
    for cut in ('"Angeforderte Daten" = "data_requested"\n', '"Begründung des Eilfalls" = "emergency_justification"\n',
                '"Art. 7 Direktanordnung" = "cets224_art7"\n'):
        assert cut in text
        text = text.replace(cut, "")
    text = text.replace("[tables.requests.values.data_requested]", "[tables.requests.values.data_requested_gone]", 1)
    text = text.split("[tables.requests.values.data_requested_gone]")[0] + "[tables.requests.values.emergency]" + \
        text.split("[tables.requests.values.emergency]", 1)[1]
    path = tmp_path / "incomplete.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_lists_what_an_incomplete_profile_leaves_out(tmp_path):
    profile = _incomplete(tmp_path)
    result = CliRunner().invoke(main, ["intake", "check", "--data", str(INTAKE / "wide"), "--mapping", str(profile)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "export_anordnungen.csv -> requests (622 row(s))" in out
    assert "UNMAPPED columns (2), not read: Angeforderte Daten, Begründung des Eilfalls" in out
    assert "REQUIRED column(s) missing: data_requested" in out
    # the label left out of the instrument map, with its count; never an identifier's value
    assert 'Rechtsinstrument -> instrument: value "Art. 7 Direktanordnung": not in the mapping for instrument' in out
    assert "NEC001: column(s) emergency_justification of requests not mapped" in out
    assert "NOT READY" in out
    assert "@mail.example" not in out and "DE-2025-" not in out


def test_check_json_counts_match_the_export_and_the_shipped_profile_is_ready(tmp_path):
    result = CliRunner().invoke(main, ["intake", "check", "--data", str(INTAKE / "wide"),
                                       "--mapping", str(_incomplete(tmp_path)), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    req = next(s for s in report["sources"] if s["table"] == "requests")
    art7 = next(p for p in req["problems"] if p["value"] == "Art. 7 Direktanordnung")
    rows = (INTAKE / "wide" / "export_anordnungen.csv").read_text(encoding="utf-8").count(",Art. 7 Direktanordnung,")
    assert art7["rows"] == rows > 100
    assert {n["check_id"] for n in report["not_evaluated"]} >= {"NEC001"}
    ok = CliRunner().invoke(main, ["intake", "check", "--data", str(INTAKE / "wide"),
                                   "--mapping", str(INTAKE / "wide.toml")])
    assert ok.exit_code == 0, ok.output
    assert "Every check of the selected packs has the columns it needs." in ok.output


def test_check_refuses_a_profile_with_an_unknown_column(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[profile]\nname = "x"\n[tables.requests.columns]\n"Ref" = "request_number"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["intake", "check", "--data", str(INTAKE / "wide"), "--mapping", str(bad)])
    assert result.exit_code == 2
    assert "request_number" in result.output and "Fix:" in result.output


def test_check_predicts_the_rows_the_canonical_sample_quarantines(tmp_path):
    """On the canonical sample, check names exactly the four rows ingest quarantines (README:
    requests rows 3125-3127, disclosures row 2955), before anything is stored."""
    profile = tmp_path / "canonical.toml"
    profile.write_text('[profile]\nname = "canonical"\n[tables.requests]\nfiles = ["requests.csv"]\n'
                       '[tables.disclosures]\nfiles = ["disclosures.csv"]\n', encoding="utf-8")
    sample = Path(__file__).resolve().parents[2] / "sample_data"
    result = CliRunner().invoke(main, ["intake", "check", "--data", str(sample), "--mapping", str(profile),
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    found = sorted((s["table"], p["column"], tuple(p["first_rows"]), p["value"])
                   for s in report["sources"] for p in s["problems"])
    assert found == [
        ("disclosures", "request_id", (2955,), None),
        ("requests", "data_requested", (3127,), "subscriber;passwords"),
        ("requests", "issued_at", (3125,), None),
        ("requests", "receiving_party", (3126,), "Atlantis"),
    ]
    assert report["not_evaluated"] == []
