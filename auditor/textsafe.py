"""The escaping rules for stored text that leaves the program (importable without pandas).

Values in the outputs come from the data (provider names, request ids, messages), the waivers
file (reasons) or the database, so they can hold anything. Three rules, shared by every writer:

- **CSV** (``csv_cell``, ``csv_frame``, ``write_csv``): a text cell that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return is written with a ``'`` in front, so a
  spreadsheet shows it as text and never runs it as a formula (the OWASP rule for CSV
  injection). Numbers are written as they are. The JSON outputs keep the exact values.
- **Terminal and XML** (``printable``): control characters (C0 including tab, newline and
  carriage return; DEL; C1 such as the 8-bit CSI), the Unicode bidirectional controls, the line
  and paragraph separators, lone surrogates and the non-characters U+FFFE/U+FFFF are shown as
  ``\\xNN`` / ``\\uNNNN``, so no escape sequence reaches a terminal raw, a printed row stays on
  one line, and the text is valid XML 1.0. Backslashes are left as they are.
- **JSON printed to a terminal** (``json_for_terminal``): the same characters, which
  ``json.dumps(..., ensure_ascii=False)`` leaves raw, become ``\\uNNNN`` escapes: the same
  JSON values, nothing raw on the terminal.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

#: what an identifier looks like, wherever it sits: an e-mail address or handle, a long digit
#: run (IMEI, IMSI, account), a phone number (7+ digits with only separators), an IPv4 or IPv6
#: address, a MAC address, a URL
IDENTIFYING = "|".join((
    r"@",
    r"[0-9]{9,}",
    r"^[+(]?[0-9](?:[ ().\-/]*[0-9]){6,}\)?$",
    r"(?:^|[^0-9])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:$|[^0-9])",
    r"(?:[0-9A-Fa-f]{0,4}:){2,}[0-9A-Fa-f]{0,4}",
    r"://|(?i:www\.)",
))

#: :data:`IDENTIFYING` plus a phone number inside a sentence, for free text written by people
#: (the workbench's answers and reasons): an international number ("call +33 6 12 34 56 78
#: today") and the five-pair national form ("06 12 34 56 78"). Not in the ingest's rule, whose
#: columns are single values (there the phone rule is anchored so that dates and references are
#: not quarantined); a date (2026-11-02, 02.11.2026), an article (Art. 14(3)) or a reference
#: (2026/114) matches neither.
SENTENCE_IDENTIFYING = "|".join((
    IDENTIFYING,
    r"(?<![\w+])\+[0-9](?:[ ().\-/]{0,2}[0-9]){6,}",
    r"(?<![\w.:/\-])0[1-9](?:[ .\-][0-9]{2}){4}(?![\w]|[.\-/][0-9])",
))

#: first characters that make a spreadsheet read a cell as a formula (OWASP: CSV injection)
FORMULA_FIRST: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = "^[=+\\-@\t\r]"  # the same, as a regular expression (pyarrow's RE2)

#: the characters beyond C0 that no output shows raw (a regular-expression class body): DEL and
#: C1, the bidirectional controls, the line separators, lone surrogates and non-characters
OTHER_CONTROLS = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_UNSAFE = re.compile("[\x00-\x1f" + OTHER_CONTROLS + "]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f" + OTHER_CONTROLS + "]")  # the same but tab and newline
# what json.dumps(ensure_ascii=False) leaves raw of the above (it escapes \x00-\x1f itself)
_JSON_RAW = re.compile("[" + OTHER_CONTROLS + "]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(value: Any, lines: bool = False) -> str:
    """``value`` as text safe for a terminal line and for XML: control characters (see the
    module) shown as ``\\xNN`` / ``\\uNNNN``; None is ``""``. ``lines``: newlines and tabs
    stay (a message of several lines)."""
    if value is None:
        return ""
    text = value if value.__class__ is str else str(value)
    unsafe = _UNSAFE_KEEP_LINES if lines else _UNSAFE
    return unsafe.sub(_escape, text) if unsafe.search(text) else text


def json_for_terminal(text: str) -> str:
    """A JSON document (from ``json.dumps(..., ensure_ascii=False)``) with the characters a
    terminal could act on escaped as ``\\uNNNN``: the same JSON values. (They can only occur
    inside JSON strings, where the escape stands for the same character.)"""
    return _JSON_RAW.sub(_json_escape, text) if _JSON_RAW.search(text) else text


def csv_cell(value: Any) -> Any:
    """``value`` as written to a CSV cell: text that a spreadsheet would read as a formula
    gets a ``'`` in front; anything else (numbers, None, other text) is unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_FIRST:
        return "'" + value
    return value


