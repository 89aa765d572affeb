"""The one spaCy pipeline: a blank English tokenizer, sentence boundaries and lemmas.

Nothing is downloaded: ``spacy.blank("en")`` plus the lemma lookup table that ships in the
``spacy-lookups-data`` wheel. The pipeline is built once per process and reused.

Two small components of our own follow the tokenizer:

* ``sentence_starts`` starts a sentence after end punctuation, as spaCy's sentencizer does, and
  also after every line break and at every bullet. Adverts are full of headings and bullet
  lists without full stops; without this a whole "Conditions we treat" list would read as one
  sentence.
* ``lookup_lemmas`` sets each token's lemma from the lookup table, keyed on the lower-cased
  form. spaCy's own lookup lemmatizer keys on the exact text, so "Cures" at the start of a
  heading would keep its capital and miss every LEMMA pattern.
"""

from __future__ import annotations

import gzip
import json
import logging
from functools import lru_cache
from pathlib import Path

import numpy
import spacy
import spacy_lookups_data
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

log = logging.getLogger(__name__)

@Language.factory("sentence_starts")
def make_sentence_starts(nlp: Language, name: str) -> "SentenceStarts":
    return SentenceStarts(nlp)


class SentenceStarts:
    """Sentence starts from line breaks, bullets and end punctuation, in one pass over arrays.

    A sentence starts at the first token of the text, at the first token after a line break,
    at a bullet, and (spaCy's ``Sentencizer`` rule, same characters) at the first token that is
    not punctuation after a token that ends a sentence ("." "!" "?" and the like).

    It reads the tokens' attributes as arrays and writes every start at once: spaCy's own
    sentencizer and a Token object per token cost more than the whole test. A line break is
    always a space token of its own in spaCy (a token's trailing whitespace is at most one
    plain space), so space tokens are the only place to look for one.
    """

    def __init__(self, nlp: Language) -> None:
        strings = nlp.vocab.strings
        self._enders = {strings.add(c) for c in Sentencizer.default_punct_chars}
        self._bullet = strings.add("\u2022")
        self._strings = strings

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        rows = doc.to_array([ORTH, IS_SPACE, IS_PUNCT]).tolist()
        strings, enders, bullet = self._strings, self._enders, self._bullet
        starts = [-1] * n
        starts[0] = 1
        previous_break = True
        seen_end = False
        for i, (orth, is_space, is_punct) in enumerate(rows):
            # line breaks and bullets
            if is_space:
                if "\n" in strings[orth]:
                    previous_break = True
            elif previous_break:
                starts[i] = 1
                previous_break = False
            elif orth == bullet:
                starts[i] = 1
            # end punctuation, as spaCy's Sentencizer
            is_ender = orth in enders
            if seen_end and not is_punct and not is_ender:
                starts[i] = 1
                seen_end = False
            elif is_ender:
                seen_end = True
        doc.from_array([SENT_START], numpy.asarray(starts, dtype=numpy.int64).view(numpy.uint64))
        return doc


@Language.factory("lookup_lemmas")
def make_lookup_lemmas(nlp: Language, name: str) -> "LookupLemmas":
    return LookupLemmas(nlp)


class LookupLemmas:
    """Lemmas from spacy-lookups-data's English table, looked up by the lower-cased form."""

    def __init__(self, nlp: Language) -> None:
        strings = nlp.vocab.strings
        self._lemma_of: dict[int, int] = {
            strings.add(form): strings.add(lemma) for form, lemma in lemma_table().items()
        }

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        lemma_of = self._lemma_of
        lemmas = [lemma_of.get(lower, lower) for lower in doc.to_array(LOWER).tolist()]
        doc.from_array([LEMMA], numpy.asarray(lemmas, dtype=numpy.uint64))
        return doc


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """Lower-cased form -> lemma: what ``lookup_lemmas`` sets, for code that reads strings."""
    return {form: lemma for form, lemma in _english_lemma_table().items() if form == form.lower()}


def _english_lemma_table() -> dict[str, str]:
    """The raw English lemma lookup table shipped in the spacy-lookups-data wheel."""
    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline, built on first use."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentence_starts")
    nlp.add_pipe("lookup_lemmas")
    log.debug("spaCy pipeline built: %s", nlp.pipe_names)
    return nlp


def tokenizer_only() -> Language:
    """A bare ``spacy.blank("en")``: the baseline the benchmarks compare against."""
    return spacy.blank("en")
