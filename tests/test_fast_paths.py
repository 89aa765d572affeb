"""The fast paths give exactly what the slow, obvious paths give.

* ``TokenMatcher`` returns the same matches, in the same order, as spaCy's ``Matcher`` over the
  shipped rule patterns and over patterns that use every operator, on adverts, rule examples
  and random token soup built from the patterns' own words.
* ``FastScorer`` gives the same probabilities as ``pipeline.predict_proba``, bit for bit, and
  ``ClaimModel.score`` gives the same scores and explanations with and without it.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from spacy.matcher import Matcher

from checker.detect.claim_model import ClaimModel
from checker.tools.train import load_corpus
from checker.core.nlp import get_nlp
from checker.detect.token_matcher import TokenMatcher
from bench.corpus import make_corpus
from tests.conftest import SAMPLES



def _both(patterns_by_key: dict[str, list]) -> tuple[Matcher, TokenMatcher]:
    vocab = get_nlp().vocab
    spacy_matcher, ours = Matcher(vocab), TokenMatcher(vocab)
    for key, patterns in patterns_by_key.items():
        spacy_matcher.add(key, patterns)
        ours.add(key, patterns)
    return spacy_matcher, ours


def _words(patterns_by_key: dict[str, list]) -> list[str]:
    words = {"the", ".", ",", "and", "3", "10", "5x", "$", "Stem", "CURE", "!"}
    for patterns in patterns_by_key.values():
        for pattern in patterns:
            for token in pattern:
                for key, value in token.items():
                    if key != "OP" and isinstance(value, str):
                        words.add(value)
                    elif isinstance(value, dict):
                        words.update(v for v in value.get("IN", []) + value.get("NOT_IN", []))
    return sorted(words)


def _soup(words: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) for _ in range(count)]


def test_token_matcher_equals_spacy_on_the_shipped_rules(rules_checker):
    book = rules_checker.rulebook
    rule_patterns = {r.id: r.spec.patterns for r in book.rules.values() if r.spec.patterns}
    spacy_matcher, ours = _both(rule_patterns)
    nlp = get_nlp()
    texts = [p.read_text() for p in SAMPLES] + make_corpus(25, 150) + make_corpus(1, 1000)
    for rule in book.rules.values():
        texts += rule.spec.examples.must_flag + rule.spec.examples.must_pass
    texts += _soup(_words(rule_patterns), 300, seed=1)
    differ = [t for t in texts if spacy_matcher(doc := nlp(t)) != ours(doc)]
    assert not differ, differ[:3]


def test_no_shipped_pattern_is_tried_at_every_token(rules_checker):
    """A pattern whose first token is optional starts at every token and doubles the matcher's
    time (it did once); write it as two patterns instead."""
    book = rules_checker.rulebook
    rule_patterns = {r.id: r.spec.patterns for r in book.rules.values() if r.spec.patterns}
    _spacy, ours = _both(rule_patterns)
    ours.compile()
    strings = get_nlp().vocab.strings
    assert [strings[ours._patterns[j][0]] for j in ours._always] == []


OPERATOR_PATTERNS = {
    "optional-tail": [[{"LOWER": "stem"}, {"LOWER": "cell", "OP": "?"}]],
    "star-middle": [[{"LOWER": {"IN": ["no", "zero"]}}, {"IS_ALPHA": True, "OP": "*"},
                     {"LEMMA": {"IN": ["risk", "effect"]}}]],
    "plus-tail": [[{"LOWER": "very"}, {"LOWER": {"IN": ["very", "safe"]}, "OP": "+"}]],
    "star-tail": [[{"LIKE_NUM": True}, {"LOWER": {"NOT_IN": ["the", "."]}, "OP": "*"}]],
    "negated": [[{"LOWER": "not"}, {"LOWER": "approved", "OP": "!"}, {"LOWER": "by"}]],
    "counted": [[{"LOWER": {"IN": ["pay", "paid"]}}, {"IS_ALPHA": True, "OP": "{0,3}"},
                 {"LOWER": "full"}],
                [{"LOWER": "x"}, {"OP": "{2}"}, {"LOWER": "y"}]],
    "any-token": [[{"LOWER": "cure"}, {}, {"LOWER": "autism"}]],
    "regex-first": [[{"TEXT": {"REGEX": r"^\d{1,3}x$"}}, {"LOWER": "stronger", "OP": "?"}]],
    "optional-first": [[{"LOWER": "our", "OP": "?"}, {"LOWER": "cells"}]],
    "star-first": [[{"IS_PUNCT": True, "OP": "*"}, {"LOWER": "safe"}]],
    "case": [[{"TEXT": "Stem"}, {"LOWER": "cells"}], [{"LOWER": "Cure"}]],
}


def test_token_matcher_equals_spacy_for_every_operator():
    spacy_matcher, ours = _both(OPERATOR_PATTERNS)
    extra = ["stem", "cell", "cells", "our", "no", "zero", "risk", "risks", "effect", "effects",
             "very", "safe", "not", "approved", "by", "pay", "paid", "in", "full", "x", "y",
             "cure", "autism", "stronger", "10x", "3", "?", "-"]
    nlp = get_nlp()
    texts = _soup(sorted(set(_words(OPERATOR_PATTERNS) + extra)), 1500, seed=2)
    texts += ["", " ", "stem", "x a b y", "no risk", "very very very safe . 10x stronger"]
    differ = [t for t in texts if spacy_matcher(doc := nlp(t)) != ours(doc)]
    assert not differ, differ[:3]


def test_an_unsupported_pattern_hands_everything_to_spacy():
    patterns = {"length": [[{"LENGTH": {">=": 9}}]], "plain": [[{"LOWER": "cure"}]]}
    spacy_matcher, ours = _both(patterns)
    doc = get_nlp()("A regenerative cure, guaranteed.")
    assert ours(doc) == spacy_matcher(doc) != []
    assert ours._fallback is not None


@pytest.fixture(scope="module")
def model(checker) -> ClaimModel:
    loaded = checker.classifier.model
    assert loaded.fast is not None, "the shipped pipeline should take the fast path"
    return loaded


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    out = [e.text for e in load_corpus()][::2]
    for text in make_corpus(30, 150):
        out += [s for s in text.replace("\n", ". ").split(". ") if s.strip()]
    out += ["a", "x" * 300, "Ωμέγα ΟΔΟΣ", "CAFÉ\u00a0stem\u2003cells", "12 345 $9,800!!", " "]
    return out


def test_fast_scorer_probabilities_equal_predict_proba_bit_for_bit(model, sentences):
    expected = model.pipeline.predict_proba(sentences)
    fast = model.fast.predict_proba(model.fast.features(sentences))
    assert np.array_equal(fast, expected)
    reference = model.pipeline.named_steps["features"].transform(sentences)
    ours = model.fast.features(sentences)
    for attr in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(ours, attr), getattr(reference, attr)), attr


def test_claim_model_scores_the_same_with_and_without_the_fast_path(model, sentences):
    batches = [sentences[i:i + 9] for i in range(0, 900, 9)]
    fast = [model.score(b) for b in batches]
    saved, model.fast = model.fast, None
    try:
        slow = [model.score(b) for b in batches]
    finally:
        model.fast = saved
    assert fast == slow
    assert any(row for batch in fast for row in batch)


# -- the document's per-token lists and the sentence starts --------------------------------------

AWKWARD_TEXTS = [
    "CAFÉ\u00a0Stem-Cells!! Cured?? e.g. Dr. Smith's 3rd patient... (see [1]).\n\n\u2022 MS\n\u2022 ALS",
    "  \n\n  leading space. Trailing space  \n",
    "İstanbul STRASSE straße ǅ ΣΟΦΟΣ \U0001d41c\U0001d42e\U0001d42b\U0001d41e don't won't can't",
    "No full stop here\nNext line: \"quoted.\" And then! what? ok",
]


def _texts_for_documents() -> list[str]:
    return [s.read_text() for s in SAMPLES] + make_corpus(20, 150) + AWKWARD_TEXTS


def test_document_token_lists_equal_spacys_token_attributes():
    from checker.core.document import analyse

    for text in _texts_for_documents():
        document = analyse(text)
        doc = document.doc
        assert document.lower == [t.lower_ for t in doc]
        assert document.lemma == [t.lemma_ for t in doc]
        assert document.token_text == [t.text for t in doc]
        assert document.idx == [t.idx for t in doc]
        assert document.token_end == [t.idx + len(t.text) for t in doc]
        assert document.is_space == [int(t.is_space) for t in doc]
        assert document.is_punct == [int(t.is_punct) for t in doc]
        assert document.is_alpha == [int(t.is_alpha) for t in doc]
        assert document.sent_text == [s.text for s in document.sents]
        for i, s in enumerate(document.sents):
            assert document.is_short(i) == (sum(t.is_alpha for t in s) <= 12)
            assert document.span_text(s.start, s.end) == s.text


def test_sentence_starts_are_spacys_sentencizer_plus_line_breaks_and_bullets():
    import spacy

    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    ours = get_nlp()
    for text in _texts_for_documents():
        doc, expected = ours(text), reference(text)
        spacy_starts = {t.i for t in expected if t.is_sent_start}
        # ours adds a start after every line break and at every bullet, and drops none of spaCy's
        line_starts = set()
        previous_break = True
        for t in doc:
            if t.is_space:
                previous_break = previous_break or "\n" in t.text
                continue
            if previous_break or t.text == "\u2022":
                line_starts.add(t.i)
            previous_break = False
        assert {t.i for t in doc if t.is_sent_start} == spacy_starts | line_starts
        assert all(t.is_sent_start is False for t in doc if t.i not in spacy_starts | line_starts)