def _text_column(column: Any) -> Any:
    """The Arrow string array of a text column (no copy when it is Arrow-backed), or None when
    it holds anything but text and nulls."""
    import pyarrow as pa  # noqa: PLC0415

    try:
        return pa.array(column, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError):
        return None


def _csv_quoted_re() -> str:
    """The characters that make the csv module (QUOTE_MINIMAL, ``"\\n"`` line ends) put a cell
    in quotes, as a regular expression: a comma, a quote, LF and, in the Python versions that do
    (3.11 does not), CR. Asked of the module itself, once."""
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    global _CSV_QUOTED  # noqa: PLW0603
    if _CSV_QUOTED is None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(["a\rb", "c"])
        _CSV_QUOTED = '[,"\n\r]' if buf.getvalue().startswith('"') else '[,"\n]'
    return _CSV_QUOTED


_CSV_QUOTED: str | None = None


def text_bytes(arr: Any) -> tuple[Any, Any]:
    """(bytes, starts) of an Arrow string array: its UTF-8 data as a numpy ``uint8`` view (no
    copy) and each value's first byte offset into it (``len(arr) + 1`` offsets, the last one the
    end). For whole-column tests that cost a ``memchr`` instead of a kernel call per value."""
    import numpy as np  # noqa: PLC0415

    _validity, offsets, data = arr.buffers()
    starts = np.frombuffer(offsets, dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    if data is None or starts[-1] == starts[0]:
        return np.empty(0, dtype=np.uint8), starts - starts[0]
    return np.frombuffer(data, dtype=np.uint8)[starts[0]:starts[-1]], starts - starts[0]


def starting_with(arr: Any, firsts: tuple[str, ...]) -> Any:
    """A numpy bool per value of the Arrow string array ``arr``: does it start with one of the
    one-byte characters ``firsts`` (False for empty values and NULLs)."""
    import numpy as np  # noqa: PLC0415

    data, starts = text_bytes(arr)
    begin, end = starts[:-1], starts[1:]
    hit = np.zeros(len(arr), dtype=bool)
    some = end > begin
    hit[some] = np.isin(data[begin[some]], np.frombuffer("".join(firsts).encode("ascii"), dtype=np.uint8))
    return hit


def arrow_columns(columns: list[Any]) -> list[Any] | None:
    """``columns`` (lists of one length, or Arrow arrays) as Arrow arrays: text and None as a
    string array, booleans and None as a boolean one; None when a list holds anything else. The
    one conversion :func:`csv_bytes` and ``reports.jsonio.compact_lines`` share."""
    import pyarrow as pa  # noqa: PLC0415

    out = []
    for values in columns:
        if isinstance(values, pa.Array):
            out.append(values)
            continue
        try:
            out.append(pa.array(values, type=pa.string()))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, UnicodeError):
            if not all(v is None or v.__class__ is bool for v in values):
                return None
            out.append(pa.array(values, type=pa.bool_()))
    return out


