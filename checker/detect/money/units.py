"""Qualifier ("from", "up to", "about") and unit ("per vial", "package of 3") words around an amount."""

from __future__ import annotations

import re

from checker.detect.money.numbers import S, S0, SMALL_COUNT, SP, parse_number

_QUAL_BEFORE_RE = re.compile(
    r"(?i)(?:"
    r"(?P<from>(?<![a-z])(?:starting|starts?|beginning|begins?)" + SP + r"{1,2}(?:at|from)"
    r"|(?<![a-z])(?:priced|prices?)" + SP + r"{1,2}from"
    r"|(?<![a-z])as" + SP + r"{1,2}(?:low|little)" + SP + r"{1,2}as"
    r"|(?<![a-z])(?:more" + SP + r"{1,2}than|at" + SP + r"{1,2}least|upwards" + SP + r"{1,2}of"
    r"|in" + SP + r"{1,2}excess" + SP + r"{1,2}of|over|from))"
    r"|(?P<up_to>(?<![a-z])(?:up" + SP + r"{1,2}to|as" + SP + r"{1,2}(?:much|high)" + SP + r"{1,2}as"
    r"|no" + SP + r"{1,2}more" + SP + r"{1,2}than|a" + SP + r"{1,2}maximum" + SP + r"{1,2}of"
    r"|maximum|max\.?|at" + SP + r"{1,2}most|less" + SP + r"{1,2}than|under|below))"
    r"|(?P<about>(?<![a-z])(?:around|approximately|approx\.?|about|roughly|circa|ca\.|some"
    r"|nearly|almost|close" + SP + r"{1,2}to|in" + SP + r"{1,2}the" + SP + r"{1,2}region"
    + SP + r"{1,2}of|an" + SP + r"{1,2}estimated|estimated|est\.)|~|≈|±)"
    r")(?:" + SP + r"{1,2}(?:just|only))?[ \u00a0\u2009\u202f:]{0,3}\Z"
)
QUAL_AFTER_RE = re.compile(
    r"(?i)(?:(?P<from>\+|" + SP + r"{0,2}(?:and" + SP + r"{1,2}up(?:wards)?|and" + SP
    + r"{1,2}above|and" + SP + r"{1,2}over|or" + SP + r"{1,2}more|upwards|onwards|plus)(?![a-z]))"
    r"|(?P<up_to>" + SP + r"{0,2}(?:or" + SP + r"{1,2}less|max\.?|maximum|tops|at" + SP
    + r"{1,2}most)(?![a-z]))"
    r"|(?P<about>" + SP + r"{0,2}(?:or" + SP + r"{1,2}so|-ish|ish)(?![a-z])))"
)

