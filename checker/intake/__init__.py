"""What a user gives (pasted text, pasted or uploaded HTML, a web address, a PDF) turned into
the text the checker reads, and a record of where that text came from.

The record is the result's ``source`` block: what kind of input it was, the final address after
redirects, when it was fetched (UTC), the HTTP status, the content type, the sha256 of the bytes
fetched or uploaded and of the text checked, and which extractor made the text. The text itself
is kept with the check, so a stored snapshot can be checked again to the same result. Plain
pasted text needs no record: the user has it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from checker.core.errors import ExtractError
from checker.core.inputs import bad_character, has_text
from checker.intake.fetch import Fetched, fetch
from checker.intake.html import EXTRACTOR_VERSION, looks_like_html, visible_text
from checker.intake.pdf import pdf_text

__all__ = ["Intake", "from_pasted", "from_html", "from_pdf", "from_fetched", "from_url",
           "from_file", "is_address", "address_of", "looks_like_html"]

_ADDRESS = re.compile(r"^\s*<?((?:https?://|www\.)[^\s<>\"]+)>?\s*$", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}charset=[\"']?([A-Za-z0-9_.:-]{1,40})",
                           re.IGNORECASE)


@dataclass
class Intake:
    text: str
    source: dict[str, Any] | None = None   # None: plain text, as pasted


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def extractor(kind: str) -> str:
    if kind == "html":
        import selectolax

        return f"selectolax {selectolax.__version__} (lexbor) + checker html {EXTRACTOR_VERSION}"
    if kind == "pdf":
        import pypdf

        return f"pypdf {pypdf.__version__}"
    return "none (plain text)"


def is_address(text: str) -> bool:
    """Whether ``text`` is only a web address (what a patient pastes instead of the advert)."""
    return bool(_ADDRESS.match(text)) and len(text) <= 2100


def address_of(text: str) -> str:
    found = _ADDRESS.match(text)
    address = found.group(1) if found else text.strip()
    return address if "://" in address else "https://" + address


def _record(kind: str, data: bytes, text: str, **more: Any) -> dict[str, Any]:
    record = {"kind": kind, **more, "bytes": len(data), "bytes_sha256": sha256(data),
              "text_sha256": sha256(text.encode("utf-8")), "extractor": extractor(kind)}
    return {k: v for k, v in record.items() if v is not None}


def from_html(markup: str, data: bytes | None = None, **more: Any) -> Intake:
    text = visible_text(markup)
    if not has_text(text):
        raise ExtractError("This markup has no visible text to check (only tags, scripts or "
                           "styles). Please paste the words of the advert instead.")
    raw = markup.encode("utf-8") if data is None else data
    return Intake(text, _record("html", raw, text, **more))


def from_pdf(data: bytes, **more: Any) -> Intake:
    text = pdf_text(data)
    return Intake(text, _record("pdf", data, text, **more))


def from_pasted(text: str) -> Intake:
    """Pasted text as it is, or its visible text when it is markup."""
    if looks_like_html(text):
        return from_html(text)
    return Intake(text, None)


def decode(body: bytes, charset: str | None) -> str:
    for name in (charset, _meta_charset(body), "utf-8"):
        if not name:
            continue
        try:
            return body.decode(name, errors="replace")
        except LookupError:
            continue
    return body.decode("utf-8", errors="replace")


def _meta_charset(body: bytes) -> str | None:
    found = _META_CHARSET.search(body[:4096])
    return found.group(1).decode("ascii") if found else None


def from_fetched(page: Fetched) -> Intake:
    """A fetched page's text and the evidence of the fetch."""
    evidence = {"url": page.url, "requested_url": page.requested_url,
                "redirects": page.redirects or None, "fetched_at": page.fetched_at,
                "http_status": page.status, "content_type": page.content_type or None}
    kind = page.kind
    if kind == "pdf":
        found = from_pdf(page.body, **evidence)
    elif kind == "html":
        found = from_html(decode(page.body, page.charset), data=page.body, **evidence)
    else:
        text = decode(page.body, page.charset)
        if not has_text(text):
            raise ExtractError("The page at that address is empty.")
        found = Intake(text, _record("text", page.body, text, **evidence))
    found.source["kind"] = "url"   # type: ignore[index]
    found.source["format"] = kind or "text"  # type: ignore[index]
    return found


def from_url(url: str, **options: Any) -> Intake:
    return from_fetched(fetch(url, **options))


FILE_KINDS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".txt": "text"}


def from_file(data: bytes, name: str | None = None) -> Intake:
    """An uploaded or named file: a PDF's text, an HTML file's visible text, or a text file as
    it is (its visible text when it is markup). ``name`` (for its suffix) may be None: standard
    input. Anything else is an ExtractError that says what can be read."""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if name and "." in name else ""
    kind = FILE_KINDS.get(suffix) or ("pdf" if data[:5] == b"%PDF-" else "")
    if not kind and suffix:
        raise ExtractError("Only PDF files, saved web pages (.html) and text files (.txt) can "
                           "be read.", 415)
    if kind == "pdf":
        return from_pdf(data, filename=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if kind != "html":   # a page may say its own charset; a text file must be UTF-8
            raise ExtractError(f"not UTF-8 text (byte {exc.start}): please save it as UTF-8 "
                               "or paste its text instead.") from None
        text = decode(data, None)
    problem = bad_character(text)
    if problem:
        raise ExtractError(f"the text cannot be read: {problem}.")
    if not has_text(text):
        raise ExtractError("the file is empty: there is no text to check.")
    if kind == "html" or looks_like_html(text):
        return from_html(text, data=data, filename=name)
    return Intake(text, None)
