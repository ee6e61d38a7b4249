"""``auditor intake suggest``: a draft mapping profile from an export's headers and values.

For every file (every sheet of a workbook) it picks the table whose columns its headers match
best, then proposes, per header, the canonical column it matches: exactly (the contract's own
name), ignoring case and accents, through a known synonym in English, French, German, Spanish,
Italian or Dutch (``auditor.intake.vocab``), or by a close spelling. Only an exact match is
certain: every other line of the draft carries ``# GUESS: confirm``. The same goes for value
maps (instrument, authority type, channel, outcome, event, data categories, booleans, Party
names), date formats (tried on every distinct value; day first or month first is a guess when
no day is above 12) and the time zone (from ``--tz``, else a guess from the headers' language).
Headers and values it cannot match are listed as comments for the user to map or ignore.

Values of identifier and free-text columns are never read into the draft; vocabulary values
that look like identifiers (an e-mail address, a phone number) are not shown either.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from auditor.ingest.schema import TABLES, TableSpec
from auditor.intake import vocab
from auditor.intake.sources import Source, read_all

GUESS = "GUESS: confirm"
#: how a header matched, best first
EXACT, FOLDED, SYNONYM, CLOSE = "exact", "case/accent", "synonym", "close spelling"
_RANK = {EXACT: 0, FOLDED: 1, SYNONYM: 2, CLOSE: 3}
_LANG_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "nl": "Dutch"}
#: disclosure columns that show a wide export (the answer on the request's row)
_ANSWER = ("disclosure_id", "responded_at", "outcome", "data_disclosed", "records_disclosed", "refusal_ground")


@dataclass
class HeaderMatch:
    header: str
    column: str
    how: str
    lang: str = ""

    @property
    def guess(self) -> bool:
        return self.how != EXACT

    def why(self) -> str:
        if self.how == SYNONYM:
            names = "/".join(_LANG_NAMES.get(x, x) for x in self.lang.split("/"))
            return f"{names} label for {self.column}"
        if self.how == CLOSE:
            return f"close to a known label for {self.column}"
        if self.how == FOLDED:
            return f"{self.column}, written in another case or with accents"
        return ""


@dataclass
class Draft:
    """The proposals for one canonical table."""

    table: str
    sources: list[Source] = field(default_factory=list)
    columns: dict[str, HeaderMatch] = field(default_factory=dict)  # header -> match
    unmatched: list[str] = field(default_factory=list)
    #: the table is taken from another's rows (a wide export)
    source_table: str | None = None
    when_any: list[str] = field(default_factory=list)
    #: canonical column -> [(source value, canonical value or None, rows, how)]
    values: dict[str, list[tuple[str | None, str | None, int, str]]] = field(default_factory=dict)
    #: canonical column -> (format or None, tz or None, comment)
    dates: dict[str, tuple[str | None, str | None, str]] = field(default_factory=dict)

    @property
    def targets(self) -> dict[str, str]:
        return {m.column: h for h, m in self.columns.items()}


def match_header(header: str, spec: TableSpec) -> HeaderMatch | None:
    """The canonical column of ``spec`` a source header looks like, and how sure that is."""
    found = _match(header, spec.name)
    return None if found is None else HeaderMatch(header, *found)


@lru_cache(maxsize=4096)
def _match(header: str, table: str) -> tuple[str, str, str] | None:
    spec = TABLES[table]
    text = header.strip()
    if text in spec.names:
        return text, EXACT, ""
    folded = vocab.fold(text)
    for name in spec.names:
        if folded == vocab.fold(name):
            return name, FOLDED, ""
    index = vocab.header_index().get(spec.name, {})
    if folded in index:
        column = index[folded][0][0]
        langs = "/".join(dict.fromkeys(lang for col, lang in index[folded] if col == column))
        return column, SYNONYM, langs
    close = difflib.get_close_matches(folded, list(index), n=1, cutoff=0.9)
    if close:
        column, lang = index[close[0]][0]
        return column, CLOSE, lang
    return None


def match_headers(headers: list[str], spec: TableSpec) -> tuple[dict[str, HeaderMatch], list[str]]:
    """header -> match (one header per canonical column: the surest wins), and the headers left."""
    best: dict[str, HeaderMatch] = {}
    for h in headers:
        m = match_header(h, spec)
        if m is None:
            continue
        held = best.get(m.column)
        if held is None or _RANK[m.how] < _RANK[held.how]:
            best[m.column] = m
    chosen = {m.header: m for m in best.values()}
    return dict(sorted(chosen.items(), key=lambda kv: headers.index(kv[0]))), [h for h in headers if h not in chosen]


def _score(matches: dict[str, HeaderMatch], spec: TableSpec) -> float:
    cols = {m.column for m in matches.values()}
    return len(cols) + 2 * len(cols & set(spec.required)) - 0.5 * sum(m.guess for m in matches.values()) / max(len(cols), 1)


def pick_table(source: Source) -> tuple[str | None, dict[str, HeaderMatch], list[str]]:
    """The table a file's headers fit best (None when no required column matches at all)."""
    best: tuple[float, str | None, dict, list] = (0.0, None, {}, source.headers)
    for name, spec in TABLES.items():
        matches, rest = match_headers(source.headers, spec)
        cols = {m.column for m in matches.values()}
        if not cols & set(spec.required) or spec.id_column not in cols and name != "parties":
            continue
        score = _score(matches, spec)
        if score > best[0]:
            best = (score, name, matches, rest)
    return best[1], best[2], best[3]


