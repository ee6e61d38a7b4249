"""Mapping profiles (issue 23): profile errors naming file and key, value maps, declared date
formats and time zones (never guessed), constants, one wide row split into a request and its
disclosure, and the profile recorded with the ingest (skip, ledger, report scope)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.errors import ConfigError, ProfileError
from auditor.ingest import mapping
from auditor.ingest.pipeline import ingest_folder
from auditor.ingest.schema import TABLES
from auditor.store import db
from tests.conftest import KEY

REQUESTS = TABLES["requests"]

PROFILE = """\
[profile]
name = "fr-tableur"
version = "2"

[tables.requests]
files = ["journal_*.xlsx"]
sheets = ["2026"]

[tables.requests.columns]
"Référence" = "request_id"
"Date d'émission" = "issued_at"
"Type d'ordre" = "instrument"
"Fournisseur" = "provider"
"Autorité" = "issuing_authority"
"Pays requis" = "receiving_party"
"Données" = "data_requested"
"Urgence" = "emergency"
"Commentaire" = ""

[tables.requests.constants]
issuing_party = "FR"

[tables.requests.dates]
issued_at = { format = "%d/%m/%Y %H:%M", tz = "Europe/Paris" }

[tables.requests.values.instrument]
"Art. 7" = "cets224_art7"
"EPOC" = "eu_epoc"

[tables.requests.values.data_requested]
"abonné" = "subscriber"

[tables.requests.values.emergency]
"Oui" = "true"
"Non" = false

[tables.disclosures]
from = "requests"
when_any = ["Date de réponse"]

[tables.disclosures.columns]
"Référence" = "request_id"
"Date de réponse" = "responded_at"
"Résultat" = "outcome"

[tables.disclosures.dates]
responded_at = { format = "%d/%m/%Y", tz = "Europe/Paris" }