# unit nouns -> normalised unit
_UNIT_NOUNS: list[tuple[str, str]] = [
    ("per_area", r"treatment" + SP + r"{1,2}areas?|body" + SP + r"{1,2}areas?|areas?|zones?|regions?|sites?"),
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
# Units the readers below name themselves; the others come from the tables.
_CELLS_UNIT = "per_million_cells"
_PACKAGE_UNIT = "package"
_MONTHLY_UNIT = "per_month"
_COUNT_WORD = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_PKG_NOUN = r"(?:sessions?|injections?|treatments?|vials?|infusions?|shots?|visits?|procedures?)"
_CELL_NUM = (
    r"(?P<cn>\d{1,3}(?:,\d{3}){1,3}|\d{1,4}(?:[.,]\d{1,2})?|one|ten|twenty|twenty-five|fifty"
    r"|a" + SP + r"{1,2}hundred|one" + SP + r"{1,2}hundred|hundred|two" + SP + r"{1,2}hundred"
    r"|five" + SP + r"{1,2}hundred|a)?"
)
_CELLS = (
    _CELL_NUM + SP + r"{0,2}(?P<cm>million|mill?\.?|mln|mio|billion|bn|M|B)?" + SP + r"{0,2}"
    r"(?:[A-Za-z\-]{1,25}" + SP + r"{1,2}){0,2}(?:cells|MSCs?|stem" + SP + r"{1,2}cells)(?![A-Za-z])"
)
_CELL_WORD_VALUE = {"one": 1, "a": 1, "ten": 10, "twenty": 20, "twenty-five": 25, "fifty": 50,
                    "a hundred": 100, "one hundred": 100, "hundred": 100, "two hundred": 200,
                    "five hundred": 500}

# After the amount; tried in order, matched at one position.
_UNIT_AFTER: list[tuple[str, re.Pattern[str]]] = [
    ("cells", re.compile(
        r"(?i)" + S0 + r"(?:per|for|/|each|every)" + S0 + r"(?:(?:a|one)" + S + r")?"
        r"(?:(?:dose|batch|vial|injection|infusion|treatment)" + S + r"of" + S + r")?" + _CELLS)),
    ("unit_cells", re.compile(
        r"(?i)" + S0 + r"(?:per|/|each|for" + S + r"(?:each|every|one|a|an|1))" + S0 + r"(?:(?:a|one)" + S + r")?"
        r"(?:" + _UNIT_NOUN_ALT + r")(?![A-Za-z])" + S + r"(?:of|containing|with)" + S + _CELLS)),
    ("pkg_of", re.compile(
        r"(?i)" + S0 + r"(?:for|per)" + S + r"(?:(?:a|the|one|our)" + S + r")?(?:[a-z\-]{1,15}" + S + r"){0,1}"
        r"(?:package|bundle|series|course|pack)" + S + r"of" + S + r"(?P<pc>" + _COUNT_WORD + r")(?![A-Za-z0-9])")),
    ("pkg_n", re.compile(
        r"(?i)" + S0 + r"(?:for" + S + r")?(?:(?:a|the|one|our)" + S + r")?(?P<pc>" + _COUNT_WORD + r")"
        r"(?:" + SP + r"{1,2}|-)" + _PKG_NOUN + r"(?:" + SP + r"{1,2}|-)(?:package|bundle|pack|course|series)(?![A-Za-z])")),
    ("count", re.compile(
        r"(?i)" + S0 + r"for" + S + r"(?P<pc>" + _COUNT_WORD + r")" + S
        + r"(?:[a-z\-]{1,15}" + S + r"){0,1}" + _PKG_NOUN + r"(?![A-Za-z])")),
    ("unit", re.compile(
        r"(?i)" + S0 + r"(?:per|/|each|every|an?|for" + S + r"(?:each|every|one|a|an|1|a" + S + r"single|one" + S
        + r"single)|a" + S + r"single)" + S0 + r"(?:" + _UNIT_NOUN_ALT + r")(?![A-Za-z])")),
    ("package", re.compile(
        r"(?i)" + S0 + r",?" + S0 + r"(?:(?:for|per)" + S + r"(?:(?:the|a|an|this|our|each|one)" + S + r")?)?"
        r"(?:(?:full|complete|whole|entire|all-inclusive|all" + S + r"inclusive|vip|premium|basic|standard"
        r"|deluxe|combo|combined|treatment)" + S + r"){0,2}(?:package|bundle|pack)(?![A-Za-z])"
        r"|" + S0 + r",?" + S0 + r"all[ \-]inclusive(?![A-Za-z])")),
    ("total", re.compile(
        r"(?i)" + S0 + r",?" + S0 + r"(?:in" + S + r"total|total|all" + S + r"in|all-in|altogether|overall"
        r"|for" + S + r"(?:the" + S + r")?(?:whole|entire|full|complete)" + S
        + r"(?:treatment|course|protocol|program|programme|procedure|stay|trip))(?![A-Za-z])")),
    ("deposit", re.compile(
        r"(?i)" + S0 + r"(?:(?:non-refundable|nonrefundable|refundable|booking|reservation|upfront|up-front|initial)" + S + r")?"
        r"(?:deposit|down" + S + r"payment|downpayment)(?![A-Za-z])")),
    ("consultation", re.compile(
        r"(?i)" + S0 + r"(?:for" + S + r"(?:a|an|the|your)" + S + r")?(?:(?:initial|first|online|video|in-person)" + S + r")?"
        r"(?:consultation|consult)(?![A-Za-z])")),
    ("adverb", re.compile(
        r"(?i)" + S0 + r"(?P<adv>monthly|a" + S + r"month|annually|yearly|per" + S + r"annum|daily|nightly)(?![A-Za-z])")),
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
    r"(?:" + SP + r"{0,3}(?:[:=\-–—]|is|are|was|costs?|costing|of|at|for|runs?|will" + S + r"be|comes" + S
    + r"to|just|only|priced" + S + r"at|amounts?" + S + r"to)){0,3}[ \u00a0\u2009\u202f:]{0,3}\Z"
)
# Before the amount (and its qualifier); searched in a window that ends there.
_UNIT_BEFORE: list[tuple[str, re.Pattern[str]]] = [
    ("cells", re.compile(
        r"(?i)(?<![a-z])(?:price|cost|fee|rate)?" + S0 + r"(?:per|for)" + S + r"(?:(?:a|one)" + S + r")?" + _CELLS + _GLUE)),
    # "50 million stem cells for just $2,500": a cell count right before its price
    ("cells", re.compile(r"(?i)(?<![a-z0-9.,])" + _CELLS + _GLUE)),
    ("pkg_of", re.compile(
        r"(?i)(?<![a-z])(?:package|bundle|pack|series|course)" + S + r"of" + S + r"(?P<pc>" + _COUNT_WORD + r")"
        r"(?:" + S + r"(?:[a-z\-]{1,15}" + S + r"){0,1}" + _PKG_NOUN + r")?" + _GLUE)),
    ("pkg_n", re.compile(
        r"(?i)(?<![a-z0-9])(?P<pc>" + _COUNT_WORD + r")(?:" + SP + r"{1,2}|-)" + _PKG_NOUN
        + r"(?:" + SP + r"{1,2}|-)(?:package|bundle|pack|course|series)(?:" + S + r"(?:price|cost|deal))?" + _GLUE)),
    ("count", re.compile(
        r"(?i)(?<![a-z0-9])(?P<pc>" + _COUNT_WORD + r")" + S + r"(?:[a-z\-]{1,15}" + S + r"){0,1}"
        r"(?P<noun>" + _PKG_NOUN + r")(?:" + S + r"(?:for|at|cost|costs|are|will" + S + r"cost))?[ \u00a0\u2009\u202f:=\-–—]{0,3}\Z")),
    ("unit", re.compile(
        r"(?i)(?<![a-z])(?:(?:price|cost|fee|rate|charge)" + S0 + r")?(?:per|each|every|one|a" + S + r"single|single)"
        + S + r"(?:" + _UNIT_NOUN_ALT + r")(?![A-Za-z])" + _GLUE)),
    ("deposit", re.compile(
        r"(?i)(?<![a-z])(?:deposit|down" + S + r"payment|downpayment)(?:" + S
        + r"(?:required|amount|fee|due|needed))?" + _GLUE)),
    ("consultation", re.compile(
        r"(?i)(?<![a-z])(?:consultation|consult)(?:" + S + r"(?:fee|price|cost|charge))?" + _GLUE)),
    ("total", re.compile(
        r"(?i)(?<![a-z])(?:total|in" + S + r"total)(?:" + S + r"(?:cost|price|fee|amount|bill|package" + S + r"price))?" + _GLUE)),
    ("package", re.compile(
        r"(?i)(?<![a-z])(?:package|bundle)(?:" + S + r"(?:price|cost|deal))?" + _GLUE)),
    ("monthly", re.compile(
        r"(?i)(?<![a-z])(?:monthly|per" + S + r"month)(?:" + S + r"(?:payments?|instal?lments?|fee|plan))?" + _GLUE)),
]
_BEFORE_WINDOW = 70


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


def find_qualifier_before(text: str, lo: int, start: int) -> tuple[str | None, int]:
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


def unit_after(text: str, pos: int) -> tuple[str | None, float | None, int | None]:
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
            found = _cells_unit(um)
            if found is None:
                continue
            return found
        if kind == "unit_cells":
            cells = _cells_value(um)
            if cells is None:
                continue
            return _which_unit(um), cells, None
        if kind in ("pkg_of", "pkg_n", "count"):
            count = _count_value(um.group("pc"))
            if count is None or (kind == "count" and count < 2):
                continue
            return _PACKAGE_UNIT, None, count
        if kind == "unit":
            return um.lastgroup, None, None
        if kind == "adverb":
            return _ADVERB_UNIT[" ".join(um.group("adv").lower().split())], None, None
        return kind, None, None
    return None, None, None


def _cells_unit(um: re.Match[str]) -> tuple[str, float, None] | None:
    """A price per number of cells ("per million cells"), or None if the number is unreadable."""
    cells = _cells_value(um)
    return None if cells is None else (_CELLS_UNIT, cells, None)


_EACH_RE = re.compile(r"(?i)" + S0 + r"(?:each|apiece|a" + S + r"piece)(?![A-Za-z])")
_NOUN_UNIT = {"session": "per_session", "visit": "per_session", "injection": "per_injection",
              "shot": "per_injection", "vial": "per_vial", "treatment": "per_treatment",
              "infusion": "per_treatment", "procedure": "per_treatment"}


def unit_before(text: str, lo: int, start: int, after: int) -> tuple[str | None, float | None, int | None]:
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
            found = _cells_unit(um)
            if found is None:
                continue
            return found
        if kind in ("pkg_of", "pkg_n", "count"):
            count = _count_value(um.group("pc"))
            if count is None:
                continue
            if kind == "count" and (count == 1 or _EACH_RE.match(text, after)):
                # "1 injection for $900", "2 sessions at $500 each"
                return _NOUN_UNIT.get(um.group("noun").lower().rstrip("s")), None, None
            return _PACKAGE_UNIT, None, count
        if kind == "unit":
            return _which_unit(um), None, None
        if kind == "monthly":
            return _MONTHLY_UNIT, None, None
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
    return SMALL_COUNT.get(s)


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
            base = parse_number(cn)
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


# Kinds of _UNIT_AFTER / _UNIT_BEFORE that unit_after / unit_before turn into
# another unit name; every other kind is reported as a unit under its own name.
_COMPUTED_KINDS = frozenset({"cells", "unit_cells", "pkg_of", "pkg_n", "count", "unit", "adverb", "monthly"})

# Every unit name that find_prices can put in PriceMention.unit.
UNITS: tuple[str, ...] = tuple(dict.fromkeys([
    *_UNIT_NAMES, _CELLS_UNIT, _PACKAGE_UNIT, _MONTHLY_UNIT,
    *_ADVERB_UNIT.values(), *_NOUN_UNIT.values(),
    *(kind for kind, _ in _UNIT_AFTER + _UNIT_BEFORE if kind not in _COMPUTED_KINDS),
]))
