"""The French edition is complete (issue 20, item 3): a French report of the sample has no English
sentence left (check texts, finding messages, parameters, pack titles, reasons), every entry of the
French catalogue keeps its English source's placeholders, every English text the checks and packs
show has an entry, numbers follow the page's language, and ``auditor explain --lang fr`` is French.

"No English sentence" is a word-list heuristic: a run of three or more common English words in the
visible text of a page. Identifiers, codes (``cets224_art7``, ``provider_received_at``), check ids,
citations and pseudonyms break a run, so they need no allow-list of their own."""

from __future__ import annotations

import html
import re
import string
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor import audit
from auditor.cli import main
from auditor.engine.registry import load_all
from auditor.store import db
from reports import catalog, charts, i18n, write_reports

ROOT = Path(__file__).resolve().parents[2]
#: common English words that are not French words ("a", "an", "on", "or", "as" are French too)
ENGLISH = frozenset(["the", "of", "and", "to", "in", "for", "by", "with", "from", "at", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "not", "no", "must", "within", "days", "day", "request", "requests", "provider", "providers", "order", "orders", "data", "which", "that", "this", "these", "those", "it", "its", "after", "before", "than", "when", "where", "who", "whose", "any", "every", "each", "only", "but", "should", "shall", "may", "can", "could", "would", "will", "there", "their", "they", "them", "then", "into", "under", "over", "about", "between", "without", "against", "been", "does", "did", "done", "been", "received", "sent", "issued", "answered", "recorded", "missing", "notified", "deleted", "reviewed", "held", "set", "kept"])
#: English words a French text never uses (for lines of mostly English: a pack title, a label)
ENGLISH_ONLY = ENGLISH | frozenset(["reason", "additional", "safeguards", "european", "regulation", "protocol", "co-operation", "preservation"])
#: French words that show a line is French (a French line may quote English data)
FRENCH = frozenset(["le", "la", "les", "des", "du", "de", "et", "à", "en", "un", "une", "pour", "par", "sur", "dans", "au", "aux", "est", "sont", "qui", "que", "ne", "pas", "l", "d", "qu", "n"])
#: a token made of words (a code such as provider_received_at or an id such as E-000195 is not one)
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ'’_\-0-9./§()]+")
_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")


def visible_text(page: str) -> str:
    """The text a reader sees (and alt texts): no tags, scripts, styles or inline SVG."""
    page = re.sub(r"(?is)<(script|style|svg)\b.*?</\1>", " ", page)
    alts = " \n".join(re.findall(r'\balt="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", "\n", page) + "\n" + alts)


def english_runs(text: str, min_run: int = 3) -> list[str]:
    """Lines holding ``min_run`` or more common English words in a row, or two English words and
    no French one (a short English label or title)."""
    found = []
    for line in text.splitlines():
        words = [w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ_0-9.@/-]+", line) if w.isalpha()]
        if sum(w in ENGLISH_ONLY for w in words) >= 2 and not any(w in FRENCH for w in words):
            found.append(line.strip())
            continue
        run = 0
        for token in _TOKEN.findall(line):
            word = token.strip("().,;:'’").lower()
            if _WORD.fullmatch(word) and word in ENGLISH:
                run += 1
                if run >= min_run:
                    found.append(line.strip())
                    break
            else:
                run = 0
    return found


@pytest.fixture(scope="module")
def french_report(sample_run, tmp_path_factory) -> Path:
    """The sample run rendered in French (HTML), with the untranslated texts it met."""
    model = audit.build_model(db.get_engine(f"sqlite:///{sample_run['db']}"), None)
    i18n.MISSING.clear()
    catalog.MISSING_VALUES.clear()
    catalog.MISSING_MESSAGES.clear()
    out = tmp_path_factory.mktemp("french")
    write_reports(model, out, ("html",), lang="fr")
    return out


def test_french_report_of_the_sample_has_no_english_sentence(french_report):
    pages = sorted(french_report.glob("*.html")) + sorted(french_report.glob("*/*.html"))
    assert {p.name for p in pages} >= {"index.html", "FR.html", "cloudbox.html", "SEC001.html", "EU003.html"}
    problems = []
    for page in pages:
        text = visible_text(page.read_text(encoding="utf-8"))
        rel = page.relative_to(french_report)
        problems += [f"{rel}: English: {line[:160]}" for line in dict.fromkeys(english_runs(text))]
        problems += [f"{rel}: untranslated: {line[:160]}" for line in dict.fromkeys(
            line.strip() for line in text.splitlines() if catalog.FALLBACK_MARK in line)]
        # French typography: a no-break space before ":" and a narrow one before ";" (Jinja, Markdown and
        # chart texts included); "06:25", "art. 8(1)" and ids are not followed by a space
        problems += [f"{rel}: spacing: {text[max(0, m.start() - 30):m.end() + 10]!r}" for m in re.finditer(
            r"[^\s\d\u00a0\u202f]:(?=\s)|\S [:;?!](?=\s)|[^\s\u202f];(?=\s)", text)][:3]
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])
    assert not i18n.MISSING, f"fixed strings without French: {sorted(i18n.MISSING)}"
    assert not catalog.MISSING_MESSAGES, f"finding messages not rebuilt: {sorted(catalog.MISSING_MESSAGES)}"
    assert not catalog.MISSING_VALUES, f"message values without French: {sorted(catalog.MISSING_VALUES)}"


