"""The decision: from every detector's hits to the findings listed, their score and the level.

``decide(hits)`` is the one place the score is computed: findings (set-aside, merging, repeats,
bounds) in checker.decide.findings, the findings a request's options rule out dropped before the
bounds (checker.core.options), their weights and the noisy-OR and levels in
checker.decide.scoring, the words a user reads in checker.decide.wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.core.hits import RuleHit
from checker.core.options import CheckOptions
from checker.core.result import CATEGORIES, CategoryScore, Finding
from checker.decide.findings import (MAX_SET_ASIDE, bounded, findings_from_hits,
                                     weigh_by_speaker)
from checker.decide.scoring import score_findings
from checker.decide.wording import summarise


@dataclass
class Decision:
    score: float
    level: str
    summary: str
    categories: dict[str, CategoryScore]
    findings: list[Finding]
    questions: list[str]
    set_aside: list[dict[str, Any]]
    omitted: dict[str, int] = field(default_factory=dict)
    question_rules: list[str] = field(default_factory=list)   # the rule of each question
    dropped: int = 0          # findings the options removed


def narrowed(findings: list[Finding], options: CheckOptions | None
             ) -> tuple[list[Finding], int]:
    """The findings the options keep, and how many they dropped. Dropping findings from the
    list scored never raises the score (each category's noisy-OR only loses terms)."""
    if options is None or not options.narrows:
        return findings, 0
    kept = [f for f in findings if options.keeps(f.category, f.severity, f.text)]
    return kept, len(findings) - len(kept)


def decide(hits: list[RuleHit], speaker: dict[str, Any] | None = None,
           options: CheckOptions | None = None) -> Decision:
    """The findings (numbered f1, f2, ... in text order), their score, level and summary, the
    questions to ask (weightiest finding first), what was set aside and what was left out.

    A text that reads as informing (``speaker``) has every finding weighed down first, one
    that reads as a seller's copy up. With ``options``, only the findings they keep are
    listed and scored: the score, level and summary are those of what is kept."""
    if speaker is not None:
        weigh_by_speaker(hits, speaker)
    findings, set_aside = findings_from_hits(hits)
    findings, dropped = narrowed(findings, options)
    findings, omitted = bounded(findings)
    if len(set_aside) > MAX_SET_ASIDE:
        omitted["set_aside"] = len(set_aside) - MAX_SET_ASIDE
        set_aside = set_aside[:MAX_SET_ASIDE]
    findings.sort(key=lambda f: (f.start, f.end, CATEGORIES.index(f.category), f.rule))
    for i, f in enumerate(findings, 1):
        f.id = f"f{i}"
    score, level, categories = score_findings(findings)
    questions: list[str] = []
    question_rules: list[str] = []
    for f in sorted(findings, key=lambda f: (-f.weight, f.start)):
        if f.question and f.question not in questions:
            questions.append(f.question)
            question_rules.append(f.rule)
    reported = any(step.get("step") == "speaker" for hit in set_aside for step in hit["trail"])
    return Decision(score, level, summarise(level, findings, reported), categories, findings,
                    questions, set_aside, omitted, question_rules, dropped)
