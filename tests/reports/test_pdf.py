"""PDF output (WeasyPrint): renders, sensible page counts, summary figures in the text."""

from __future__ import annotations

import copy

import pypdf
import pytest


@pytest.fixture(scope="module")
def pdf_out(tmp_path_factory):
    from reports import write_reports
    from tests.reports.conftest import _MODEL

    out = tmp_path_factory.mktemp("pdf")
    written = write_reports(copy.deepcopy(_MODEL), out, ("pdf",))
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
    assert 2 <= pages <= 12
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
    assert 2 <= pages <= 10
    flat = " ".join(text.split())
    assert "Party report: FR" in flat and "87.5%" in flat and "14 passed / 16 evaluated records" in flat
    assert "FR-2025-000123" in flat  # the evidence table prints every row
    # the advisory finding is printed in its own section, after the breaches
    advisory = flat.index("Advisory findings (the auditor's policy thresholds")
    assert flat.index("FR-2025-000123") < advisory < flat.index("FR-2025-000150")
    assert "42 requests were outside the audited instruments" in flat
    assert "all-Party median" in flat


def test_pdf_french_and_published(tmp_path):
    from reports import write_reports
    from tests.reports.conftest import _MODEL

    write_reports(copy.deepcopy(_MODEL), tmp_path, ("pdf",), lang="fr", publish=True)
    _, text = _text(tmp_path / "index.pdf")
    flat = " ".join(text.split())
    assert "Audit de conformité" in flat and "Version publiée." in flat
    assert "FR-2025-000123" not in flat
