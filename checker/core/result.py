"""The records a check returns, and their JSON form (result format v1).

``docs/result.schema.json`` publishes the same shape as a JSON Schema; the tests validate every
result they produce against it, so the two cannot drift apart silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = "1"

CATEGORIES = ("efficacy", "indication", "price", "safety", "regulatory", "evidence", "pressure")
SEVERITIES = ("low", "medium", "high")
LEVELS = ("low", "medium", "high")

CATEGORY_LABELS = {
    "efficacy": "Unsupported efficacy claim",
    "indication": "Unapproved use",
    "price": "Price red flag",
    "safety": "Safety claim",
    "regulatory": "Regulatory misrepresentation",
    "evidence": "Weak evidence offered as proof",
    "pressure": "Pressure tactic",
}


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass(frozen=True)
class Citation:
    """One source a finding rests on: an editorial passage (quoted) or a regulator page."""

    source: str                 # "editorial" or the regulator ("FDA", "EMA", "FTC", ...)
    passage: str | None = None  # editorial passage id
    quote: str | None = None    # verbatim editorial text
    credit: str | None = None   # the editorial's credit line, which travels with every quote
    url: str | None = None
    title: str | None = None
    fact: str | None = None     # our summary of what a regulator source says (not a quote)
    regulator: str | None = None  # the source's id in corpus/regulators.yaml (compact form only)

    def to_dict(self, compact: bool = False) -> dict[str, Any]:
        """The citation in full; ``compact`` names a passage or regulator source by its id
        instead (the batch command's compact output, which writes each of them out once)."""
        if compact and self.passage is not None:
            return {"source": self.source, "passage": self.passage}
        if compact and self.regulator is not None:
            return {"source": self.source, "regulator": self.regulator}
        return _drop_none({
            "source": self.source, "passage": self.passage, "quote": self.quote,
            "credit": self.credit, "url": self.url, "title": self.title, "fact": self.fact,
        })


@dataclass
class Finding:
    """A span of the user's text that shows a warning sign, and why."""

    rule: str
    category: str
    severity: str
    start: int
    end: int
    text: str
    explanation: str
    citations: list[Citation]
    origin: str = "rule"              # "rule" or "classifier"
    confidence: float = 1.0           # how far hedges and context left the claim standing (0-1)
    weight: float = 0.0               # what the finding adds to its category score (0-1)
    trail: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    question: str | None = None       # a question a patient can put to the clinic
    repeats: int = 0                  # later occurrences of the same phrase, not listed apart
    id: str = ""

    def to_dict(self, compact: bool = False) -> dict[str, Any]:
        out = {
            "id": self.id, "rule": self.rule, "category": self.category,
            "severity": self.severity, "start": self.start, "end": self.end, "text": self.text,
            "explanation": self.explanation,
            "citations": [c.to_dict(compact) for c in self.citations],
            "origin": self.origin, "confidence": round(self.confidence, 4),
            "weight": round(self.weight, 4), "trail": self.trail,
        }
        if self.details:
            out["details"] = self.details
        if self.repeats:
            out["repeats"] = self.repeats
        return out


@dataclass
class CategoryScore:
    score: float
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 1), "count": self.count}


@dataclass
class Result:
    score: float
    level: str
    summary: str
    categories: dict[str, CategoryScore]
    findings: list[Finding]
    versions: dict[str, str]
    input: dict[str, Any]
    indications: list[dict[str, Any]] = field(default_factory=list)
    prices: list[dict[str, Any]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    set_aside: list[dict[str, Any]] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)   # what the bounds left out, counted
    # The rules the findings come from (category, severity, message, question) and the rule of
    # each question: not part of format 1; format 2 lists them once (checker.formats).
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    question_rules: list[str] = field(default_factory=list)
    speaker: dict[str, Any] | None = None    # who is speaking (checker.detect.speaker)
    source: dict[str, Any] | None = None     # where the text came from (checker.intake)
    warnings: list[dict[str, str]] = field(default_factory=list)   # input that is not an advert
    options: dict[str, Any] | None = None    # what the request narrowed it with (core.options)

    def to_dict(self, compact: bool = False) -> dict[str, Any]:
        """Result format v1; ``compact`` cites passages and regulator sources by id only."""
        out = {
            "format": FORMAT_VERSION,
            "score": round(self.score, 1),
            "level": self.level,
            "summary": self.summary,
            "categories": {c: self.categories[c].to_dict() for c in CATEGORIES},
            "findings": [f.to_dict(compact) for f in self.findings],
            "indications": self.indications,
            "prices": self.prices,
            "questions": self.questions,
            "set_aside": self.set_aside,
            "versions": dict(self.versions),
            "input": dict(self.input),
        }
        if self.omitted:
            out["omitted"] = dict(self.omitted)
        if self.speaker is not None:
            out["speaker"] = dict(self.speaker)
        if self.source is not None:
            out["source"] = dict(self.source)
        if self.warnings:
            out["warnings"] = [dict(w) for w in self.warnings]
        if self.options is not None:
            out["options"] = dict(self.options)
        return out
