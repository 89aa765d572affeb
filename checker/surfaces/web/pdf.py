"""The PDF report: the HTML report laid out on A4 pages by WeasyPrint.

The report is one self-contained document (its styles inlined), so WeasyPrint never needs to
fetch anything; its URL fetcher refuses every request, so no address written in a checked text
(or anywhere else) can make the server fetch it.
"""

from __future__ import annotations

import logging
from typing import Any


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it draws with (Pango) are not installed."""


def html_to_pdf(html: str) -> bytes:
    """``html`` (a report that stands alone) as PDF bytes."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:   # OSError: Pango's shared libraries are missing
        raise PdfUnavailable(str(exc)) from exc

    class FetchNothing(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError("the PDF report fetches nothing")

    # WeasyPrint warns of every CSS rule it does not lay out (screen-only media queries):
    # expected, and not worth a line in the server's log per report.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return HTML(string=html, url_fetcher=FetchNothing(allowed_protocols=())).write_pdf()
