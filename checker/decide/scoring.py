"""Turn findings into category scores, one score and a level. ``docs/scoring.md`` explains why.

In short:

* A finding's weight is its severity weight times its confidence (what hedges, negations and
  context left of it). Findings whose confidence falls below ``SET_ASIDE_BELOW`` are set aside
  (kept in the result for audit, but not scored or shown as warning signs).
* Within a category, repeats saturate: the same rule on the same words counts once, and the
  category's k-th weightiest finding counts ``REPEAT_DECAY ** (k-1)`` of its weight, so many
  small findings cannot add up to one strong one as quickly as independent evidence would.
* A category's score is ``1 - prod(1 - w)`` over its effective weights (a noisy-OR): it only
  grows as findings are added, and never passes 1.
* The overall score is the noisy-OR of the category scores, times 100.
"""

from __future__ import annotations

from collections import defaultdict

from checker.core.result import CATEGORIES, SEVERITIES, CategoryScore, Finding

SEVERITY_WEIGHT = dict(zip(SEVERITIES, (0.15, 0.30, 0.55)))
REPEAT_DECAY = 0.6
SET_ASIDE_BELOW = 0.3
MEDIUM_FROM = 30.0
HIGH_FROM = 65.0


def finding_weight(severity: str, confidence: float) -> float:
    return SEVERITY_WEIGHT[severity] * confidence


def effective_weights(findings: list[Finding]) -> dict[str, list[float]]:
    """Each category's weights after repeats saturate."""
    by_rule: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for f in findings:
        key = " ".join(f.text.lower().split())
        slot = by_rule[(f.category, f.rule)]
        slot[key] = max(slot.get(key, 0.0), f.weight)
    raw: dict[str, list[float]] = {c: [] for c in CATEGORIES}
    for (category, _rule), texts in by_rule.items():
        raw[category].extend(texts.values())
    return {c: [w * REPEAT_DECAY ** k for k, w in enumerate(sorted(ws, reverse=True))]
            for c, ws in raw.items()}


def noisy_or(weights: list[float]) -> float:
    remaining = 1.0
    for w in weights:
        remaining *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - remaining


def score_findings(findings: list[Finding]) -> tuple[float, str, dict[str, CategoryScore]]:
    """The overall score (0-100), its level, and a score and count per category."""
    weights = effective_weights(findings)
    counts = defaultdict(int)
    for f in findings:
        counts[f.category] += 1
    categories = {
        c: CategoryScore(score=100.0 * noisy_or(weights[c]), count=counts[c]) for c in CATEGORIES
    }
    score = 100.0 * noisy_or([categories[c].score / 100.0 for c in CATEGORIES])
    return score, level_of(score), categories


def level_of(score: float) -> str:
    if score >= HIGH_FROM:
        return "high"
    if score >= MEDIUM_FROM:
        return "medium"
    return "low"
