"""How much work a regular expression may do: rule and context files are checked with it.

A pattern from a data file runs on every text, so each of its repeats must be bounded, and the
product of nested bounds (the most work at one position) is capped where it is used.
"""

from __future__ import annotations

from typing import Any

try:  # Python 3.11+: the regular-expression parser moved here
    import re._constants as sre_constants  # type: ignore[import-not-found]
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# The most work one regex may do at one position: the product of its nested repeat bounds.
MAX_REGEX_REPEAT_PRODUCT = 20_000


def regex_cost(pattern: str) -> int:
    """The product of nested repeat bounds in ``pattern``; raises ValueError when unbounded."""

    def walk(parsed: Any) -> int:
        worst = 1
        for op, arg in parsed:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
                      getattr(sre_constants, "POSSESSIVE_REPEAT", None)):
                low, high, sub = arg
                if high == sre_constants.MAXREPEAT:
                    raise ValueError("unbounded repeat (*, + or {n,}); give it an upper bound")
                worst = max(worst, max(high, 1) * walk(sub))
            elif op == sre_constants.SUBPATTERN:
                worst = max(worst, walk(arg[-1]))
            elif op == sre_constants.BRANCH:
                worst = max(worst, max(walk(b) for b in arg[1]))
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                worst = max(worst, walk(arg[1]))
        return worst

    return walk(sre_parse.parse(pattern))


def pattern_problem(pattern: str) -> str | None:
    """Why a regular expression from a data file may not be used, or None: it must compile,
    bound every repeat, and do at most MAX_REGEX_REPEAT_PRODUCT steps at one position."""
    import re

    try:
        cost = regex_cost(pattern)
        re.compile(pattern)
    except (re.error, ValueError) as exc:
        return f"{pattern!r}: {exc}"
    if cost > MAX_REGEX_REPEAT_PRODUCT:
        return (f"{pattern!r} may do {cost} steps at one position "
                f"(limit {MAX_REGEX_REPEAT_PRODUCT})")
    return None
