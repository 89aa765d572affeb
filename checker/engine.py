"""``check(text)``: the one place that knows the order of the steps.

text -> prepare -> nlp -> rules / indications / prices / classifier -> scoring -> Result
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import time
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from checker import __version__
from checker.context.marks import Marks
from checker.core.document import analyse
from checker.core.errors import CheckTooSlow, InputError, InputTooLarge
from checker.core.inputs import bad_character
from checker.core.paths import CORPUS_DIR, MODELS_DIR
from checker.core.result import CATEGORIES, CATEGORY_LABELS, Finding, Result
from checker.detect.classifier import ClaimModel, ClassifierDetector
from checker.detect.indications import IndicationDetector
from checker.detect.prices import PriceDetector
from checker.detect.rules import RuleBook, RuleHit, load_rules
from checker.decide.scoring import SET_ASIDE_BELOW, finding_weight, score_findings

log = logging.getLogger(__name__)

MAX_CHARS = 200_000
# Bounds on what one result lists, whatever the input (counts of the rest go in ``omitted``).
MAX_SAME_PHRASE = 3
MAX_PER_RULE = 40
MAX_FINDINGS = 200
MAX_PRICES = 100
MAX_SET_ASIDE = 100
DATA_FILES = ("editorial/passages.yaml", "regulators.yaml", "conditions.yaml", "therapies.yaml",
              "fx_rates.yaml")


def _data_version() -> str:
    digest = hashlib.sha256()
    for name in DATA_FILES:
        path = CORPUS_DIR / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()[:16]


class Checker:
    """Rules, knowledge and (optionally) the classifier, loaded once and reused for every text."""

    def __init__(self, rules_dir: Path | None = None, classifier: bool = True,
                 models_dir: Path | None = None) -> None:
        self.rulebook: RuleBook = load_rules(rules_dir)
        self.prices = PriceDetector(self.rulebook.detector_rules("prices"))
        self.indications = IndicationDetector(self.rulebook.detector_rules("indications"))
        self.classifier: ClassifierDetector | None = None
        model_version = "none"
        if classifier:
            model = ClaimModel.load(models_dir or MODELS_DIR)
            self.classifier = ClassifierDetector(model, self.rulebook.detector_rules("classifier"))
            model_version = model.version
        self.versions = {
            "checker": __version__,
            "rules": self.rulebook.version,
            "data": _data_version(),
            "model": model_version,
        }

    def check(self, text: Any, *, budget: float | None = None) -> Result:
        """Check ``text``. With ``budget`` (seconds), a check that runs past it stops between
        two steps with CheckTooSlow: a server gives each request a budget, so that no input can
        hold a worker for long. (Every step is bounded for any input; this is the backstop.)"""
        deadline = None if budget is None else time.perf_counter() + budget
        if not isinstance(text, str):
            raise InputError(f"text must be a string, not {type(text).__name__}")
        if not text.strip():
            raise InputError("the text is empty")
        if len(text) > MAX_CHARS:
            raise InputTooLarge(f"the text has {len(text):,} characters; the limit is {MAX_CHARS:,}")
        problem = bad_character(text)
        if problem:
            raise InputError(f"the text cannot be read: {problem}")
        document = analyse(text)
        _within(deadline, budget)
        marks = self.rulebook.context.marks(document)
        unless = self.rulebook.unless_cues(document)
        hits = self.rulebook.run(document, marks, unless)
        _within(deadline, budget)
        weigh = partial(self.rulebook.weigh, document, marks, unless)
        prices, price_hits = self.prices.detect(document, weigh, hits)
        hits += price_hits
        indications = self.indications.detect(document, marks, weigh)
        hits += indications.hits
        _within(deadline, budget)
        if self.classifier is not None:
            hits += self.classifier.detect(document, weigh, hits, indications.covered)
            _within(deadline, budget)
        findings, set_aside = self._findings_from_hits(hits)
        findings, omitted = _bounded(findings)
        if len(set_aside) > MAX_SET_ASIDE:
            omitted["set_aside"] = len(set_aside) - MAX_SET_ASIDE
            set_aside = set_aside[:MAX_SET_ASIDE]
        if len(prices) > MAX_PRICES:
            omitted["prices"] = len(prices) - MAX_PRICES
            prices = prices[:MAX_PRICES]
        result = self._result(text, findings, set_aside, marks)
        result.prices = prices
        result.indications = indications.records
        result.omitted = omitted
        return result

    # -- assembling ----------------------------------------------------------------------------

    def _findings_from_hits(self, hits: list[RuleHit]) -> tuple[list[Finding], list[dict]]:
        findings: list[Finding] = []
        set_aside: list[dict] = []
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

    def _result(self, text: str, findings: list[Finding], set_aside: list[dict],
                marks: Marks) -> Result:
        findings.sort(key=lambda f: (f.start, f.end, CATEGORIES.index(f.category), f.rule))
        for i, f in enumerate(findings, 1):
            f.id = f"f{i}"
        score, level, categories = score_findings(findings)
        questions: list[str] = []
        for f in sorted(findings, key=lambda f: (-f.weight, f.start)):
            if f.question and f.question not in questions:
                questions.append(f.question)
        result = Result(
            score=score, level=level, summary=summarise(level, findings),
            categories=categories, findings=findings, versions=dict(self.versions),
            input={"sha256": hashlib.sha256(text.encode("utf8")).hexdigest(), "chars": len(text)},
            questions=questions, set_aside=set_aside,
        )
        return result


def _within(deadline: float | None, budget: float | None) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise CheckTooSlow(f"this text took longer than {budget:g} seconds to check; please "
                           "check a shorter part of it")


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


def _bounded(findings: list[Finding]) -> tuple[list[Finding], dict[str, int]]:
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


_STEP_WORDS = {
    "negation": "negated by",
    "disclaimer": "a disclaimer in the same sentence",
    "hedge": "hedged wording",
    "hedge_nearby": "research wording just before",
    "critique": "the sentence reports or criticises the claim",
    "question": "asked as a question",
    "register": "the whole text reads like research or news writing",
    "approved": "it is about an approved product or established care",
}


def explain(message: str, trail: list[dict], fact: str | None = None) -> str:
    """The rule's plain message, the fact a detector found, and what softened it, if anything."""
    text = f"{message} {fact}" if fact else message
    softeners = [s for s in trail if s.get("step") in _STEP_WORDS and s.get("factor", 1) < 1]
    if not softeners:
        return text
    parts = [f"{_STEP_WORDS[s['step']]} (\u201c{s['cue']}\u201d)" for s in softeners]
    return f"{text} This counts for less here: {', '.join(parts)}."


