"""docs/coverage/eu2023_1543.md and the registry / pack agree."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.engine import packs
from auditor.engine.registry import load_all

DOC = Path(__file__).resolve().parents[3] / "docs" / "coverage" / "eu2023_1543.md"
ARTICLES = ["Art. 3", "Art. 4", "Art. 5", "Art. 7", "Art. 8", "Art. 10", "Art. 11", "Art. 12", "Art. 13",
            "Art. 16", "Art. 17", "Art. 19", "Art. 34", "Annex I ", "Annex II", "Annex III"]


def _rows() -> list[dict[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("| article | requirement | checks | note |"):]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append(dict(zip(("article", "requirement", "checks", "note"), cells, strict=True)))
    return rows


def test_every_pack_check_is_in_the_table_with_its_article():
    registry = load_all()
    rows = _rows()
    for cid in packs.load("eu2023_1543").checks:
        articles = {r["article"] for r in rows if cid in re.split(r",\s*", r["checks"])}
        assert registry[cid].article in articles, (cid, registry[cid].article, articles)


def test_table_names_only_pack_checks_and_explains_the_rest():
    pack = set(packs.load("eu2023_1543").checks)
    for row in _rows():
        if row["checks"] == "—":
            assert row["note"].startswith("not checkable from logs:"), row
        else:
            assert set(re.split(r",\s*", row["checks"])) <= pack, row


def test_table_covers_the_articles_of_the_brief():
    cells = [r["article"] + " " for r in _rows()]
    for art in ARTICLES:
        assert any(c.startswith(art) and not c[len(art)].isdigit() for c in cells), art
