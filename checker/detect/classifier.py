"""The claim classifier as a detector: a finding where the model reads a claim in a sentence."""

from __future__ import annotations

from typing import Any

from checker.detect.base import Detection
from checker.detect.claim_model import ClaimModel

# -- the classifier as a detector -------------------------------------------------------------


class ClassifierDetector:
    """A finding where the model reads a claim in a sentence (kept where no rule covered it).

    Each category's finding comes from the rule in that category's file whose detector is
    ``classifier`` (its message, severity and citations are data, like every other rule). The
    finding spans the sentence, its confidence starts at the model's probability, and its trail
    names the n-grams that drove the score. Context modifiers (the register of the whole text,
    research framing just before) still apply through ``context.weigh``.
    """

    MIN_WORDS = 3

    def __init__(self, model: ClaimModel, rules: list[Any]) -> None:
        self.model = model
        self.rule_of = {r.category: r for r in rules}

    name = "classifier"

    def analyze(self, document: Any, context: Any) -> Detection:
        """A hit for each sentence where the model reads a claim (the engine then drops those
        that a rule or another detector already found in the same category)."""
        spans = [_trimmed(document, s) for s in document.sents
                 if document.alpha_count(s.start, s.end) >= self.MIN_WORDS]
        if not spans:
            return Detection()
        scores, features = self.model.score_unexplained(
            [document.span_text(start, end) for start, end in spans])
        hits = []
        for i, ((first_token, end_token), sentence_scores) in enumerate(zip(spans, scores)):
            for s in sentence_scores:
                rule = self.rule_of.get(s.category)
                if rule is None:
                    continue
                explained = self.model.top_features(features, i, s.category)
                first = {"step": "classifier", "rule": rule.id, "severity": rule.severity,
                         "probability": round(s.probability, 4), "threshold": s.threshold,
                         "features": [{"ngram": n, "weight": w} for n, w in explained],
                         "model": self.model.version}
                hit = context.weigh(rule, first_token, end_token, first,
                                    confidence=round(s.probability, 4), whole_sentence=True)
                if hit is not None:
                    hits.append(hit)
        return Detection(hits)


def _trimmed(document: Any, sentence: Any) -> tuple[int, int]:
    """The sentence's token span without leading or trailing whitespace tokens."""
    start, end = sentence.start, sentence.end
    is_space = document.is_space
    while start < end and is_space[start]:
        start += 1
    while end > start and is_space[end - 1]:
        end -= 1
    return start, end
