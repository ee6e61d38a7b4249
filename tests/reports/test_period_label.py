"""``compare.period_label``: the stored timestamp form is labelled from its text (no parsing of
each of a million distinct timestamps); every other form, and every invalid one, as pandas
parses it. The fast path must give exactly what parsing gives."""

from __future__ import annotations

import datetime
import random

import pytest

from reports import compare

ODD = ["2025-02-30T10:00:00Z", "2025-13-01T00:00:00Z", "2025-02-28T24:00:00Z", "2025-02-28T23:60:00Z",
       "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2025-10-31T23:30:00-05:00", "2025-10-31",
       "garbage", "2025-03-01T00:00:00.5Z", "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", ""]


@pytest.mark.parametrize("gran", ["month", "quarter"])
def test_fast_label_equals_the_parsed_label(gran):
    rng = random.Random(7)
    base = datetime.datetime(1990, 1, 1, tzinfo=datetime.UTC)
    stamps = [(base + datetime.timedelta(seconds=rng.randrange(0, 60 * 365 * 86400))).strftime("%Y-%m-%dT%H:%M:%SZ")
              for _ in range(2000)]
    for stamp in ODD + stamps:
        expected = compare._period_label(stamp, gran) if stamp else ""
        assert compare.period_label(stamp, gran) == expected, stamp


def test_labels_at_the_quarter_boundaries():
    assert compare.period_label("2025-03-31T23:59:59Z", "quarter") == "2025-Q1"
    assert compare.period_label("2025-04-01T00:00:00Z", "quarter") == "2025-Q2"
    assert compare.period_label("2025-12-31T23:59:59Z", "month") == "2025-12"
    assert compare.period_label("2025-02-30T00:00:00Z", "month") == ""  # no such day: unknown, as parsed
