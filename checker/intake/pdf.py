"""The text of a PDF brochure, page by page, through pypdf.

A PDF whose pages hold no text (a scan: pictures of pages) gets a clear message, not an empty
check; so does a file that is not a PDF pypdf can read, or one protected by a password.
"""

from __future__ import annotations

import io
import logging
import re

from checker.core.errors import ExtractError

MAX_PAGES = 200
_SPACE_RUN = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


def pdf_text(data: bytes) -> str:
    """The text of the PDF ``data``: its pages' text, pages separated by a blank line."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)   # its warnings would name the content
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractError("This PDF is protected by a password, so its text cannot be "
                               "read. Please paste the text instead.")
        pages = []
        for number, page in enumerate(reader.pages):
            if number >= MAX_PAGES:
                break
            pages.append(page.extract_text() or "")
    except ExtractError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise ExtractError(f"This file could not be read as a PDF ({type(exc).__name__}). "
                           "Please check it is a PDF, or paste its text instead.") from None
    text = "\n\n".join(_clean(page) for page in pages if page.strip())
    if len(text.split()) < 3:
        raise ExtractError("This PDF has no text we can read: it is probably scanned (pictures "
                           "of pages). Please paste the advert's text instead.")
    return text


def _clean(page: str) -> str:
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in page.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
