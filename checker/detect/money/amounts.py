"""Scanning: every amount in a text (digits or words) with its currency markers."""

from __future__ import annotations

import re

from checker.detect.money.currencies import (
    MIN_AMOUNT,
    POST_PAT,
    POST_RE,
    PRE_PAT,
    SYMBOLS,
    WEIGHT_AFTER_RE,
    WEIGHT_BEFORE_RE,
    currency_of,
    norm_marker,
    pick_currency,
)
from checker.detect.money.numbers import (
    COUNT_NOUN_RE,
    IMPLIED_CURRENCY,
    MULT_ATT_PAT,
    MULT_VALUE,
    MULT_WORD_PAT,
    NUM_PAT,
    SP,
    SPACES,
    WORD_TOKEN_RE,
    WORDNUM_RE,
    parse_number,
    parse_words,
)

RANGE_WORDS = r"-{1,2}|–|—|~|〜|(?i:to|till|until|thru|through|and)"

# One amount: [marker] number [% | multiplier] [/-] [marker].  Every
# repetition is bounded, so each start position costs a bounded amount of work.
_AMOUNT_RE = re.compile(
    r"(?=[\d" + re.escape(SYMBOLS) + r"ABCDEFGHIJKMNPRSTU])"  # fast scan to plausible starts
    r"(?:(?=[" + re.escape(SYMBOLS) + r"ABCDEFGHIJKMNPRSTU])(?P<pre>" + PRE_PAT + r")" + SP + r"{0,2})?"
    r"(?(pre)|(?<![A-Za-z]))"  # no marker: not glued to a word ("X200", "COVID19")
    r"(?<!\d)(?<!\d[.,'’])"
    r"(?P<num>" + NUM_PAT + r")"
    r"(?!\d|[.,'’]\d)"
    r"(?:(?P<pct>" + SP + r"?(?=[%pP])(?:%|(?i:percent|per cent|pct)\b))"
    r"|(?:(?P<matt>" + MULT_ATT_PAT + r")(?![A-Za-z])"
    r"|" + SP + r"{1,2}(?=[A-Za-z])(?P<mword>" + MULT_WORD_PAT + r")(?![A-Za-z]))?"
    r"(?P<ind>/-)?"
    r"(?:" + SP + r"{0,2}(?=[^\W\d_]|[" + re.escape(SYMBOLS) + r"])(?P<post>" + POST_PAT + r"))?)"
)


class Tok:
    """One amount with its currency markers (internal)."""

    __slots__ = ("start", "end", "num_text", "raw", "mult", "mult_word", "currency",
                 "generic", "marker", "value")

    def __init__(self, start: int, end: int, num_text: str, raw: float | None, mult: float | None,
                 mult_word: str | None, currency: str | None, generic: bool, marker: str | None):
        self.start = start
        self.end = end
        self.num_text = num_text
        self.raw = raw
        self.mult = mult
        self.mult_word = mult_word
        self.currency = currency
        self.generic = generic
        self.marker = marker
        self.value = (raw * mult if mult else raw) if raw is not None else None

    def parse(self) -> bool:
        """Parse the number if that was put off; False if it does not parse."""
        if self.raw is None:
            raw = parse_number(self.num_text, self.mult is not None)
            if raw is None:
                return False
            self.raw = raw
            self.value = raw * self.mult if self.mult else raw
        return True



# a range connector followed by something that can start an amount
_RANGE_AFTER_RE = re.compile(
    SP + r"{0,3}(?:" + RANGE_WORDS + r")" + SP + r"{0,3}[\d" + re.escape(SYMBOLS) + r"A-Z]")
_RANGE_BEFORE_RE = re.compile(r"(?:" + RANGE_WORDS + r")" + SP + r"{0,3}\Z")
_RANGE_LAST = frozenset("-–—~〜oOlLuUhHdD")


