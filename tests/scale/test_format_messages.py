"""``runner.format_messages``: a finding's message built column by column is the text the
row-by-row way gives (``template.format_map`` of each row's values through ``_fmt``) for every
kind of column a check returns: text with missing values, dates with and without a time (UTC,
another zone, before 1970, out of the four-digit years), nullable integers, floats (NaN, -0.0,
infinities, whole numbers), booleans, mixed objects and categories; and for templates with
missing fields, escaped braces, format specs and positional fields."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.engine import runner
from tests.conftest import examples

_TEXT = st.one_of(st.none(), st.just(""), st.text(max_size=6), st.sampled_from(["{x}", "}", "é", "😀", "\n"]))
_STAMP = st.one_of(
    st.none(),
    st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                 max_value=pd.Timestamp("2200-01-01").to_pydatetime()),
    st.sampled_from([pd.Timestamp("2025-04-20").to_pydatetime(), pd.Timestamp("2025-04-20 00:00:59").to_pydatetime(),
                     pd.Timestamp("1969-12-31 23:59:30").to_pydatetime(),
                     pd.Timestamp("2025-04-20 00:01").to_pydatetime()]),
)
_FLOAT = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([0.0, -0.0, 1.0, 1e22, 0.1, 2.5, 1e-05, float("nan")]))
_OBJECT = st.one_of(st.none(), st.just(float("nan")), st.just(pd.NaT), st.just(pd.NA), st.integers(-3, 3),
                    st.sampled_from([1.0, True, False, 1.5]), st.text(max_size=3))


def _column(kind: str, values: list) -> pd.Series:
    if kind == "text":
        return pd.Series(values, dtype="string")
    if kind == "str":
        return pd.Series(values, dtype="str")
    if kind == "utc":
        return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]").dt.tz_localize("UTC")
    if kind == "zoned":
        return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]").dt.tz_localize("UTC").dt.tz_convert("Asia/Kolkata")
    if kind == "naive":
        return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
    if kind == "Int64":
        return pd.Series(values, dtype="Int64")
    if kind == "float64":
        return pd.Series([math.nan if v is None else v for v in values], dtype="float64")
    if kind == "Float64":
        return pd.Series(values, dtype="Float64")
    if kind == "boolean":
        return pd.Series(values, dtype="boolean")
    if kind == "bool":
        return pd.Series([bool(v) for v in values], dtype=bool)
    if kind == "category":
        return pd.Series(values, dtype="category")
    return pd.Series(values, dtype=object)


_KINDS = {
    "text": _TEXT, "str": _TEXT, "utc": _STAMP, "zoned": _STAMP, "naive": _STAMP,
    "Int64": st.one_of(st.none(), st.integers(-10**12, 10**12)), "float64": _FLOAT,
    "Float64": st.one_of(st.none(), st.floats(allow_nan=False)), "boolean": st.one_of(st.none(), st.booleans()),
    "bool": st.booleans(), "category": st.one_of(st.none(), st.sampled_from(["a", "b", "c"])), "object": _OBJECT,
}


@st.composite
def _frames(draw):
    n = draw(st.integers(1, 12))
    kinds = draw(st.lists(st.sampled_from(sorted(_KINDS)), min_size=1, max_size=4))
    frame = pd.DataFrame({f"c{i}": _column(k, draw(st.lists(_KINDS[k], min_size=n, max_size=n)))
                          for i, k in enumerate(kinds)})
    names = [*frame.columns, "absent"]
    pieces = draw(st.lists(st.one_of(st.sampled_from(names).map(lambda c: "{" + c + "}"),
                                     st.sampled_from(["Request ", " lacks ", "{{", "}}", "", "; ", "é"])),
                           min_size=1, max_size=8))
    return frame, "".join(pieces)


@settings(max_examples=examples(300), deadline=None)
@given(_frames())
def test_column_by_column_is_the_row_by_row_text(case):
    frame, template = case
    assert runner.format_messages(template, frame) == runner._row_messages(template, frame)


@pytest.mark.parametrize("template", [
    "Request {c0:>8} of {c1}",  # a format spec
    "Request {c0!r}",  # a conversion
    "Request {c0[0]}",  # an index
])
def test_templates_the_columns_cannot_fill_go_row_by_row(template):
    frame = pd.DataFrame({"c0": pd.Series(["r-1", None], dtype="string"), "c1": pd.Series([1.0, 2.5])})
    assert runner.format_messages(template, frame) == runner._row_messages(template, frame)


def test_a_positional_field_fails_as_before():
    frame = pd.DataFrame({"c0": ["r-1"]})
    with pytest.raises(ValueError, match="positional"):
        runner._row_messages("Request {}", frame)
    with pytest.raises(ValueError, match="positional"):
        runner.format_messages("Request {}", frame)


def test_the_texts_a_finding_message_shows():
    frame = pd.DataFrame({
        "request_id": pd.Series(["r-1", None, "r-3"], dtype="string"),
        "at": pd.Series(pd.to_datetime(["2025-04-20 08:45:02", "2025-04-20 00:00:00", None]), dtype="datetime64[ns]"
                        ).dt.tz_localize("UTC"),
        "days": pd.Series([3.0, 2.5, np.nan]),
        "late": pd.Series([True, None, False], dtype="boolean"),
    })
    got = runner.format_messages("Request {request_id} on {at}: {days} days, late {late}, {missing}", frame)
    assert got == [
        "Request r-1 on 2025-04-20 08:45 UTC: 3 days, late True, {missing}",
        "Request unknown on 2025-04-20: 2.5 days, late unknown, {missing}",
        "Request r-3 on unknown: unknown days, late False, {missing}",
    ]


def test_a_lone_surrogate_is_joined_in_python():
    frame = pd.DataFrame({"c0": pd.Series(["a\ud800b", "ok"], dtype=object)})
    assert runner.format_messages("x {c0} y", frame) == ["x a\ud800b y", "x ok y"]
