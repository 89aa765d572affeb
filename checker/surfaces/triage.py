"""A triage order for many adverts: which to read first when most of them are "high".

The score (0-100) saturates: a page with five warning signs and one with forty both read 95-100.
The triage points keep growing with what makes an advert worse, so they stay spread out among
high-risk adverts. For a result in format 1 or 2:

* each distinct warning sign (its rule and phrase; a phrase repeated counts once) adds its
  severity's points: high 9, medium 3, low 1;
* each kind of warning sign reached (efficacy, unapproved use, price, ...) adds 10;
* each condition offered that no regulator has approved such a treatment for adds 6;
* money asked adds 5 x log10(1 + the largest price in US dollars / 1,000): $1,000 adds 1.5,
  $10,000 adds 5.2, $100,000 adds 10.

Every term is a sum of non-negative parts over what was found, so finding more never lowers the
points (``tests/test_triage.py`` holds that). ``rank`` orders adverts by points, then score, then
id: rank 1 is the advert to read first.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from checker.formats import glance

SEVERITY_POINTS = {"high": 9.0, "medium": 3.0, "low": 1.0}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
CATEGORY_POINTS = 10.0
UNAPPROVED_CONDITION_POINTS = 6.0
MONEY_POINTS = 5.0


def phrase(text: str) -> str:
    """A finding's phrase as compared: lowercased, white space folded."""
    return " ".join((text or "").lower().split())


def warning_signs(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The distinct warning signs of a result (format 1 or 2), by (rule, phrase)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for f in glance(result)["findings"]:
        key = (f["rule"], phrase(f["text"]))
        seen = out.get(key)
        if seen is None:
            out[key] = {"rule": f["rule"], "category": f["category"],
                        "severity": f["severity"], "phrase": key[1], "count": 1}
        else:
            seen["count"] += 1
            if SEVERITY_ORDER.get(f["severity"], 9) < SEVERITY_ORDER.get(seen["severity"], 9):
                seen["severity"] = f["severity"]
    return out


def triage_points(result: dict[str, Any]) -> float:
    """The triage points of one result (format 1 or 2), rounded to 0.01."""
    signs = warning_signs(result).values()
    points = sum(SEVERITY_POINTS.get(s["severity"], 0.0) for s in signs)
    points += CATEGORY_POINTS * len({s["category"] for s in signs})
    points += UNAPPROVED_CONDITION_POINTS * len({
        i["condition"] for i in result.get("indications", [])
        if i.get("offered") and i.get("status") == "no_approval"})
    dollars = [p["usd"] for p in result.get("prices", []) if p.get("usd") is not None]
    if dollars:
        points += MONEY_POINTS * math.log10(1.0 + max(0.0, max(dollars)) / 1000.0)
    return round(points, 2)


def rank(items: Iterable[tuple[str, float, float]]) -> dict[str, int]:
    """Rank 1, 2, ... for (id, triage points, score) items: most points first, then the higher
    score, then the id (so the order is the same on every run)."""
    ordered = sorted(items, key=lambda i: (-i[1], -i[2], i[0]))
    return {item_id: n for n, (item_id, _p, _s) in enumerate(ordered, 1)}
