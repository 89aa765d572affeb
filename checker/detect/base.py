"""The one interface every detector implements, in the manner of Presidio's recognizers.

    detector.analyze(document, context) -> Detection

A detector reads the prepared document and its context (checker.context.weighing) and nothing
of any other detector; it weighs each match through ``context.weigh`` and returns its hits, plus
the records it alone knows (the prices, the conditions named). The engine runs the detectors
in the order of its list, then does what needs several detectors' output as named steps
(checker.engine), and checker.decide turns the hits into findings, a score and a level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from checker.context.weighing import Context
from checker.core.document import Document
from checker.core.hits import RuleHit


@dataclass
class Detection:
    """What one detector found in one document."""

    hits: list[RuleHit] = field(default_factory=list)
    prices: list[dict[str, Any]] = field(default_factory=list)       # every price stated
    amounts_by_sentence: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    indications: list[dict[str, Any]] = field(default_factory=list)  # every condition named
    covered: list[tuple[str, int, int]] = field(default_factory=list)  # (category, start, end)
    speaker: dict[str, Any] | None = None       # who is speaking (checker.detect.speaker)


class Detector(Protocol):
    name: str

    def analyze(self, document: Document, context: Context) -> Detection: ...
