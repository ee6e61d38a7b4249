"""PDF output: the HTML pages printed by WeasyPrint (imported lazily; needs pango)."""

from __future__ import annotations

import logging
from pathlib import Path

from auditor.errors import AuditorError

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


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


def write_pdf(html: str, path: Path, base_dir: Path) -> Path:
    """Print one self-contained HTML page to ``path`` (A4, print stylesheet)."""
    wp = _weasyprint()

    # Pages are self-contained: only data: URIs (the embedded charts) may be read.
    fetcher = wp.URLFetcher(allowed_protocols=["data"])
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = wp.HTML(string=html, base_url=str(base_dir), url_fetcher=fetcher)
    doc.write_pdf(str(path))
    return path
