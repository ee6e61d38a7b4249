"""Roll-up of a Party log to a provider's layout, and reconciliation against published figures."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.transparency.reconcile import (
    REPORT_KEYS,
    STATUSES,
    classify,
    reconcile_log,
    rows_for_report,
)
from auditor.transparency.rollup import rollup
from auditor.transparency.store import import_file, load_rows

MS_FILE = "microsoft_lerr_2025H1.csv"
MS_METRICS = {
    "requests": "requests",
    "accounts_specified": "accounts_specified",
    "disclosed_content": "content_disclosed",
    "disclosed_noncontent": "noncontent_disclosed",
    "no_data_found": "no_data",
    "rejected": "rejected",
}


def _published(realdata, country: str) -> dict[str, dict[str, int]]:
    """The published Microsoft 2025-H1 rows of one country, read straight from the CSV."""
    out = {}
    with (realdata / MS_FILE).open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["country"] == country:
                process = {"criminal": "criminal", "emergencies": "emergency"}[row["section"]]
                out[process] = {m: int(row[c]) for c, m in MS_METRICS.items()}
    return out


def _noise(make_log):
    """Requests that must not count: another Party, another provider, outside 2025-H1."""
    frames = [
        make_log(
            "IE",
            "google",
            datetime(2025, 2, 1, tzinfo=UTC),
            30,
            {"criminal": {"requests": 5}},
            prefix="N1",
        ),
        make_log(
            "FR",
            "microsoft",
            datetime(2025, 2, 1, tzinfo=UTC),
            30,
            {"criminal": {"requests": 7}},
            prefix="N2",
        ),
        make_log(
            "IE",
            "microsoft",
            datetime(2024, 12, 31, 12, tzinfo=UTC),
            0,
            {"criminal": {"requests": 1}},
            prefix="N3",
        ),
        make_log(
            "IE",
            "microsoft",
            datetime(2025, 7, 1, 0, 30, tzinfo=UTC),
            0,
            {"emergency": {"requests": 2}},
            prefix="N4",
        ),
    ]
    return frames


def test_synthetic_log_reproduces_microsoft_row_exactly(realdata, engine, make_log):
    """Ireland, 2025-H1: 88 criminal requests with 40 content disclosures, and 4 emergency requests
    naming only 3 accounts; the roll-up gives the published row, cell for cell."""
    published = _published(realdata, "Ireland")
    assert published["criminal"]["content_disclosed"] == 40
    req, dis = make_log("IE", "microsoft", datetime(2025, 1, 1, tzinfo=UTC), 180, published)
    parts = [(req, dis), *_noise(make_log)]
    requests = pd.concat([p[0] for p in parts], ignore_index=True)
    disclosures = pd.concat([p[1] for p in parts], ignore_index=True)
    got = rollup(requests, disclosures, "IE", "microsoft", periods=None)
    h1 = got[got["period"] == "2025-H1"]
    for process, counts in published.items():
        for metric, value in counts.items():
            cell = h1[(h1["process"] == process) & (h1["metric"] == metric)]
            assert int(cell["logged"].iloc[0]) == value, (process, metric)
    # the noise dated outside the half-year lands in its own periods
    assert set(got["period"]) == {"2024-H2", "2025-H1", "2025-H2"}
    assert got[(got["period"] == "2024-H2") & (got["metric"] == "requests")]["logged"].sum() == 1
    # and against the imported file every cell is consistent
    import_file(engine, realdata / MS_FILE, "microsoft")
    cells = reconcile_log(requests, disclosures, load_rows(engine), "IE", "microsoft")
    assert len(cells) == 12
    assert set(cells["status"]) == {"consistent"}
    assert set(cells["source_file"]) == {MS_FILE}


def test_under_and_over_logging_and_coverage(realdata, engine, make_log):
    import_file(engine, realdata / MS_FILE, "microsoft")
    published = _published(realdata, "Ireland")
    fewer = {
        "criminal": {**published["criminal"], "requests": 80, "rejected": 19},
        "emergency": published["emergency"],
    }
    req, dis = make_log("IE", "microsoft", datetime(2025, 1, 1, tzinfo=UTC), 180, fewer)
    cells = reconcile_log(req, dis, load_rows(engine), "IE", "microsoft").set_index("metric")
    assert cells.at["requests (criminal)", "status"] == "under_logged"
    assert cells.at["requests (criminal)", "logged"] == 80
    assert cells.at["requests (criminal)", "published_low"] == 88
    assert cells.at["rejected (criminal)", "status"] == "under_logged"
    assert cells.at["no_data (criminal)", "status"] == "consistent"
    more = {"criminal": {**published["criminal"], "requests": 95, "no_data": 20}}
    req, dis = make_log("IE", "microsoft", datetime(2025, 1, 1, tzinfo=UTC), 180, more)
    cells = reconcile_log(req, dis, load_rows(engine), "IE", "microsoft").set_index("metric")
    assert cells.at["no_data (criminal)", "status"] == "over_logged"
    # a log that starts in 2025-H2 says nothing about 2025-H1: no cells
    req, dis = make_log("IE", "microsoft", datetime(2025, 8, 1, tzinfo=UTC), 30, published)
    assert reconcile_log(req, dis, load_rows(engine), "IE", "microsoft").empty


def test_log_covering_part_of_a_published_year_is_not_comparable(realdata, engine, make_log):
    import_file(engine, realdata / "github_cross_border_data_requests.csv", "github")
    import_file(engine, realdata / "github_cross_border_data_requests_by_half.csv", "github")
    req, dis = make_log(
        "FR", "github", datetime(2025, 1, 5, tzinfo=UTC), 150, {"criminal": {"requests": 4}}
    )
    cells = reconcile_log(req, dis, load_rows(engine), "FR", "github").set_index("period")
    assert cells.loc["2025-H1", "status"] == "consistent"  # GitHub published 4 for France, 2025-H1
    assert cells.loc["2025", "status"] == "not_comparable"
    assert cells.loc["2025", "note"].startswith("the Party log covers only part of this period")
    assert set(cells.index) == {"2025", "2025-H1"}


def test_unpublished_party_is_read_as_zero(realdata, engine, make_log):
    """Microsoft lists no row for Iceland in 2025-H1: logged requests there are over-logged."""
    import_file(engine, realdata / MS_FILE, "microsoft")
    req, dis = make_log(
        "IS", "microsoft", datetime(2025, 1, 1, tzinfo=UTC), 100, {"criminal": {"requests": 3}}
    )
    cells = reconcile_log(req, dis, load_rows(engine), "IS", "microsoft")
    row = cells[cells["metric"] == "requests (criminal)"].iloc[0]
    assert row["status"] == "over_logged" and row["published_high"] == 0
    assert "published no row" in row["note"]


def test_google_percentage_bounds_the_disclosed_count(realdata, engine, make_log):
    import_file(engine, realdata / "google_global_user_data_requests.csv", "google")
    rows = load_rows(engine, provider="google", party="AR", period="2022-H2")
    other = rows[rows["process"] == "other_legal"].set_index("metric")
    n, pct = int(other.at["requests", "value"]), float(other.at["pct_disclosed", "value"])
    k = round(n * pct / 100)
    req, dis = make_log(
        "AR",
        "google",
        datetime(2022, 7, 1, tzinfo=UTC),
        180,
        {"criminal": {"requests": n, "noncontent_disclosed": k}},
    )
    cells = reconcile_log(req, dis, load_rows(engine), "AR", "google").set_index("metric")
    cell = cells.loc["requests_disclosed (Other Legal Requests)"]
    assert cell["status"] == "consistent"
    assert cell["published_low"] <= k <= cell["published_high"]
    assert (n, pct) == (696, 77)  # 77 % of 696 requests: 76 % .. 78 % of 696 = 528.96 .. 542.88
    assert (cell["published_low"], cell["published_high"]) == (529, 542)
    # one disclosure fewer than the percentage allows is under-logging
    req, dis = make_log(
        "AR",
        "google",
        datetime(2022, 7, 1, tzinfo=UTC),
        180,
        {"criminal": {"requests": n, "noncontent_disclosed": 528}},
    )
    cells2 = reconcile_log(req, dis, load_rows(engine), "AR", "google").set_index("metric")
    assert cells2.loc["requests_disclosed (Other Legal Requests)", "status"] == "under_logged"
    assert "bounded by the published" in cell["note"]
    assert cells.loc["requests (Other Legal Requests)", "status"] == "consistent"


def test_hong_kong_register_against_seven_providers(realdata, any_engine):
    engine = any_engine
    for name, provider in [
        ("hongkong_requests_company_source_2010-2014.csv", "hongkong"),
        ("hongkong_year_totals_government_source.csv", "hongkong-government"),
        (
            "hongkong_gov_requests_to_providers_government_source_2010-2013.csv",
            "hongkong-government",
        ),
    ]:
        import_file(engine, realdata / name, provider)
    rows = pd.DataFrame(rows_for_report(engine))
    assert list(rows.columns) == list(REPORT_KEYS)
    assert set(rows["status"]) <= set(STATUSES)
    ud = rows[rows["metric"] == "requests (Users' Information Disclosure)"].set_index("period")
    # the register's own periods only (year totals win over the per-department detail file)
    assert list(ud.index) == ["2010", "2011", "2012", "2013"]
    c2013 = ud.loc["2013"]
    assert c2013["logged"] == 5511
    # 36 + 26 + 600 + 941 + 1384 + Twitter "<10" (1..9)
    assert (c2013["published_low"], c2013["published_high"]) == (2988, 2996)
    assert c2013["status"] == "not_comparable"
    assert c2013["note"].startswith("scope gap:")
    assert "exceeds them by 2515..2523" in c2013["note"]
    assert c2013["provider"] == "apple+facebook+google+microsoft+twitter+yahoo"
    # a register below what providers alone published is under-logging, scope cannot explain it
    assert ud.loc["2012", "status"] == "under_logged"
    assert (ud.loc["2012", "logged"], ud.loc["2012", "published_low"]) == (47, 1041 + 447)


def test_classify():
    assert classify(5, 5, 5) == "consistent"
    assert classify(5, 0, 249) == "consistent"
    assert classify(4, 5, 9) == "under_logged"
    assert classify(10, 5, 9) == "over_logged"
    assert classify(5, 3, 2) == "not_comparable"
    assert classify(5, None, None) == "not_comparable"


def test_rows_for_report_empty_without_imports(engine):
    assert rows_for_report(engine) == []


def test_report_model_carries_reconciliation(sample_run):
    from auditor.audit import build_model
    from auditor.store import db

    model = build_model(db.get_engine(f"sqlite:///{sample_run['db']}"), None)
    assert model["reconciliation"] == []


def _cli(args, db_path):
    return CliRunner().invoke(main, [*args, "--db", f"sqlite:///{db_path}"])


def test_cli_end_to_end_through_ingest(realdata, tmp_path, make_log, write_log):
    """A canonical data folder for the Netherlands is ingested, Microsoft's file imported, and
    `auditor reconcile` finds every 2025-H1 cell consistent; JSON, CSV and chart are written."""
    from tests.conftest import SAMPLE  # noqa: PLC0415

    published = _published(realdata, "Netherlands")
    req, dis = make_log("NL", "microsoft", datetime(2025, 1, 2, tzinfo=UTC), 175, published)
    data = write_log(req, dis, tmp_path / "data", SAMPLE)
    dbp = tmp_path / "t.db"
    res = _cli(["ingest", "--data", str(data)], dbp)
    assert res.exit_code in (0, 1), res.output
    res = _cli(["transparency", "import", "--provider", "microsoft", str(realdata / MS_FILE)], dbp)
    assert res.exit_code == 0, res.output
    assert "116 row(s) read, 115 stored" in res.output and "not_a_party 1" in res.output
    res = _cli(["transparency", "quarantine", "--format", "json"], dbp)
    q = json.loads(res.output)
    assert [(r["source_row"], r["reason"]) for r in q] == [(112, "not_a_party")]  # file line 112
    res = _cli(
        [
            "reconcile",
            "--party",
            "NL",
            "--provider",
            "microsoft",
            "--format",
            "json",
            "--out",
            str(tmp_path / "rec"),
        ],
        dbp,
    )
    assert res.exit_code == 0, res.output
    cells = json.loads(res.output)
    assert len(cells) == 12 and {c["status"] for c in cells} == {"consistent"}
    assert {c["logged"] for c in cells if c["metric"] == "requests (criminal)"} == {208.0}
    assert (tmp_path / "rec" / "reconciliation.png").stat().st_size > 1000
    assert len(json.loads((tmp_path / "rec" / "reconciliation.json").read_text())) == 12
    from auditor.store import db  # noqa: PLC0415

    report_rows = rows_for_report(db.get_engine(f"sqlite:///{dbp}"))
    assert len(report_rows) == 12
    assert {(r["party"], r["provider"], r["period"], r["status"]) for r in report_rows} == {
        ("NL", "microsoft", "2025-H1", "consistent")
    }
    assert all(list(r) == list(REPORT_KEYS) for r in report_rows)
    res = _cli(
        [
            "transparency",
            "show",
            "--provider",
            "microsoft",
            "--party",
            "NL",
            "--period",
            "2025-H1",
            "--format",
            "json",
        ],
        dbp,
    )
    shown = json.loads(res.output)
    assert len(shown) == 12
    assert {(r["metric"], r["value"]) for r in shown if r["process"] == "criminal"} >= {
        ("requests", 208.0)
    }
    assert all(r["source_file"] == MS_FILE and r["source_row"] for r in shown)


def test_cli_errors(realdata, tmp_path):
    dbp = tmp_path / "t.db"
    res = _cli(["transparency", "import", "--provider", "google", str(realdata / MS_FILE)], dbp)
    assert res.exit_code == 3 and "fits no google adapter" in res.output
    res = _cli(["reconcile", "--party", "NL"], dbp)
    assert res.exit_code == 2 and "no transparency report imported" in res.output
    res = _cli(["reconcile", "--party", "Atlantis"], dbp)
    assert res.exit_code == 2
    res = _cli(
        [
            "transparency",
            "import",
            "--provider",
            "github",
            str(realdata / "github_requests_received_and_disclosed.csv"),
        ],
        dbp,
    )
    assert res.exit_code == 0
    res = _cli(["transparency", "check", "--provider", "github"], dbp)
    assert res.exit_code == 1 and "TR-02" in res.output


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_cli_show_table_and_json(realdata, tmp_path, fmt):
    dbp = tmp_path / "t.db"
    _cli(
        [
            "transparency",
            "import",
            "--provider",
            "apple",
            str(realdata / "apple_national_security_ranges_2013H1-2025H1.csv"),
        ],
        dbp,
    )
    res = _cli(
        ["transparency", "show", "--provider", "apple", "--period", "2014-H2", "--format", fmt], dbp
    )
    assert res.exit_code == 0
    if fmt == "json":
        rows = json.loads(res.output)
        req = [r for r in rows if r["party"] == "US" and r["metric"] == "requests"][0]
        assert (req["value"], req["low"], req["high"]) == (None, 250.0, 499.0)
    else:
        assert "national_security" in res.output and "250" in res.output


def test_log_selection_tolerates_missing_values_and_spelling():
    from auditor.transparency.rollup import select_log

    r = pd.DataFrame(
        {
            "issuing_party": pd.array(["NL", None, "NL", "FR"], dtype="string"),
            "provider": pd.array([None, "microsoft", " Microsoft ", "microsoft"], dtype="string"),
        }
    )
    assert list(select_log(r, "nl", "microsoft").index) == [2]