def summarise(level: str, findings: list[Finding]) -> str:
    if not findings:
        return "Low risk: we found no warning signs in this text."
    by_category: dict[str, int] = {}
    for f in findings:
        by_category[f.category] = by_category.get(f.category, 0) + 1
    top = sorted(by_category, key=lambda c: (-by_category[c], CATEGORIES.index(c)))[:3]
    kinds = ", ".join(CATEGORY_LABELS[c].lower() for c in top)
    n = len(findings)
    phrases, are = (f"{n} phrases", "are") if n != 1 else ("1 phrase", "is")
    if level == "high":
        return f"High risk: {phrases} in this text {are} typical warning signs ({kinds})."
    if level == "medium":
        return f"Medium risk: {phrases} in this text {are} warning signs worth questioning ({kinds})."
    return (f"Low risk overall: {phrases} {'deserve' if n != 1 else 'deserves'} a second look "
            f"({kinds}), but {'together they are' if n != 1 else 'it is'} not a strong warning sign.")


@lru_cache(maxsize=2)
def default_checker(classifier: bool = True) -> Checker:
    return Checker(classifier=classifier)


def check(text: str, *, classifier: bool = True) -> Result:
    """Check one text with the shipped rules (and the shipped classifier unless told not to)."""
    return default_checker(classifier).check(text)
