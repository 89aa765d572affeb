"""Which clinic an advert belongs to: by its name, else by its web address's domain.

``clinic_key`` makes one key of the many ways a clinic is written ("Nueva Vida Stem Cell
Institute", "nueva vida stem cell institute ", https://www.nuevavida.example/autism): the
dashboard, the clinic pages and the summary rows group by it.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def domain_of(url: str) -> str:
    """The host of ``url`` without "www." ("" when there is none)."""
    text = (url or "").strip()
    if not text:
        return ""
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def clinic_key(clinic: str = "", url: str = "") -> str:
    """A stable key: the name folded to ascii words joined by "-", else the domain, else ""."""
    name = unicodedata.normalize("NFKD", clinic or "").encode("ascii", "ignore").decode().lower()
    slug = _NOT_WORD.sub("-", name).strip("-")[:80]
    return slug or domain_of(url)


def clinic_label(clinic: str = "", url: str = "") -> str:
    """How to show the clinic: its name as given, else its domain, else "(no clinic given)"."""
    return " ".join((clinic or "").split()) or domain_of(url) or "(no clinic given)"


def country_of(text: str, result: dict) -> str:
    """The country an advert seems to be in, from its places and its prices' currencies (the
    code of checker.core.reporting, e.g. "MX"), or "" when nothing points anywhere."""
    from checker.core.reporting import guess_country

    return guess_country(text or "", [p["currency"] for p in result.get("prices", [])
                                      if p.get("currency")]) or ""

