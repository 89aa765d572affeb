"""Find prices in clinic marketing text.

``find_prices(text)`` returns every price mention in ``text`` as a
:class:`PriceMention`: where it is, the amount (or range), the ISO 4217
currency, an approximate USD value from the offline table in
``corpus/fx_rates.yaml``, the unit it is quoted in ("per injection",
"per 100 million cells", "package of 3", "deposit", ...) and a qualifier
("from", "up_to", "about").

Design
------
Everything is done with small, precompiled regular expressions whose every
repetition is bounded, applied either at one position (``match``) or inside a
small window, so the running time is linear in the length of the text.

1. *Numbers.*  ``_AMOUNT_RE`` finds digit groups ("15,000", "15.000", "15 000",
   "15'000", "3,50,000", "6.900,50", "1.2").  A multiplier may follow ("k",
   "M", "thousand", "million", "lakh", "crore", "grand").  The number text is
   converted with ``price_parser`` (``Price.fromstring``), which knows both
   separator conventions and Indian grouping.
2. *Currency.*  A currency marker must sit right before the number ("$",
   "US$", "MX$", "EUR", "Rs.", ...) or right after it ("€", "円", "USD",
   "dollars", "pesos", "baht", ...).  A number with no currency is not a
   price; the only implied currencies are "grand" (USD) and "lakh"/"crore"
   (INR).  Written numbers ("twenty-five thousand US dollars") are found by
   ``_WORDNUM_RE`` and need a currency word right after them.
3. *Ranges.*  Two neighbouring numbers joined by "-", "–", "to", "~" (or
   "between X and Y") become one mention when they share a currency (one side
   may omit it: "5.000-8.000 €") and the second is larger.
4. *Qualifiers and units* are read from short windows just before and just
   after the mention ("from", "up to", "~"; "per vial", "/mo", "for 50 million
   cells", "3-session package", "Deposit:", "Consultation fee").  They are
   reported in fields and are NOT part of ``mention.text``, which always
   starts and ends with the amount or its currency marker (for
   "between $5,000 and $8,000" the text is "$5,000 and $8,000").

Ambiguities are resolved conservatively: a bare "$" is USD, a bare "¥" is JPY,
"pesos" is MXN, "Rs" is INR, "C$" is CAD, "$1.500" is 1500 (dot as thousands
separator), "1,5" is 1.5.  This module imports nothing from the rest of the
package.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from price_parser import Price

from checker.core.paths import CORPUS_DIR

__all__ = ["PriceMention", "find_prices", "to_usd", "RATES_DATE", "RATES"]

# --------------------------------------------------------------------------
# Exchange rates
# --------------------------------------------------------------------------

_RATES_PATH = CORPUS_DIR / "fx_rates.yaml"


def _load_rates(path: Path) -> tuple[str, dict[str, float]]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    rates = {str(k).upper(): float(v) for k, v in (data.get("rates") or {}).items()}
    return str(data.get("date")), rates


RATES_DATE, RATES = _load_rates(_RATES_PATH)


def to_usd(amount: float, currency: str) -> float | None:
    """Convert ``amount`` of ``currency`` (ISO code) to USD with the offline table.

    Returns None when the currency is not in the table.  The result is rounded
    to cents; the table is approximate, so treat it as an estimate.
    """
    rate = RATES.get((currency or "").upper())
    if rate is None:
        return None
    return round(amount * rate, 2)


# --------------------------------------------------------------------------
# Result type
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Currency markers
# --------------------------------------------------------------------------

# normalised marker -> (ISO code, generic?)  A generic marker ("$", "dollars",
# "¥") gives way to a specific one on the other side of the number or range.
_CURRENCY: dict[str, tuple[str, bool]] = {}


def _reg(code: str, *names: str, generic: bool = False) -> None:
    for n in names:
        _CURRENCY[n] = (code, generic)


_reg("USD", "$", "dollar", "dollars", "bucks", generic=True)
_reg("USD", "us$", "usd", "us dollar", "us dollars", "american dollar", "american dollars")
_reg("MXN", "mx$", "mex$", "mxn", "peso", "pesos", "mexican peso", "mexican pesos")
_reg("CAD", "ca$", "c$", "can$", "cdn$", "cad", "canadian dollar", "canadian dollars")
_reg("AUD", "a$", "au$", "aud", "australian dollar", "australian dollars")
_reg("NZD", "nz$", "nzd", "nz dollar", "nz dollars", "new zealand dollar", "new zealand dollars")
_reg("HKD", "hk$", "hkd", "hong kong dollar", "hong kong dollars")
_reg("SGD", "s$", "sgd", "singapore dollar", "singapore dollars")
_reg("BRL", "r$", "brl", "reais")
_reg("DOP", "rd$", "dop", "dominican peso", "dominican pesos")
_reg("COP", "col$", "cop$", "cop", "colombian peso", "colombian pesos")
_reg("PAB", "b/", "pab", "balboa", "balboas")
_reg("EUR", "€", "eur", "euro", "euros")
_reg("GBP", "£", "gbp", "pound", "pounds", "pound sterling", "pounds sterling", "sterling", "quid")
_reg("JPY", "¥", "￥", generic=True)
_reg("JPY", "jpy", "yen", "円")
_reg("CNY", "cn¥", "cny", "rmb", "yuan", "renminbi", "元")
_reg("INR", "₹", "rs", "inr", "rupee", "rupees")
_reg("KRW", "₩", "krw", "won")
_reg("TRY", "₺", "tl", "try", "lira", "liras", "lire", "turkish lira", "turkish liras")
_reg("THB", "฿", "thb", "baht")
_reg("CHF", "chf", "fr", "sfr", "franc", "francs", "swiss franc", "swiss francs")
_reg("AED", "aed", "dh", "dhs", "dirham", "dirhams")
_reg("PHP", "₱", "php", "philippine peso", "philippine pesos")
_reg("CRC", "₡", "crc", "colones", "colón")
_reg("MYR", "rm", "myr", "ringgit")
_reg("RUB", "₽", "rub", "ruble", "rubles", "rouble", "roubles", "руб")
_reg("UAH", "₴", "uah", "hryvnia", "hryvnias", "hryvna", "hryvnas", "грн")
_reg("KZT", "₸", "kzt", "tenge", "тг")

_ISO_CODES = (
    "USD|EUR|GBP|JPY|MXN|INR|CAD|AUD|THB|CNY|RMB|KRW|TRY|COP|PAB|CHF|AED|SGD|"
    "CRC|DOP|PHP|MYR|BRL|RUB|UAH|KZT|NZD|HKD"
)
_SYMBOLS = "$€£¥￥₹₩₺฿₱₡₽₴₸"
# Markers that are also ordinary words or abbreviations: only trusted for
# amounts of at least this size.
_MIN_AMOUNT = {"try": 100, "tl": 100, "php": 100, "rm": 10, "fr": 10, "dh": 10, "won": 1000}

_SP = r"[ \u00a0\u2009\u202f]"
_RANGE_WORDS = r"-{1,2}|–|—|~|〜|(?i:to|till|until|thru|through|and)"

# A marker written before the number.
_PRE_PAT = (
    r"CN¥|[" + re.escape(_SYMBOLS) + r"]"
    r"|(?<![A-Za-z])(?:US ?\$|(?:MX|Mex|CA|CAN|Can|CDN|AU|NZ|HK|RD|COL|Col|COP|R|S|C|A)\$)"
    r"|(?<![A-Za-z])(?:" + _ISO_CODES + r"|Php)(?: ?\$)?"
    r"|(?<![A-Za-z])(?:Rs\.?|TL|RM|SFr\.?|Fr\.|Dhs\.?|Dh|B/\.)"
)

_POST_WORDS = (
    r"u\.s\.? dollars?|us dollars?|american dollars?|canadian dollars?|australian dollars?"
    r"|singapore dollars?|new zealand dollars?|nz dollars?|hong kong dollars?|dollars?|bucks"
    r"|euros?|pounds? sterling|pounds?|sterling|quid"
    r"|mexican pesos?|colombian pesos?|dominican pesos?|philippine pesos?|pesos?"
    r"|rupees?|yen|yuan|renminbi|won|baht|turkish liras?|liras?|lire"
    r"|swiss francs?|francs?|dirhams?|ringgit|reais|roubles?|rubles?|hryvnias?|hryvnas?"
    r"|tenge|colones|colón|balboas?"
)
# A marker written after the number (or its multiplier).
_POST_PAT = (
    r"CN¥(?!" + _SP + r"?\d)|[" + re.escape(_SYMBOLS) + r"円元](?!" + _SP + r"?\d)"
    r"|(?:" + _ISO_CODES + r"|Rs\.?|TL|SFr\.?|Fr\.|Dhs|руб\.?|грн\.?|тг)(?![A-Za-z])"
    r"|(?i:" + _POST_WORDS + r")(?![A-Za-z])"
)
_POST_RE = re.compile(_SP + r"{0,2}(?:" + _POST_PAT + r")")


@functools.lru_cache(maxsize=1024)
def _norm_marker(s: str) -> str:
    s = " ".join(s.replace(".", " ").split()).lower()
    s = s.replace(" $", "$")
    return s


@functools.lru_cache(maxsize=1024)
def _currency_of(marker: str) -> tuple[str, bool] | None:
    n = _norm_marker(marker)
    if n in _CURRENCY:
        return _CURRENCY[n]
    if n.endswith("$"):  # "USD $", "SGD$"
        base = n[:-1].strip()
        if base in _CURRENCY:
            return _CURRENCY[base]
    return None


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

_NUM_PAT = (
    r"\d{1,2}(?:,\d{2}){1,3},\d{3}(?:\.\d{1,2})?"  # Indian grouping 3,50,000
    r"|\d{1,3}(?:,\d{3}){1,4}(?:\.\d{1,2})?"  # 15,000.50
    r"|\d{1,3}(?:\.\d{3}){1,4}(?:,\d{1,2})?"  # 15.000,50
    r"|\d{1,3}(?:['’]\d{3}){1,4}(?:[.,]\d{1,2})?"  # 15'000
    r"|\d{1,3}(?:" + _SP + r"\d{3}){1,3}(?:[.,]\d{1,2})?"  # 15 000
    r"|\d{1,9}(?:[.,]\d{1,2})?"  # 15000, 1.5, 1,5
)
_MULT_ATT_PAT = r"k|K|M|m|B|bn|mn|mln|Mio\.?|MM"
_MULT_WORD_PAT = r"(?i:thousand|million|billion|bn|mln|mio\.?|lakhs?|lacs?|crores?|cr\.?|grand|k)"

# One amount: [marker] number [% | multiplier] [/-] [marker].  Every
# repetition is bounded, so each start position costs a bounded amount of work.
_AMOUNT_RE = re.compile(
    r"(?=[\d" + re.escape(_SYMBOLS) + r"ABCDEFGHIJKMNPRSTU])"  # fast scan to plausible starts
    r"(?:(?=[" + re.escape(_SYMBOLS) + r"ABCDEFGHIJKMNPRSTU])(?P<pre>" + _PRE_PAT + r")" + _SP + r"{0,2})?"
    r"(?(pre)|(?<![A-Za-z]))"  # no marker: not glued to a word ("X200", "COVID19")
    r"(?<!\d)(?<!\d[.,'’])"
    r"(?P<num>" + _NUM_PAT + r")"
    r"(?!\d|[.,'’]\d)"
    r"(?:(?P<pct>" + _SP + r"?(?=[%pP])(?:%|(?i:percent|per cent|pct)\b))"
    r"|(?:(?P<matt>" + _MULT_ATT_PAT + r")(?![A-Za-z])"
    r"|" + _SP + r"{1,2}(?=[A-Za-z])(?P<mword>" + _MULT_WORD_PAT + r")(?![A-Za-z]))?"
    r"(?P<ind>/-)?"
    r"(?:" + _SP + r"{0,2}(?=[^\W\d_]|[" + re.escape(_SYMBOLS) + r"])(?P<post>" + _POST_PAT + r"))?)"
)
_MULT_VALUE = {
    "k": 1e3, "thousand": 1e3, "grand": 1e3,
    "m": 1e6, "mn": 1e6, "mln": 1e6, "mio": 1e6, "million": 1e6, "mm": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
    "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5,
    "crore": 1e7, "crores": 1e7, "cr": 1e7,
}
_IMPLIED_CURRENCY = {"grand": "USD", "lakh": "INR", "lakhs": "INR", "lac": "INR",
                     "lacs": "INR", "crore": "INR", "crores": "INR", "cr": "INR"}

# Nouns that turn "2 lakh" or "15 grand" into a count rather than money.
_COUNT_NOUN_RE = re.compile(
    r"(?i)" + _SP + r"{1,2}(?:[a-z\-]{1,15}" + _SP + r"{1,2}){0,1}"
    r"(?:patients|people|persons|cells|users|customers|members|visitors|followers|cases|"
    r"procedures|treatments|injections|children|families|doctors|units|doses|subscribers|views)\b"
)


@functools.lru_cache(maxsize=4096)
def _parse_number(num_text: str, has_multiplier: bool = False) -> float | None:
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
_WORDNUM_RE = re.compile(
    r"(?i)(?=[abefhmnostz])\b(?:" + _WORD_ALT + r")\b(?:(?:" + _SP + r"{1,2}|-)(?:" + _WORD_ALT + r")\b){0,11}"
)
_WORD_TOKEN_RE = re.compile(r"[A-Za-z]{1,12}")
_SMALL_COUNT = {k: v for k, v in _ONES.items() if 1 <= v <= 12}


def _parse_words(tokens: list[str]) -> float | None:
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


# --------------------------------------------------------------------------
# Ranges, qualifiers, units
# --------------------------------------------------------------------------

_RANGE_GAP_RE = re.compile(_SP + r"{0,3}(?:" + _RANGE_WORDS + r")" + _SP + r"{0,3}")
_BETWEEN_RE = re.compile(r"(?i)\bbetween" + _SP + r"{1,3}\Z")

_QUAL_BEFORE_RE = re.compile(
    r"(?i)(?:"
    r"(?P<from>(?<![a-z])(?:starting|starts?|beginning|begins?)" + _SP + r"{1,2}(?:at|from)"
    r"|(?<![a-z])(?:priced|prices?)" + _SP + r"{1,2}from"
    r"|(?<![a-z])as" + _SP + r"{1,2}(?:low|little)" + _SP + r"{1,2}as"
    r"|(?<![a-z])(?:more" + _SP + r"{1,2}than|at" + _SP + r"{1,2}least|upwards" + _SP + r"{1,2}of"
    r"|in" + _SP + r"{1,2}excess" + _SP + r"{1,2}of|over|from))"
    r"|(?P<up_to>(?<![a-z])(?:up" + _SP + r"{1,2}to|as" + _SP + r"{1,2}(?:much|high)" + _SP + r"{1,2}as"
    r"|no" + _SP + r"{1,2}more" + _SP + r"{1,2}than|a" + _SP + r"{1,2}maximum" + _SP + r"{1,2}of"
    r"|maximum|max\.?|at" + _SP + r"{1,2}most|less" + _SP + r"{1,2}than|under|below))"
    r"|(?P<about>(?<![a-z])(?:around|approximately|approx\.?|about|roughly|circa|ca\.|some"
    r"|nearly|almost|close" + _SP + r"{1,2}to|in" + _SP + r"{1,2}the" + _SP + r"{1,2}region"
    + _SP + r"{1,2}of|an" + _SP + r"{1,2}estimated|estimated|est\.)|~|≈|±)"
    r")(?:" + _SP + r"{1,2}(?:just|only))?[ \u00a0\u2009\u202f:]{0,3}\Z"
)
_QUAL_AFTER_RE = re.compile(
    r"(?i)(?:(?P<from>\+|" + _SP + r"{0,2}(?:and" + _SP + r"{1,2}up(?:wards)?|and" + _SP
    + r"{1,2}above|and" + _SP + r"{1,2}over|or" + _SP + r"{1,2}more|upwards|onwards|plus)(?![a-z]))"
    r"|(?P<up_to>" + _SP + r"{0,2}(?:or" + _SP + r"{1,2}less|max\.?|maximum|tops|at" + _SP
    + r"{1,2}most)(?![a-z]))"
    r"|(?P<about>" + _SP + r"{0,2}(?:or" + _SP + r"{1,2}so|-ish|ish)(?![a-z])))"
)

# unit nouns -> normalised unit
_UNIT_NOUNS: list[tuple[str, str]] = [
    ("per_area", r"treatment" + _SP + r"{1,2}areas?|body" + _SP + r"{1,2}areas?|areas?|zones?|regions?|sites?"),
    ("per_injection", r"injections?|shots?|jabs?|doses?|inj\.?"),
    ("per_vial", r"vials?|ampoules?|ampules?|syringes?|bottles?"),
    ("per_session", r"sessions?|visits?|appointments?|sittings?"),
    ("per_treatment", r"treatments?|procedures?|infusions?|courses?|cycles?|protocols?|therapy"),
    ("per_month", r"months?|mo\.?|mth\.?|mnth"),
    ("per_year", r"years?|yr\.?|annum"),
    ("per_day", r"days?"),
    ("per_night", r"nights?"),
    ("per_joint", r"joints?|knees?|hips?|shoulders?|elbows?|ankles?|wrists?|discs?|disks?|levels?|sides?"),
    ("per_cc_ml", r"cc|ccs|ml|mL|milliliters?|millilitres?|cm3"),
]
_UNIT_NOUN_ALT = "|".join(f"(?P<{u}>{alt})" for u, alt in _UNIT_NOUNS)
_UNIT_NAMES = [u for u, _ in _UNIT_NOUNS]
_COUNT_WORD = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_PKG_NOUN = r"(?:sessions?|injections?|treatments?|vials?|infusions?|shots?|visits?|procedures?)"
_CELL_NUM = (
    r"(?P<cn>\d{1,3}(?:,\d{3}){1,3}|\d{1,4}(?:[.,]\d{1,2})?|one|ten|twenty|twenty-five|fifty"
    r"|a" + _SP + r"{1,2}hundred|one" + _SP + r"{1,2}hundred|hundred|two" + _SP + r"{1,2}hundred"
    r"|five" + _SP + r"{1,2}hundred|a)?"
)
_CELLS = (
    _CELL_NUM + _SP + r"{0,2}(?P<cm>million|mill?\.?|mln|mio|billion|bn|M|B)?" + _SP + r"{0,2}"
    r"(?:[A-Za-z\-]{1,25}" + _SP + r"{1,2}){0,2}(?:cells|MSCs?|stem" + _SP + r"{1,2}cells)(?![A-Za-z])"
)
_CELL_WORD_VALUE = {"one": 1, "a": 1, "ten": 10, "twenty": 20, "twenty-five": 25, "fifty": 50,
                    "a hundred": 100, "one hundred": 100, "hundred": 100, "two hundred": 200,
                    "five hundred": 500}

_S = _SP + r"{1,2}"
_S0 = _SP + r"{0,2}"

# After the amount; tried in order, matched at one position.
_UNIT_AFTER: list[tuple[str, re.Pattern[str]]] = [
    ("cells", re.compile(
        r"(?i)" + _S0 + r"(?:per|for|/|each|every)" + _S0 + r"(?:(?:a|one)" + _S + r")?"
        r"(?:(?:dose|batch|vial|injection|infusion|treatment)" + _S + r"of" + _S + r")?" + _CELLS)),
    ("unit_cells", re.compile(
        r"(?i)" + _S0 + r"(?:per|/|each|for" + _S + r"(?:each|every|one|a|an|1))" + _S0 + r"(?:(?:a|one)" + _S + r")?"
        r"(?:" + _UNIT_NOUN_ALT + r")(?![A-Za-z])" + _S + r"(?:of|containing|with)" + _S + _CELLS)),
    ("pkg_of", re.compile(
        r"(?i)" + _S0 + r"(?:for|per)" + _S + r"(?:(?:a|the|one|our)" + _S + r")?(?:[a-z\-]{1,15}" + _S + r"){0,1}"
        r"(?:package|bundle|series|course|pack)" + _S + r"of" + _S + r"(?P<pc>" + _COUNT_WORD + r")(?![A-Za-z0-9])")),
    ("pkg_n", re.compile(
        r"(?i)" + _S0 + r"(?:for" + _S + r")?(?:(?:a|the|one|our)" + _S + r")?(?P<pc>" + _COUNT_WORD + r")"
        r"(?:" + _SP + r"{1,2}|-)" + _PKG_NOUN + r"(?:" + _SP + r"{1,2}|-)(?:package|bundle|pack|course|series)(?![A-Za-z])")),
    ("count", re.compile(
        r"(?i)" + _S0 + r"for" + _S + r"(?P<pc>" + _COUNT_WORD + r")" + _S
        + r"(?:[a-z\-]{1,15}" + _S + r"){0,1}" + _PKG_NOUN + r"(?![A-Za-z])")),
    ("unit", re.compile(
        r"(?i)" + _S0 + r"(?:per|/|each|every|an?|for" + _S + r"(?:each|every|one|a|an|1|a" + _S + r"single|one" + _S
        + r"single)|a" + _S + r"single)" + _S0 + r"(?:" + _UNIT_NOUN_ALT + r")(?![A-Za-z])")),
    ("package", re.compile(
        r"(?i)" + _S0 + r",?" + _S0 + r"(?:(?:for|per)" + _S + r"(?:(?:the|a|an|this|our|each|one)" + _S + r")?)?"
        r"(?:(?:full|complete|whole|entire|all-inclusive|all" + _S + r"inclusive|vip|premium|basic|standard"
        r"|deluxe|combo|combined|treatment)" + _S + r"){0,2}(?:package|bundle|pack)(?![A-Za-z])"
        r"|" + _S0 + r",?" + _S0 + r"all[ \-]inclusive(?![A-Za-z])")),
    ("total", re.compile(
        r"(?i)" + _S0 + r",?" + _S0 + r"(?:in" + _S + r"total|total|all" + _S + r"in|all-in|altogether|overall"
        r"|for" + _S + r"(?:the" + _S + r")?(?:whole|entire|full|complete)" + _S
        + r"(?:treatment|course|protocol|program|programme|procedure|stay|trip))(?![A-Za-z])")),
    ("deposit", re.compile(
        r"(?i)" + _S0 + r"(?:(?:non-refundable|nonrefundable|refundable|booking|reservation|upfront|up-front|initial)" + _S + r")?"
        r"(?:deposit|down" + _S + r"payment|downpayment)(?![A-Za-z])")),
    ("consultation", re.compile(
        r"(?i)" + _S0 + r"(?:for" + _S + r"(?:a|an|the|your)" + _S + r")?(?:(?:initial|first|online|video|in-person)" + _S + r")?"
        r"(?:consultation|consult)(?![A-Za-z])")),
    ("adverb", re.compile(
        r"(?i)" + _S0 + r"(?P<adv>monthly|a" + _S + r"month|annually|yearly|per" + _S + r"annum|daily|nightly)(?![A-Za-z])")),
]
# words one of which must occur for each _UNIT_AFTER pattern to match (None: no test)
_UNIT_AFTER_KEYS = {
    "cells": ("cell", "msc"), "unit_cells": ("cell", "msc"), "pkg_of": ("of",),
    "pkg_n": ("pack", "bundle", "course", "series"), "count": ("for",), "unit": None,
    "package": ("pack", "bundle", "inclusive"), "total": ("total", "all", "overall", "for"),
    "deposit": ("deposit", "down"), "consultation": ("consult",),
    "adverb": ("ly", "month", "annum"),
}
_UNIT_AFTER_ORDER = ("cells", "unit_cells", "unit", "pkg_of", "pkg_n", "count", "package", "total",
                     "deposit", "consultation", "adverb")
_UNIT_AFTER_KEYED = [
    (kind, dict(_UNIT_AFTER)[kind],
     re.compile("|".join(_UNIT_AFTER_KEYS[kind])) if _UNIT_AFTER_KEYS[kind] else None)
    for kind in _UNIT_AFTER_ORDER
]
_ADVERB_UNIT = {"monthly": "per_month", "a month": "per_month", "annually": "per_year",
                "yearly": "per_year", "per annum": "per_year", "daily": "per_day", "nightly": "per_night"}

_GLUE = (
    r"(?:" + _SP + r"{0,3}(?:[:=\-–—]|is|are|was|costs?|costing|of|at|for|runs?|will" + _S + r"be|comes" + _S
    + r"to|just|only|priced" + _S + r"at|amounts?" + _S + r"to)){0,3}[ \u00a0\u2009\u202f:]{0,3}\Z"
)
# Before the amount (and its qualifier); searched in a window that ends there.
_UNIT_BEFORE: list[tuple[str, re.Pattern[str]]] = [
    ("cells", re.compile(
        r"(?i)(?<![a-z])(?:price|cost|fee|rate)?" + _S0 + r"(?:per|for)" + _S + r"(?:(?:a|one)" + _S + r")?" + _CELLS + _GLUE)),
    # "50 million stem cells for just $2,500": a cell count right before its price
    ("cells", re.compile(r"(?i)(?<![a-z0-9.,])" + _CELLS + _GLUE)),
    ("pkg_of", re.compile(
        r"(?i)(?<![a-z])(?:package|bundle|pack|series|course)" + _S + r"of" + _S + r"(?P<pc>" + _COUNT_WORD + r")"
        r"(?:" + _S + r"(?:[a-z\-]{1,15}" + _S + r"){0,1}" + _PKG_NOUN + r")?" + _GLUE)),
    ("pkg_n", re.compile(
        r"(?i)(?<![a-z0-9])(?P<pc>" + _COUNT_WORD + r")(?:" + _SP + r"{1,2}|-)" + _PKG_NOUN
        + r"(?:" + _SP + r"{1,2}|-)(?:package|bundle|pack|course|series)(?:" + _S + r"(?:price|cost|deal))?" + _GLUE)),
    ("count", re.compile(
        r"(?i)(?<![a-z0-9])(?P<pc>" + _COUNT_WORD + r")" + _S + r"(?:[a-z\-]{1,15}" + _S + r"){0,1}"
        r"(?P<noun>" + _PKG_NOUN + r")(?:" + _S + r"(?:for|at|cost|costs|are|will" + _S + r"cost))?[ \u00a0\u2009\u202f:=\-–—]{0,3}\Z")),
    ("unit", re.compile(
        r"(?i)(?<![a-z])(?:(?:price|cost|fee|rate|charge)" + _S0 + r")?(?:per|each|every|one|a" + _S + r"single|single)"
        + _S + r"(?:" + _UNIT_NOUN_ALT + r")(?![A-Za-z])" + _GLUE)),
    ("deposit", re.compile(
        r"(?i)(?<![a-z])(?:deposit|down" + _S + r"payment|downpayment)(?:" + _S
        + r"(?:required|amount|fee|due|needed))?" + _GLUE)),
    ("consultation", re.compile(
        r"(?i)(?<![a-z])(?:consultation|consult)(?:" + _S + r"(?:fee|price|cost|charge))?" + _GLUE)),
    ("total", re.compile(
        r"(?i)(?<![a-z])(?:total|in" + _S + r"total)(?:" + _S + r"(?:cost|price|fee|amount|bill|package" + _S + r"price))?" + _GLUE)),
    ("package", re.compile(
        r"(?i)(?<![a-z])(?:package|bundle)(?:" + _S + r"(?:price|cost|deal))?" + _GLUE)),
    ("monthly", re.compile(
        r"(?i)(?<![a-z])(?:monthly|per" + _S + r"month)(?:" + _S + r"(?:payments?|instal?lments?|fee|plan))?" + _GLUE)),
]
_BEFORE_WINDOW = 70

# "lost 20 pounds", "weighs about 180 pounds": weight, not money
_WEIGHT_BEFORE_RE = re.compile(
    r"(?i)\b(?:lose|lost|losing|loses|weigh\w{0,4}|gain\w{0,3}|gained|heavier|lighter|shed\w{0,4}|dropp?\w{0,3})"
    r"(?:" + _SP + r"{1,2}[a-z]{1,10}){0,2}" + _SP + r"{1,2}\Z"
)
_WEIGHT_AFTER_RE = re.compile(r"(?i)" + _S + r"(?:of|overweight|heavier|lighter|in" + _S + r"weight)\b")


# --------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------


class _Tok:
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
            raw = _parse_number(self.num_text, self.mult is not None)
            if raw is None:
                return False
            self.raw = raw
            self.value = raw * self.mult if self.mult else raw
        return True


def _pick_currency(a: tuple[str, bool] | None, b: tuple[str, bool] | None) -> tuple[str, bool] | None:
    """Combine two markers of one amount or range; None if they conflict."""
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0]:
        return (a[0], a[1] and b[1])
    if a[1] and not b[1]:
        return b
    if b[1] and not a[1]:
        return a
    return None


_SPACES = " \u00a0\u2009\u202f"
# a range connector followed by something that can start an amount
_RANGE_AFTER_RE = re.compile(
    _SP + r"{0,3}(?:" + _RANGE_WORDS + r")" + _SP + r"{0,3}[\d" + re.escape(_SYMBOLS) + r"A-Z]")
_RANGE_BEFORE_RE = re.compile(r"(?:" + _RANGE_WORDS + r")" + _SP + r"{0,3}\Z")
_RANGE_LAST = frozenset("-–—~〜oOlLuUhHdD")


def _range_before(text: str, start: int) -> bool:
    """Is the amount at ``start`` preceded by a range connector ("5,000-", "to ")?"""
    j = start
    while j > 0 and j > start - 3 and text[j - 1] in _SPACES:
        j -= 1
    if j == 0 or text[j - 1] not in _RANGE_LAST:
        return False
    return _RANGE_BEFORE_RE.search(text, max(0, start - 14), start) is not None


def _numeric_tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
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
            mult = _MULT_VALUE[mult_word]
        if pre:
            pre = pre.strip()
            cur = _currency_of(pre)
            if post:
                cur = _pick_currency(cur, _currency_of(post))
                if cur is None:
                    continue  # conflicting markers ("€500 USD")
        elif post:
            cur = _currency_of(post)
        elif mult_word in _IMPLIED_CURRENCY:
            cur = (_IMPLIED_CURRENCY[mult_word], False)
        else:
            cur = None
        if ind and not pre and not post:
            end -= 2  # "/-" only belongs to "Rs. 5,000/-"
        if cur is not None:
            raw = _parse_number(num_text, mult is not None)
            if raw is None:
                continue
        elif _RANGE_AFTER_RE.match(text, end) or _range_before(text, m.start()):
            raw = None  # parsed later, only if it is one end of a range
        else:
            continue
        marker = post or pre
        toks.append(_Tok(m.start(), end, num_text, raw, mult, mult_word,
                         cur[0] if cur else None, cur[1] if cur else False,
                         _norm_marker(marker) if marker else None))
    return toks


_GRAND_RE = re.compile(r"(?i)" + _SP + r"{1,2}grand(?![A-Za-z])")


def _word_tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _WORDNUM_RE.finditer(text):
        post_m = _POST_RE.match(text, m.end())
        if post_m is None and _GRAND_RE.match(text, m.end()) is None:
            continue  # written numbers count only with a currency word after them
        words = [(w.group().lower(), m.start() + w.start()) for w in _WORD_TOKEN_RE.finditer(m.group())]
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
            cur = _currency_of(post_m.group().strip())
            if cur is None:
                continue
            end = post_m.end()
            marker = _norm_marker(post_m.group())
        value = _parse_words([w for w, _ in words])
        if value is None:
            continue
        toks.append(_Tok(words[0][1], end, m.group(), value, mult, mult_word, cur[0], cur[1], marker))
    return toks


_TRAIL_ALPHA_RE = re.compile(r"[A-Za-z]{1,16}\Z")


def _last_word(text: str, lo: int, end: int, skip: str) -> str:
    """The word (lower case, without a final ".") that ends just before ``end``,
    skipping a few characters of ``skip``; "" if there is none."""
    seg = text[max(lo, end - 24):end].rstrip(skip)
    if seg.endswith("."):
        seg = seg[:-1]
    parts = seg.rsplit(None, 1)
    if not parts:
        return ""
    last = parts[-1]
    if last.isascii() and last.isalpha():
        return last.lower()
    m = _TRAIL_ALPHA_RE.search(last)
    return m.group().lower() if m else ""


# Last words of the phrases that _QUAL_BEFORE_RE / _UNIT_BEFORE can match; a
# cheap test that saves the anchored searches for all other words.
_QUAL_LAST_WORDS = frozenset(
    "at from as than least of over to maximum max most under below around approximately approx "
    "about roughly circa ca some nearly almost estimated est just only".split())
_UNIT_NOUN_WORDS = (
    "area zone region site injection shot jab dose inj vial ampoule ampule syringe bottle session "
    "visit appointment sitting treatment procedure infusion course cycle protocol month year day "
    "night joint knee hip shoulder elbow ankle wrist disc disk level side milliliter millilitre "
    "payment installment instalment msc").split()
_UNIT_LAST_WORDS = frozenset(
    _UNIT_NOUN_WORDS + [w + "s" for w in _UNIT_NOUN_WORDS] + (
        "is are was cost costs costing of at for run runs be to just only therapy mo mth mnth yr "
        "annum cc ccs ml cells package bundle pack series price deal deposit downpayment required "
        "amount fee due needed consultation consult charge total bill monthly plan").split())


def _find_qualifier_before(text: str, lo: int, start: int) -> tuple[str | None, int]:
    """Qualifier ending at ``start``; returns (qualifier, where it starts)."""
    if start <= lo:
        return None, start
    j = start
    while j > lo and text[j - 1] in " \u00a0\u2009\u202f:":
        j -= 1
    if j == lo:
        return None, start
    if text[j - 1] not in "~≈±" and _last_word(text, lo, start, " \u00a0\u2009\u202f:") not in _QUAL_LAST_WORDS:
        return None, start
    qm = _QUAL_BEFORE_RE.search(text, max(lo, start - 40), start)
    if not qm:
        return None, start
    for name in ("from", "up_to", "about"):
        if qm.group(name):
            return name, qm.start()
    return None, start


def _unit_after(text: str, pos: int) -> tuple[str | None, float | None, int | None]:
    k = pos
    n = len(text)
    while k < n and k < pos + 4 and text[k] in " \u00a0\u2009\u202f,":
        k += 1
    if k >= n or not (text[k].isalpha() or (text[k] == "/" and k + 1 < n and text[k + 1].isalpha())):
        return None, None, None
    window = text[pos:pos + 80].lower()
    for kind, rx, keys in _UNIT_AFTER_KEYED:
        if keys is not None and keys.search(window) is None:
            continue  # cheap test: the phrase needs one of these words
        um = rx.match(text, pos)
        if not um:
            continue
        if kind == "cells":
            cells = _cells_value(um)
            if cells is None:
                continue
            return "per_million_cells", cells, None
        if kind == "unit_cells":
            cells = _cells_value(um)
            if cells is None:
                continue
            return _which_unit(um), cells, None
        if kind in ("pkg_of", "pkg_n", "count"):
            count = _count_value(um.group("pc"))
            if count is None or (kind == "count" and count < 2):
                continue
            return "package", None, count
        if kind == "unit":
            return um.lastgroup, None, None
        if kind == "adverb":
            return _ADVERB_UNIT[" ".join(um.group("adv").lower().split())], None, None
        return kind, None, None
    return None, None, None


_EACH_RE = re.compile(r"(?i)" + _S0 + r"(?:each|apiece|a" + _S + r"piece)(?![A-Za-z])")
_NOUN_UNIT = {"session": "per_session", "visit": "per_session", "injection": "per_injection",
              "shot": "per_injection", "vial": "per_vial", "treatment": "per_treatment",
              "infusion": "per_treatment", "procedure": "per_treatment"}


def _unit_before(text: str, lo: int, start: int, after: int) -> tuple[str | None, float | None, int | None]:
    if start <= lo:
        return None, None, None
    if _last_word(text, lo, start, " \u00a0\u2009\u202f:=-–—") not in _UNIT_LAST_WORDS:
        return None, None, None
    w_lo = max(lo, start - _BEFORE_WINDOW)
    for kind, rx in _UNIT_BEFORE:
        um = rx.search(text, w_lo, start)
        if not um:
            continue
        if kind == "cells":
            cells = _cells_value(um)
            if cells is None:
                continue
            return "per_million_cells", cells, None
        if kind in ("pkg_of", "pkg_n", "count"):
            count = _count_value(um.group("pc"))
            if count is None:
                continue
            if kind == "count" and (count == 1 or _EACH_RE.match(text, after)):
                # "1 injection for $900", "2 sessions at $500 each"
                return _NOUN_UNIT.get(um.group("noun").lower().rstrip("s")), None, None
            return "package", None, count
        if kind == "unit":
            return _which_unit(um), None, None
        if kind == "monthly":
            return "per_month", None, None
        return kind, None, None
    return None, None, None


def _which_unit(m: re.Match[str]) -> str | None:
    for name in _UNIT_NAMES:
        if m.group(name):
            return name
    return None


def _count_value(s: str | None) -> int | None:
    if not s:
        return None
    s = s.lower()
    if s.isdigit():
        v = int(s)
        return v if v > 0 else None
    return _SMALL_COUNT.get(s)


def _cells_value(m: re.Match[str]) -> float | None:
    cn = m.group("cn")
    cm = m.group("cm")
    if not cn and not cm:
        return None
    if cn:
        key = " ".join(cn.lower().split())
        if key in _CELL_WORD_VALUE:
            base = float(_CELL_WORD_VALUE[key])
        else:
            base = _parse_number(cn)
            if base is None:
                return None
    else:
        base = 1.0
    if cm:
        c = cm.lower().rstrip(".")
        scale = 1e9 if c in ("billion", "bn", "b") else 1e6
        base *= scale
    elif base < 1000:
        return None  # "per 5 cells" is not a dose
    return base


def _ok_marker(tok: _Tok, text: str) -> bool:
    """Extra checks for markers that double as ordinary words."""
    marker = tok.marker or ""
    limit = _MIN_AMOUNT.get(marker)
    if limit is not None and tok.value < limit:
        return False
    if marker in ("pound", "pounds"):
        if _WEIGHT_BEFORE_RE.search(text, max(0, tok.start - 45), tok.start):
            return False
        if _WEIGHT_AFTER_RE.match(text, tok.end):
            return False
    if tok.mult_word in _IMPLIED_CURRENCY and marker in ("", "grand"):
        if _COUNT_NOUN_RE.match(text, tok.end):
            return False
    return True


def find_prices(text: str) -> list[PriceMention]:
    """All price mentions in ``text``, sorted by start and non-overlapping."""
    if not text:
        return []
    toks = _numeric_tokens(text)
    words = _word_tokens(text)
    if words:
        toks = sorted(toks + words, key=lambda t: (t.start, -t.end))
        kept: list[_Tok] = []
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
        if (first.marker in _CHECKED_MARKERS or first.mult_word in _IMPLIED_CURRENCY) \
                and not _ok_marker(first, text):
            continue
        if last is not first and (last.marker in _CHECKED_MARKERS or last.mult_word in _IMPLIED_CURRENCY) \
                and not _ok_marker(last, text):
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
            qual, qstart = _find_qualifier_before(text, prev_end, start)
            if hi_v is not None and qual == "from" and text[qstart:qstart + 4].lower() == "from":
                qual = None  # "from $5,000 to $8,000" is a plain range
        pos = end
        if end < n and text[end] in _QUAL_AFTER_FIRST:
            qa = _QUAL_AFTER_RE.match(text, pos)
            if qa:
                for name in ("from", "up_to", "about"):
                    if qa.group(name):
                        if qual is None:
                            qual = name
                        pos = qa.end()
                        break
        unit = cells = count = None
        if pos < n and text[pos] in _UNIT_AFTER_FIRST:
            unit, cells, count = _unit_after(text, pos)
        if unit is None and (before_word or qual is not None):
            unit, cells, count = _unit_before(text, prev_end, qstart, pos)
        rate = rates.get(cur)
        append(PriceMention(start, end, text[start:end], lo_v, hi_v, cur,
                            round(lo_v * rate, 2) if rate is not None else None,
                            unit, qual, cells, count))
        prev_end = end
    return mentions


_SPACES_PUNCT = " \u00a0\u2009\u202f:=-–—"
_QUAL_AFTER_FIRST = frozenset("+- \u00a0\u2009\u202fimIM")
_UNIT_AFTER_FIRST = frozenset(" \u00a0\u2009\u202f,/")
_CHECKED_MARKERS = frozenset(_MIN_AMOUNT) | {"pound", "pounds", "grand"}


def _make_range(a: _Tok, b: _Tok) -> tuple[_Tok, _Tok, float, float, str] | None:
    """Join two neighbouring amounts into a range, or None if they do not form one."""
    ca = (a.currency, a.generic) if a.currency else None
    cb = (b.currency, b.generic) if b.currency else None
    cur = _pick_currency(ca, cb)
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
