"""Every real file in shared/realdata that fits an adapter imports with zero unexplained
quarantined rows; specific published cells are spot-checked against the CSV text."""

from __future__ import annotations

import csv

import pytest

from auditor.errors import InputError
from auditor.transparency.adapters import guess_provider, read_file
from auditor.transparency.model import EXPLAINED_REASONS
from auditor.transparency.store import import_file, load_quarantine, load_rows

#: files the adapters are built for (a file missing from this list silently would hide a regression)
EXPECTED_ADAPTED = {
    "apple_government_requests_2013H1-2025H1.csv": "apple",
    "apple_national_security_ranges_2013H1-2025H1.csv": "apple",
    "github_cross_border_data_requests.csv": "github",
    "github_cross_border_data_requests_by_half.csv": "github",
    "github_requests_received_and_disclosed.csv": "github",
    "github_requests_received_and_disclosed_by_half.csv": "github",
    "google_global_user_data_dlr_requests.csv": "google",
    "google_global_user_data_dlr_requests_2023H1-2025H1.csv": "google",
    "google_global_user_data_requests.csv": "google",
    "google_user_data_requests_2009H2-2018H1.csv": "google",
    "hongkong_gov_requests_to_providers_government_source_2010-2013.csv": "hongkong-government",
    "hongkong_requests_company_source_2010-2014.csv": "hongkong",
    "hongkong_year_totals_government_source.csv": "hongkong-government",
    "microsoft_lerr_2025H1.csv": "microsoft",
}


def _csv_row(path, line_no: int) -> dict:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            if i == line_no:
                return row
    raise AssertionError(f"{path.name} has no line {line_no}")


def test_adapters_recognise_the_expected_files(realdata):
    found = {f.name: guess_provider(f) for f in sorted(realdata.glob("*.csv"))}
    adapted = {k: v for k, v in found.items() if v}
    assert adapted == EXPECTED_ADAPTED


@pytest.mark.parametrize("name", sorted(EXPECTED_ADAPTED))
def test_real_file_imports_with_only_explained_quarantine(realdata, engine, name):
    path = realdata / name
    res = import_file(engine, path, EXPECTED_ADAPTED[name])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        data_lines = sum(1 for _ in csv.DictReader(fh))
    assert res.rows_read == data_lines
    assert res.rows_read == res.rows_stored + res.quarantined
    q = load_quarantine(engine)
    assert len(q) == res.quarantined
    assert set(q["reason"]) <= set(EXPLAINED_REASONS), q[
        ["source_row", "reason", "detail"]
    ].to_string()
    assert q["detail"].str.len().gt(0).all()
    stored = load_rows(engine)
    assert stored["source_row"].nunique() == res.rows_stored
    assert (stored["source_file"] == name).all()
    # an exact value has low == high == value; a band has low < high and no value; an unknown none
    exact = stored["value"].notna()
    assert (stored.loc[exact, "low"] == stored.loc[exact, "value"]).all()
    unknown = stored["unknown_reason"].notna()
    assert stored.loc[unknown, ["value", "low", "high"]].isna().all().all()
    assert (stored.loc[~exact & ~unknown, "low"] < stored.loc[~exact & ~unknown, "high"]).all()


def test_reimport_replaces_rather_than_duplicates(realdata, engine):
    path = realdata / "microsoft_lerr_2025H1.csv"
    first = import_file(engine, path, "microsoft")
    import_file(engine, path, "microsoft")
    assert len(load_rows(engine)) == first.values_stored
    assert len(load_quarantine(engine)) == first.quarantined


def test_microsoft_cells_and_labels(realdata, engine):
    path = realdata / "microsoft_lerr_2025H1.csv"
    import_file(engine, path, "microsoft")
    rows = load_rows(engine, provider="microsoft", party="AT", period="2025-H1")
    crim = rows[rows["process"] == "criminal"].set_index("metric")
    line = int(crim["source_row"].iloc[0])
    raw = _csv_row(path, line)
    assert raw["country"] == "Austria" and raw["section"] == "criminal"
    for col, metric in [
        ("requests", "requests"),
        ("accounts_specified", "accounts_specified"),
        ("disclosed_content", "content_disclosed"),
        ("disclosed_noncontent", "noncontent_disclosed"),
        ("no_data_found", "no_data"),
        ("rejected", "rejected"),
    ]:
        assert crim.at[metric, "value"] == float(raw[col])
    # messy labels: 'USA' and 'United States' both US (different sections);
    # the typo 'Cypress' is Cyprus
    us = load_rows(engine, provider="microsoft", party="US")
    assert set(us["country_label"]) == {"USA", "United States"}
    assert set(us["process"]) == {"civil", "criminal", "emergency"}
    assert set(load_rows(engine, provider="microsoft", party="CY")["country_label"]) == {"Cypress"}
    assert set(load_rows(engine, provider="microsoft", party="TR")["country_label"]) == {"Türkiye"}
    # 'To Be Determined' is quarantined with the reason, never guessed
    q = load_quarantine(engine)
    assert list(q["reason"]) == ["not_a_party"]
    assert "To Be Determined" in q["detail"].iloc[0]
    # blank emergency metrics are explicit unknowns, not zeros
    bh = load_rows(engine, provider="microsoft", party="BH").set_index("metric")
    assert bh.at["content_disclosed", "unknown_reason"] == "blank"
    assert bh.at["rejected", "value"] == 2.0


