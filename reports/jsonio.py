"""Fast, byte-identical ``json.dumps(obj, indent=2, ensure_ascii=False, default=str)``.

With ``indent`` set, the standard library falls back to its pure-Python encoder, which is slow on
the tens of thousands of findings a large run has. Here every *flat* container (a dict or list
none of whose values is a dict, list or tuple: a finding record, a list of ids...) is encoded
by the C encoder with ``",\\n" + indent`` as item separator, and only the nesting around them
is laid out in Python. Encoded JSON strings never hold a raw newline, so the layout is exactly
the standard library's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

INDENT = "  "
_INF = float("inf")


def _floatstr(o: float) -> str:
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return float.__repr__(o)


class Cache:
    """Encoded text of given flat dicts (e.g. the finding records) that several documents repeat.

    Holds the objects, so their ids stay theirs; they must not change while the cache is used.
    """

    def __init__(self, objects: list[dict]) -> None:
        self.objects = {id(o): o for o in objects}
        #: id -> (the level it was last laid out at, its text there)
        self.text: dict[int, tuple[int, str]] = {}


class Items:
    """A JSON array encoded item by item from an iterable, so that ``dump`` never holds it whole
    (e.g. the results of a large SARIF log). Iterated once."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


_CONTAINERS = (list, tuple, dict, Items)  # values that rule out the C encoder's flat fast path


