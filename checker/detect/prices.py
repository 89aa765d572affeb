"""Prices as a detector: every price in the text, normalised, and the price rules that fire on them.

``checker.money`` finds the amounts (currency, range, unit, USD estimate); this module maps them
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
"""

from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from checker.core.document import Document
from checker.core.errors import RuleFileError
from checker.detect.money import RATES_DATE, PriceMention, find_prices
from checker.detect.rules import Rule, RuleHit

KNOWN_UNITS = {
    "per_injection", "per_vial", "per_session", "per_treatment", "per_million_cells", "per_month",
    "per_year", "per_day", "per_night", "per_joint", "per_area", "per_cc_ml", "package", "total",
    "deposit", "consultation",
}

Weigh = Callable[..., RuleHit | None]

# Amounts of its sentence a price finding lists (a price list of hundreds is cut here).
MAX_AMOUNTS = 10


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_usd: float = Field(ge=0)
    severity: str

    @field_validator("severity")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in ("low", "medium", "high"):
            raise ValueError(f"unknown severity {value!r}")
        return value


class PriceWhen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ramp: list[_Step] = []
    units: list[str] = []
    exclude_units: list[str] = []

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
    try:
        when = PriceWhen.model_validate(rule.spec.detector.when if rule.spec.detector else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleFileError(str(rule.path), f"detector.when.{where}: {first['msg']}", rule.id) from None
    if not when.ramp and not when.units:
        raise RuleFileError(str(rule.path), "detector.when needs a ramp or units", rule.id)
    return when


class PriceDetector:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = [(rule, parse_when(rule)) for rule in rules]

    def detect(self, document: Document, weigh: Weigh, other_hits: list[RuleHit]
               ) -> tuple[list[dict[str, Any]], list[RuleHit]]:
        """Every price (for the result's ``prices``) and the price-rule hits on them.

        Price findings from phrase rules in ``other_hits`` (a deposit, a discount) get the
        amounts stated in their sentence as ``details``.
        """
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
        for hit in other_hits:
            if hit.rule.category == "price" and not hit.details and hit.sent_index in by_sentence:
                hit.details = {"amounts": by_sentence[hit.sent_index][:MAX_AMOUNTS],
                               "rates_date": RATES_DATE}
        return records, hits


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