def test_google_current_and_older_edition_agree(realdata, engine):
    import_file(engine, realdata / "google_global_user_data_requests.csv", "google")
    import_file(engine, realdata / "google_user_data_requests_2009H2-2018H1.csv", "google")
    rows = load_rows(engine, provider="google", party="TR", period="2015-H1")
    req = rows[(rows["metric"] == "requests") & (rows["process"] == "other_legal")]
    assert len(req) == 2  # one per edition, same fact
    assert req["value"].nunique() == 1
    # the current edition says Türkiye, the older one Turkey: both are TR
    assert dict(zip(req["source_file"], req["country_label"], strict=True)) == {
        "google_global_user_data_requests.csv": "Türkiye",
        "google_user_data_requests_2009H2-2018H1.csv": "Turkey",
    }
    # 'Accounts' 0 before 2011 in the current edition is an unknown (blank in the older one)
    early = load_rows(engine, provider="google", party="AR", period="2009-H2")
    acc = early[early["metric"] == "accounts_specified"]
    assert acc["value"].isna().all() and acc["unknown_reason"].notna().all()
    # spot check one cell against the CSV line it came from
    cz = load_rows(engine, provider="google", party="CZ", period="2016-H2")
    cell = cz[
        (cz["metric"] == "requests")
        & (cz["source_file"] == "google_global_user_data_requests.csv")
        & (cz["process"] == "other_legal")
    ].iloc[0]
    raw = _csv_row(realdata / "google_global_user_data_requests.csv", int(cell["source_row"]))
    assert raw["CLDR Territory Code"] == "CZ" and raw["Legal Process"] == "Other Legal Requests"
    assert cell["value"] == float(raw["User Data Requests"])


def test_apple_bands_are_intervals(realdata, engine):
    import_file(engine, realdata / "apple_national_security_ranges_2013H1-2025H1.csv", "apple")
    rows = load_rows(engine, provider="apple", party="US", period="2014-H2")
    req = rows[rows["metric"] == "requests"].iloc[0]
    assert (req["low"], req["high"]) == (250.0, 499.0)
    assert req["value"] is None or req["value"] != req["value"]  # None or NaN: no exact value


def test_hong_kong_total_rows_are_recognised(realdata, engine):
    import_file(
        engine, realdata / "hongkong_year_totals_government_source.csv", "hongkong-government"
    )
    rows = load_rows(engine, party="HK", period="2013")
    totals = rows[rows["is_total"]]
    assert set(totals["process_published"]) == {"Total"}
    detail = rows[~rows["is_total"] & (rows["metric"] == "requests")]
    assert detail["value"].sum() == 5511 + 1956
    assert totals.loc[totals["metric"] == "requests", "value"].iloc[0] == 7467


def test_hong_kong_cannot_be_provided_is_an_explicit_unknown(realdata, engine):
    import_file(
        engine,
        realdata / "hongkong_gov_requests_to_providers_government_source_2010-2013.csv",
        "hongkong-government",
    )
    rows = load_rows(engine, party="HK")
    assert (rows["unknown_reason"] == "published as 'Not Available'").any()
    assert rows["side"].eq("party").all()


def test_twitter_below_ten_is_an_interval(realdata, engine):
    import_file(engine, realdata / "hongkong_requests_company_source_2010-2014.csv", "hongkong")
    tw = load_rows(engine, provider="twitter", party="HK", period="2013")
    req = tw[(tw["metric"] == "requests") & (tw["process"] == "user_data")].iloc[0]
    assert (req["low"], req["high"]) == (1.0, 9.0)
    assert "<10" in req["note"]


def test_file_that_fits_no_adapter_names_the_expected_columns(realdata):
    with pytest.raises(InputError) as exc:
        read_file(realdata / "microsoft_lerr_2025H1.csv", "google")
    assert "microsoft_lerr_2025H1.csv" in exc.value.message
    assert "User Data Requests" in exc.value.hint


def test_vendored_copy_matches_shared():
    """tests/transparency/realdata is a byte-for-byte copy of shared/realdata."""
    from tests.transparency.conftest import SHARED_REALDATA, VENDORED_REALDATA

    if not SHARED_REALDATA.is_dir():
        pytest.skip(f"{SHARED_REALDATA} is not next to this clone; the copy is all there is")
    shared = {p.name: p.read_bytes() for p in SHARED_REALDATA.iterdir() if p.is_file()}
    vendored = {p.name: p.read_bytes() for p in VENDORED_REALDATA.iterdir() if p.is_file() and p.name != "README.md"}
    assert shared == vendored
