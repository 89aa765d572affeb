"""The figures of a dashboard: counts and shares across many checked adverts, each with the ids
of the adverts behind it. Pure functions of the adverts (format-1 results and what came with
them); the web page of a job and ``python -m checker report`` compute the same figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import mean
from typing import Any, Iterable

from checker.core.result import CATEGORIES, CATEGORY_LABELS
from checker.surfaces.clinics import clinic_key, clinic_label
from checker.surfaces.triage import rank, triage_points

LEVELS = ("high", "medium", "low")
SCORE_BINS = [(lo, lo + 10) for lo in range(0, 100, 10)]


@dataclass
class Advert:
    """One checked advert as the dashboard sees it."""
    id: str
    result: dict[str, Any]          # format 1
    clinic: str = ""
    url: str = ""
    country: str = ""
    triage: float = 0.0
    rank: int = 0
    clinic_key: str = ""
    clinic_label: str = ""

    def __post_init__(self) -> None:
        self.triage = triage_points(self.result)
        self.clinic_key = clinic_key(self.clinic, self.url) or "-"
        self.clinic_label = clinic_label(self.clinic, self.url)


@dataclass
class Row:
    """One line of a figure: a value, how many adverts, their share, and which adverts."""
    key: str
    label: str
    ids: list[str]
    share: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass
class Figure:
    name: str          # used in file names and links: levels, categories, rules, ...
    title: str
    rows: list[Row]
    columns: list[str] = field(default_factory=list)   # the names of ``extra`` shown


def ranked(adverts: list[Advert]) -> list[Advert]:
    """The adverts with their triage rank set, in rank order (1 first)."""
    ranks = rank((a.id, a.triage, a.result["score"]) for a in adverts)
    for a in adverts:
        a.rank = ranks[a.id]
    return sorted(adverts, key=lambda a: a.rank)


def _rows(groups: dict[str, list[str]], labels: dict[str, str], total: int,
          order: Iterable[str] | None = None) -> list[Row]:
    keys = list(order) if order is not None else sorted(
        groups, key=lambda k: (-len(set(groups[k])), labels.get(k, k)))
    out = []
    for k in keys:
        ids = list(dict.fromkeys(groups.get(k, [])))
        out.append(Row(k, labels.get(k, k), ids, round(len(ids) / total, 4) if total else 0.0))
    return out


def figures(adverts: list[Advert]) -> list[Figure]:
    """Every figure of the dashboard, computed once over ``adverts`` (ranked first)."""
    adverts = ranked(list(adverts))
    total = len(adverts)
    by_level: dict[str, list[str]] = defaultdict(list)
    by_bin: dict[str, list[str]] = defaultdict(list)
    by_category: dict[str, list[str]] = defaultdict(list)
    by_rule: dict[str, list[str]] = defaultdict(list)
    rule_findings: Counter[str] = Counter()
    rule_category: dict[str, str] = {}
    by_condition: dict[str, list[str]] = defaultdict(list)
    condition_status: dict[str, Counter[str]] = defaultdict(Counter)
    condition_label: dict[str, str] = {}
    by_price_flag: dict[str, list[str]] = defaultdict(list)
    by_country: dict[str, list[str]] = defaultdict(list)
    by_clinic: dict[str, list[Advert]] = defaultdict(list)
    for a in adverts:
        r = a.result
        by_level[r["level"]].append(a.id)
        low = min(int(r["score"] // 10) * 10, 90)
        by_bin[f"{low}-{low + 10}"].append(a.id)
        for f in r["findings"]:
            by_category[f["category"]].append(a.id)
            by_rule[f["rule"]].append(a.id)
            rule_findings[f["rule"]] += 1
            rule_category[f["rule"]] = f["category"]
            if f["category"] == "price":
                by_price_flag[f["rule"]].append(a.id)
        for ind in r.get("indications", []):
            if ind.get("offered"):
                by_condition[ind["condition"]].append(a.id)
                condition_status[ind["condition"]][ind["status"]] += 1
                condition_label[ind["condition"]] = ind["label"]
        by_country[a.country or "-"].append(a.id)
        by_clinic[a.clinic_key].append(a)

    levels = Figure("levels", "Adverts by level", _rows(by_level, {
        "high": "High risk", "medium": "Some warning signs", "low": "Low risk"}, total, LEVELS))
    scores = Figure("scores", "Adverts by score", _rows(
        by_bin, {}, total, [f"{lo}-{hi}" for lo, hi in SCORE_BINS]))
    categories = Figure("categories", "Adverts with each kind of warning sign",
                        _rows(by_category, CATEGORY_LABELS, total,
                              [c for c in CATEGORIES]), ["findings"])
    for row in categories.rows:
        row.extra["findings"] = len(by_category.get(row.key, []))
    rules = Figure("rules", "Rules that fired", _rows(by_rule, {}, total),
                   ["category", "findings"])
    for row in rules.rows:
        row.extra.update(category=CATEGORY_LABELS[rule_category[row.key]],
                         findings=rule_findings[row.key])
    conditions = Figure("conditions", "Conditions offered", _rows(
        by_condition, condition_label, total), ["status"])
    for row in conditions.rows:
        row.extra["status"] = condition_status[row.key].most_common(1)[0][0]
    prices = Figure("price-flags", "Price red flags", _rows(by_price_flag, {}, total))
    countries = Figure("countries", "Countries (from the adverts' places and currencies)",
                       _rows(by_country, {"-": "not known"}, total))
    clinic_rows = []
    for key, group in by_clinic.items():
        highs = sum(1 for a in group if a.result["level"] == "high")
        clinic_rows.append(Row(key, group[0].clinic_label, [a.id for a in group],
                               round(len(group) / total, 4) if total else 0.0, {
                                   "high": highs, "mean score": round(mean(
                                       a.result["score"] for a in group), 1),
                                   "best rank": min(a.rank for a in group),
                                   "triage points": round(sum(a.triage for a in group), 1)}))
    clinic_rows.sort(key=lambda r: (-r.extra["triage points"], r.label))
    clinics = Figure("clinics", "Clinics by risk (sum of their adverts' triage points)",
                     clinic_rows, ["high", "mean score", "best rank", "triage points"])
    return [levels, scores, categories, rules, conditions, prices, clinics, countries]


def summary(adverts: list[Advert]) -> dict[str, Any]:
    """Headline numbers: adverts, clinics, high-risk adverts and how spread their triage is."""
    high = [a for a in adverts if a.result["level"] == "high"]
    return {"adverts": len(adverts), "clinics": len({a.clinic_key for a in adverts}),
            "high": len(high), "high_distinct_scores": len({a.result["score"] for a in high}),
            "high_distinct_triage": len({a.triage for a in high})}