class _Sink:
    """The encoder's output for ``dump``: pieces written to a text file about every megabyte."""

    def __init__(self, fh: TextIO) -> None:
        self.fh = fh
        self.parts: list[str] = []
        self.size = 0

    def append(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.fh.write("".join(self.parts))
        self.parts.clear()
        self.size = 0


class _Encoder:
    def __init__(self, default: Any, cache: Cache | None = None) -> None:
        self.default = default  # must return a non-container (str does): see the flat fast path
        self.cache = cache
        self.flat: dict[int, Any] = {}

    def _flat(self, o: list | dict, level: int) -> str:
        """A flat container's items, one per line at ``level`` (without the brackets)."""
        enc = self.flat.get(level)
        if enc is None:
            sep = ",\n" + INDENT * level
            if json.encoder.c_make_encoder is not None:
                c_enc = json.encoder.c_make_encoder(None, self.default, json.encoder.encode_basestring, None,
                                                    ": ", sep, False, False, True)
                enc = self.flat[level] = lambda x: "".join(c_enc(x, 0))
            else:  # pragma: no cover - CPython always has the C encoder
                enc = self.flat[level] = json.JSONEncoder(ensure_ascii=False, default=self.default,
                                                          separators=(sep, ": ")).encode
        return enc(o)[1:-1]

    def encode(self, o: Any, level: int, out: list[str]) -> None:
        if isinstance(o, str):
            out.append(json.encoder.encode_basestring(o))
        elif o is None:
            out.append("null")
        elif o is True:
            out.append("true")
        elif o is False:
            out.append("false")
        elif isinstance(o, int):
            out.append(int.__repr__(o))
        elif isinstance(o, float):
            out.append(_floatstr(o))
        elif isinstance(o, (list, tuple)):
            self.encode_list(o, level, out)
        elif isinstance(o, dict):
            self.encode_dict(o, level, out)
        elif isinstance(o, Items):
            self.encode_items(o, level, out)
        else:
            self.encode(self.default(o), level, out)

    def encode_list(self, lst: list | tuple, level: int, out: list[str]) -> None:
        if lst and not any(isinstance(v, _CONTAINERS) for v in lst):  # flat: the C encoder lays it out
            inner = level + 1
            out.append("[\n" + INDENT * inner + self._flat(list(lst), inner) + "\n" + INDENT * level + "]")
            return
        cache = self.cache
        if cache is not None and lst and all(cache.objects.get(id(v)) is v for v in lst):
            # every item a cached dict (the findings of a document): joined a thousand at a time
            inner = level + 1
            sep = ",\n" + INDENT * inner
            cached = self._cached
            for start in range(0, len(lst), 1000):
                out.append(("[" if start == 0 else ",") + "\n" + INDENT * inner
                           + sep.join([cached(v, inner) for v in lst[start:start + 1000]]))
            out.append("\n" + INDENT * level + "]")
            return
        self.encode_items(Items(lst), level, out)

    def _cached(self, dct: dict, level: int) -> str:
        """The text of a cached dict laid out at ``level`` (encoded once; moved to another level
        by re-indenting its lines: JSON text has no raw newline but the layout's)."""
        text = self.cache.text  # type: ignore[union-attr]
        hit = text.get(id(dct))
        if hit is None:
            out = "{\n" + INDENT * (level + 1) + self._flat(dct, level + 1) + "\n" + INDENT * level + "}"
        elif hit[0] == level:
            return hit[1]
        else:
            out = hit[1].replace("\n" + INDENT * hit[0], "\n" + INDENT * level)
        text[id(dct)] = (level, out)
        return out

    def encode_items(self, items: Items, level: int, out: list[str]) -> None:
        """An array item by item (a list's layout; the flat fast path gives the same text)."""
        newline = "\n" + INDENT * (level + 1)
        first = True
        for v in items.items:
            out.append(("[" if first else ",") + newline)
            first = False
            self.encode(v, level + 1, out)
        out.append("[]" if first else "\n" + INDENT * level + "]")

    def encode_dict(self, dct: dict, level: int, out: list[str]) -> None:
        if not dct:
            out.append("{}")
            return
        inner = level + 1
        cache = self.cache
        if cache is not None and cache.objects.get(id(dct)) is dct:
            out.append(self._cached(dct, level))
            return
        if not any(isinstance(v, _CONTAINERS) for v in dct.values()):
            out.append("{\n" + INDENT * inner + self._flat(dct, inner) + "\n" + INDENT * level + "}")
            return
        newline = "\n" + INDENT * inner
        first = True
        for k, v in dct.items():
            if isinstance(k, str):
                pass
            elif isinstance(k, float):
                k = _floatstr(k)
            elif k is True:
                k = "true"
            elif k is False:
                k = "false"
            elif k is None:
                k = "null"
            elif isinstance(k, int):
                k = int.__repr__(k)
            else:
                raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")
            out.append(("{" if first else ",") + newline + json.encoder.encode_basestring(k) + ": ")
            first = False
            self.encode(v, inner, out)
        out.append("\n" + INDENT * level + "}")


def dumps(obj: Any, cache: Cache | None = None) -> str:
    """Same text as ``json.dumps(obj, indent=2, ensure_ascii=False, default=str)``.

    ``cache`` (flat dicts only) reuses the text of dicts that were already encoded.
    """
    out: list[str] = []
    _Encoder(str, cache).encode(obj, 0, out)
    return "".join(out)


def dump(obj: Any, fh: TextIO, cache: Cache | None = None) -> None:
    """``dumps(obj, cache)`` written to the text file ``fh`` while it is encoded: the document is
    never held whole as text (at 5M requests findings.json and the SARIF log are ~0.5 GB each,
    and joining, terminating and encoding them took three copies)."""
    sink = _Sink(fh)
    _Encoder(str, cache).encode(obj, 0, sink)  # type: ignore[arg-type] - a list's append is all it uses
    sink.flush()


#: the escape Python's JSON encoder (``ensure_ascii=False``) writes for each control character
_CONTROL_ESCAPES = {chr(c): {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}.get(chr(c), f"\\u{c:04x}")
                    for c in range(32)}


def compact_lines(columns: dict[str, Any]) -> bytes | None:
    """The UTF-8 bytes of ``",\\n".join(map(encode, records))`` where ``encode`` is
    ``json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).encode`` and
    ``records`` the dicts of ``columns`` ({key: its values, one per record, as a list or an
    ``auditor.textsafe.arrow_columns`` array}, keys in order), made with Arrow's string kernels
    instead of a dict and an encoder call per record: findings.json's lines
    (``write_findings_files``). Text is escaped as the encoder escapes it (backslash, quote,
    control characters; nothing else), None is ``null``, a boolean ``true``/``false``. None when a
    column holds anything else, or there are no columns or no records (the caller encodes them as
    before). ``tests/reports/test_compact_lines.py`` compares the text with the encoder's."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    from auditor.textsafe import arrow_columns, text_bytes  # noqa: PLC0415

    if not columns or not all(isinstance(k, str) for k in columns):
        return None
    arrays = arrow_columns(list(columns.values()))
    if arrays is None or not len(arrays[0]):
        return None
    parts: list[Any] = []
    for i, (key, arr) in enumerate(zip(columns, arrays, strict=True)):
        if pa.types.is_boolean(arr.type):
            arr = pc.if_else(arr, "true", "false")
        else:
            data = text_bytes(arr)[0]
            raw = data.tobytes()  # one copy; then a memchr per character
            if raw.find(b"\\") >= 0:
                arr = pc.replace_substring(arr, "\\", "\\\\")
            if raw.find(b'"') >= 0:
                arr = pc.replace_substring(arr, '"', '\\"')
            if len(data) and (data < 32).any():
                for char, escape in _CONTROL_ESCAPES.items():
                    if raw.find(char.encode()) >= 0:
                        arr = pc.replace_substring(arr, char, escape)
            arr = pc.binary_join_element_wise('"', arr, '"', "")
        parts += [("{" if i == 0 else ",") + json.encoder.encode_basestring(key) + ":", pc.fill_null(arr, "null")]
    lines = pc.binary_join_element_wise(*parts, "}", ",\n", "")  # each record, then the separator
    return text_bytes(lines)[0][:-2].tobytes()  # without the last separator
