"""The analysed document every detector reads: prepared text, spaCy doc, sentences, paragraphs.

Built once per check by the engine; detectors only read it.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def analyse(text: str) -> Document:
    """Prepare ``text``, run the pipeline, and index sentences and paragraphs."""
    prepared = prepare(text)
    doc = get_nlp()(prepared.text)
    sents: list[Span] = []
    sent_of_token = [-1] * len(doc)
    para_of_sent: list[int] = []
    paragraph = 0
    for sent in doc.sents:
        blank_line = any(t.is_space and "\n\n" in t.text for t in sent)
        if not all(t.is_space for t in sent):
            index = len(sents)
            sents.append(sent)
            para_of_sent.append(paragraph)
            for i in range(sent.start, sent.end):
                sent_of_token[i] = index
        if blank_line:
            paragraph += 1
    return Document(prepared, doc, sents, sent_of_token, para_of_sent)
