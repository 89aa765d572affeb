"""``check(text)``: the one place that knows the order of the steps.

    text -> prepare + nlp (checker.core.document)
         -> context (checker.context): the cues of the whole document, once
         -> detectors (checker.detect), each on its own: rules, prices, indications, classifier
         -> named steps that need several detectors' output (below)
         -> decide (checker.decide): findings, score, level, summary
         -> Result (checker.core.result)
"""

from __future__ import annotations

import hashlib
import logging
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from checker.core.versions import CHECKER_VERSION as __version__
from checker.context.weighing import Context
from checker.core.document import Document, analyse
from checker.core.errors import CheckTooSlow, InputError, InputTooLarge
from checker.core.hits import RuleHit
from checker.core.inputs import bad_character, has_text
from checker.core.options import CheckOptions
from checker.core.paths import MODELS_DIR
from checker.core.result import Result
from checker.core.versions import data_version
from checker.decide import decide
from checker.detect.base import Detection, Detector
from checker.detect.claim_model import ClaimModel
from checker.detect.classifier import ClassifierDetector
from checker.detect.indications import IndicationDetector
from checker.detect.money import RATES_DATE
from checker.detect.prices import PriceDetector
from checker.detect.rules import RuleBook, load_rules
from checker.detect.speaker import SpeakerDetector, SpeakerModel
from checker.intake import is_address

log = logging.getLogger(__name__)

MAX_CHARS = 200_000
MAX_PRICES = 100     # prices a result lists (the rest are counted in ``omitted``)
MAX_AMOUNTS = 10     # amounts of its sentence a phrase rule's price finding lists


class Checker:
    """Rules, knowledge and (optionally) the classifier, loaded once and reused for every text."""

    def __init__(self, rules_dir: Path | None = None, classifier: bool = True,
                 models_dir: Path | None = None, speaker: bool = True) -> None:
        self.rulebook: RuleBook = load_rules(rules_dir)
        self.prices = PriceDetector(self.rulebook.detector_rules("prices"))
        self.indications = IndicationDetector(self.rulebook.detector_rules("indications"),
                                              self.rulebook.context.indication_words)
        self.classifier: ClassifierDetector | None = None
        model_version = "none"
        if classifier:
            model = ClaimModel.load(models_dir or MODELS_DIR)
            self.classifier = ClassifierDetector(model, self.rulebook.detector_rules("classifier"))
            model_version = model.version
        self.speaker: SpeakerDetector | None = None
        if speaker:
            self.speaker = SpeakerDetector(SpeakerModel.load(models_dir or MODELS_DIR))
        # Every detector, in the order their hits are listed (the order breaks ties in merging).
        self.detectors: list[Detector] = [self.rulebook, self.prices, self.indications]
        if self.classifier is not None:
            self.detectors.append(self.classifier)
        if self.speaker is not None:
            self.detectors.append(self.speaker)
        self.versions = {
            "checker": __version__,
            "rules": self.rulebook.version,
            "data": data_version(),
            "model": model_version,
        }
        if self.speaker is not None:
            self.versions["speaker"] = self.speaker.model.version

    def check(self, text: Any, *, budget: float | None = None,
              source: dict[str, Any] | None = None,
              options: CheckOptions | None = None) -> Result:
        """Check ``text``. With ``budget`` (seconds), a check that runs past it stops between
        two steps with CheckTooSlow: a server gives each request a budget, so that no input can
        hold a worker for long. (Every step is bounded for any input; this is the backstop.)
        With ``options`` (checker.core.options), only the findings they keep are scored, and
        the result records them."""
        deadline = None if budget is None else time.perf_counter() + budget
        _readable(text)
        document = analyse(text)
        _within(deadline, budget)
        context = self.context_of(document)
        found: dict[str, Detection] = {}
        for detector in self.detectors:
            found[detector.name] = detector.analyze(document, context)
            _within(deadline, budget)
        hits = combine(found)
        speaker = found["speaker"].speaker if "speaker" in found else None
        decision = decide(hits, speaker, options)
        prices = found["prices"].prices
        omitted = dict(decision.omitted)
        if len(prices) > MAX_PRICES:
            omitted["prices"] = len(prices) - MAX_PRICES
            prices = prices[:MAX_PRICES]
        # A short text whose warning signs the options dropped is not one with none.
        warnings = input_warnings(text, document, "dropped" if decision.dropped else decision.level)
        summary = decision.summary
        if warnings and summary.startswith("Low risk"):   # not an advert we can judge
            summary = "Not enough to judge" + summary[len("Low risk"):].replace(" overall", "", 1)
        return Result(
            score=decision.score, level=decision.level, summary=summary,
            categories=decision.categories, findings=decision.findings,
            versions=dict(self.versions),
            input={"sha256": hashlib.sha256(text.encode("utf8")).hexdigest(), "chars": len(text)},
            indications=found["indications"].indications, prices=prices,
            questions=decision.questions, set_aside=decision.set_aside, omitted=omitted,
            rules={f.rule: self.rule_info(f.rule) for f in decision.findings},
            question_rules=decision.question_rules, speaker=speaker, source=source,
            warnings=warnings, options={**options.to_dict(), "dropped": decision.dropped}
            if options is not None and options.narrows else None)

    def rule_info(self, rule_id: str) -> dict[str, Any]:
        """What format 2 lists once per rule: category, severity, message, question."""
        rule = self.rulebook.rules[rule_id]
        info: dict[str, Any] = {"category": rule.category, "severity": rule.severity,
                                "message": rule.message}
        if rule.spec.question:
            info["question"] = rule.spec.question
        info["citations"] = len(rule.citations)   # a finding's first citations are its rule's
        return info

    def context_of(self, document: Document) -> Context:
        """The document's context cues, and the sentences where a rule's ``unless`` occurs."""
        return Context(document, self.rulebook.context.marks(document),
                       self.rulebook.unless_cues(document))


