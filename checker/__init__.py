"""Clinic Claim Checker: flags unsupported claims in clinic marketing, span by span.

    >>> from checker import check
    >>> result = check("Our stem cells reverse autism.")
    >>> result.level
    'medium'

``check`` is the only function that scores text; the CLI, the web form, the API and batch jobs
all call it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checker.core.versions import CHECKER_VERSION as __version__

__all__ = ["check", "Result", "Finding", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from checker.engine import check
    from checker.core.result import Finding, Result


def __getattr__(name: str) -> Any:
    # Imported lazily so that light modules (checker.detect.money, checker.core.text) load
    # without spaCy.
    if name == "check":
        from checker.engine import check
        return check
    if name in ("Result", "Finding"):
        from checker.core import result
        return getattr(result, name)
    raise AttributeError(name)