# ---------------------------------------------------------------- values
def _is_canonical(values: pd.Series, column: str, spec: TableSpec) -> pd.Series:
    from auditor.ingest.normalise import canonical_column  # noqa: PLC0415
    from auditor.ingest.validate import value_ok  # noqa: PLC0415

    col = spec.column(column)
    s = values.astype("string")
    return pd.Series(value_ok(spec, column, canonical_column(s, col, b"-")), index=values.index)


def _hidden(value: str) -> bool:
    from auditor.ingest.safety import looks_identifying  # noqa: PLC0415

    return len(value) > 80 or bool(looks_identifying(pd.Series([value]))[0])


def _map_value(value: str, vocabulary: str, kind: str) -> tuple[str | None, str]:
    """A source value's canonical value in a vocabulary (None: no idea), and how."""
    index = vocab.value_index(vocabulary)
    if kind == "set":
        parts = [p.strip() for p in value.split(";") if p.strip()]
        got = [_map_value(p, vocabulary, "enum")[0] for p in parts]
        if parts and all(got):
            return ";".join(dict.fromkeys(got)), SYNONYM  # type: ignore[arg-type]
        return None, ""
    folded = vocab.fold(value)
    if folded in index:
        return index[folded], SYNONYM
    if vocabulary == "instrument":
        import re  # noqa: PLC0415

        m = re.search(r"\bart(?:icle|ikel|iculo|icolo)?\s*(6|7|8|9|10)\b", folded)
        if m and not re.search(r"europ", folded):
            return f"cets224_art{m.group(1)}", CLOSE
    close = difflib.get_close_matches(folded, list(index), n=1, cutoff=0.88)
    if close:
        return index[close[0]], CLOSE
    return None, ""