def test_french_findings_numbers_and_dates_follow_the_language(french_report):
    sec = visible_text((french_report / "check" / "SEC001.html").read_text(encoding="utf-8"))
    # "77.0 h" and "2025-05-09 09:28 UTC" in the stored (English) message
    assert "a été notifié à l'autorité de transfert 77,0 h plus tard" in sec
    assert "survenu le 9 mai 2025 à 09:28 UTC" in sec
    index = (french_report / "index.html").read_text(encoding="utf-8")
    rates = re.findall(r"\d+,\d\u00a0%", index)
    assert rates and not re.search(r"\d+\.\d%", visible_text(index)), "rates as 99,6 % (babel), never 99.6%"
    # the chart's alt text says its numbers as the page does
    assert re.search(r"sécurité \d+(,\d+)?\u00a0%", visible_text(index))


def test_chart_numbers_follow_the_report_language():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 0.5, 1.5], [0, 1000.5, 2500])
    ax.set_xticks([0, 0.5, 1.5])
    ax.set_yticks([0, 1000, 2500])
    charts._localise_axes(fig, i18n.translator("fr"))
    fig.canvas.draw()
    x = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    y = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    plt.close(fig)
    assert x == ["0", "0,5", "1,5"], x
    assert y == ["0", "1\u202f000", "2\u202f500"], y
    assert charts._pct_text(99.62, i18n.translator("fr")) == "99,6\u00a0%"
    assert charts._pct_text(99.62, i18n.translator("en")) == "99.6%"
    assert charts._num_text(42.45, i18n.translator("fr")) == "42,5" == charts._num_text(
        42.45, i18n.translator("en")).replace(".", ",")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_catalogue_entry_keeps_the_placeholders_of_its_english_source():
    from babel.messages.pofile import read_po

    with catalog.po_path("fr").open("rb") as fh:
        cat = read_po(fh, locale="fr")
    bad = [f"{m.context or ''}|{m.id!r}: {sorted(_fields(m.id))} != {sorted(_fields(m.string))}"
           for m in cat if m.id and (not m.string or _fields(m.id) != _fields(m.string))]
    assert not bad, "\n".join(bad)
    assert not [m.id for m in cat if m.id and m.fuzzy], "fuzzy entries are not used: review them"


def test_every_english_text_of_checks_and_packs_has_its_french():
    """A check text or pack text changed in English has no catalogue entry any more: listed here."""
    texts, _ = catalog.entries("fr")
    missing = []
    for cid, c in load_all().items():
        d = c.as_dict()
        for field in ("title", "rationale", "remediation", "notes", "applies_to", "message"):
            if d.get(field) and d[field] not in texts and not d.get(f"{field}_fr"):
                missing.append(f"{cid}.{field}: {d[field][:80]}")
    for pack in sorted((ROOT / "checks" / "packs").glob("*.toml")):
        spec = tomllib.loads(pack.read_text(encoding="utf-8"))
        for text in [spec["pack"]["title"]] + [p.get("description") for p in spec.get("params", {}).values()]:
            if text and text not in texts:
                missing.append(f"{pack.name}: {text[:80]}")
    assert not missing, f"{len(missing)} English text(s) without French:\n" + "\n".join(missing)


def test_explain_in_french_for_every_check():
    runner = CliRunner()
    problems = []
    for cid in load_all():
        res = runner.invoke(main, ["explain", cid, "--lang", "fr"])
        assert res.exit_code == 0, res.output
        out = res.output
        if not out.startswith(f"{cid}\u00a0: ") or "Base juridique" not in out or "Mesure corrective" not in out:
            problems.append(f"{cid}: layout: {out[:120]!r}")
        # the "Données requises" line lists table and column names (requests, at, ...), not words
        prose = "\n".join(line for line in out.splitlines() if not line.lstrip().startswith("Données requises"))
        problems += [f"{cid}: English: {line[:120]}" for line in english_runs(prose)]
        problems += [f"{cid}: untranslated" for _ in [0] if catalog.FALLBACK_MARK in out]
    assert not problems, "\n".join(problems[:40])
    english = runner.invoke(main, ["explain", "RET001"]).output
    assert english.startswith("RET001: ") and "Legal basis :" in english and "Why it matters" in english
