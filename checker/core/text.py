"""Text preparation: a normalised copy for matching, and a map back to the user's characters.

Matching runs on ``Prepared.text``; every span a detector finds there is mapped back with
``Prepared.to_original`` so findings always point into the text exactly as the user gave it.

What normalisation does (and why):

* HTML (when the input looks like markup): tags become line breaks or nothing, ``<script>`` and
  ``<style>`` bodies are dropped, entities are decoded. Real users paste page source.
* Unicode NFKC per character, then diacritics stripped, so ``𝐜𝐮𝐫𝐞``, full-width letters and
  ``cúre`` all read as ``cure``.
* Look-alike letters from other scripts (Cyrillic ``о``, Greek ``ο``...) folded to Latin, so a
  clinic cannot hide a word from the matcher by swapping one letter.
* Zero-width characters, soft hyphens and other invisible format characters removed.
* Typographic quotes, dashes, ellipses and bullets folded to one form each.
* Runs of whitespace folded: to ``\\n\\n`` (paragraph break), ``\\n`` (line break) or a space.

The map is kept as segments rather than one integer per character: plain ASCII stretches map
one to one, and only the characters that changed get a segment of their own. That keeps
preparation cheap on the common case (an English advert with a few curly quotes).
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Invisible characters that can sit inside a word without changing how it reads.
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f" \
             "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\x00-\x08\x0e-\x1f\x7f"

# One pass finds every character or run that needs changing; everything between is copied.
#   1. runs of two or more whitespace/invisible characters
#   2. a single whitespace character that is not a plain space
#   3. a single invisible character
#   4. a single non-ASCII character
# Written as one character class first (every such match starts with a character outside
# "!".."~"), and then the four cases tested on that character looking back, in the same order:
# Python's regex engine then skips to candidates with a C loop over a character set instead of
# trying four alternatives at every position (half the time on an English advert). The same
# matches as the plain alternation _SPECIAL_REFERENCE (tests/test_text.py compares them).
_SPECIAL_REFERENCE = rf"[\s{_INVISIBLE}]{{2,}}|[^\S ]|[{_INVISIBLE}]|[^\x00-\x7f]"
_SPECIAL = re.compile(
    rf"[^\x21-\x7e](?:(?<=[\s{_INVISIBLE}])[\s{_INVISIBLE}]+|(?<=[^\S ])|(?<=[{_INVISIBLE}])"
    rf"|(?<=[^\x00-\x7f]))"
)
_WS_OR_INVISIBLE = re.compile(rf"[\s{_INVISIBLE}]")

# Letters from other scripts that look like Latin ones, and punctuation with many shapes.
CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ѡ": "w", "ь": "b",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ї": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D",
    "Һ": "H", "Ӏ": "I", "Ԛ": "Q", "Ԝ": "W",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Armenian
    "\u057d": "u", "\u0578": "n", "\u0585": "o", "\u0570": "h", "\u0575": "j", "\u0581": "g",
    "\u0584": "f", "\u0566": "q",
    # Latin look-alikes and small capitals
    "ı": "i", "ȷ": "j", "ℓ": "l", "ꞵ": "b",
    # Quotes, apostrophes, primes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u02bb": "'", "\u0060": "'", "\u00b4": "'", "\uff07": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"',
    "\u00bb": '"', "\uff02": '"',
    # Dashes and minus signs
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
    # Ellipsis and bullets
    "\u2026": "...",
    "\u2022": "•", "\u2023": "•", "\u2043": "•", "\u25aa": "•", "\u25cf": "•", "\u25e6": "•",
    "\u00b7": "•", "\u2219": "•", "\u25a0": "•", "\u25ba": "•", "\u27a2": "•", "\u2713": "•",
    "\u2714": "•", "\u2705": "•", "\uf0b7": "•",
}


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """The normalised form of one non-ASCII, non-space character (possibly empty or longer)."""
    if char in CONFUSABLES:
        return CONFUSABLES[char]
    if unicodedata.combining(char):
        return ""  # a stray combining mark: the letter before it already stands for the word
    out = []
    for ch in unicodedata.normalize("NFKC", char):
        if ch in CONFUSABLES:
            out.append(CONFUSABLES[ch])
            continue
        if ch.isspace():
            out.append(" ")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append(base if base else ch)
    return "".join(out)


@lru_cache(maxsize=1024)
def _fold_whitespace(run: str) -> str:
    """What a run of whitespace and invisible characters becomes."""
    if not any(c.isspace() for c in run):
        return ""  # only invisible characters: they were inside a word, so join it
    newlines = run.count("\n") + run.count("\u2028") + run.count("\u2029")
    if not newlines:
        newlines = run.count("\r")  # old Mac line ends
    if newlines >= 2 or "\u2029" in run:
        return "\n\n"
    if newlines == 1:
        return "\n"
    return " "


@dataclass(frozen=True)
class _Segment:
    norm_start: int
    norm_end: int
    orig_start: int
    orig_end: int
    identity: bool  # one to one, character for character


@dataclass
class OffsetMap:
    """Maps spans of a normalised string back to the string it was made from."""

    segments: list[_Segment]
    norm_length: int
    orig_length: int
    _starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._starts = [s.norm_start for s in self.segments]

    def _segment_at(self, norm_index: int) -> _Segment:
        i = bisect.bisect_right(self._starts, norm_index) - 1
        return self.segments[max(i, 0)]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span that the normalised span [start, end) came from."""
        if not self.segments or start >= end:
            return (0, 0) if not self.segments else self._point(start)
        first = self._segment_at(start)
        last = self._segment_at(end - 1)
        o_start = first.orig_start + (start - first.norm_start) if first.identity else first.orig_start
        o_end = last.orig_start + (end - 1 - last.norm_start) + 1 if last.identity else last.orig_end
        return o_start, max(o_end, o_start)

    def _point(self, index: int) -> tuple[int, int]:
        if index >= self.norm_length:
            return self.orig_length, self.orig_length
        seg = self._segment_at(index)
        pos = seg.orig_start + (index - seg.norm_start) if seg.identity else seg.orig_start
        return pos, pos


