"""The French catalogue (``reports/locale/fr/LC_MESSAGES/auditor.po``) and what is built on it.

The catalogue is a gettext ``.po`` file keyed by the English source text (``msgid``), read once
with babel when a French text is first asked for (no compile step). A changed English text has
no entry any more and shows up as untranslated (``tests/reports/test_french_complete.py``).

Three kinds of entry:

- plain texts (no ``msgctxt``): check titles, rationales, remediation, notes, parameter
  descriptions, pack titles, fixed strings of the reports and of ``auditor explain``;
- finding-message templates (no ``msgctxt`` either): a check's ``message`` as its metadata states
  it, e.g. ``"Art. 7 order {request_id} ({party} → {provider}) lacks: {missing}"``;
- value patterns (``msgctxt "pattern"``): the English fragments checks compute into a message's
  values (``"deleted {n} day(s) late"``), matched against a value and re-filled in French.

Findings are stored in English (findings.csv/json stay machine-readable English). A French page
rebuilds a message: the stored English message is matched against the check's English template
(:func:`parse`), each value is translated (:func:`value`: ids and names untouched, numbers and
dates formatted by babel, known fragments and vocabulary translated) and the French template is
filled. A message that does not match its template (a run of an earlier version) stays English,
marked ``[EN]``.
"""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "auditor"
FALLBACK_MARK = "[EN] "
#: message fields that are identifiers or names from the log: never translated or reformatted
IDENTITY_FIELDS = frozenset({"request_id", "record_id", "party", "other_party", "provider", "receiving_party",
                             "counterparty", "recipient", "reason_text", "offence", "field", "esc_instrument", "column",
                             "values", "range"})
#: message values (and whole messages) a French page could not translate (for the tests)
MISSING_VALUES: set[str] = set()
MISSING_MESSAGES: set[str] = set()

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))? UTC)?")
#: a time stamp as the runner writes one into a message (``_fmt``)
_STAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})? UTC"
_PROSE = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=4)
def entries(lang: str) -> tuple[dict[str, str], tuple[tuple[re.Pattern, str, str], ...]]:
    """(plain texts {English: French}, value patterns ((regex, English, French), ...)) of ``lang``;
    empty when it has no catalogue. Fuzzy and empty translations are left out."""
    return _load(lang)[:2]


def values(lang: str) -> dict[str, dict[str, str]]:
    """Message values of ``lang``: {field name or "": {English: French}} (``msgctxt "value"`` for
    any field, ``"value:<field>"`` for one)."""
    return _load(lang)[2]


@lru_cache(maxsize=4)
def _load(lang: str) -> tuple[dict[str, str], tuple[tuple[re.Pattern, str, str], ...], dict[str, dict[str, str]]]:
    path = po_path(lang)
    if lang == "en" or not path.is_file():
        return {}, (), {}
    from babel.messages.pofile import read_po  # noqa: PLC0415 - only French pages need it

    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang, domain=DOMAIN)
    texts: dict[str, str] = {}
    vals: dict[str, dict[str, str]] = {}
    patterns: list[tuple[re.Pattern, str, str]] = []
    for m in cat:
        if not m.id or not m.string or m.fuzzy or not isinstance(m.id, str):
            continue
        fr = french_spacing(str(m.string))
        if m.context == "pattern":
            patterns.append((template_regex(m.id), m.id, fr))
        elif m.context and m.context.startswith("value"):
            vals.setdefault(m.context.partition(":")[2], {})[m.id] = fr
        else:
            texts[m.id] = fr
    # the most specific pattern first: the one with the most literal text
    patterns.sort(key=lambda p: -len(re.sub(r"\{[^{}]*\}", "", p[1])))
    return texts, tuple(patterns), vals


