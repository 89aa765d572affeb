"""Options a check can be narrowed with, per request: what regulators asked for.

* ``categories``: keep only findings of these categories (``efficacy``, ``price``, ...);
* ``min_severity``: keep only findings of at least this severity (``low``, ``medium``, ``high``);
* ``allow``: phrases to leave alone: a finding whose text equals one of them, ignoring case and
  runs of white space, is dropped.

The engine drops the findings the options rule out before it scores (``Checker.check(text,
options=...)``), so the score, level, summary, questions and category counts are those of the
findings kept, computed as for any result: a narrowed result never scores higher than the whole
one. The result records the options (``"options"``, with ``dropped``: how many findings they
removed), so it can be reproduced and audited. Indications and prices are listed as always.

``CheckOptions.parse`` reads them from JSON (the API) or the command line and raises
OptionsError, with a message a user can act on, for anything it cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.core.errors import OptionsError
from checker.core.inputs import bad_character, has_text
from checker.core.result import CATEGORIES, SEVERITIES

NAMES = ("categories", "min_severity", "allow")
MAX_ALLOW = 200          # phrases in an allow list
MAX_PHRASE_CHARS = 500   # characters of one allowed phrase


def phrase_key(text: str) -> str:
    """How a finding's text and an allowed phrase are compared: case and spacing ignored."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class CheckOptions:
    categories: tuple[str, ...] | None = None   # None: every category
    min_severity: str | None = None              # None: every severity
    allow: tuple[str, ...] = ()
    _allowed: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_allowed", frozenset(phrase_key(p) for p in self.allow))

    @property
    def narrows(self) -> bool:
        """Whether any option was given (a result without options has no "options" key)."""
        return self.categories is not None or self.min_severity is not None or bool(self.allow)

    def keeps(self, category: str, severity: str, text: str) -> bool:
        """Whether a finding of ``category`` and ``severity`` on ``text`` stays in the result."""
        if self.categories is not None and category not in self.categories:
            return False
        if self.min_severity is not None and \
                SEVERITIES.index(severity) < SEVERITIES.index(self.min_severity):
            return False
        return not self._allowed or phrase_key(text) not in self._allowed

    def to_dict(self) -> dict[str, Any]:
        """The options given, as the result records them (and as ``parse`` reads them back)."""
        out: dict[str, Any] = {}
        if self.categories is not None:
            out["categories"] = list(self.categories)
        if self.min_severity is not None:
            out["min_severity"] = self.min_severity
        if self.allow:
            out["allow"] = list(self.allow)
        return out

    @classmethod
    def parse(cls, data: dict[str, Any] | None) -> "CheckOptions":
        """Options from a mapping holding any of ``categories`` (a list of category names),
        ``min_severity`` (a severity) and ``allow`` (a list of phrases), as a JSON body gives
        them (the command line and a query string split their names with ``names``). A missing
        or null option is not given; anything else wrong is an OptionsError."""
        data = data or {}
        return cls(_categories(data.get("categories")), _severity(data.get("min_severity")),
                   _allow(data.get("allow")))


def names(text: str) -> list[str]:
    """Names separated by commas (``--categories efficacy,price``), trimmed, none empty."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _categories(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OptionsError("'categories' must be a list of category names")
    given = list(value)
    if not given:
        raise OptionsError(f"'categories' is empty: name at least one of {', '.join(CATEGORIES)}")
    unknown = [n for n in given if n not in CATEGORIES]
    if unknown:
        shown = ", ".join(repr(n[:40]) for n in unknown[:5])
        raise OptionsError(f"unknown categor{'y' if len(unknown) == 1 else 'ies'} {shown} in "
                           f"'categories': use {', '.join(CATEGORIES)}")
    return tuple(c for c in CATEGORIES if c in given)


def _severity(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in SEVERITIES:
        shown = repr(value[:40]) if isinstance(value, str) else type(value).__name__
        raise OptionsError(f"'min_severity' must be one of {', '.join(SEVERITIES)} (got {shown})")
    return value


def _allow(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OptionsError("'allow' must be a list of phrases (strings)")
    if len(value) > MAX_ALLOW:
        raise OptionsError(f"'allow' holds {len(value)} phrases; at most {MAX_ALLOW} are accepted")
    phrases: dict[str, str] = {}
    for n, phrase in enumerate(value):
        problem = bad_character(phrase)
        if problem:
            raise OptionsError(f"'allow[{n}]' cannot be read: {problem}")
        if not has_text(phrase):
            raise OptionsError(f"'allow[{n}]' is empty: give the phrase to leave alone")
        if len(phrase) > MAX_PHRASE_CHARS:
            raise OptionsError(f"'allow[{n}]' has more than {MAX_PHRASE_CHARS} characters")
        shown = " ".join(phrase.split())
        phrases.setdefault(phrase_key(shown), shown)
    return tuple(phrases.values())
