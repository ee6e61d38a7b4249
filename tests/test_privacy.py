"""No subscriber identifier appears in clear in any output, the database or the console."""

from __future__ import annotations

import sqlite3

from tests.conftest import SAMPLE


def _clear_identifiers() -> list[str]:
    import pandas as pd

    r = pd.read_csv(SAMPLE / "requests.csv", dtype=str)
    return r["subscriber_identifier"].dropna().tolist()


def test_no_identifier_in_any_output_file(sample_run):
    ids = _clear_identifiers()
    probe = [ids[0], ids[len(ids) // 2], ids[-1], "@mail.example"]
    for path in sample_run["out"].rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="ignore")
            for value in probe:
                assert value not in text, f"{value} in {path}"
    for value in probe:
        assert value not in sample_run["output"]


def test_database_holds_only_pseudonyms(sample_run):
    con = sqlite3.connect(sample_run["db"])
    stored = [r[0] for r in con.execute("SELECT subscriber_identifier FROM requests")]
    assert stored and all(v.startswith("psn_") for v in stored if v)
    dump = "\n".join(con.iterdump())
    assert "@mail.example" not in dump


def test_quarantined_row_keeps_only_the_pseudonym(sample_run):
    con = sqlite3.connect(sample_run["db"])
    records = [r[0] for r in con.execute("SELECT record FROM quarantine")]
    assert records and all("@mail.example" not in r for r in records)
    assert any('"subscriber_identifier": "psn_' in r for r in records)


def test_pseudonym_is_keyed_and_stable():
    from auditor.privacy import pseudonymise_value

    a = pseudonymise_value("Alice@Example.org ", b"k1")
    assert a == pseudonymise_value("alice@example.org", b"k1")
    assert a != pseudonymise_value("alice@example.org", b"k2")
    assert "alice" not in a
