"""From detectors' hits to the findings a result lists: the decision's first half.

* A hit whose confidence fell below ``SET_ASIDE_BELOW`` is set aside (kept for audit, not
  scored); the rest become findings, with the rule's message as their explanation.
* Where findings of one category overlap, the weightier stays and notes the other.
* The same rule on the same words is listed ``MAX_SAME_PHRASE`` times and counted after.
* At most ``MAX_PER_RULE`` findings of one rule and ``MAX_FINDINGS`` in all are listed, the
  weightiest; the rest are counted in the result's ``omitted``.
"""

from __future__ import annotations

import bisect
from typing import Any

from checker.core.hits import RuleHit
from checker.core.result import Finding
from checker.decide.scoring import SET_ASIDE_BELOW, finding_weight
from checker.decide.wording import explain

# Bounds on what one result lists, whatever the input (counts of the rest go in ``omitted``).
MAX_SAME_PHRASE = 3
MAX_PER_RULE = 40
MAX_FINDINGS = 200
MAX_SET_ASIDE = 100


# A text that reads as informing (news, research, a regulator...) has its findings weighed at
# SPEAKER_FACTOR: what it says in the sellers' words is reported, not sold. Its price findings
# are the exception: what an unproven treatment costs is a warning sign whoever reports it (the
# price sets count news and court documents that quote clinics' prices), and the price rules
# already leave established care, insurance and cord-blood banking alone. A text that reads as
# a seller's copy has every finding weighed at SELLER_FACTOR (at most 1): a hedged claim in an
# advert is still the advert's claim (checker.detect.speaker; models/SPEAKER_CARD.md).
SPEAKER_FACTOR = 0.1
SELLER_FACTOR = 1.5
NOT_WEIGHED_DOWN = frozenset({"price"})


def weigh_by_speaker(hits: list[RuleHit], speaker: dict[str, Any]) -> None:
    """Weigh each hit as the register of the whole text says, unless the hand-written register
    cue already did (once is enough)."""
    if speaker.get("informing"):
        factor = SPEAKER_FACTOR
    elif speaker.get("selling"):
        factor = SELLER_FACTOR
    else:
        return
    words = [w for w, _ in speaker.get("words", [])[:3]]
    cue = ", ".join(words) if words else f"P(seller) {speaker['seller_probability']:.2f}"
    for hit in hits:
        if hit.confidence <= 0 or any(s.get("step") == "register" for s in hit.trail):
            continue
        if factor < 1 and hit.rule.category in NOT_WEIGHED_DOWN:
            continue
        before = hit.confidence
        hit.confidence = round(min(1.0, before * factor), 4)
        if hit.confidence == before:
            continue
        hit.trail.append({"step": "speaker", "cue": cue, "factor": factor,
                          "before": before, "after": hit.confidence})


def findings_from_hits(hits: list[RuleHit]) -> tuple[list[Finding], list[dict[str, Any]]]:
    """The findings, merged, folded and bounded; the set-aside matches; what was left out."""
    findings: list[Finding] = []
    set_aside: list[dict[str, Any]] = []
    for hit in hits:
        rule = hit.rule
        weight = finding_weight(hit.severity, hit.confidence)
        if hit.confidence < SET_ASIDE_BELOW:
            set_aside.append({"rule": rule.id, "category": rule.category,
                              "start": hit.start_char, "end": hit.end_char,
                              "text": hit.text, "confidence": hit.confidence,
                              "trail": hit.trail})
            continue
        findings.append(Finding(
            rule=rule.id, category=rule.category, severity=hit.severity,
            start=hit.start_char, end=hit.end_char, text=hit.text,
            explanation=explain(rule.message, hit.trail, hit.details.get("fact")),
            citations=list(rule.citations) + hit.citations,
            origin="classifier" if hit.trail[0]["step"] == "classifier" else "rule",
            confidence=hit.confidence, weight=weight, trail=hit.trail,
            question=rule.spec.question, details=hit.details,
        ))
    return _fold_repeats(_merge_overlaps(findings)), set_aside


def _merge_overlaps(findings: list[Finding]) -> list[Finding]:
    """Where two findings of one category overlap, keep the weightier and note the other.

    The kept findings of a category never overlap, so they are held sorted by start: the ones a
    new finding overlaps are a run found by bisection, and of those the note goes to the one
    kept first (the weightiest), as a scan of the kept list in order would find.
    """
    findings = sorted(findings, key=lambda f: (-f.weight, f.start))
    kept: list[Finding] = []
    starts: dict[str, list[int]] = {}
    spans: dict[str, list[tuple[int, int, int]]] = {}   # (start, end, order kept)
    for f in findings:
        cat_starts = starts.setdefault(f.category, [])
        cat_spans = spans.setdefault(f.category, [])
        i = bisect.bisect_left(cat_starts, f.end)   # kept spans that start before f ends
        clashes = []
        j = i - 1
        while j >= 0 and cat_spans[j][1] > f.start:
            clashes.append(cat_spans[j])
            j -= 1
        if not clashes:
            cat_starts.insert(i, f.start)
            cat_spans.insert(i, (f.start, f.end, len(kept)))
            kept.append(f)
        else:
            first = kept[min(c[2] for c in clashes)]
            first.trail.append({"step": "also_matched", "rule": f.rule, "text": f.text})
    return kept


def _fold_repeats(findings: list[Finding]) -> list[Finding]:
    """The same rule on the same words ("cure ... cure ... cure") is listed MAX_SAME_PHRASE
    times; later occurrences are counted on the last one listed (``repeats``).

    The score is unchanged: scoring counts the same rule on the same words once anyway.
    """
    seen: dict[tuple[str, str], list[Finding]] = {}
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: f.start):
        same = seen.setdefault((f.rule, " ".join(f.text.lower().split())), [])
        if len(same) >= MAX_SAME_PHRASE:
            same[-1].repeats += 1
            continue
        same.append(f)
        kept.append(f)
    return kept


def bounded(findings: list[Finding]) -> tuple[list[Finding], dict[str, int]]:
    """At most MAX_PER_RULE findings of one rule and MAX_FINDINGS in all, the weightiest kept.

    Ordinary adverts stay far below both; a text built to multiply findings gets a result of
    bounded size, and what was left out is counted in the result's ``omitted``.
    """
    if len(findings) <= MAX_PER_RULE:
        return findings, {}
    per_rule: dict[str, int] = {}
    keep: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-f.weight, f.start)):
        per_rule[f.rule] = per_rule.get(f.rule, 0) + 1
        if per_rule[f.rule] <= MAX_PER_RULE and len(keep) < MAX_FINDINGS:
            keep.append(f)
    if len(keep) == len(findings):
        return findings, {}
    return keep, {"findings": len(findings) - len(keep)}
