"""Prices as a detector: every price in the text, normalised, and the price rules that fire on them.

``checker.detect.money`` finds the amounts (currency, range, unit, USD estimate); this module maps them
back to the user's text and applies the rules in ``rules/price.yaml`` whose ``detector`` is
``prices``. Their parameters live in the rule file:

    detector:
      name: prices
      when:
        ramp:                      # severity by the USD estimate of the price (the top of a range)
          - {min_usd: 500, severity: low}
          - {min_usd: 2000, severity: medium}
          - {min_usd: 10000, severity: high}
        exclude_units: [consultation]   # prices quoted in these units never fire
        units: [per_million_cells]      # or: only prices in these units fire (no ramp needed)
        max_usd: 1000000                # amounts above this (all of a range) never fire: a
                                        # market, a budget or a company's worth, not a price
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from checker.core import yamlio

from checker.core.document import Document
from checker.core.errors import RuleFileError
from checker.detect.money import RATES_DATE, UNITS, PriceMention, find_prices
from checker.context.weighing import Context
from checker.core.hits import Rule, RuleHit
from checker.core.result import SEVERITIES
from checker.detect.base import Detection

KNOWN_UNITS = frozenset(UNITS)   # every unit checker.detect.money can give a price




class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_usd: float = Field(ge=0)
    severity: str

    @field_validator("severity")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SEVERITIES:
            raise ValueError(f"unknown severity {value!r}")
        return value


class PriceWhen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ramp: list[_Step] = []
    units: list[str] = []
    exclude_units: list[str] = []
    max_usd: float | None = Field(default=None, gt=0)

    @field_validator("ramp")
    @classmethod
    def _increasing(cls, ramp: list[_Step]) -> list[_Step]:
        thresholds = [s.min_usd for s in ramp]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("ramp thresholds must increase")
        return ramp

    @field_validator("units", "exclude_units")
    @classmethod
    def _units_known(cls, units: list[str]) -> list[str]:
        unknown = set(units) - KNOWN_UNITS
        if unknown:
            raise ValueError(f"unknown unit(s) {sorted(unknown)}; known: {sorted(KNOWN_UNITS)}")
        return units


def parse_when(rule: Rule) -> PriceWhen:
    """The validated parameters of a price rule (a start-up error if they are wrong)."""
    when = yamlio.validated(PriceWhen, rule.spec.detector.when if rule.spec.detector else {},
                            lambda problem: RuleFileError(str(rule.path), problem, rule.id),
                            prefix="detector.when.")
    if not when.ramp and not when.units:
        raise RuleFileError(str(rule.path), "detector.when needs a ramp or units", rule.id)
    return when


class PriceDetector:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = [(rule, parse_when(rule)) for rule in rules]

    name = "prices"

    def analyze(self, document: Document, context: Context) -> Detection:
        """Every price (for the result's ``prices``), the price-rule hits on them, and the
        amounts each sentence states (which the engine gives to phrase rules' price findings,
        a deposit or a discount, as their ``details``)."""
        weigh = context.weigh
        records: list[dict[str, Any]] = []
        hits: list[RuleHit] = []
        by_sentence: dict[int, list[dict[str, Any]]] = {}
        for mention in find_prices(document.text):
            start, end = document.original_span(mention.start, mention.end)
            if end <= start:
                continue
            record = price_record(mention, start, end, document.original[start:end])
            records.append(record)
            span = document.doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            by_sentence.setdefault(document.sentence_of(span.start), []).append(record)
            for rule, when in self.rules:
                severity = _severity_for(mention, when)
                if severity is None:
                    continue
                top = _top_usd(mention)
                first = {"step": "price", "rule": rule.id, "severity": severity,
                         "amount": record["amount"], "currency": record["currency"],
                         "usd": record["usd"], "unit": record["unit"]}
                hit = weigh(rule, span.start, span.end, first, severity=severity,
                            details={**record, "usd_top": top, "rates_date": RATES_DATE})
                if hit is not None:
                    hits.append(hit)
        return Detection(hits, prices=records, amounts_by_sentence=by_sentence)


def _top_usd(mention: PriceMention) -> float | None:
    """The USD estimate of the highest amount a price states (the top of a range)."""
    if mention.usd is None:
        return None
    if mention.amount_max and mention.amount:
        return round(mention.usd * mention.amount_max / mention.amount, 2)
    return mention.usd


def _severity_for(mention: PriceMention, when: PriceWhen) -> str | None:
    unit = mention.unit
    if unit in when.exclude_units:
        return None
    if when.units:
        if unit not in when.units:
            return None
        if not when.ramp:
            return "medium"
    top = _top_usd(mention)
    if top is None:
        return None
    if when.max_usd is not None and mention.usd is not None and mention.usd > when.max_usd:
        return None
    chosen = None
    for step in when.ramp:
        if top >= step.min_usd:
            chosen = step.severity
    return chosen


def price_record(mention: PriceMention, start: int, end: int, text: str) -> dict[str, Any]:
    """The JSON form of one price, with offsets into the user's text."""
    return {
        "start": start, "end": end, "text": text,
        "amount": mention.amount, "amount_max": mention.amount_max,
        "currency": mention.currency,
        "usd": None if mention.usd is None else round(mention.usd, 2),
        "unit": mention.unit, "qualifier": mention.qualifier,
    }