def suggest_values(draft: Draft) -> None:
    spec = TABLES[draft.table]
    for header_col, header in draft.targets.items():
        col = spec.column(header_col)
        vocabulary = vocab.vocabulary_of(col.name, col.kind)
        if vocabulary is None or col.personal:
            continue
        counts: Counter[str] = Counter()
        for src in draft.sources:
            if header in src.frame.columns:
                counts.update(v.strip() for v in src.frame[header].dropna().astype(str) if v.strip())
        if draft.source_table and draft.when_any:  # a wide table: only the rows it is taken from
            counts = Counter()
            for src in draft.sources:
                if header in src.frame.columns:
                    picked = src.frame[[h for h in draft.when_any if h in src.frame.columns]].notna().any(axis=1)
                    counts.update(v.strip() for v in src.frame.loc[picked, header].dropna().astype(str) if v.strip())
        if not counts:
            continue
        distinct = pd.Series(sorted(counts))
        canonical = _is_canonical(distinct, col.name, spec)
        proposals = []
        for value, ok in zip(distinct, canonical, strict=True):
            n = counts[value]
            if ok and (col.kind != "party" or (len(value) == 2 and value.isupper())):
                continue  # already the contract's value
            if ok and col.kind == "party":  # a name the normaliser knows: write it down anyway
                from auditor import iso  # noqa: PLC0415

                proposals.append((value, iso.normalise(value), n, EXACT))
                continue
            target, how = _map_value(value, vocabulary, col.kind)
            shown = None if _hidden(value) else value
            proposals.append((shown, target, n, how))
        if proposals:
            draft.values[col.name] = proposals


# ---------------------------------------------------------------- dates
def _formats() -> list[tuple[str, str]]:
    """(format, order) candidates; order: dmy, mdy or ymd."""
    out = []
    for order in ("dmy", "mdy"):
        for sep in ("/", ".", "-"):
            d = {"dmy": f"%d{sep}%m{sep}%Y", "mdy": f"%m{sep}%d{sep}%Y"}[order]
            for tail in (" %H:%M:%S", " %H:%M", ""):
                out.append((d + tail, order))
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"):
        out.append((fmt, "ymd"))
    return out


def _canonical_time(values: pd.Series) -> pd.Series:
    return values.str.match(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d))?$")


