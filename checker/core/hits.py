"""What a detector finds: a ``Rule`` (one rule of ``rules/*.yaml``, validated, its citations
resolved) and a ``RuleHit`` (a span of the user's text where a rule's warning sign survived its
context, with the trail of everything that weighed it).

Every detector returns hits of this one kind; deciding what they add up to is checker.decide's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.core.result import Citation


@dataclass
class Rule:
    """A validated rule, with its citations resolved against the guidance."""

    spec: Any         # the rule's validated RuleSpec (checker.detect.rules)
    category: str
    path: Path
    citations: list[Citation]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def severity(self) -> str:
        return self.spec.severity

    @property
    def message(self) -> str:
        return " ".join(self.spec.message.split())


@dataclass
class RuleHit:
    """A rule match that survived context checks, with its decision trail."""

    rule: Rule
    start_char: int   # offsets into the user's original text
    end_char: int
    text: str
    confidence: float
    trail: list[dict[str, Any]] = field(default_factory=list)
    severity: str = ""            # the rule's severity unless a detector ramp chose another
    details: dict[str, Any] = field(default_factory=dict)
    sent_index: int = -1
    citations: list[Citation] = field(default_factory=list)   # beyond the rule's own

    def __post_init__(self) -> None:
        self.severity = self.severity or self.rule.severity
