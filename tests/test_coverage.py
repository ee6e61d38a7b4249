"""Each pack's coverage document (docs/coverage/<pack>.md) agrees with the check registry.

Format (shared by every pack): Markdown table rows whose first cell is the provision
("Art. 7(3)(f)", "Annex I"), listing the checks that test it. A check is named either as
``ID `article` `` (the article the check cites in its findings, in backticks), which must be the
check's own, or as a bare ``ID``, in which case at least one row naming it must be the provision
the check cites. A row with no check says "not checkable from logs" or "gap" and why.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.engine import packs
from auditor.engine.registry import load_all

ROOT = Path(__file__).resolve().parents[1]
PACK_FILES = sorted((ROOT / "checks" / "packs").glob("*.toml"))
DOCUMENTED = [p.stem for p in PACK_FILES if (ROOT / "docs" / "coverage" / f"{p.stem}.md").is_file()]
CITED = re.compile(r"\b([A-Z]{2,3}\d{3})\b(?:\s+`([^`]+)`)?")
ROW = re.compile(r"^\|\s*((?:Art\.|Annex)[^|]*)\|(.*?)\|?\s*$")


def _rows(pack: str) -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "coverage" / f"{pack}.md").read_text(encoding="utf-8")
    return [(m.group(1).strip(), m.group(2)) for line in text.splitlines() if (m := ROW.match(line))]


def test_the_default_pack_has_a_coverage_document():
    assert "cets224" in DOCUMENTED


@pytest.mark.parametrize("pack", DOCUMENTED)
def test_every_check_of_the_pack_is_in_its_coverage_document(pack):
    ids = {cid for _prov, rest in _rows(pack) for cid, _art in CITED.findall(rest)}
    missing = [cid for cid in packs.load(pack).checks if cid not in ids]
    assert not missing, f"docs/coverage/{pack}.md does not mention {missing}"


@pytest.mark.parametrize("pack", DOCUMENTED)
def test_every_id_in_the_document_is_a_registered_check_of_the_pack_citing_that_article(pack):
    registry = load_all()
    in_pack = set(packs.load(pack).checks)
    offenders = []
    bare: dict[str, set[str]] = {}
    for prov, rest in _rows(pack):
        for cid, article in CITED.findall(rest):
            if cid not in registry:
                offenders.append(f"{prov}: {cid} is not a registered check")
            elif cid not in in_pack:
                offenders.append(f"{prov}: {cid} is not in pack {pack}")
            elif article and registry[cid].article != article:
                offenders.append(f"{prov}: {cid} cites {registry[cid].article!r}, the document says {article!r}")
            elif not article:
                bare.setdefault(cid, set()).add(prov)
    with_article = {cid for _prov, rest in _rows(pack) for cid, article in CITED.findall(rest) if article}
    offenders += [f"{cid}: cites {registry[cid].article!r}, but is listed only under {sorted(provs)}"
                  for cid, provs in bare.items()
                  if cid not in with_article and registry[cid].article not in provs]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("pack", DOCUMENTED)
def test_every_provision_row_names_checks_or_says_why_not(pack):
    rows = _rows(pack)
    assert rows, f"docs/coverage/{pack}.md has no provision rows"
    offenders = [prov for prov, rest in rows
                 if not CITED.search(rest) and "not checkable from logs" not in rest and "gap" not in rest]
    assert not offenders, f"rows with neither a check nor a reason: {offenders}"


def test_cets224_document_covers_articles_6_to_14():
    provisions = " ".join(prov for prov, _rest in _rows("cets224"))
    for art in range(6, 15):
        assert f"Art. {art}(" in provisions or f"Art. {art} " in provisions + " ", art