def suggest_date(values: pd.Series, lang: str, tz: str | None, typed: bool) -> tuple[str | None, str | None, str]:
    """(format, tz, comment) for one timestamp column's distinct values; (None, None, "") when
    they are already the contract's ISO 8601 (with an offset, or bare dates)."""
    zone = tz or vocab.TZ_BY_LANG.get(lang, "UTC")
    zone_note = "" if tz else f"; time zone {zone} guessed from the {_LANG_NAMES.get(lang, lang)} headers"
    canonical = _canonical_time(values)
    if values.empty or canonical.all():
        return None, None, ""
    if canonical.mean() >= 0.5:  # the contract's own times, a few cells apart
        return None, None, (f"{int((~canonical).sum())} distinct value(s) are not ISO 8601 with an offset: "
                            "those rows will be quarantined unless corrected in the export")
    if typed:
        return ("%Y-%m-%d %H:%M:%S", zone,
                f"{GUESS}; cells typed as dates: read as local times in this zone, the format is not used{zone_note}")
    # rank every candidate on a sample of the values, then count the best ones on all of them
    sample = values.iloc[:: max(1, len(values) // 300)]
    ranked = sorted(_formats(), key=lambda fo: -int(pd.to_datetime(sample, format=fo[0], errors="coerce").notna().sum()))
    tried = {}
    best: tuple[int, str, str] = (-1, "", "")
    for fmt, order in ranked[:4]:
        n = int(pd.to_datetime(values, format=fmt, errors="coerce").notna().sum())
        tried[fmt] = n
        if n > best[0]:
            best = (n, fmt, order)
    n, fmt, order = best
    if n <= 0:
        return None, None, (f"UNMATCHED: none of the {len(values)} distinct value(s) reads as a date in a known "
                            "format; write its strptime format here")
    notes = [GUESS]
    twin = fmt.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m") if order in ("dmy", "mdy") else None
    if twin and twin not in tried:
        tried[twin] = int(pd.to_datetime(values, format=twin, errors="coerce").notna().sum())
    if twin and tried[twin] == n:  # no day above 12: day first or month first cannot be told
        preferred = "mdy" if lang == "en" else "dmy"
        if order != preferred:
            fmt = twin
        notes.append(f"no day above 12 in these values: {'month' if preferred == 'mdy' else 'day'} first assumed")
    else:
        notes.append({"dmy": "day first", "mdy": "month first", "ymd": "year first"}[order])
    if n < len(values):
        notes.append(f"{len(values) - n} distinct value(s) do not match it (those rows will be quarantined)")
    with_time = "%H" in fmt
    if with_time:
        notes.append(zone_note.lstrip("; ") if zone_note else f"local times in {zone}")
    return fmt, zone if with_time else None, "; ".join(x for x in notes if x)


def suggest_dates(draft: Draft, lang: str, tz: str | None) -> None:
    spec = TABLES[draft.table]
    for column, header in draft.targets.items():
        if spec.column(column).kind != "timestamp":
            continue
        seen: set[str] = set()
        typed_all = True
        for src in draft.sources:
            if header not in src.frame.columns:
                continue
            s = src.frame[header]
            present = s.notna().to_numpy()
            typed = src.dates.get(header)
            if typed is None or not (typed | ~present).all():
                typed_all = False
            seen.update(str(v).strip() for v in s.dropna())
        if not seen:
            continue
        values = pd.Series(sorted(v for v in seen if v), dtype="string")
        fmt, zone, note = suggest_date(values, lang, tz, typed_all)
        if fmt or note:
            draft.dates[column] = (fmt, zone, note)


# ---------------------------------------------------------------- the draft
def build(data_dir: Path, tz: str | None = None) -> tuple[list[Draft], list[Source], str, list[tuple[str, str]]]:
    """The drafts per table, the files no table fits, the language the headers are in, and the
    files that could not be read (name, why)."""
    sources, skipped = read_all(data_dir)
    drafts: dict[str, Draft] = {}
    unplaced: list[Source] = []
    langs: Counter[str] = Counter()
    for src in sources:
        table, matches, rest = pick_table(src)
        if table is None:
            unplaced.append(src)
            continue
        d = drafts.setdefault(table, Draft(table))
        d.sources.append(src)
        for h, m in matches.items():
            d.columns.setdefault(h, m)
            for lang in m.lang.split("/") if m.lang else ():
                langs[lang] += 1
        d.unmatched.extend(h for h in rest if h not in d.unmatched and h not in d.columns)
        if table == "requests" and "disclosures" not in drafts:
            dm, _ = match_headers(src.headers, TABLES["disclosures"])
            answer = [m for m in dm.values() if m.column in _ANSWER]
            if len(answer) >= 3:  # a wide export: the answer on the request's row
                w = drafts.setdefault("disclosures", Draft("disclosures", source_table="requests"))
                w.sources.append(src)
                w.columns.update(dm)
                first = next((m.header for m in dm.values() if m.column == "responded_at"), answer[0].header)
                w.when_any = [first]
                d.unmatched = [h for h in d.unmatched if h not in dm]
    lang = langs.most_common(1)[0][0] if langs else "en"
    for d in drafts.values():
        suggest_values(d)
        suggest_dates(d, lang, tz)
    order = list(TABLES)
    return sorted(drafts.values(), key=lambda d: order.index(d.table)), unplaced, lang, skipped


def _q(s: str) -> str:
    """A TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render(drafts: list[Draft], unplaced: list[Source], data_dir: Path, lang: str, tz: str | None,
           skipped: list[tuple[str, str]] = ()) -> str:
    """The draft as TOML, with a ``# GUESS: confirm`` comment on every line that is not certain."""
    out = [
        f"# Draft mapping profile written by `auditor intake suggest --data {data_dir}`.",
        "# Every line marked GUESS is a guess: confirm it or correct it. Lines marked UNMATCHED or",
        "# MISSING need you. Then run: auditor intake check --data DIR --mapping THIS_FILE",
        f"# Headers read as {_LANG_NAMES.get(lang, lang)}.",
        "",
        "[profile]",
        'name = "draft"  # the name shown in the reports: choose your own',
        'version = "1"',
        f"description = {_q('Draft for ' + data_dir.name + ': confirm every GUESS')}",
    ]
    for src in unplaced:
        out += ["", f"# UNMATCHED file {_q(src.label)}: its headers fit no table; map it yourself if it holds one"]
    for name, why in skipped:
        out += ["", f"# UNREADABLE file {_q(name)}: not read as a table ({why})"]
    if not any(d.table == "requests" for d in drafts):
        out += ["", "# MISSING: no file looks like the requests table, which is mandatory: add a [tables.requests]",
                "# section naming its file (files = [...]) and its columns"]
    for d in drafts:
        spec = TABLES[d.table]
        out += ["", f"[tables.{d.table}]"]
        if d.source_table:
            out.append(f'from = "{d.source_table}"  # {GUESS}: one row holds the request and its answer')
            out.append(f"when_any = [{', '.join(_q(h) for h in d.when_any)}]  # rows with an answer date")
        else:
            files = list(dict.fromkeys(s.path.name for s in d.sources))
            out.append(f"files = [{', '.join(_q(f) for f in files)}]")
            sheets = list(dict.fromkeys(s.sheet for s in d.sources if s.sheet is not None))
            if sheets:
                out.append(f"sheets = [{', '.join(_q(s) for s in sheets)}]")
        out += ["", f"[tables.{d.table}.columns]"]
        for h, m in d.columns.items():
            line = f"{_q(h)} = {_q(m.column)}"
            out.append(line + (f"  # {GUESS} ({m.why()})" if m.guess else ""))
        for h in d.unmatched:
            out.append(f"# {_q(h)} = \"\"  # UNMATCHED header: map it to a column, or keep it ignored (\"\")")
        got = set(d.targets)
        for col in spec.required:
            if col not in got:
                out.append(f"# MISSING: no header looks like {col} (required): map one, or give the value every "
                           f"row shares under [tables.{d.table}.constants]")
        if d.dates:
            out += ["", f"[tables.{d.table}.dates]"]
            for col, (fmt, zone, note) in d.dates.items():
                if fmt is None:
                    out.append(f"# {col} = {{ format = \"...\" }}  # {note}")
                    continue
                body = f'format = {_q(fmt)}' + (f", tz = {_q(zone)}" if zone else "")
                out.append(f"{col} = {{ {body} }}" + (f"  # {note}" if note else ""))
        for col, proposals in d.values.items():
            active = any(v is not None and tgt is not None for v, tgt, _, _ in proposals)
            # a section with nothing but comments stays a comment: an empty map says nothing
            out += ["", ("" if active else "# ") + f"[tables.{d.table}.values.{col}]"]
            allowed = _allowed(spec, col)
            for value, target, n, how in proposals:
                rows = f"{n} row{'s' if n != 1 else ''}"
                if value is None:
                    out.append(f"# a value that looks like an identifier ({rows}) is not shown: map it in the "
                               "export or quarantine it")
                elif target is None:
                    out.append(f"# {_q(value)} = \"\"  # UNMATCHED value ({rows}): write {allowed}")
                elif how == EXACT:
                    out.append(f"{_q(value)} = {_q(target)}  # a known name ({rows})")
                else:
                    out.append(f"{_q(value)} = {_q(target)}  # {GUESS} ({rows})")
    if tz is None:
        out += ["", "# Time zones (tz) are guesses from the headers' language unless you pass --tz."]
    return "\n".join(out) + "\n"


def _allowed(spec: TableSpec, column: str) -> str:
    col = spec.column(column)
    if col.kind == "bool":
        return "true or false"
    if col.kind == "party":
        return "the Party's ISO 3166-1 alpha-2 code (FR, DE, ...)"
    if col.kind == "set":
        return "values from " + ", ".join(col.values) + " separated by ;"
    return "one of " + ", ".join(col.values)


def suggest(data_dir: Path, tz: str | None = None) -> tuple[str, list[Draft], list[Source]]:
    """The draft profile text for a data folder, with the drafts it was written from."""
    if tz is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415

        from auditor.errors import UsageError  # noqa: PLC0415

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"--tz {tz!r} is not a time zone name",
                             hint='use an IANA name such as "Europe/Paris" or "UTC"') from None
    drafts, unplaced, lang, skipped = build(data_dir, tz)
    return render(drafts, unplaced, data_dir, lang, tz, skipped), drafts, unplaced
