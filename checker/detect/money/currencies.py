"""Currency markers ("$", "US$", "EUR", "pesos", ...) and their ISO codes."""

from __future__ import annotations

import functools
import re

from checker.detect.money.numbers import S, SP

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
SYMBOLS = "$€£¥￥₹₩₺฿₱₡₽₴₸"
# Markers that are also ordinary words or abbreviations: only trusted for
# amounts of at least this size.
MIN_AMOUNT = {"try": 100, "tl": 100, "php": 100, "rm": 10, "fr": 10, "dh": 10, "won": 1000}

# A marker written before the number.
PRE_PAT = (
    r"CN¥|[" + re.escape(SYMBOLS) + r"]"
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
POST_PAT = (
    r"CN¥(?!" + SP + r"?\d)|[" + re.escape(SYMBOLS) + r"円元](?!" + SP + r"?\d)"
    r"|(?:" + _ISO_CODES + r"|Rs\.?|TL|SFr\.?|Fr\.|Dhs|руб\.?|грн\.?|тг)(?![A-Za-z])"
    r"|(?i:" + _POST_WORDS + r")(?![A-Za-z])"
)
POST_RE = re.compile(SP + r"{0,2}(?:" + POST_PAT + r")")


@functools.lru_cache(maxsize=1024)
def norm_marker(s: str) -> str:
    s = " ".join(s.replace(".", " ").split()).lower()
    s = s.replace(" $", "$")
    return s


@functools.lru_cache(maxsize=1024)
def currency_of(marker: str) -> tuple[str, bool] | None:
    n = norm_marker(marker)
    if n in _CURRENCY:
        return _CURRENCY[n]
    if n.endswith("$"):  # "USD $", "SGD$"
        base = n[:-1].strip()
        if base in _CURRENCY:
            return _CURRENCY[base]
    return None


def pick_currency(a: tuple[str, bool] | None, b: tuple[str, bool] | None) -> tuple[str, bool] | None:
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


# "lost 20 pounds", "weighs about 180 pounds": weight, not money
WEIGHT_BEFORE_RE = re.compile(
    r"(?i)\b(?:lose|lost|losing|loses|weigh\w{0,4}|gain\w{0,3}|gained|heavier|lighter|shed\w{0,4}|dropp?\w{0,3})"
    r"(?:" + SP + r"{1,2}[a-z]{1,10}){0,2}" + SP + r"{1,2}\Z"
)
WEIGHT_AFTER_RE = re.compile(r"(?i)" + S + r"(?:of|overweight|heavier|lighter|in" + S + r"weight)\b")
