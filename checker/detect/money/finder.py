"""The price finder: ``find_prices`` joins amounts into ranges and reads their qualifier and unit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.detect.money.amounts import RANGE_WORDS, Tok, numeric_tokens, ok_marker, word_tokens
from checker.detect.money.currencies import MIN_AMOUNT, pick_currency
from checker.detect.money.numbers import IMPLIED_CURRENCY, SP
from checker.detect.money.rates import RATES
from checker.detect.money.units import QUAL_AFTER_RE, find_qualifier_before, unit_after, unit_before


@dataclass(frozen=True)
class PriceMention:
    start: int
    end: int
    text: str
    amount: float
    amount_max: float | None
    currency: str
    usd: float | None
    unit: str | None
    qualifier: str | None
    cells: float | None
    package_count: int | None


_RANGE_GAP_RE = re.compile(SP + r"{0,3}(?:" + RANGE_WORDS + r")" + SP + r"{0,3}")
_BETWEEN_RE = re.compile(r"(?i)\bbetween" + SP + r"{1,3}\Z")


def find_prices(text: str) -> list[PriceMention]:
    """All price mentions in ``text``, sorted by start and non-overlapping."""
    if not text:
        return []
    toks = numeric_tokens(text)
    words = word_tokens(text)
    if words:
        toks = sorted(toks + words, key=lambda t: (t.start, -t.end))
        kept: list[Tok] = []
        last_end = -1
        for t in toks:
            if t.start >= last_end:
                kept.append(t)
                last_end = t.end
        toks = kept

    mentions: list[PriceMention] = []
    append = mentions.append
    rates = RATES
    prev_end = 0
    i = 0
    ntok = len(toks)
    n = len(text)
    while i < ntok:
        a = toks[i]
        b = toks[i + 1] if i + 1 < ntok else None
        rng = None
        if b is not None and 0 < b.start - a.end <= 12 and (a.currency or b.currency):
            gap = _RANGE_GAP_RE.fullmatch(text, a.end, b.start)
            if gap and (gap.group().strip().lower() != "and"
                        or _BETWEEN_RE.search(text, max(0, a.start - 12), a.start)):
                rng = _make_range(a, b)
        if rng is not None:
            first, last, lo_v, hi_v, cur = rng
            i += 2
        else:
            if a.currency is None:
                i += 1
                continue
            first = last = a
            lo_v, hi_v, cur = a.value, None, a.currency
            i += 1
        if (first.marker in _CHECKED_MARKERS or first.mult_word in IMPLIED_CURRENCY) \
                and not ok_marker(first, text):
            continue
        if last is not first and (last.marker in _CHECKED_MARKERS or last.mult_word in IMPLIED_CURRENCY) \
                and not ok_marker(last, text):
            continue
        start, end = first.start, last.end
        # Qualifier and unit words sit next to the amount; look only when a
        # letter (or "~", "+", "/") is there.
        qual = None
        qstart = start
        j = start
        while j > prev_end and j > start - 4 and text[j - 1] in _SPACES_PUNCT:
            j -= 1
        before_word = j > prev_end and (text[j - 1].isalpha() or text[j - 1] == ".")
        if before_word or (j > prev_end and text[j - 1] in "~≈±."):
            qual, qstart = find_qualifier_before(text, prev_end, start)
            if hi_v is not None and qual == "from" and text[qstart:qstart + 4].lower() == "from":
                qual = None  # "from $5,000 to $8,000" is a plain range
        pos = end
        if end < n and text[end] in _QUAL_AFTER_FIRST:
            qa = QUAL_AFTER_RE.match(text, pos)
            if qa:
                for name in ("from", "up_to", "about"):
                    if qa.group(name):
                        if qual is None:
                            qual = name
                        pos = qa.end()
                        break
        unit = cells = count = None
        if pos < n and text[pos] in _UNIT_AFTER_FIRST:
            unit, cells, count = unit_after(text, pos)
        if unit is None and (before_word or qual is not None):
            unit, cells, count = unit_before(text, prev_end, qstart, pos)
        rate = rates.get(cur)
        append(PriceMention(start, end, text[start:end], lo_v, hi_v, cur,
                            round(lo_v * rate, 2) if rate is not None else None,
                            unit, qual, cells, count))
        prev_end = end
    return mentions


_SPACES_PUNCT = " \u00a0\u2009\u202f:=-–—"
_QUAL_AFTER_FIRST = frozenset("+- \u00a0\u2009\u202fimIM")
_UNIT_AFTER_FIRST = frozenset(" \u00a0\u2009\u202f,/")
_CHECKED_MARKERS = frozenset(MIN_AMOUNT) | {"pound", "pounds", "grand"}


def _make_range(a: Tok, b: Tok) -> tuple[Tok, Tok, float, float, str] | None:
    """Join two neighbouring amounts into a range, or None if they do not form one."""
    ca = (a.currency, a.generic) if a.currency else None
    cb = (b.currency, b.generic) if b.currency else None
    cur = pick_currency(ca, cb)
    if cur is None or not (a.parse() and b.parse()):
        return None
    lo_v = a.value
    # "$5-10k": the multiplier of the upper end applies to the lower one
    if a.mult is None and b.mult is not None and a.raw < b.raw:
        lo_v = a.raw * b.mult
    hi_v = b.value
    if not hi_v > lo_v:
        return None
    return a, b, lo_v, hi_v, cur[0]
