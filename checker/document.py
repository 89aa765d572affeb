"""The analysed document every detector reads: prepared text, spaCy doc, sentences, paragraphs.

Built once per check by the engine; detectors only read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.attrs import IS_SPACE, ORTH
from spacy.tokens import Doc, Span

from .nlp import get_nlp
from .text import Prepared, prepare


@dataclass
class Document:
    prepared: Prepared
    doc: Doc
    sents: list[Span]            # sentences with at least one non-space token
    sent_of_token: list[int]     # token index -> index into sents (-1 for space-only sentences)
    para_of_sent: list[int]      # sentence index -> paragraph number (blank lines separate them)

    @property
    def text(self) -> str:
        """The normalised text the detectors match on."""
        return self.prepared.text

    @property
    def original(self) -> str:
        return self.prepared.original

    def original_span(self, start_char: int, end_char: int) -> tuple[int, int]:
        """Map a character span of the normalised text to the user's text."""
        return self.prepared.to_original(start_char, end_char)

    def token_span_to_original(self, start: int, end: int) -> tuple[int, int]:
        span = self.doc[start:end]
        return self.original_span(span.start_char, span.end_char)

    def sentence_of(self, token_index: int) -> int:
        return self.sent_of_token[token_index]


def is_short_line(sent: Span) -> bool:
    """At most 12 words: a heading, a list item or an offer line, not running prose."""
    return sum(1 for t in sent if t.is_alpha) <= 12


def analyse(text: str) -> Document:
    """Prepare ``text``, run the pipeline, and index sentences and paragraphs."""
    prepared = prepare(text)
    doc = get_nlp()(prepared.text)
    sents: list[Span] = []
    sent_of_token = [-1] * len(doc)
    para_of_sent: list[int] = []
    paragraph = 0
    # Token flags as running counts, so each sentence's tests are two look-ups, not a loop.
    spaces = doc.to_array(IS_SPACE).tolist()
    strings, orths = doc.vocab.strings, doc.to_array(ORTH).tolist()
    space_count, break_count = [0], [0]
    for is_space, orth in zip(spaces, orths):
        space_count.append(space_count[-1] + is_space)
        break_count.append(break_count[-1] + (is_space and "\n\n" in strings[orth]))
    for sent in doc.sents:
        start, end = sent.start, sent.end
        blank_line = break_count[end] > break_count[start]
        if space_count[end] - space_count[start] < end - start:  # not only whitespace
            index = len(sents)
            sents.append(sent)
            para_of_sent.append(paragraph)
            sent_of_token[start:end] = [index] * (end - start)
        if blank_line:
            paragraph += 1
    return Document(prepared, doc, sents, sent_of_token, para_of_sent)