def _range_before(text: str, start: int) -> bool:
    """Is the amount at ``start`` preceded by a range connector ("5,000-", "to ")?"""
    j = start
    while j > 0 and j > start - 3 and text[j - 1] in SPACES:
        j -= 1
    if j == 0 or text[j - 1] not in _RANGE_LAST:
        return False
    return _RANGE_BEFORE_RE.search(text, max(0, start - 14), start) is not None


def numeric_tokens(text: str) -> list[Tok]:
    toks: list[Tok] = []
    n = len(text)
    for m in _AMOUNT_RE.finditer(text):
        pre, num_text, pct, matt, mword, ind, post = m.group(
            "pre", "num", "pct", "matt", "mword", "ind", "post")
        if pct:
            continue  # "20% off" is not a price
        end = m.end()
        if end < n and text[end].isascii() and text[end].isalpha():
            continue  # glued to a word: "5kg", "$200mg"
        mult = mult_word = None
        if matt or mword:
            mult_word = (matt or mword).lower().rstrip(".")
            mult = MULT_VALUE[mult_word]
        if pre:
            pre = pre.strip()
            cur = currency_of(pre)
            if post:
                cur = pick_currency(cur, currency_of(post))
                if cur is None:
                    continue  # conflicting markers ("€500 USD")
        elif post:
            cur = currency_of(post)
        elif mult_word in IMPLIED_CURRENCY:
            cur = (IMPLIED_CURRENCY[mult_word], False)
        else:
            cur = None
        if ind and not pre and not post:
            end -= 2  # "/-" only belongs to "Rs. 5,000/-"
        if cur is not None:
            raw = parse_number(num_text, mult is not None)
            if raw is None:
                continue
        elif _RANGE_AFTER_RE.match(text, end) or _range_before(text, m.start()):
            raw = None  # parsed later, only if it is one end of a range
        else:
            continue
        marker = post or pre
        toks.append(Tok(m.start(), end, num_text, raw, mult, mult_word,
                         cur[0] if cur else None, cur[1] if cur else False,
                         norm_marker(marker) if marker else None))
    return toks


_GRAND_RE = re.compile(r"(?i)" + SP + r"{1,2}grand(?![A-Za-z])")


def word_tokens(text: str) -> list[Tok]:
    toks: list[Tok] = []
    for m in WORDNUM_RE.finditer(text):
        post_m = POST_RE.match(text, m.end())
        if post_m is None and _GRAND_RE.match(text, m.end()) is None:
            continue  # written numbers count only with a currency word after them
        words = [(w.group().lower(), m.start() + w.start()) for w in WORD_TOKEN_RE.finditer(m.group())]
        # trim leading filler ("and", "a" that is not "a thousand")
        while words and (words[0][0] == "and" or (
                words[0][0] == "a" and (len(words) < 2 or words[1][0] not in ("hundred", "thousand", "million", "billion")))):
            words.pop(0)
        if not words:
            continue
        mult = None
        mult_word = None
        if post_m is None:
            gm = _GRAND_RE.match(text, m.end())
            if gm is None:
                continue
            mult, mult_word, end = 1e3, "grand", gm.end()
            cur = ("USD", True)
            marker = "grand"
        else:
            cur = currency_of(post_m.group().strip())
            if cur is None:
                continue
            end = post_m.end()
            marker = norm_marker(post_m.group())
        value = parse_words([w for w, _ in words])
        if value is None:
            continue
        toks.append(Tok(words[0][1], end, m.group(), value, mult, mult_word, cur[0], cur[1], marker))
    return toks


def ok_marker(tok: Tok, text: str) -> bool:
    """Extra checks for markers that double as ordinary words."""
    marker = tok.marker or ""
    limit = MIN_AMOUNT.get(marker)
    if limit is not None and tok.value < limit:
        return False
    if marker in ("pound", "pounds"):
        if WEIGHT_BEFORE_RE.search(text, max(0, tok.start - 45), tok.start):
            return False
        if WEIGHT_AFTER_RE.match(text, tok.end):
            return False
    if tok.mult_word in IMPLIED_CURRENCY and marker in ("", "grand"):
        if COUNT_NOUN_RE.match(text, tok.end):
            return False
    return True