def csv_bytes(columns: list[Any], names: list[str] | None = None) -> bytes | None:
    """The UTF-8 bytes ``csv_frame(pd.DataFrame(...)).to_csv(index=False, lineterminator="\\n")``
    writes of these ``columns`` (lists of one length, or :func:`arrow_columns`; ``names``: the
    header line, None: no header), made with Arrow's string kernels instead of a Python call per
    cell: a text cell a spreadsheet would run as a formula gets its ``'`` (:func:`csv_cell`), a
    cell holding a comma, a quote or LF (and CR, in Python versions whose csv module quotes it)
    is quoted with its quotes doubled (the csv module's QUOTE_MINIMAL), None is empty, a boolean
    ``True`` or ``False``. None when a column holds anything else, or there is only one column
    (the caller writes it with pandas). A column none of whose bytes is a comma, quote or line
    end, and none of whose values starts as a formula, is written as it is (one ``memchr`` per
    character). ``tests/reports/test_csv_bytes.py`` compares the bytes with pandas' on hostile
    text."""
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    arrays = arrow_columns(columns)
    if arrays is None:
        return None
    quoting = _csv_quoted_re()
    special = [c.encode() for c in ',"\n\r' if c in quoting]
    cells = []
    for arr in arrays:
        if pa.types.is_boolean(arr.type):
            cells.append(pc.fill_null(pc.if_else(arr, "True", "False"), ""))
            continue
        formula = starting_with(arr, FORMULA_FIRST)
        if formula.any():
            arr = pc.if_else(pa.array(formula), pc.binary_join_element_wise("'", arr, ""), arr)
        raw = text_bytes(arr)[0].tobytes()  # one copy; then a memchr per character
        if any(raw.find(c) >= 0 for c in special):
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
            arr = pc.if_else(pc.match_substring_regex(arr, quoting), quoted, arr)
        cells.append(pc.fill_null(arr, ""))
    head = b""
    if names is not None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(names)
        head = buf.getvalue().encode("utf-8")
    if not cells or not len(cells[0]):
        return head
    if len(cells) == 1:  # the csv module quotes an empty cell that is alone on its line
        return None
    parts: list[Any] = []
    for cell in cells:
        parts += [cell, ","]
    parts[-1] = "\n"
    lines = pc.binary_join_element_wise(*parts, "")  # each line with its end
    return head + text_bytes(lines)[0].tobytes()


def csv_frame(frame: Any) -> Any:
    """``frame`` (a pandas DataFrame) with ``csv_cell`` applied to every text cell: the frame
    itself when no cell needs it, else a copy. Vectorised (pyarrow): a column without a cell to
    change costs one scan."""
    import numpy as np  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    out = None
    for i, dtype in enumerate(frame.dtypes):
        if dtype.kind != "O":  # object and text columns; numbers are never changed
            continue
        column = frame.iloc[:, i]
        arr = _text_column(column)
        if arr is None:  # mixed values (text and numbers, booleans...): cell by cell
            values = column.to_numpy(dtype=object)
            changed = [csv_cell(v) for v in values]
            if all(a is b for a, b in zip(changed, values, strict=True)):
                continue
            new = np.empty(len(changed), dtype=object)
            new[:] = changed
        else:
            hit = pc.match_substring_regex(arr, _FORMULA_RE).fill_null(False)
            if not pc.any(hit).as_py():
                continue
            new = column.to_numpy(dtype=object, na_value=None).copy()
            rows = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
            new[rows] = ["'" + v for v in new[rows]]
        if out is None:
            out = frame.copy()
        out.isetitem(i, type(column)(new, index=column.index, dtype=object))  # object: None stays None
    return frame if out is None else out


def write_csv(frame: Any, path: str | Path, **to_csv: Any) -> Path:
    """Write ``frame`` as CSV with formulas neutralised (``csv_frame``), atomically: into a
    temporary file beside ``path``, then renamed over it (a reader never sees half a file).
    ``to_csv``: pandas' options (default ``index=False``, UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    to_csv.setdefault("index", False)
    to_csv.setdefault("encoding", "utf-8")
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        csv_frame(frame).to_csv(tmp, **to_csv)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
