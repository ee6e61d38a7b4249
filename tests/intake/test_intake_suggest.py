"""`auditor intake suggest` proposes every mapping the shipped examples need, marks each guess,
and lists what it cannot match (issue 23)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.ingest.mapping import apply, load_profile, rows_selected
from auditor.ingest.normalise import canonical_column
from auditor.ingest.schema import TABLES
from auditor.intake.sources import read_file, resolve

INTAKE = Path(__file__).resolve().parents[2] / "sample_data" / "intake"


_READ: dict = {}


def _read(path: Path, sheet: str | None, header_row: int):
    key = (path, sheet, header_row)  # each file is read once for both profiles
    if key not in _READ:
        _READ[key] = read_file(path, sheet, header_row)
    return _READ[key]


def _canonical_frames(profile_path: Path, data: Path) -> dict[str, pd.DataFrame]:
    """Every table as the profile maps it (A's ``apply``, the function ingest uses)."""
    profile = load_profile(profile_path)
    out: dict[str, pd.DataFrame] = {}
    read = {}
    for table, m in profile.tables.items():
        if m.source is not None:
            continue
        pairs, missing = resolve(data, m.files, m.sheets, table)
        assert not missing
        read[table] = [_read(p, s, m.header_row) for p, s in pairs]
    for table, m in profile.tables.items():
        parts = []
        for src in read[m.source or table]:
            frame = src.frame[rows_selected(src.frame, m)] if m.source else src.frame
            mapped, _ = apply(frame, m, TABLES[table])
            # as the contract's normaliser then reads it ("Police" and "police" are one value)
            spec = TABLES[table]
            parts.append(pd.DataFrame({c: canonical_column(mapped[c], spec.column(c), b"k") for c in mapped.columns}))
        out[table] = pd.concat(parts, ignore_index=True)
    return out


@pytest.mark.parametrize("name", ["fr_tableur", "wide"])
def test_suggest_proposes_every_mapping_the_example_needs_each_guess_marked(tmp_path, name):
    draft = tmp_path / "draft.toml"
    result = CliRunner().invoke(main, ["intake", "suggest", "--data", str(INTAKE / name), "--out", str(draft)])
    assert result.exit_code == 0, result.output
    assert "Confirm every GUESS" in result.output
    text = draft.read_text(encoding="utf-8")
    # the draft, used as it is, maps the export exactly as the shipped, confirmed profile does
    got = _canonical_frames(draft, INTAKE / name)
    want = _canonical_frames(INTAKE / f"{name}.toml", INTAKE / name)
    assert set(got) == set(want)
    for table in want:
        pd.testing.assert_frame_equal(got[table], want[table], check_like=True, obj=table)
    # every mapping line that is not the contract's own name is marked as a guess
    doc = tomllib.loads(text)
    section = None
    for line in text.splitlines():
        if line.startswith("["):
            section = line
            continue
        m = re.match(r'^"([^"]+)" = "([^"]*)"', line)
        if not m or section is None:
            continue
        if section.endswith(".columns]") and m.group(1) == m.group(2):
            assert "GUESS" not in line, line  # exact: the contract's own header
        elif section.endswith(".columns]") or ".values." in section and "known name" not in line:
            assert line.endswith(")") and "# GUESS: confirm" in line, line
    for table in doc["tables"].values():
        for spec in table.get("dates", {}).values():
            assert "tz" not in spec or spec["tz"] == {"fr_tableur": "Europe/Paris", "wide": "Europe/Berlin"}[name]
    assert all("GUESS: confirm" in ln for ln in text.splitlines() if re.match(r"^\w+ = \{ format", ln)
               and "%H" in ln)
    # what it cannot match is listed for the user; no identifier column's value is shown
    assert "@mail.example" not in text and "FR-2025-" not in text and "DE-2025-" not in text
    if name == "fr_tableur":
        assert "Headers read as French." in text
        assert '# "Observations" = ""  # UNMATCHED header' in text
        assert '# "abonné;mots de passe" = ""  # UNMATCHED value (1 row)' in text
    else:
        assert "Headers read as German." in text
        assert 'from = "requests"' in text and 'when_any = ["Antwortdatum"]' in text


def test_date_order_is_a_marked_guess_when_no_day_is_above_12():
    from auditor.intake.suggest import suggest_date

    both = pd.Series(["05/02/2025 10:00", "11/03/2025 09:00"], dtype="string")
    fmt, tz, note = suggest_date(both, "fr", None, typed=False)
    assert (fmt, tz) == ("%d/%m/%Y %H:%M", "Europe/Paris")
    assert "no day above 12" in note and "day first assumed" in note and note.startswith("GUESS: confirm")
    assert suggest_date(both, "en", None, typed=False)[:2] == ("%m/%d/%Y %H:%M", "UTC")
    clear = pd.Series(["25/02/2025 10:00", "11/03/2025 09:00", "soon"], dtype="string")
    fmt, tz, note = suggest_date(clear, "en", "Europe/Dublin", typed=False)
    assert (fmt, tz) == ("%d/%m/%Y %H:%M", "Europe/Dublin")
    assert "day first" in note and "1 distinct value(s) do not match it" in note
    assert suggest_date(pd.Series(["2025-02-25", "2025-03-11T10:00:00Z"], dtype="string"), "de", None, False) == \
        (None, None, "")
