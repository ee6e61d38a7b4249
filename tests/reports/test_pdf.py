"""PDF output (WeasyPrint): renders, sensible page counts, summary figures in the text; the official
profile (issue 20): cover, contents, running header, "Page X of Y", outline, tags, landscape appendix."""

from __future__ import annotations

import copy

import pypdf
import pytest


@pytest.fixture(scope="module")
def pdf_out(tmp_path_factory):
    from reports import write_reports
    from tests.reports.conftest import _MODEL

    out = tmp_path_factory.mktemp("pdf")
    written = write_reports(copy.deepcopy(_MODEL), out, ("pdf",), classification="OFFICIAL")
    return out, written


def _text(path) -> tuple[int, str]:
    reader = pypdf.PdfReader(str(path))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_pdf_files_written(pdf_out):
    out, written = pdf_out
    names = sorted(p.relative_to(out).as_posix() for p in written if p.suffix == ".pdf")
    assert names == ["guide.pdf", "index.pdf", "party/DE.pdf", "party/FR.pdf", "provider/cloudco.pdf",
                     "provider/examplemail.pdf", "runs.pdf"]
    assert not list(out.rglob("*.html"))  # pdf alone does not leave html behind
    for name in names:
        assert (out / name).read_bytes().startswith(b"%PDF-")


def test_index_pdf_pages_and_figures(pdf_out):
    out, _ = pdf_out
    pages, text = _text(out / "index.pdf")
    assert 4 <= pages <= 14  # with the cover and the table of contents
    flat = " ".join(text.split())
    assert "Compliance audit" in flat
    assert "83.3%" in flat and "25 passed / 30 evaluated records" in flat
    assert "Check results by Party" in flat and "87.5%" in flat and "78.6%" in flat
    # every request counted, those outside the audited instruments said to be not judged
    assert "Requests in scope: 65 (19 with disclosure)." in flat
    assert "20 under an audited instrument, 45 outside the audited instruments (counted, not judged)." in flat
    assert "42 mla, 3 other" in flat
    assert "Advisory findings (the auditor's policy thresholds, not breaches of the text)" in flat
    assert "Compliance by legal instrument" in flat and "EU 2023/1543" in flat


def test_party_pdf_pages_and_figures(pdf_out):
    out, _ = pdf_out
    pages, text = _text(out / "party" / "FR.pdf")
    assert 4 <= pages <= 12
    flat = " ".join(text.split())
    assert "Party report: FR" in flat and "87.5%" in flat and "14 passed / 16 evaluated records" in flat
    assert "FR-2025-000123" in flat  # the evidence table prints every row
    # the advisory finding is printed in its own section, after the breaches
    advisory = flat.rindex("Advisory findings (the auditor's policy thresholds")  # after the contents
    assert flat.index("FR-2025-000123") < advisory < flat.index("FR-2025-000150")
    assert "42 requests were outside the audited instruments" in flat
    assert "all-Party median" in flat


def test_pdf_french_and_published(tmp_path):
    from reports import write_reports
    from tests.reports.conftest import _MODEL

    write_reports(copy.deepcopy(_MODEL), tmp_path, ("pdf",), lang="fr", publish=True)
    _, text = _text(tmp_path / "index.pdf")
    flat = " ".join(text.split())
    assert "Audit de conformité" in flat and "Édition publiée." in flat
    assert "Sommaire" in flat and "Page 2 sur " in flat
    assert "FR-2025-000123" not in flat


# ---- the official profile (issue 20)

