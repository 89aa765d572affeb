"""Where to report a clinic: the routes of ``rules/reporting.yaml`` by country, kept as data.

Each route says who to turn to and, in one plain sentence, what to do there, with its address, the
page that documents it, the date it was checked and how. A broken file is a ``DataFileError``
naming the file and the place. ``guess_country`` picks the country an advert is most likely in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from checker.core import yamlio
from checker.core.errors import DataFileError
from checker.core.paths import RULES_DIR

REPORTING_FILE_NAME = "reporting.yaml"
KINDS = ("regulator", "advertising", "medical_board", "trial_check")
ROUTE_FIELDS = ("kind", "name", "what", "url", "source", "checked", "seen")
# Clinics everywhere quote US dollars (Tijuana, Cancún), so a dollar price scores only 0.5.
WEAK_HINTS, WEAK_WEIGHT = {"USD": "US", "US$": "US"}, 0.5


@dataclass(frozen=True)
class Route:
    kind: str
    name: str
    what: str
    url: str
    source: str
    checked: date
    seen: str


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    aliases: tuple[str, ...]
    routes: tuple[Route, ...]
    # the aliases with their lower case, and in capitals: made once, for guess_country
    folded: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    capitals: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", tuple((a, a.lower()) for a in self.aliases))
        object.__setattr__(self, "capitals", frozenset(a.upper() for a in self.aliases))


@dataclass(frozen=True)
class Reporting:
    countries: dict[str, Country]   # in file order
    general: list[Route]

    def get(self, code: str) -> Country | None:
        return self.countries.get(code.upper())


def _text(value: Any, where: str, error: Callable[[str], DataFileError]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise error(f"{where}: expected a non-empty text, got {value!r}")
    return value.strip()


def _route(item: Any, where: str, error: Callable[[str], DataFileError]) -> Route:
    if not isinstance(item, dict):
        raise error(f"{where}: expected a mapping")
    if missing := [f for f in ROUTE_FIELDS if f not in item]:
        raise error(f"{where}: missing {', '.join(missing)}")
    if extra := sorted(set(item) - set(ROUTE_FIELDS)):
        raise error(f"{where}: unknown field {', '.join(extra)}")
    values = {f: _text(item[f], f"{where}.{f}", error) for f in ROUTE_FIELDS if f != "checked"}
    if values["kind"] not in KINDS:
        raise error(f"{where}.kind: {values['kind']!r} is not one of {', '.join(KINDS)}")
    checked = item["checked"]
    try:
        checked = checked if isinstance(checked, date) else date.fromisoformat(str(checked))
    except ValueError:
        raise error(f"{where}.checked: {checked!r} is not an ISO date (YYYY-MM-DD)") from None
    return Route(checked=checked, **values)


def _load(path: Path) -> Reporting:
    def error(problem: str) -> DataFileError:
        return DataFileError(f"{path}: {problem}")

    data = yamlio.read_file(path, error)
    if not isinstance(data, dict) or not isinstance(data.get("countries"), list):
        raise error("expected a mapping with a list of `countries`")
    countries: dict[str, Country] = {}
    for i, item in enumerate(data["countries"]):
        if not isinstance(item, dict):
            raise error(f"countries[{i}]: expected a mapping")
        code = _text(item.get("code"), f"countries[{i}].code", error).upper()
        where = f"country {code}"
        if code in countries:
            raise error(f"{where}: listed twice")
        aliases, routes = item.get("aliases") or [], item.get("routes")
        if not isinstance(aliases, list) or not isinstance(routes, list) or not routes:
            raise error(f"{where}: `aliases` must be a list and `routes` a non-empty list")
        countries[code] = Country(
            code, _text(item.get("name"), f"{where}.name", error),
            tuple(_text(str(a), f"{where}.aliases", error) for a in aliases),
            tuple(_route(r, f"{where}.routes[{j}]", error) for j, r in enumerate(routes)))
    if not isinstance(general := data.get("general") or [], list):
        raise error("general: expected a list")
    return Reporting(countries, [_route(r, f"general[{j}]", error) for j, r in enumerate(general)])


@lru_cache(maxsize=1)
def _load_default() -> Reporting:
    return _load(RULES_DIR / REPORTING_FILE_NAME)


def load_routes(rules_dir: Path | None = None) -> Reporting:
    """The reporting routes of ``rules_dir`` (the project's rules folder by default, cached)."""
    return _load_default() if rules_dir is None else _load(Path(rules_dir) / REPORTING_FILE_NAME)


@lru_cache(maxsize=1024)
def _pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for the aliases: whole words (a boundary only where the alias starts or ends
    with a letter or digit, so "₹2,50,000" and "US$5" match); capitals-only aliases ("UK",
    "MXN") match only in capitals, the others in any case."""
    parts = []
    for alias in sorted(aliases, key=len, reverse=True):
        body = ("(?<!\\w)" if alias[0].isalnum() else "") + re.escape(alias)
        body += "(?!\\w)" if alias[-1].isalnum() else ""
        caps = any(c.isalpha() for c in alias) and alias == alias.upper()
        parts.append(body if caps else f"(?i:{body})")
    return re.compile("|".join(parts) or "(?!)")


# Where an alias stands says whose place it is: "our clinic in Tijuana" is the clinic's,
# "patients from the USA" and a testimonial's "- Maria, Texas" are the patients'.
_CLINIC_SIDE = re.compile(r"(?i:\b(?:in|at|near|based in|located in|clinics? in)\s+(?:the\s+)?)$")
_PATIENT_SIDE = re.compile(r"(?i:\b(?:from|of|across)\s+(?:the\s+)?(?:\w+\s+and\s+)?)$"
                           r"|[-\u2013\u2014]\s*[A-Z][\w.]*,\s*$")


def _weight(text: str, start: int) -> float:
    before = text[max(0, start - 40):start]
    if _PATIENT_SIDE.search(before):
        return 0.0
    return 2.0 if _CLINIC_SIDE.search(before) else 1.0


def guess_country(text: str, currencies: Iterable[str] = (), *,
                  reporting: Reporting | None = None) -> str | None:
    """The code of the country an advert is most likely in, or None when nothing points anywhere.

    Each distinct alias of a country found in ``text`` scores 1, or 2 where it names where the
    clinic is ("in Tijuana"), or 0 where it names where patients come from ("patients from the
    USA", "- Maria, Texas"); each code in ``currencies`` (the ISO codes of the prices found) that
    is one of its aliases scores 1; "USD" and "US$" score 0.5 for the US, once. The highest score
    wins; a tie goes to the country listed first.
    """
    reporting = reporting or load_routes()
    codes = {c.strip().upper() for c in currencies if c and c.strip()}
    lowered = text.lower()   # a substring test first: the regex runs only for aliases present
    scores: dict[str, float] = {}
    for code, country in reporting.countries.items():
        found: dict[str, float] = {}
        present = tuple(a for a, low in country.folded if low in lowered)
        for m in (_pattern(present).finditer(text) if present else ()):
            key = m.group(0).lower()
            found[key] = max(found.get(key, 0.0), _weight(text, m.start()))
        for c in codes & country.capitals:
            found[c.lower()] = max(found.get(c.lower(), 0.0), 1.0)
        weak = any(c == code and (h in codes or (h.lower() in lowered
                                                  and _pattern((h,)).search(text)))
                   for h, c in WEAK_HINTS.items())
        scores[code] = sum(found.values()) + (WEAK_WEIGHT if weak else 0)  # dollars count once
    best = max(scores.values(), default=0)
    return next(code for code, score in scores.items() if score == best) if best else None