SHORT_TEXT_WORDS = 15


def input_warnings(text: str, document: Document, level: str) -> list[dict[str, str]]:
    """Why this input may not be an advert we can judge: a web address alone, or a text too
    short to say much when nothing in it was a warning sign. Such a result is shown as "not
    enough to judge", never as a reassuring "low"."""
    if is_address(text):
        return [{"code": "address_only",
                 "message": "This is only a web address, not the advert's text. Give the "
                            "address as a web address (the form's box, or \"url\" in the API) "
                            "to have the page fetched and checked, or paste the page's text."}]
    words = document.alpha_count(0, len(document.idx))
    if words < SHORT_TEXT_WORDS and level == "low":
        return [{"code": "short_text",
                 "message": f"This text has only {words} word{'s' if words != 1 else ''}: too "
                            "little to judge, and nothing in it was a warning sign. Paste the "
                            "whole advert (or give its web address) for a fuller check."}]
    return []


# -- named steps over several detectors' output -----------------------------------------------


def combine(found: dict[str, Detection]) -> list[RuleHit]:
    """Every detector's hits, in detector order, after the steps that need several of them."""
    rule_hits = found["rules"].hits
    amounts_for_price_phrases(rule_hits, found["prices"])
    others = rule_hits + found["prices"].hits + found["indications"].hits
    hits = list(others)
    if "classifier" in found:
        hits += classifier_beyond(found["classifier"].hits, others, found["indications"].covered)
    return hits


def amounts_for_price_phrases(rule_hits: list[RuleHit], prices: Detection) -> None:
    """A phrase rule's price finding (a deposit, a discount) lists the amounts its sentence
    states, found by the price detector, as its ``details``."""
    for hit in rule_hits:
        if hit.rule.category == "price" and not hit.details \
                and hit.sent_index in prices.amounts_by_sentence:
            hit.details = {"amounts": prices.amounts_by_sentence[hit.sent_index][:MAX_AMOUNTS],
                           "rates_date": RATES_DATE}


def classifier_beyond(classifier_hits: list[RuleHit], others: list[RuleHit],
                      covered: list[tuple[str, int, int]]) -> list[RuleHit]:
    """The classifier's hits where no other detector found (or covered) the same category in
    the same place: the model adds what the rules miss, it does not repeat them."""
    spans = [(h.rule.category, h.start_char, h.end_char) for h in others] + list(covered)
    return [h for h in classifier_hits
            if not any(category == h.rule.category and a < h.end_char and h.start_char < b
                       for category, a, b in spans)]


def _readable(text: Any) -> None:
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}")
    if not has_text(text):
        raise InputError("the text is empty")
    if len(text) > MAX_CHARS:
        raise InputTooLarge(f"the text has {len(text):,} characters; the limit is {MAX_CHARS:,}")
    problem = bad_character(text)
    if problem:
        raise InputError(f"the text cannot be read: {problem}")


def _within(deadline: float | None, budget: float | None) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise CheckTooSlow(f"this text took longer than {budget:g} seconds to check; please "
                           "check a shorter part of it")


@lru_cache(maxsize=4)
def default_checker(classifier: bool = True, speaker: bool = True) -> Checker:
    return Checker(classifier=classifier, speaker=speaker)


def check(text: str, *, classifier: bool = True, source: dict[str, Any] | None = None,
          options: CheckOptions | None = None) -> Result:
    """Check one text with the shipped rules (and the shipped classifier unless told not to);
    ``source`` is where the text came from (checker.intake), kept in the result; ``options``
    narrow it (checker.core.options)."""
    return default_checker(classifier).check(text, source=source, options=options)