def _pages(path) -> tuple[pypdf.PdfReader, list[str]]:
    reader = pypdf.PdfReader(str(path))
    return reader, [p.extract_text() for p in reader.pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _outline(reader: pypdf.PdfReader) -> list[tuple[str, int]]:
    """(title, page number from 1) of every outline entry, depth first."""
    out: list[tuple[str, int]] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append((item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return out


def test_index_pdf_has_a_cover_with_title_period_packs_and_classification(pdf_out):
    out, _ = pdf_out
    _, texts = _pages(out / "index.pdf")
    cover = _flat(texts[0])
    assert cover.startswith("OFFICIAL Compliance audit")
    assert "Audited period requests issued from the first request to 2026-06-30" in cover
    assert "As of 2026-06-30" in cover and "Rule packs cets224 2026.11.0, eu2023_1543 2026.12.0" in cover
    assert "Classification OFFICIAL" in cover
    assert "Page " not in cover  # no running header or footer on the cover


def test_every_page_after_the_cover_has_the_running_header_and_page_x_of_y(pdf_out):
    out, _ = pdf_out
    for name in ("index.pdf", "party/FR.pdf", "provider/cloudco.pdf", "guide.pdf"):
        _, texts = _pages(out / name)
        n = len(texts)
        first = 2 if name != "guide.pdf" else 1  # the guide has no cover
        for number in range(first, n + 1):
            flat = _flat(texts[number - 1])
            assert f"Page {number} of {n}" in flat, (name, number)
            assert flat.count("OFFICIAL") >= 2, (name, number)  # header and footer
        if name == "index.pdf":
            assert all("Compliance audit" in _flat(t) for t in texts[1:])


def test_index_pdf_contents_and_outline_point_at_the_same_pages(pdf_out):
    out, _ = pdf_out
    reader, texts = _pages(out / "index.pdf")
    outline = _outline(reader)
    titles = [t for t, _ in outline]
    assert titles[0] == "Compliance audit"
    for section in ("At a glance", "Check results", "Compliance by legal instrument", "Checks", "Data quality",
                    "Scope", "Findings",
                    "Advisory findings (the auditor's policy thresholds, not breaches of the text)"):
        assert section in titles, section
    pages = dict(outline)
    contents = texts[1]
    assert contents.lstrip().startswith("Contents")
    for section in ("At a glance", "Check results", "Data quality", "Scope", "Findings"):
        line = next(x for x in contents.splitlines() if x.startswith(section + " ") or x.startswith(section + "."))
        assert line.rstrip().endswith(f" {pages[section]}") or line.rstrip().endswith(f".{pages[section]}"), line
        assert section in _flat(texts[pages[section] - 1])


def test_index_pdf_is_tagged_and_identified_as_pdf_ua(pdf_out):
    out, _ = pdf_out
    reader = pypdf.PdfReader(str(out / "index.pdf"))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/StructTreeRoot"]["/K"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en"
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert reader.metadata.title.startswith("Compliance audit")


def test_findings_appendix_is_landscape_with_the_article_on_one_line(pdf_out):
    out, _ = pdf_out
    for name in ("index.pdf", "party/FR.pdf"):
        reader, texts = _pages(out / name)
        landscape = [i for i, p in enumerate(reader.pages) if p.mediabox.width > p.mediabox.height]
        findings = [i for i, t in enumerate(texts) if "Breaches of the text." in t]
        assert landscape and findings and findings[0] == landscape[0], name
        assert landscape == list(range(landscape[0], len(texts))), name  # the appendix ends the PDF
        assert all(reader.pages[i].mediabox.height > reader.pages[i].mediabox.width for i in range(landscape[0]))
        appendix = "\n".join(texts[i] for i in landscape)
        # the article column is wide enough for "Art. 8(6)(a), CETS 224" on one line
        assert any("Art. 8(6)(a), CETS 224" in line for line in appendix.splitlines()), name


def test_html_pages_show_the_classification_small_and_nothing_of_the_pdf_profile(tmp_path):
    from reports import write_reports
    from tests.reports.conftest import _MODEL

    write_reports(copy.deepcopy(_MODEL), tmp_path, ("html",), classification="RESTREINT")
    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) >= 8  # index, guide, runs, issues, Parties, providers, checks
    for page in pages:
        text = page.read_text(encoding="utf-8")
        header = text[text.index('<header class="top">'):text.index("</header>")]
        assert ">RESTREINT</p>" in header, page.name
        assert text.count("RESTREINT") == 1, page.name
        # the print profile is the PDF's alone: no cover, contents, landscape pages or appendix
        assert 'class="cover"' not in text and "pdf-toc" not in text and "@page landscape" not in text
        assert 'class="appendix"' not in text and 'class="has-cover"' not in text


def test_pdf_a_for_archiving_keeps_the_tags(tmp_path):
    """``--pdf-standard pdf/a-3a``: the published edition's index as tagged PDF/A-3 (level a)."""
    from reports import write_reports
    from tests.reports.conftest import _MODEL

    write_reports(copy.deepcopy(_MODEL), tmp_path, ("pdf",), publish=True, pdf_standard="pdf/a-3a")
    reader = pypdf.PdfReader(str(tmp_path / "index.pdf"))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"].value is True
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp and "pdfuaid" not in xmp
    with pytest.raises(ValueError, match="PDF standard"):
        write_reports(copy.deepcopy(_MODEL), tmp_path / "x", ("pdf",), pdf_standard="pdf/x-4")
