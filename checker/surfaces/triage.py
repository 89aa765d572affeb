"""A triage order for many adverts: which to read first when most of them are "high".

The score (0-100) saturates: a page with five warning signs and one with forty both read 95-100.
The triage points keep growing with what makes an advert worse, so they stay spread out among
high-risk adverts. For a result in format 1:

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

SEVERITY_POINTS = {"high": 9.0, "medium": 3.0, "low": 1.0}
CATEGORY_POINTS = 10.0
UNAPPROVED_CONDITION_POINTS = 6.0
MONEY_POINTS = 5.0


def _phrase(text: str) -> str:
    return " ".join(text.lower().split())


def triage_points(result: dict[str, Any]) -> float:
    """The triage points of one result (format 1), rounded to 0.01."""
    distinct: dict[tuple[str, str], float] = {}
    for f in result["findings"]:
        key = (f["rule"], _phrase(f["text"]))
        distinct[key] = max(distinct.get(key, 0.0), SEVERITY_POINTS.get(f["severity"], 0.0))
    points = sum(distinct.values())
    points += CATEGORY_POINTS * len({f["category"] for f in result["findings"]})
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
