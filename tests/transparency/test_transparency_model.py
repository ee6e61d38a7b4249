from datetime import date

import pytest

from auditor import iso
from auditor.transparency.model import parse_period, parse_value, pct_bounds


@pytest.mark.parametrize(
    ("raw", "value", "low", "high", "unknown"),
    [
        ("419", 419.0, 419.0, 419.0, None),
        ("1,234", 1234.0, 1234.0, 1234.0, None),
        ("69.8%", 69.8, 69.8, 69.8, None),
        ("0-249", None, 0.0, 249.0, None),
        ("250 - 499", None, 250.0, 499.0, None),
        ("<10", None, 1.0, 9.0, None),
        ("", None, None, None, "blank"),
        ("Cannot be provided", None, None, None, "published as 'Cannot be provided'"),
        ("Not Available", None, None, None, "published as 'Not Available'"),
        ("NA", None, None, None, "published as 'NA'"),
        ("-", None, None, None, "published as '-'"),
        ("about twelve", None, None, None, "unreadable value 'about twelve'"),
    ],
)
def test_parse_value(raw, value, low, high, unknown):
    v = parse_value(raw)
    assert (v.value, v.low, v.high, v.unknown_reason) == (value, low, high, unknown)


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2025-H1", "2025-H1", date(2025, 1, 1), date(2025, 6, 30)),
        ("2013 H2", "2013-H2", date(2013, 7, 1), date(2013, 12, 31)),
        ("2009-12-31", "2009-H2", date(2009, 7, 1), date(2009, 12, 31)),
        ("2010-06-30", "2010-H1", date(2010, 1, 1), date(2010, 6, 30)),
        ("2013", "2013", date(2013, 1, 1), date(2013, 12, 31)),
    ],
)
def test_parse_period(text, label, start, end):
    p = parse_period(text)
    assert (p.label, p.start, p.end) == (label, start, end)


def test_parse_period_rejects_garbage():
    with pytest.raises(ValueError):
        parse_period("Cannot be provided")


def test_integer_percentage_only_bounds_a_count():
    assert pct_bounds(29, 7) == (2, 2)
    assert pct_bounds(0, 250) == (0, 2)
    assert pct_bounds(100, 5) == (5, 5)
    lo, hi = pct_bounds(33, 7)  # 2/7 = 28.6 %, 3/7 = 42.9 %: no count fits
    assert lo > hi
    assert pct_bounds(69.8, 5511, 1) == (3842, 3852)  # 69.7 % .. 69.9 % of 5511; 3846 inside


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Cypress", "CY"),
        ("Kingdom of Bahrain", "BH"),
        ("UAE", "AE"),
        ("USA", "US"),
        ("Macedonia (FYROM)", "MK"),
        ("China mainland", "CN"),
        ("Turks & Caicos Islands", "TC"),
        ("Sint Maarten", "SX"),
    ],
)
def test_country_labels_of_the_real_files(label, code):
    assert iso.normalise(label) == code


def test_unknown_labels_are_not_guessed():
    assert iso.normalise("To Be Determined") is None
    assert iso.normalise("United Nations") is None
    assert iso.normalise("Atlantis") is None
