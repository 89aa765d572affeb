"""Number parsing: digit groups, multipliers ("k", "lakh") and written numbers."""

from __future__ import annotations

import functools
import re

from price_parser import Price

# --------------------------------------------------------------------------
# Spaces
# --------------------------------------------------------------------------

SP = r"[ \u00a0\u2009\u202f]"
S = SP + r"{1,2}"
S0 = SP + r"{0,2}"
SPACES = " \u00a0\u2009\u202f"

# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

NUM_PAT = (
    r"\d{1,2}(?:,\d{2}){1,3},\d{3}(?:\.\d{1,2})?"  # Indian grouping 3,50,000
    r"|\d{1,3}(?:,\d{3}){1,4}(?:\.\d{1,2})?"  # 15,000.50
    r"|\d{1,3}(?:\.\d{3}){1,4}(?:,\d{1,2})?"  # 15.000,50
    r"|\d{1,3}(?:['’]\d{3}){1,4}(?:[.,]\d{1,2})?"  # 15'000
    r"|\d{1,3}(?:" + SP + r"\d{3}){1,3}(?:[.,]\d{1,2})?"  # 15 000
    r"|\d{1,9}(?:[.,]\d{1,2})?"  # 15000, 1.5, 1,5
)
MULT_ATT_PAT = r"k|K|M|m|B|bn|mn|mln|Mio\.?|MM"
MULT_WORD_PAT = r"(?i:thousand|million|billion|bn|mln|mio\.?|lakhs?|lacs?|crores?|cr\.?|grand|k)"
MULT_VALUE = {
    "k": 1e3, "thousand": 1e3, "grand": 1e3,
    "m": 1e6, "mn": 1e6, "mln": 1e6, "mio": 1e6, "million": 1e6, "mm": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
    "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5,
    "crore": 1e7, "crores": 1e7, "cr": 1e7,
}
IMPLIED_CURRENCY = {"grand": "USD", "lakh": "INR", "lakhs": "INR", "lac": "INR",
                     "lacs": "INR", "crore": "INR", "crores": "INR", "cr": "INR"}

# Nouns that turn "2 lakh" or "15 grand" into a count rather than money.
COUNT_NOUN_RE = re.compile(
    r"(?i)" + SP + r"{1,2}(?:[a-z\-]{1,15}" + SP + r"{1,2}){0,1}"
    r"(?:patients|people|persons|cells|users|customers|members|visitors|followers|cases|"
    r"procedures|treatments|injections|children|families|doctors|units|doses|subscribers|views)\b"
)


@functools.lru_cache(maxsize=4096)
def parse_number(num_text: str, has_multiplier: bool = False) -> float | None:
    """Value of a located number ("15,000", "6.900,50", "3,50,000", "1.2")."""
    if num_text.isdigit():
        return float(num_text)
    # "$1.250M" is 1.25 million, not 1250 million
    dot_is_decimal = has_multiplier and "," not in num_text and num_text.count(".") == 1
    price = Price.fromstring(num_text, decimal_separator="." if dot_is_decimal else None)
    if price.amount is None:
        return None
    return float(price.amount)



# --------------------------------------------------------------------------
# Written numbers
# --------------------------------------------------------------------------

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_WORD_ALT = "|".join(
    sorted(list(_ONES) + list(_TENS) + ["hundred"] + list(_SCALES) + ["half", "and", "a"],
           key=len, reverse=True)
)
WORDNUM_RE = re.compile(
    r"(?i)(?=[abefhmnostz])\b(?:" + _WORD_ALT + r")\b(?:(?:" + SP + r"{1,2}|-)(?:" + _WORD_ALT + r")\b){0,11}"
)
WORD_TOKEN_RE = re.compile(r"[A-Za-z]{1,12}")
SMALL_COUNT = {k: v for k, v in _ONES.items() if 1 <= v <= 12}


def parse_words(tokens: list[str]) -> float | None:
    """Value of a list of lower-case number words, or None if it is not a number."""
    total = 0.0
    current = 0.0
    last = None  # kind of the previous meaningful token
    seen_number = False
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok == "and":
            continue
        if tok == "a":
            if nxt in _SCALES or nxt in ("hundred", "half"):
                if nxt != "half":
                    current = current or 1.0
                    last = "unit"
                continue
            if last == "half":  # "half a million"
                continue
            return None
        if tok == "half":
            current = current + 0.5 if current else 0.5
            last = "half"
            seen_number = True
            continue
        if tok in _ONES:
            if last in ("unit", "teen") or (last == "tens" and _ONES[tok] >= 10):
                return None
            current += _ONES[tok]
            last = "teen" if _ONES[tok] >= 10 else "unit"
            seen_number = True
        elif tok in _TENS:
            if last in ("unit", "teen", "tens"):
                return None
            current += _TENS[tok]
            last = "tens"
            seen_number = True
        elif tok == "hundred":
            current = (current or 1.0) * 100
            last = "hundred"
        elif tok in _SCALES:
            total += (current or 1.0) * _SCALES[tok]
            current = 0.0
            last = "scale"
        else:
            return None
    if not seen_number and total == 0 and current == 0:
        return None
    value = total + current
    return value if value > 0 else None
