"""One document's context, as every detector sees it, and the one way a match is weighed in it.

``Context.weigh(rule, start, end, ...)`` checks a rule's context for a token span (a cell or
regenerative treatment named nearby, when the rule asks for one), applies the modifiers the
rule allows (negation, disclaimer, hedge, critique, question, approved care, the register of the
whole text, an ``unless`` phrase of the rule) and returns the hit with its trail, or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.context.marks import Marks
from checker.core.document import Document
from checker.core.hits import Rule, RuleHit


@dataclass
class Context:
    """What surrounds every match in one document: its cues (``marks``) and, for each rule
    with ``unless`` phrases, the sentences where one occurs (``unless``)."""

    document: Document
    marks: Marks
    unless: dict[tuple[str, int], str]

    def weigh(self, rule: Rule, start: int, end: int, first_step: dict[str, Any],
              severity: str = "", details: dict[str, Any] | None = None,
              confidence: float = 1.0, whole_sentence: bool = False) -> RuleHit | None:
        """Check a rule's context for the token span [start, end) and apply its modifiers.

        Shared by every detector (rules, prices, indications, the classifier), so every
        finding's weight is decided the same way and recorded in the same kind of trail.
        """
        document, marks, unless = self.document, self.marks, self.unless
        sent_index = document.sentence_of(start)
        if sent_index < 0:
            return None
        trail: list[dict[str, Any]] = [first_step]
        if rule.spec.context == "treatment":
            if not marks.has_treatment_near(sent_index):
                return None
            trail.append({"step": "context", "cue": "cell or regenerative treatment named nearby",
                          "factor": 1.0})
        elif rule.spec.context == "medical":
            if not marks.has_medical_near(sent_index):
                return None
            trail.append({"step": "context", "cue": "medical treatment named nearby",
                          "factor": 1.0})
        steps = marks.modifiers(start, end, tuple(rule.spec.modifiers), whole_sentence)
        if (rule.id, sent_index) in unless:
            steps.insert(0, {"step": "unless", "cue": unless[(rule.id, sent_index)],
                             "factor": 0.0})
        for step in steps:
            before = confidence
            confidence = round(confidence * step["factor"], 4)
            trail.append({**step, "before": before, "after": confidence})
            if confidence == 0.0:
                break
        start_char, end_char = document.token_span_to_original(start, end)
        if end_char <= start_char:
            return None
        return RuleHit(rule, start_char, end_char, document.original[start_char:end_char],
                       confidence, trail, severity, details or {}, sent_index)
