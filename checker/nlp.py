"""The one spaCy pipeline: a blank English tokenizer, sentence boundaries and lemmas.

Nothing is downloaded: ``spacy.blank("en")`` plus the lemma lookup table that ships in the
``spacy-lookups-data`` wheel. The pipeline is built once per process and reused.

Two small components of our own sit beside spaCy's sentencizer:

* ``line_breaks`` starts a sentence after every line break and bullet. Adverts are full of
  headings and bullet lists without full stops; without this a whole "Conditions we treat"
  list would read as one sentence.
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
from spacy.attrs import IS_SPACE, LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.tokens import Doc

log = logging.getLogger(__name__)

@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Mark the token after a line break, and a bullet at a line start, as a sentence start.

    It reads the tokens' flags as one array rather than token by token (a Token object per
    token costs more than the test); only the sentence starts it finds are set one by one.
    A line break is always a space token of its own in spaCy (a token's trailing whitespace
    is at most one plain space), so space tokens are the only place to look for one.
    """
    spaces = doc.to_array(IS_SPACE).tolist()
    orths = doc.to_array(ORTH).tolist()
    strings = doc.vocab.strings
    bullet = strings["•"]
    previous_break = True
    for i, is_space in enumerate(spaces):
        if is_space:
            if "\n" in strings[orths[i]]:
                previous_break = True
            continue
        if previous_break:
            doc[i].is_sent_start = True
            previous_break = False
        elif orths[i] == bullet:
            doc[i].is_sent_start = True
    return doc


@Language.factory("lookup_lemmas")
def make_lookup_lemmas(nlp: Language, name: str) -> "LookupLemmas":
    return LookupLemmas(nlp)


class LookupLemmas:
    """Lemmas from spacy-lookups-data's English table, looked up by the lower-cased form."""

    def __init__(self, nlp: Language) -> None:
        strings = nlp.vocab.strings
        self._lemma_of: dict[int, int] = {
            strings.add(form): strings.add(lemma)
            for form, lemma in _english_lemma_table().items()
            if form == form.lower()
        }

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        lemma_of = self._lemma_of
        lemmas = [lemma_of.get(lower, lower) for lower in doc.to_array(LOWER).tolist()]
        doc.from_array([LEMMA], numpy.asarray(lemmas, dtype=numpy.uint64))
        return doc


def _english_lemma_table() -> dict[str, str]:
    """The raw English lemma lookup table shipped in the spacy-lookups-data wheel."""
    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline, built on first use."""
    nlp = spacy.blank("en")
    nlp.add_pipe("line_breaks")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lookup_lemmas")
    log.debug("spaCy pipeline built: %s", nlp.pipe_names)
    return nlp


def tokenizer_only() -> Language:
    """A bare ``spacy.blank("en")``: the baseline the benchmarks compare against."""
    return spacy.blank("en")
