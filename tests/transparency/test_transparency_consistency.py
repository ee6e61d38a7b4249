from __future__ import annotations

from datetime import date

import pandas as pd

from auditor.transparency.consistency import check
from auditor.transparency.model import ROW_COLUMNS
from auditor.transparency.store import import_file, load_rows


def _rows(cells: list[tuple]) -> pd.DataFrame:
    """(adapter, source_row, period, party, process, metric, value, is_total) -> normalised rows."""
    spans = {
        "2024-H1": (date(2024, 1, 1), date(2024, 6, 30)),
        "2024-H2": (date(2024, 7, 1), date(2024, 12, 31)),
        "2025-H1": (date(2025, 1, 1), date(2025, 6, 30)),
        "2025-H2": (date(2025, 7, 1), date(2025, 12, 31)),
        "2024": (date(2024, 1, 1), date(2024, 12, 31)),
    }
    out = []
    for adapter, row, period, party, process, metric, value, total in cells:
        out.append(
            {
                "provider": "p",
                "side": "provider",
                "adapter": adapter,
                "source_file": "f.csv",
                "source_row": row,
                "period": period,
                "period_start": spans[period][0],
                "period_end": spans[period][1],
                "party": party,
                "country_label": party,
                "authority": None,
                "process_published": process,
                "process": process,
                "metric": metric,
                "published_metric": metric,
                "value": value,
                "low": value,
                "high": value,
                "unknown_reason": None if value is not None else "blank",
                "is_total": total,
                "note": None,
            }
        )
    return pd.DataFrame(out, columns=list(ROW_COLUMNS))


def _ms(row, party, req, content, noncontent, nodata, rejected, period="2025-H1"):
    return [
        ("microsoft_lerr", row, period, party, "criminal", m, v, False)
        for m, v in [
            ("requests", req),
            ("content_disclosed", content),
            ("noncontent_disclosed", noncontent),
            ("no_data", nodata),
            ("rejected", rejected),
        ]
    ]


def test_clean_report_has_no_findings():
    rows = _rows(_ms(2, "AT", 10, 1, 5, 2, 2) + _ms(3, "BE", 4, None, 3, None, 1))
    assert check(rows).empty


def test_parts_that_do_not_add_up_cite_file_and_row():
    rows = _rows(
        _ms(2, "AT", 10, 1, 5, 2, 2)
        + _ms(3, "BE", 10, 1, 5, 2, 1)
        + _ms(4, "CH", 3, None, 4, None, 0)
    )
    f = check(rows)
    assert list(f["check_id"]) == ["TR-01", "TR-01"]
    assert list(f["source_row"]) == [3, 4]
    assert set(f["source_file"]) == {"f.csv"} and set(f["family"]) == {"transparency"}
    assert "= 9 but requests = 10" in f["message"].iloc[0]


def test_more_disclosures_than_requests_and_percentage_mismatch():
    rows = _rows(
        [
            ("apple_government", 2, "2025-H1", "FR", "account", "requests", 10, False),
            ("apple_government", 2, "2025-H1", "FR", "account", "requests_disclosed", 12, False),
            ("apple_government", 3, "2025-H1", "DE", "account", "requests", 7, False),
            ("apple_government", 3, "2025-H1", "DE", "account", "requests_disclosed", 2, False),
            ("apple_government", 3, "2025-H1", "DE", "account", "pct_disclosed", 33, False),
            ("apple_government", 4, "2025-H1", "ES", "account", "requests", 7, False),
            ("apple_government", 4, "2025-H1", "ES", "account", "requests_disclosed", 2, False),
            ("apple_government", 4, "2025-H1", "ES", "account", "pct_disclosed", 29, False),
        ]
    )
    f = check(rows).set_index("source_row")
    assert f.loc[2, "check_id"] == "TR-02"
    assert f.loc[3, "check_id"] == "TR-03"
    assert 4 not in f.index  # 2/7 = 28.6 % rounds to 29 %


def test_missing_and_overlapping_periods():
    gap = _rows(
        [
            ("x", 2, "2024-H1", "FR", "all", "requests", 1, False),
            ("x", 3, "2025-H1", "FR", "all", "requests", 1, False),
        ]
    )
    f = check(gap)
    assert list(f["check_id"]) == ["TR-04"] and "2024-H1 and 2025-H1" in f["message"].iloc[0]
    overlap = _rows(
        [
            ("x", 2, "2024", "FR", "all", "requests", 1, False),
            ("x", 3, "2024-H2", "FR", "all", "requests", 1, False),
        ]
    )
    assert list(check(overlap)["check_id"]) == ["TR-05"]


def test_total_rows_checked_against_their_detail():
    rows = _rows(
        [
            ("t", 2, "2024", "HK", "user_data", "requests", 5, False),
            ("t", 3, "2024", "HK", "content_removal", "requests", 6, False),
            ("t", 4, "2024", "HK", "total", "requests", 12, True),
        ]
    )
    f = check(rows)
    assert list(f["check_id"]) == ["TR-06"] and list(f["source_row"]) == [4]


def test_real_github_anomalies_are_flagged(realdata, engine):
    import_file(engine, realdata / "github_requests_received_and_disclosed.csv", "github")
    import_file(engine, realdata / "github_requests_received_and_disclosed_by_half.csv", "github")
    f = check(load_rows(engine, provider="github"))
    more = f[f["check_id"] == "TR-02"]
    assert set(more["period"]) == {"2021"} and len(more) == 3
    assert more["message"].str.contains("269 > requests = 183").any()
    gaps = f[f["check_id"] == "TR-04"]
    assert list(gaps["message"]) == ["no figures published between 2024-H1 and 2025-H1"]


def test_real_microsoft_outcomes_partition_requests(realdata, engine):
    import_file(engine, realdata / "microsoft_lerr_2025H1.csv", "microsoft")
    assert check(load_rows(engine)).empty  # the source note's invariant holds on every row


def test_real_hong_kong_totals_add_up(realdata, engine):
    import_file(
        engine, realdata / "hongkong_year_totals_government_source.csv", "hongkong-government"
    )
    assert check(load_rows(engine)).empty