def fields(template: str) -> list[str]:
    """The placeholder names of a ``str.format`` template, in order (with repeats)."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


@lru_cache(maxsize=1024)
def template_regex(template: str) -> re.Pattern:
    """A regex matching what ``template.format(...)`` produces, one named group per placeholder
    (a repeated placeholder must repeat its value)."""
    parts: list[str] = []
    seen: set[str] = set()
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>{_STAMP}|.*?)")  # a whole time stamp first, else the shortest
    return re.compile(r"\A" + "".join(parts) + r"\Z", re.S)


def parse(message: str, template: str) -> dict[str, str] | None:
    """The values ``template`` was filled with to give ``message``; None when it does not match."""
    if not template:
        return None
    m = template_regex(template).match(message)
    return m.groupdict() if m else None


def number(text: str, lang: str) -> str:
    """"77.0" -> "77,0", "1234" -> "1 234" (fr, babel; as many decimals as the English)."""
    from babel.numbers import format_decimal  # noqa: PLC0415

    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return format_decimal(Decimal(text), format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=lang)


def when(text: str, lang: str) -> str:
    """"2025-10-27 06:25 UTC" -> "27 octobre 2025 à 06:25 UTC"; "2025-10-27" -> "27 octobre 2025"."""
    from babel.dates import format_date  # noqa: PLC0415

    m = _DATE.fullmatch(text)
    if m is None:
        return text
    y, mo, d, hh, mm, ss = m.groups()
    try:
        day = format_date(date(int(y), int(mo), int(d)), format="long", locale=lang)
    except ValueError:
        return text
    if d == "01" and lang == "fr":
        day = "1er" + day[1:]  # "1er mars 2025"
    if hh is None:
        return day
    if int(hh) > 23 or int(mm) > 59:
        return text
    return f"{day} à {hh}:{mm}" + (f":{ss}" if ss else "") + " UTC"


#: list separators in a value, and their French (" and " joins two or more items: "CA and JP")
_SEPARATORS = (("; ", "\u202f; "), (", ", ", "), (";", "\u202f; "), (" and ", " et "))


def value(text: str, lang: str, name: str = "") -> str:
    """One message value in ``lang``: identifiers and names as they are; numbers and dates via
    babel; a known text or fragment translated (``name``'s own vocabulary first); a list item by
    item."""
    if lang == "en" or not text or name in IDENTITY_FIELDS:
        return text
    vocab = values(lang)
    for ctx in (name, ""):
        hit = vocab.get(ctx, {}).get(text)
        if hit is not None:
            return hit
    if _NUMBER.fullmatch(text):
        return number(text, lang)
    if _DATE.fullmatch(text):
        return when(text, lang)
    for rx, _en, fr in entries(lang)[1]:
        m = rx.match(text)
        if m:
            return fr.format_map({k: value(v, lang, k) for k, v in m.groupdict().items()})
    for sep, fr_sep in _SEPARATORS:
        if sep in text:
            items = text.split(sep)
            out = [value(i, lang, name) for i in items]
            if out != items or sep == " and ":
                return fr_sep.join(out)
    if _PROSE.search(text):  # words, not a code ("CA", "cets224_art9") or a name
        MISSING_VALUES.add(text)
    return text


def message(msg: str, template: str, lang: str) -> str:
    """A finding's message in ``lang`` from the stored English ``msg`` and the check's English
    ``template`` (see the module docstring); ``[EN]`` + the English when it cannot be rebuilt."""
    if lang == "en" or not msg:
        return msg
    texts, _ = entries(lang)
    fr = texts.get(template or "")
    vals = parse(msg, template) if fr else None
    if vals is None:
        MISSING_MESSAGES.add(template or msg)
        return FALLBACK_MARK + msg
    return fr.format_map({k: value(v, lang, k) for k, v in vals.items()})


def text(en: str, lang: str) -> str | None:
    """The catalogue's translation of a plain text, None when it has none."""
    if lang == "en" or not en:
        return en
    return entries(lang)[0].get(en)


_BEFORE_HIGH = re.compile(r"(?<=\S)[ \u00a0\u202f]?([;!?])(?=\s|$)")
_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]?:(?=\s|$)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]?")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]?»")


def french_spacing(s: str) -> str:
    """French typography: a no-break space before ":" and inside « », a narrow no-break space
    before ";", "!" and "?" (only where the sign ends a word: "06:25" and "?x=1" are untouched)."""
    if not s:
        return s
    s = _BEFORE_HIGH.sub("\u202f\\1", s)
    s = _BEFORE_COLON.sub("\u00a0:", s)
    s = _OPEN_QUOTE.sub("«\u00a0", s)
    return _CLOSE_QUOTE.sub("\u00a0»", s)


def percent(rate: float, lang: str) -> str:
    """0.996 -> "99,6\u00a0%" (fr): the locale's percent pattern with one decimal."""
    from babel.numbers import Locale, format_percent  # noqa: PLC0415

    pattern = Locale.parse(lang).percent_formats[None].pattern.replace("0", "0.0", 1)
    # rounded as the English text rounds it ("87.5%"), then written the locale's way
    return format_percent(Decimal(f"{rate * 100:.1f}") / 100, format=pattern, locale=lang)


def decimal(x: float, lang: str, digits: int = 1) -> str:
    """4.25 -> "4,3", 1234.5 -> "1\u202f234,5" (fr) with ``digits`` decimals."""
    from babel.numbers import format_decimal  # noqa: PLC0415

    # rounded as the English text rounds it (f"{x:.1f}"), then written the locale's way
    exact = Decimal(f"{x:.{max(digits, 0)}f}")
    return format_decimal(exact, format="#,##0" + ("." + "0" * digits if digits > 0 else ""), locale=lang)