[tables.disclosures.values.outcome]
"communiqué" = "disclosed"
"""


@pytest.fixture(autouse=True)
def _inline_contract_suite(monkeypatch):
    # the contract suite runs in this process (imported once), not in a helper forked per ingest
    monkeypatch.setenv("AUDITOR_GX_WORKER", "0")


def _profile(tmp_path: Path, text: str = PROFILE, name: str = "profil.toml") -> mapping.Profile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return mapping.load_profile(path)


def _apply(tmp_path, frame: dict, text: str = PROFILE):
    prof = _profile(tmp_path, text)
    return mapping.apply(pd.DataFrame(frame), prof.table("requests"), REQUESTS)


# ---------------------------------------------------------------- profile errors
@pytest.mark.parametrize(("edit", "key", "says"), [
    (("[tables.requests]", "[tables.request]"), "tables.request", "unknown table 'request'"),
    (('"Fournisseur" = "provider"', '"Fournisseur" = "fournisseur"'), 'tables.requests.columns."Fournisseur"',
     "'fournisseur' is not a column of the requests table"),
    (('"Fournisseur" = "provider"', '"Fournisseur" = "request_id"'), 'tables.requests.columns."Fournisseur"',
     'source columns "Référence" and "Fournisseur" are both mapped to request_id'),
    (('format = "%d/%m/%Y %H:%M"', 'format = "%d/%m/%Y %Q"'), "tables.requests.dates.issued_at.format",
     "is not a usable strptime format"),
    (('tz = "Europe/Paris" }\n\n[tables.requests.values', 'tz = "Europe/Pariss" }\n\n[tables.requests.values'),
     "tables.requests.dates.issued_at.tz", "unknown time zone 'Europe/Pariss'"),
    (('"EPOC" = "eu_epoc"', '"EPOC" = "eu_order"'), 'tables.requests.values.instrument."EPOC"',
     "maps to 'eu_order', which is not a valid instrument value"),
    (('from = "requests"', 'from = "custody_events"'), "tables.disclosures.from",
     "'custody_events' has no [tables.custody_events] section of its own"),
    (('issuing_party = "FR"', 'issuing_party = "FR"\nprovider = "x"'), "tables.requests.constants.provider",
     'provider is both a constant and mapped from source column "Fournisseur"'),
    (('name = "fr-tableur"', 'nom = "fr-tableur"'), "profile.name", "missing or empty"),
])
def test_a_profile_error_names_the_file_the_key_and_the_fix(tmp_path, edit, key, says):
    with pytest.raises(ProfileError) as err:
        _profile(tmp_path, PROFILE.replace(*edit))
    e = err.value
    assert str(e.message) .startswith(f"{tmp_path / 'profil.toml'}: {key}: ")
    assert says in e.message and e.hint and (e.file, e.key) == (str(tmp_path / "profil.toml"), key)
    assert isinstance(e, ConfigError) and e.exit_code == 2


def test_bad_toml_names_the_line(tmp_path):
    with pytest.raises(ProfileError, match=r"profil\.toml:3: not valid TOML"):
        _profile(tmp_path, '[profile]\nname = "x"\nversion = \n')


# ---------------------------------------------------------------- values, dates, constants
def test_an_unmapped_value_quarantines_the_row_with_its_reason_and_never_a_guess(tmp_path):
    out, defects = _apply(tmp_path, {
        "Type d'ordre": ["EPOC", "cets224_art8", "Ordre art. 7", None, "x@example.org"],
        "Fournisseur": ["m", "m", "m", "m", "m"]})
    # mapped, already canonical (unchanged), unknown (kept as written, a defect), missing (stays missing)
    assert out["instrument"].tolist()[:2] == ["eu_epoc", "cets224_art8"]
    assert pd.isna(out["instrument"].iloc[3])
    assert out["instrument"].iloc[2] == "Ordre art. 7"
    assert [(d.index, d.column) for d in defects] == [(2, "instrument"), (4, "instrument")]
    assert defects[0].reason == (
        'value "Ordre art. 7" not in the mapping for instrument (source column "Type d\'ordre"); '
        "add it under [tables.requests.values.instrument] in profil.toml")
    assert "example.org" not in defects[1].reason  # a value that looks like an identifier is not shown
    assert defects[1].reason.startswith("value not in the mapping for instrument")
    assert str(out["provider"].dtype) == "string" and out["issuing_party"].tolist() == ["FR"] * 5  # constant


def test_a_value_not_in_the_declared_date_format_is_quarantined_naming_the_format(tmp_path):
    out, defects = _apply(tmp_path, {"Date d'émission": ["05/02/2026 10:00", "2026/02/05 10:00", "31/02/2026 10:00"]})
    assert out["issued_at"].iloc[0] == "2026-02-05T09:00:00Z"  # Paris winter time, UTC+1
    assert [d.index for d in defects] == [1, 2]
    assert defects[0].reason == (
        'value does not match the declared date format "%d/%m/%Y %H:%M" for issued_at (source column '
        "\"Date d'émission\"); fix the cell, or the format under [tables.requests.dates] in profil.toml")


def test_local_times_convert_to_utc_exactly_and_dst_gaps_and_overlaps_are_never_guessed(tmp_path):
    out, defects = _apply(tmp_path, {"Date d'émission": [
        "28/03/2026 02:30",  # the day before: UTC+1
        "29/03/2026 02:30",  # 02:00-03:00 does not exist that night in Paris
        "29/03/2026 03:00",  # first minute of summer time: UTC+2
        "25/10/2026 02:30",  # 02:00-03:00 happens twice
        "25/10/2026 03:00",  # back on winter time
        "2026-07-14T12:00:00",  # a cell typed as a date in the spreadsheet: a local time too
    ]})
    assert out["issued_at"].tolist()[::2] == ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-10-25T02:00:00Z"]
    assert out["issued_at"].iloc[5] == "2026-07-14T10:00:00Z"
    reasons = {d.index: d.reason for d in defects}
    assert set(reasons) == {1, 3}
    assert reasons[1].startswith("local time 2026-03-29 02:30:00 does not exist (the clocks go forward) in "
                                 "Europe/Paris, for issued_at")
    assert reasons[3].startswith("local time 2026-10-25 02:30:00 is ambiguous (it occurs twice: the clocks go back)")
    assert out["issued_at"].iloc[1] == "29/03/2026 02:30"  # kept as written for the quarantine record


def test_a_date_only_format_gives_a_bare_date_without_a_zone_shift_and_offsets_are_honoured(tmp_path):
    text = PROFILE.replace('issued_at = { format = "%d/%m/%Y %H:%M", tz = "Europe/Paris" }',
                           'issued_at = { format = "%d.%m.%Y %H:%M %z" }\n'
                           'data_time_from = { format = "%d/%m/%Y", tz = "Pacific/Kiritimati" }')
    out, defects = _apply(tmp_path, {"Date d'émission": ["01.02.2026 10:00 +0530", "01.02.2026 10:00 -0800"],
                                     "data_time_from": ["01/02/2026", "2026-02-03"]}, text)
    assert not defects
    assert out["issued_at"].tolist() == ["2026-02-01T04:30:00Z", "2026-02-01T18:00:00Z"]
    assert out["data_time_from"].tolist() == ["2026-02-01", "2026-02-03"]


def test_unmapped_source_columns_are_named_and_a_canonical_header_passes_through(tmp_path):
    prof = _profile(tmp_path)
    cols = ["Référence", "REFERENCE ", "Commentaire", "offence", "Colonne libre"]
    assert mapping.unmapped_columns(cols, prof.table("requests"), REQUESTS) == ["REFERENCE ", "Colonne libre"]
    out, _ = mapping.apply(pd.DataFrame({c: ["a"] for c in cols}), prof.table("requests"), REQUESTS)
    assert list(out.columns) == ["request_id", "issuing_party", "offence"]  # headers match ignoring case


def test_dump_profile_round_trips_through_tomllib(tmp_path):
    doc = tomllib.loads(PROFILE)
    doc["tables"]["requests"]["columns"]['Quote " and \\ back\tslash'] = "offence"
    text = mapping.dump_profile(doc)
    assert tomllib.loads(text) == doc
    assert 'issued_at = { format = "%d/%m/%Y %H:%M", tz = "Europe/Paris" }' in text
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    assert mapping.load_profile(tmp_path / "p.toml").table("requests").columns['Quote " and \\ back\tslash'] == "offence"


# ---------------------------------------------------------------- through the ingest
HEADER = ["Référence", "Date d'émission", "Type d'ordre", "Fournisseur", "Autorité", "Pays requis", "Données",
          "Urgence", "Commentaire", "Date de réponse", "Résultat", "Colonne libre"]


def _journal(path: Path, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "2025"
    wb.active.append(["ignored sheet"])
    ws = wb.create_sheet("2026")
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_a_wide_workbook_is_split_into_requests_and_disclosures_and_the_profile_recorded(tmp_path, engine, caplog):
    data = tmp_path / "d"
    data.mkdir()
    base = ["Art. 7", "mail", "Parquet", "US", "abonné", "Non", "x"]
    _journal(data / "journal_2026.xlsx", [
        ["R1", "01/02/2026 10:00", *base, "05/02/2026", "communiqué"],
        ["R2", "02/02/2026 10:00", *base, None, None],  # no response yet: no disclosure row
        ["R3", "29/03/2026 02:30", *base, "06/04/2026", "communiqué"],  # a local time that does not exist
        ["R4", "03/02/2026 10:00", *base[:5], "Peut-être", "x", "07/02/2026", "rien"],  # two unmapped values
    ])
    prof = _profile(tmp_path)
    with caplog.at_level("WARNING", logger="auditor.ingest"):
        res = ingest_folder(data, engine, KEY, profile=prof)
    # one warning line for the unmapped column; none for those the disclosures or "" take
    unmapped = [r.getMessage() for r in caplog.records if "not in the mapping profile" in r.getMessage()]
    assert unmapped == [f"{data / 'journal_2026.xlsx'}[2026]: column(s) 'Colonne libre' not in the mapping profile's "
                        '[tables.requests.columns]: ignored (map them, or list them with "" to ignore them '
                        "deliberately)"]
    req, dis = res.count("requests"), res.count("disclosures")
    assert (req.read, req.stored, req.quarantined) == (4, 2, 2)
    assert (dis.read, dis.stored, dis.quarantined) == (3, 1, 2)  # R2 has no response; R3's request is quarantined
    assert req.reconciles and dis.reconciles
    q = res.quarantine.sort_values(["table", "row", "column"])
    label = f"{data / 'journal_2026.xlsx'}[2026]"
    assert set(q["file"]) == {label}
    assert q[["table", "row", "column"]].values.tolist() == [
        ["disclosures", 4, "request_id"], ["disclosures", 5, "outcome"], ["disclosures", 5, "request_id"],
        ["requests", 4, "issued_at"], ["requests", 5, "emergency"]]
    assert "Peut-être" in q[q["column"] == "emergency"]["reason"].iloc[0]
    stored = db.load_table(engine, "disclosures").set_index("disclosure_id")
    assert str(stored.loc["R1:disclosure", "responded_at"]) == "2026-02-05 00:00:00+00:00"
    reqs = db.load_table(engine, "requests").set_index("request_id")
    assert str(reqs.loc["R1", "issued_at"]) == "2026-02-01 09:00:00+00:00"
    assert reqs.loc["R1", "issuing_party"] == "FR" and reqs.loc["R1", "emergency"] == False  # noqa: E712
    files = db.ingests(engine)[-1].files
    assert files[0]["profile"] == {"name": "fr-tableur", "version": "2", "sha256": prof.sha256,
                                   "file": str(tmp_path / "profil.toml")}
    assert files[0]["profile_text"] == PROFILE and files[0]["sheets"] == ["2026"]
    assert files[1]["profile_sha256"] == prof.sha256 and "profile_text" not in files[1]

    # the same files through the same profile: skipped; through another profile: read again
    again = ingest_folder(data, engine, KEY, profile=prof)
    assert [c.skipped for c in again.counts] == [True, True]
    other = _profile(tmp_path, PROFILE.replace('"Peut-être"', '"Oui"').replace('"Oui" = "true"',
                                                                              '"Oui" = "true"\n"Peut-être" = "true"'),
                     name="v3.toml")
    third = ingest_folder(data, engine, KEY, profile=other)
    assert [c.skipped for c in third.counts] == [False, False]
    assert third.count("requests").stored == 1  # R4 now maps; R3 still does not exist in Paris

    # the ledger's digest of the ingest record covers the profile's exact text
    from auditor import ledger

    with engine.connect() as conn:
        before = ledger._ingest_entries(conn)
    import sqlalchemy as sa

    from auditor.store import models

    t = models.Ingest.__table__
    ing = db.ingests(engine)[0]
    tampered = [dict(f) for f in ing.files]
    tampered[0]["profile_text"] = PROFILE.replace("Europe/Paris", "UTC")
    with engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.id == ing.id).values(files=tampered))
        after = ledger._ingest_entries(conn)
    assert before[ing.id].digest != after[ing.id].digest


def test_required_columns_missing_after_mapping_name_the_profile_section(tmp_path, engine):
    data = tmp_path / "d"
    data.mkdir()
    _journal(data / "journal_2026.xlsx", [["R1", "01/02/2026 10:00", "Art. 7", "m", "P", "US", "abonné"]])
    prof = _profile(tmp_path, PROFILE.replace('"Autorité" = "issuing_authority"', '"Autorité" = ""'))
    from auditor.errors import InputError

    with pytest.raises(InputError) as err:
        ingest_folder(data, engine, KEY, profile=prof)
    assert "required column(s) missing after the mapping profile: issuing_authority" in err.value.message
    assert "[tables.requests.columns]" in err.value.hint and "profil.toml" in err.value.hint
    assert not db.ingests(engine)  # nothing stored


def test_cli_mapping_errors_exit_2_before_any_work_and_the_config_key_is_relative(tmp_path):
    from auditor import config
    from auditor.cli import main

    (tmp_path / "bad.toml").write_text(PROFILE.replace("[tables.requests]", "[tables.request]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "--data", str(tmp_path), "--db", f"sqlite:///{tmp_path}/a.db",
                                       "--mapping", str(tmp_path / "bad.toml")])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'bad.toml'}: tables.request: unknown table 'request'" in result.output
    assert not (tmp_path / "a.db").exists()
    (tmp_path / "auditor.toml").write_text('mapping = "profiles/fr.toml"\n', encoding="utf-8")
    dm = config.default_map(config.load(tmp_path / "auditor.toml"), main)
    assert dm["ingest"]["mapping_path"] == str(tmp_path / "profiles" / "fr.toml")
    assert dm["run"]["mapping_path"] == str(tmp_path / "profiles" / "fr.toml")


def test_the_report_scope_names_the_profile(tmp_path):
    from reports.aggregate import mapping_profiles

    inputs = [{"table": "requests", "profile": {"name": "fr", "version": "1", "sha256": "ab"}},
              {"table": "disclosures", "profile": {"name": "fr", "version": "1", "sha256": "ab"}},
              {"table": "parties", "sha256": "cd"}]
    assert mapping_profiles(inputs) == [{"name": "fr", "version": "1", "sha256": "ab",
                                         "tables": ["requests", "disclosures"]}]
    assert json.dumps(mapping_profiles([{"table": "requests"}])) == "[]"
    from reports.html import environment

    scope = {"run_id": "r", "as_of": "2026-06-30", "period": {"from": None, "to": None}, "packs": [],
             "pack": "p", "pack_version": "1", "audited_instruments": None, "tool_version": "t", "inputs": [],
             "params": []}
    for lang, label in (("en", "Mapping profile"), ("fr", "Profil de correspondance")):
        macro = environment(lang).from_string('{% from "macros.html" import scope_block %}{{ scope_block(s) }}')
        page = macro.render(s={**scope, "mapping_profiles": mapping_profiles(inputs)})
        assert f'{label}</th><td id="mapping-profiles">fr {"version"} 1' in page and "SHA-256 ab" in page
        assert label not in macro.render(s=scope)  # a run without a profile: no row (and no error)


def test_an_empty_value_map_maps_nothing_and_set_elements_map_one_by_one(tmp_path):
    """An empty ``[values.x]`` section is no error (canonical values pass, others are quarantined);
    a ``;`` set cell maps element by element when no whole-cell key matches."""
    text = PROFILE.replace('[tables.requests.values.emergency]', '[tables.requests.values.provider]\n\n'
                           '[tables.requests.values.emergency]').replace(
        '"abonné" = "subscriber"', '"abonné" = "subscriber"\n"trafic" = "traffic"')
    out, defects = _apply(tmp_path, {"Type d'ordre": ["EPOC", "EPOC", "EPOC", "EPOC"],
                                     "Données": ["abonné;trafic", "trafic ; abonné", "abonné;mots de passe",
                                                 "subscriber;trafic"]}, text)
    assert out["data_requested"].tolist()[:2] == ["subscriber;traffic", "traffic;subscriber"]
    assert out["data_requested"].iloc[3] == "subscriber;traffic"  # a canonical element passes as it is
    assert [(d.index, d.column) for d in defects] == [(2, "data_requested")]  # one unknown element: never a guess


def test_date_cells_need_no_format_but_text_then_is_refused(tmp_path):
    text = PROFILE.replace('issued_at = { format = "%d/%m/%Y %H:%M", tz = "Europe/Paris" }',
                           'issued_at = { tz = "Europe/Paris" }')
    out, defects = _apply(tmp_path, {"Date d'émission": ["2026-02-05T10:00:00", "05/02/2026 10:00"]}, text)
    assert out["issued_at"].iloc[0] == "2026-02-05T09:00:00Z"  # a cell typed as a date, Paris time
    assert [d.index for d in defects] == [1]
    assert "not a cell typed as a date" in defects[0].reason and "declare its format" in defects[0].reason