class _Builder:
    """Collects normalised pieces and the segments that map them back."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.segments: list[_Segment] = []
        self.length = 0

    def copy(self, source: str, start: int, end: int) -> None:
        if end <= start:
            return
        self._add(source[start:end], start, end, identity=True)

    def replace(self, replacement: str, start: int, end: int) -> None:
        # A same-length replacement (a Cyrillic "о" for "o") still maps character for character.
        self._add(replacement, start, end, identity=len(replacement) == end - start)

    def insert(self, piece: str, at: int) -> None:
        """Add ``piece`` where the original has nothing: it maps to the empty span at ``at``."""
        self._add(piece, at, at, identity=False)

    def _add(self, piece: str, orig_start: int, orig_end: int, identity: bool) -> None:
        if not piece:
            return
        prev = self.segments[-1] if self.segments else None
        if identity and prev is not None and prev.identity and prev.orig_end == orig_start \
                and prev.norm_end == self.length:
            self.segments[-1] = _Segment(prev.norm_start, prev.norm_end + len(piece),
                                         prev.orig_start, orig_end, True)
        else:
            self.segments.append(_Segment(self.length, self.length + len(piece),
                                          orig_start, orig_end, identity))
        self.parts.append(piece)
        self.length += len(piece)

    def result(self, orig_length: int) -> tuple[str, OffsetMap]:
        return "".join(self.parts), OffsetMap(self.segments, self.length, orig_length)


def _normalise_characters(text: str) -> tuple[str, OffsetMap]:
    out = _Builder()
    pos = 0
    for m in _SPECIAL.finditer(text):
        chunk = m.group()
        if len(chunk) > 1 or _WS_OR_INVISIBLE.match(chunk):
            folded = _fold_whitespace(chunk)
        else:
            folded = fold_char(chunk)
        if folded == chunk:
            continue  # a line break, a paragraph break, a bullet: copied with what surrounds it
        out.copy(text, pos, m.start())
        out.replace(folded, m.start(), m.end())
        pos = m.end()
    out.copy(text, pos, len(text))
    return out.result(len(text))


# --- HTML -------------------------------------------------------------------------------------

_LOOKS_LIKE_HTML = re.compile(
    r"<\s{0,3}/?\s{0,3}(?:html|head|body|div|p|br|li|ul|ol|h[1-6]|span|a|strong|em|b|i|table|tr|td|"
    r"th|section|article|header|footer|nav|img|meta|script|style|title|button|form|label)\b[^<>]{0,500}>",
    re.IGNORECASE,
)
_TAG_OR_ENTITY = re.compile(
    r"<!--|<(/?)\s{0,3}([a-zA-Z][a-zA-Z0-9]{0,15})\b[^<>]{0,2000}>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"
)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 "
    "h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul title "
    "option button label".split()
)
_SKIP_BODY = frozenset({"script", "style", "noscript", "template", "svg", "head"})


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def _strip_html(text: str) -> tuple[str, OffsetMap]:
    out = _Builder()
    lowered = text.lower()
    pos = 0
    for m in _TAG_OR_ENTITY.finditer(text):
        if m.start() < pos:
            continue  # inside a skipped <script> body or comment
        out.copy(text, pos, m.start())
        token = m.group()
        if token == "<!--":
            close = text.find("-->", m.end())
            end = len(text) if close < 0 else close + 3
            out.replace(" ", m.start(), end)
            pos = end
            continue
        if token.startswith("&"):
            decoded = html.unescape(token)
            if decoded == token:
                out.copy(text, m.start(), m.end())
            else:
                out.replace(decoded, m.start(), m.end())
            pos = m.end()
            continue
        closing, name = m.group(1), m.group(2).lower()
        end = m.end()
        if not closing and name in _SKIP_BODY and not token.endswith("/>"):
            close = lowered.find(f"</{name}", end)
            if close < 0:
                pass  # never closed: drop the tag only, so "<style>" cannot hide the rest
            else:
                gt = text.find(">", close)
                end = len(text) if gt < 0 else gt + 1
        out.replace("\n" if name in _BLOCK_TAGS or name in _SKIP_BODY else " ", m.start(), end)
        pos = end
    out.copy(text, pos, len(text))
    return out.result(len(text))


# --- long runs without a space ---------------------------------------------------------------

# spaCy's tokenizer peels prefixes, suffixes and infixes off each space-separated chunk one at a
# time, copying the rest each time: its cost grows with the square of a chunk's length. A chunk
# of 20,000 "!" (or "$", "(", emoji, "a:a:a:...") took 35 s. No word or address a reader sees is
# that long, so a chunk longer than MAX_RUN characters gets a space inserted after every MAX_RUN
# characters. The space stands for no character of the user's text (its segment maps to an empty
# span), so offsets still point into the original. Ordinary text never reaches the limit.
MAX_RUN = 200
_LONG_RUN = re.compile(rf"[^\s]{{{MAX_RUN + 1},}}")


def _break_long_runs(text: str) -> tuple[str, OffsetMap] | None:
    """``text`` with a space inserted every MAX_RUN characters of a long run, or None."""
    first = _LONG_RUN.search(text)
    if first is None:
        return None
    out = _Builder()
    pos = 0
    for m in _LONG_RUN.finditer(text, first.start()):
        for cut in range(m.start() + MAX_RUN, m.end(), MAX_RUN):
            out.copy(text, pos, cut)
            out.insert(" ", cut)
            pos = cut
    out.copy(text, pos, len(text))
    return out.result(len(text))


# --- the prepared document ------------------------------------------------------------------


@dataclass
class Prepared:
    """The user's text, its normalised copy, and the way back from one to the other."""

    original: str
    text: str
    maps: tuple[OffsetMap, ...]
    was_html: bool = False

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``self.text`` to the user's text, trimmed of surrounding whitespace."""
        for m in reversed(self.maps):
            start, end = m.to_original(start, end)
        return trim_span(self.original, start, end)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends on whitespace or invisible characters."""
    while start < end and (text[start].isspace() or _is_invisible(text[start])):
        start += 1
    while end > start and (text[end - 1].isspace() or _is_invisible(text[end - 1])):
        end -= 1
    return start, end


_INVISIBLE_CHAR = re.compile(rf"[{_INVISIBLE}]")


def _is_invisible(char: str) -> bool:
    return _INVISIBLE_CHAR.match(char) is not None


def prepare(text: str) -> Prepared:
    """Normalise ``text`` for matching and keep the map back to it."""
    maps: list[OffsetMap] = []
    work = text
    was_html = looks_like_html(text)
    if was_html:
        work, html_map = _strip_html(work)
        maps.append(html_map)
    if work.isascii() and not _SPECIAL.search(work):
        # Nothing to change: the identity map is a single segment.
        maps.append(OffsetMap([_Segment(0, len(work), 0, len(work), True)] if work else [],
                              len(work), len(work)))
    else:
        work, char_map = _normalise_characters(work)
        maps.append(char_map)
    broken = _break_long_runs(work)
    if broken is not None:
        work, run_map = broken
        maps.append(run_map)
    return Prepared(text, work, tuple(maps), was_html)
