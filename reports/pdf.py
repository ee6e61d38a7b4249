"""PDF output: the HTML pages printed by WeasyPrint (imported lazily; needs pango).

The official profile (issue 20): a page rendered for the PDF (``ext == "pdf"``) carries the print
stylesheet of ``templates/print.html`` (A4, running header with the report title and the
classification marking, "Page X of Y" footer, headings kept with their content, the findings
appendix on landscape pages, charts at their natural size), and the index and the Party and
provider pages a cover; :func:`prepare` fills their table of contents from the page's ``h2``
headings (page numbers by ``target-counter``). WeasyPrint makes the PDF outline (bookmarks) from
the ``h1``-``h3`` headings.

Every PDF is tagged (structure tree, ``/MarkInfo /Marked true``) and identified as PDF/UA-1
(:data:`PDF_VARIANT`). WeasyPrint 70 writes one conformance variant per file (its XMP metadata
names one ``pdfaid`` or ``pdfuaid``), so PDF/UA (accessible) and PDF/A (archiving) cannot both be
claimed for one file: the reports are PDF/UA-1 by default; ``--pdf-standard pdf/a-3a`` writes
them as tagged PDF/A-3 (level a: the structure tree is kept) for archiving instead.
"""

from __future__ import annotations

import html as _html
import logging
import re
from pathlib import Path

from auditor.errors import AuditorError

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

#: the conformance variant of every report PDF (tagged; see the module doc)
PDF_VARIANT = "pdf/ua-1"
#: the variants ``--pdf-standard`` offers: accessible (default) or archival (tagged PDF/A-3, level a)
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3a")
#: where a page rendered for the PDF wants its table of contents (``templates/print.html``)
TOC_MARK = "<!--pdf-toc-->"

_H2 = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<body>.*?)</h2>", re.S)
_ID = re.compile(r"""\sid="([^"]*)\"""")
_HELP = re.compile(r'<a class="help"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


class PdfUnavailableError(AuditorError):
    """WeasyPrint (or the pango library it needs) is not installed."""

    exit_code = 2


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfUnavailableError(
            f"PDF output needs WeasyPrint and pango ({type(exc).__name__}: {exc})",
            hint="pip install weasyprint; apt-get install libpango-1.0-0 libpangoft2-1.0-0; "
                 "or drop --format pdf",
        ) from None
    return weasyprint


def prepare(html: str, lang: str = "en") -> str:
    """``html`` (a page rendered for the PDF) with its table of contents in place of
    :data:`TOC_MARK`: one entry per ``h2`` heading after the mark, linked to the heading (an id
    is given to a heading without one), its page number drawn by the print stylesheet. A page
    without the mark is returned as it is."""
    at = html.find(TOC_MARK)
    if at < 0:
        return html
    from . import i18n

    entries: list[str] = []
    appendix = html.find('<section class="appendix"', at)

    def heading(m: re.Match[str]) -> str:
        attrs = m.group("attrs")
        found = _ID.search(attrs)
        ident = found.group(1) if found else f"toc-{len(entries) + 1}"
        text = " ".join(_TAG.sub("", _HELP.sub("", m.group("body"))).split())
        cls = ' class="appendix"' if 0 <= appendix - at - len(TOC_MARK) < m.start() else ""
        entries.append(f'<li{cls}><a href="#{_html.escape(ident, quote=True)}">{text}</a></li>')
        return m.group(0) if found else f'<h2 id="{ident}"{attrs}>{m.group("body")}</h2>'

    rest = _H2.sub(heading, html[at + len(TOC_MARK):])
    title = _html.escape(i18n.translator(lang)("Contents"))
    toc = (f'<nav class="toc" aria-labelledby="toc-title"><h2 id="toc-title">{title}</h2>\n<ol>\n'
           + "\n".join(entries) + "\n</ol></nav>")
    return html[:at] + toc + rest


def write_pdf(html: str, path: Path, base_dir: Path, lang: str = "en", variant: str = PDF_VARIANT) -> Path:
    """Print one self-contained HTML page to ``path`` (A4, the print stylesheet; tagged,
    ``variant`` PDF/UA-1 by default); the table of contents filled first (:func:`prepare`)."""
    return render_pdf(html, path, base_dir, lang, variant)[0]


def render_pdf(html: str, path: Path, base_dir: Path, lang: str = "en",
               variant: str = PDF_VARIANT) -> tuple[Path, int]:
    """:func:`write_pdf`, and the number of pages written."""
    wp = _weasyprint()

    # Pages are self-contained: only data: URIs (the embedded charts) may be read.
    fetcher = wp.URLFetcher(allowed_protocols=["data"])
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = wp.HTML(string=prepare(html, lang), base_url=str(base_dir), url_fetcher=fetcher).render()
    doc.write_pdf(str(path), pdf_variant=variant, pdf_tags=True)
    return path, len(doc.pages)


def write_all(jobs: list[tuple[str, Path]], lang: str = "en", variant: str = PDF_VARIANT) -> list[Path]:
    """Print every (page HTML, path) of ``jobs`` (:func:`render_pdf`) and return the paths, in
    order. Progress on stderr: a bar over the PDFs for a person at a terminal (``--quiet`` and
    ``--log-format json`` hide it, ``auditor.logs.progress``), else one log line per PDF written
    (its pages and seconds). ``variant``: one of :data:`PDF_VARIANTS`."""
    import time

    from auditor import logs

    log = logging.getLogger("auditor.reports.pdf")
    written: list[Path] = []
    for n, (html, path) in enumerate(logs.progress(jobs, "PDF", total=len(jobs)), 1):
        start = time.perf_counter()
        _, pages = render_pdf(html, path, path.parent, lang, variant)
        written.append(path)
        log.info("PDF %d/%d: %s (%d pages, %.1f s)", n, len(jobs), path.name, pages, time.perf_counter() - start)
    return written
