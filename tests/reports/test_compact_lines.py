"""``jsonio.compact_lines``: findings.json's lines made with Arrow's string kernels are the text
of the standard library's encoder (``ensure_ascii=False``, compact separators) on hostile text:
quotes, backslashes, every control character, line separators, emoji, NULLs and booleans."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reports import jsonio
from tests.conftest import examples

_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).encode
_TRICKY = st.sampled_from(['"', "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x01", "\x1f", "\x7f", "\u2028",
                           "é", "€", "😀", "/", "<", " ", "a", ","])
_TEXT = st.one_of(st.none(), st.just(""), st.text(_TRICKY, min_size=1, max_size=6), st.text(max_size=8))


def _want(columns: dict[str, list]) -> str:
    keys = list(columns)
    return ",\n".join(_ENCODE(dict(zip(keys, row, strict=True))) for row in zip(*columns.values(), strict=True))


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(1, 10).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(st.text(_TRICKY, min_size=1, max_size=4), st.lists(_TEXT, min_size=n, max_size=n)),
             min_size=1, max_size=4, unique_by=lambda kv: kv[0]),
    st.one_of(st.none(), st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)))))
def test_the_text_of_the_encoder(case):
    texts, flags = case
    columns = dict(texts)
    if flags is not None:
        columns["waived"] = flags
    got = jsonio.compact_lines(columns).decode("utf-8")
    assert got == _want(columns)
    keys = list(columns)
    assert json.loads("[" + got + "]") == [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def test_every_control_character():
    columns = {"message": [chr(c) + "x" for c in range(32)] + ["\\\"", None], "waived": [True] * 32 + [False, None]}
    got = jsonio.compact_lines(columns).decode("utf-8")
    assert got == _want(columns)
    assert '"message":"\\u0000x"' in got and '"message":"\\nx"' in got and '"waived":null' in got


def test_what_it_leaves_to_the_encoder():
    """Numbers, dates, mixed values, no columns and no records give None: the caller encodes them
    record by record as before."""
    assert jsonio.compact_lines({"a": ["x", 1]}) is None
    assert jsonio.compact_lines({"a": [1.5]}) is None
    assert jsonio.compact_lines({}) is None
    assert jsonio.compact_lines({"a": []}) is None
