"""``textsafe.csv_bytes``: the bytes pandas writes for ``findings.csv`` (``csv_frame`` then
``to_csv(index=False, lineterminator="\\n")``), made with Arrow's string kernels: quoting,
doubled quotes, the formula guard, NULLs, booleans and the header line, on hostile text."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import textsafe
from tests.conftest import examples

#: the characters the CSV writer and the formula guard look at, and some they must leave alone
_TRICKY = st.sampled_from(["a", ",", '"', "\n", "\r", "=", "+", "-", "@", "\t", " ", "'", "é", "€", "\x00",
                           "\u2028", "\ufeff", "\\", ";"])
_TEXT = st.one_of(st.none(), st.just(""), st.text(_TRICKY, min_size=1, max_size=6), st.text(max_size=8))


def _pandas(columns: list[list], header: bool) -> bytes:
    names = [f"c{i}" for i in range(len(columns))]
    frame = pd.DataFrame(dict(zip(names, columns, strict=True)), columns=names)
    return textsafe.csv_frame(frame).to_csv(index=False, header=header, lineterminator="\n").encode("utf-8")


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(st.lists(_TEXT, min_size=n, max_size=n), min_size=2, max_size=5),
    st.one_of(st.none(), st.lists(st.booleans(), min_size=n, max_size=n),
              st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)),
    st.booleans())))
def test_the_bytes_pandas_writes(case):
    texts, flags, header = case
    columns = [*texts, *([flags] if flags is not None else [])]
    names = [f"c{i}" for i in range(len(columns))]
    assert textsafe.csv_bytes(columns, names if header else None) == _pandas(columns, header)


def test_the_cells_at_the_boundaries():
    """A formula's first character gets its ``'`` and the cell is quoted only when it holds a
    comma, a quote or a line end; a CR alone is quoted exactly as the csv module does it."""
    columns = [["=SUM(A1)", "a,b", 'say "hi"', "two\nlines", "cr\ronly", "", None, "-1", "plain"],
               [True, False, None, True, False, True, False, True, False]]
    got = textsafe.csv_bytes(columns, ["c0", "c1"])
    assert got == _pandas(columns, header=True)
    lines = got.decode().split("\n")
    assert lines[0] == "c0,c1" and lines[1] == "'=SUM(A1),True" and lines[2] == '"a,b",False'
    assert lines[3] == '"say ""hi""",' and lines[4] == '"two' and lines[5] == 'lines",True'


def test_what_it_leaves_to_pandas():
    """Numbers, dates or mixed values, and a single column (whose empty cell the csv module
    quotes), give None: the caller writes those with pandas. No rows: the header alone."""
    assert textsafe.csv_bytes([["a", 1], ["b", "c"]], ["x", "y"]) is None
    assert textsafe.csv_bytes([[1.5, None], ["b", "c"]]) is None
    assert textsafe.csv_bytes([["", "a"]], ["x"]) is None
    assert textsafe.csv_bytes([[], []], ["x", "y"]) == b"x,y\n"
    assert textsafe.csv_bytes([[], []]) == b""
