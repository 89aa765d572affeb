"""The analysed document every detector reads: prepared text, spaCy doc, sentences, paragraphs.

Built once per check by the engine; detectors only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, LENGTH
from spacy.tokens import Doc, Span

from checker.core.nlp import get_nlp, lemma_table
from checker.core.text import Prepared, prepare


@dataclass
class Document:
    prepared: Prepared
    doc: Doc
    sents: list[Span]            # sentences with at least one non-space token
    sent_of_token: list[int]     # token index -> index into sents (-1 for space-only sentences)
    para_of_sent: list[int]      # sentence index -> paragraph number (blank lines separate them)
    _columns: list[list[int]]    # per token, one list per attribute of TOKEN_COLUMNS

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
        if end <= start:  # never from a match; spaCy's own answer for an empty span
            span = self.doc[start:end]
            return self.original_span(span.start_char, span.end_char)
        return self.original_span(self.idx[start], self.token_end[end - 1])

    def sentence_of(self, token_index: int) -> int:
        return self.sent_of_token[token_index]

    # -- per-token values as plain lists --------------------------------------------------------
    # Detectors walk tokens a great deal. ``doc[i]`` builds a Token object at every look-up, which
    # costs more than the test made on it; these lists are read once from the doc's arrays.

    @cached_property
    def idx(self) -> list[int]:
        """Each token's first character in ``text``."""
        return self._columns[0]

    @cached_property
    def token_end(self) -> list[int]:
        """Each token's end (one past its last character) in ``text``."""
        return [i + n for i, n in zip(self._columns[0], self._columns[1])]

    @cached_property
    def is_space(self) -> list[int]:
        return self._columns[2]

    @cached_property
    def is_punct(self) -> list[int]:
        return self._columns[3]

    @cached_property
    def is_alpha(self) -> list[int]:
        return self._columns[4]

    @cached_property
    def token_text(self) -> list[str]:
        """Each token's text (``Token.text``)."""
        text = self.text
        return [text[a:b] for a, b in zip(self.idx, self.token_end)]

    @cached_property
    def lower(self) -> list[str]:
        """Each token's lower-cased text (``Token.lower_``: spaCy lower-cases with ``str.lower``)."""
        return [t.lower() for t in self.token_text]

    @cached_property
    def lemma(self) -> list[str]:
        """Each token's lemma (``Token.lemma_``, as the pipeline's ``lookup_lemmas`` sets it)."""
        table = lemma_table()
        return [table.get(w, w) for w in self.lower]

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text`` for a non-empty token span."""
        return self.text[self.idx[start]:self.token_end[end - 1]]

    @cached_property
    def _alpha_before(self) -> list[int]:
        counts = [0]
        for flag in self.is_alpha:
            counts.append(counts[-1] + flag)
        return counts

    def alpha_count(self, start: int, end: int) -> int:
        """How many alphabetic tokens the token span [start, end) holds."""
        return self._alpha_before[end] - self._alpha_before[start]

    @cached_property
    def sent_text(self) -> list[str]:
        """Each sentence's text (``Span.text``: from its first token to its last one's end)."""
        text, idx, end = self.text, self.idx, self.token_end
        return [text[idx[s.start]:end[s.end - 1]] for s in self.sents]

    def is_short(self, sent_index: int) -> bool:
        """A short line, at most 12 words: a heading, a list item or an offer line, not prose."""
        sent = self.sents[sent_index]
        return self.alpha_count(sent.start, sent.end) <= SHORT_LINE_WORDS


SHORT_LINE_WORDS = 12
TOKEN_COLUMNS = [IDX, LENGTH, IS_SPACE, IS_PUNCT, IS_ALPHA]


def analyse(text: str) -> Document:
    """Prepare ``text``, run the pipeline, and index sentences and paragraphs."""
    prepared = prepare(text)
    doc = get_nlp()(prepared.text)
    sents: list[Span] = []
    sent_of_token = [-1] * len(doc)
    para_of_sent: list[int] = []
    paragraph = 0
    # The token attributes the detectors read, once; the Document keeps them.
    columns = doc.to_array(TOKEN_COLUMNS).reshape(len(doc), len(TOKEN_COLUMNS)).T.tolist()
    idx, lengths, spaces = columns[0], columns[1], columns[2]
    text = prepared.text
    # Token flags as running counts, so each sentence's tests are two look-ups, not a loop.
    space_count, break_count = [0], [0]
    for i, is_space in enumerate(spaces):
        space_count.append(space_count[-1] + is_space)
        break_count.append(break_count[-1] + (is_space and "\n\n" in text[idx[i]:idx[i] + lengths[i]]))
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
    return Document(prepared, doc, sents, sent_of_token, para_of_sent, columns)
