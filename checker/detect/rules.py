"""Rules as data: load and validate ``rules/*.yaml``, compile them to matchers, and run them.

A rule file holds the rules of one category::

    category: efficacy
    rules:
      - id: efficacy.cure
        severity: high
        message: A plain sentence a patient understands.
        question: A question the patient can ask the clinic.   # optional
        context: treatment          # optional: fire only near a cell/regenerative treatment
        phrases: [...]              # exact phrases, any case  -> PhraseMatcher(attr=LOWER)
        lemmas: [...]               # phrases in any inflection -> PhraseMatcher(attr=LEMMA)
        patterns: [[{LEMMA: cure}, ...]]   # token patterns     -> Matcher
        regex: [...]                # only where tokens cannot say it; every repeat bounded
        modifiers: [negation, disclaimer, hedge, critique, question]   # optional: which apply
        citations: {editorial: [passage ids], regulators: [source ids]}
        examples: {must_flag: [...], must_pass: [...]}

A broken file stops start-up with a ``RuleFileError`` naming the file, the rule id and the
problem. Files whose top-level ``kind`` is not a category (``context.yaml``) are read elsewhere.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from checker.core import yamlio
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from spacy.matcher import Matcher, PhraseMatcher

from checker.context.spec import CONTEXT_FILE_NAME, MODIFIER_KINDS
from checker.context.vocabulary import ContextVocabulary, load_context
from checker.context.weighing import Context
from checker.core.document import Document
from checker.core.errors import RuleFileError
from checker.core.guidance import Guidance, load_guidance
from checker.core.knowledge import load_knowledge
from checker.core.nlp import get_nlp
from checker.core.paths import RULES_DIR
from checker.core.regexes import pattern_problem
from checker.core.hits import Rule, RuleHit
from checker.core.result import CATEGORIES, SEVERITIES, Citation
from checker.detect.base import Detection
from checker.detect.token_matcher import TokenMatcher

RULE_ID = re.compile(r"^[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*$")
NON_RULE_FILES = {CONTEXT_FILE_NAME, "reporting.yaml"}

Severity = Literal[SEVERITIES]  # type: ignore[valid-type]
Modifier = Literal[MODIFIER_KINDS]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CitationSpec(_Strict):
    editorial: list[str] = Field(min_length=1)
    regulators: list[str] = []


class ExampleSpec(_Strict):
    must_flag: list[str] = Field(min_length=1)
    must_pass: list[str] = Field(min_length=1)


class DetectorSpec(_Strict):
    """For rules whose matches come from a detector (prices, indications) instead of patterns.

    ``when`` holds the detector's own parameters (thresholds, statuses); the detector checks
    them when the engine starts, so a bad threshold is a start-up error like any other.
    """

    name: Literal["prices", "indications", "classifier"]
    when: dict[str, Any] = {}


class RuleSpec(_Strict):
    id: str
    severity: Severity
    message: str = Field(min_length=20)
    question: str | None = None
    context: Literal["treatment", "medical", "none"] = "none"
    phrases: list[str] = []
    lemmas: list[str] = []
    patterns: list[list[dict[str, Any]]] = []
    regex: list[str] = []
    detector: DetectorSpec | None = None
    modifiers: list[Modifier] = list(MODIFIER_KINDS)
    unless: list[str] = []         # phrases that, anywhere in the sentence, cancel the rule
    citations: CitationSpec
    examples: ExampleSpec

    @field_validator("id")
    @classmethod
    def _id_ok(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("ids look like 'category.short-name' (lower case, digits, hyphens)")
        return value

    @model_validator(mode="after")
    def _has_patterns(self) -> "RuleSpec":
        if not (self.phrases or self.lemmas or self.patterns or self.regex or self.detector):
            raise ValueError("a rule needs at least one of phrases, lemmas, patterns, regex, "
                             "detector")
        return self


class RuleFileSpec(_Strict):
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    description: str | None = None
    # Phrase lists several rules of the file share: a rule's ``unless`` names one as "@name".
    phrase_lists: dict[str, list[str]] = {}
    rules: list[RuleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _expand_phrase_lists(self) -> "RuleFileSpec":
        for rule in self.rules:
            expanded: list[str] = []
            for phrase in rule.unless:
                if not phrase.startswith("@"):
                    expanded.append(phrase)
                elif phrase[1:] in self.phrase_lists:
                    expanded.extend(self.phrase_lists[phrase[1:]])
                else:
                    known = ", ".join(sorted(self.phrase_lists)) or "none"
                    raise ValueError(f"rule {rule.id}: unless names {phrase!r}, but the file's "
                                     f"phrase_lists has no {phrase[1:]!r} (it has: {known})")
            rule.unless = list(dict.fromkeys(expanded))
        return self


@dataclass
class Match:
    """One raw match of one rule, before context and modifiers are weighed."""

    rule: Rule
    start: int   # token offsets
    end: int
    pattern: str


class RuleBook:
    """Every rule, compiled into spaCy matchers and bounded regexes, ready to run on documents."""

    def __init__(self, rules: list[Rule], context: ContextVocabulary, files: list[Path]) -> None:
        self.rules = {r.id: r for r in rules}
        self.context = context
        self.files = files
        nlp = get_nlp()
        vocab = nlp.vocab
        self._phrase_lower = PhraseMatcher(vocab, attr="LOWER")
        self._phrase_lemma = PhraseMatcher(vocab, attr="LEMMA")
        # spaCy's Matcher validates the patterns (its errors name what is wrong); the
        # TokenMatcher finds the same matches in the same order, without starting every pattern
        # at every token (see checker/token_matcher.py).
        self._validator = Matcher(vocab, validate=True)
        self._matcher = TokenMatcher(vocab)
        self._unless = PhraseMatcher(vocab, attr="LOWER")
        self._regexes: list[tuple[Rule, re.Pattern[str]]] = []
        self._rule_of_key: dict[int, Rule] = {}
        self._unless_rule: dict[int, str] = {}
        for rule in rules:
            key = vocab.strings.add(rule.id)
            self._rule_of_key[key] = rule
            spec = rule.spec
            try:
                if spec.phrases:
                    self._phrase_lower.add(rule.id, [nlp.make_doc(p) for p in spec.phrases])
                if spec.lemmas:
                    self._phrase_lemma.add(rule.id, list(nlp.pipe(spec.lemmas)))
                if spec.patterns:
                    self._validator.add(rule.id, spec.patterns)
                    self._matcher.add(rule.id, spec.patterns)
                if spec.unless:
                    key_unless = vocab.strings.add("unless:" + rule.id)
                    self._unless_rule[key_unless] = rule.id
                    self._unless.add("unless:" + rule.id, [nlp.make_doc(p) for p in spec.unless])
            except Exception as exc:  # spaCy reports bad patterns with its own error classes
                problem = " ".join(str(exc).split())
                raise RuleFileError(str(rule.path), f"bad pattern: {problem}", rule.id) from None
            for pattern in spec.regex:
                self._regexes.append((rule, re.compile(pattern, re.IGNORECASE)))
        self._matcher.compile()

    @property
    def version(self) -> str:
        """A hash of every rule file's bytes (and the context vocabulary), in name order."""
        digest = hashlib.sha256()
        for path in sorted(self.files + [self.context.path], key=lambda p: p.name):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return "sha256:" + digest.hexdigest()[:16]

    def catalogue(self) -> dict[str, Any]:
        """Every rule with its message and citations, grouped by category, as the API, the
        rules page and ``python -m checker rules`` show it."""
        out: dict[str, list[dict[str, Any]]] = {}
        for category, rules in self.by_category().items():
            out[category] = [{
                "id": r.id, "category": r.category, "severity": r.severity, "message": r.message,
                "question": r.spec.question, "context": r.spec.context,
                "citations": [c.to_dict() for c in r.citations],
            } for r in sorted(rules, key=lambda r: r.id)]
        return {"version": self.version, "categories": out}

    def by_category(self) -> dict[str, list[Rule]]:
        out: dict[str, list[Rule]] = {c: [] for c in CATEGORIES}
        for rule in self.rules.values():
            out[rule.category].append(rule)
        return out

    # -- running -----------------------------------------------------------------------------

    def raw_matches(self, document: Document) -> list[Match]:
        doc = document.doc
        found: list[Match] = []
        for matcher, label in ((self._phrase_lower, "phrase"), (self._phrase_lemma, "lemma"),
                               (self._matcher, "pattern")):
            for key, start, end in matcher(doc):
                found.append(Match(self._rule_of_key[key], start, end, label))
        for rule, regex in self._regexes:
            for m in regex.finditer(document.text):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None and len(span):
                    found.append(Match(rule, span.start, span.end, "regex"))
        return found

    def detector_rules(self, name: str) -> list[Rule]:
        """The rules whose matches come from the named detector."""
        return [r for r in self.rules.values()
                if r.spec.detector is not None and r.spec.detector.name == name]

    def unless_cues(self, document: Document) -> dict[tuple[str, int], str]:
        """For each (rule id, sentence) where a rule's ``unless`` phrase occurs, the phrase."""
        cancelled: dict[tuple[str, int], str] = {}
        if self._unless_rule:
            for key, start, end in self._unless(document.doc):
                sent_index = document.sentence_of(start)
                cancelled.setdefault((self._unless_rule[key], sent_index),
                                     document.span_text(start, end))
        return cancelled

    name = "rules"

    def analyze(self, document: Document, context: Context) -> Detection:
        """Match every rule, keep the longest non-overlapping match per rule, weigh each one."""
        by_rule: dict[str, list[Match]] = {}
        for m in self.raw_matches(document):
            by_rule.setdefault(m.rule.id, []).append(m)
        hits: list[RuleHit] = []
        for matches in by_rule.values():
            matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
            last_end = -1
            for m in matches:
                if m.start < last_end:
                    continue
                last_end = m.end
                hit = context.weigh(m.rule, m.start, m.end,
                                    {"step": "match", "rule": m.rule.id, "pattern": m.pattern,
                                     "severity": m.rule.severity})
                if hit is not None:
                    hits.append(hit)
        return Detection(hits)

# -- loading -----------------------------------------------------------------------------------


def _read(path: Path) -> Any:
    return yamlio.read_file(path, lambda problem: RuleFileError(str(path), problem))


def _validation_problem(path: Path, data: Any, exc: ValidationError) -> RuleFileError:
    loc, message = yamlio.first_problem(exc)
    rule_id = None
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rule_id = data["rules"][loc[1]].get("id") or f"#{loc[1] + 1}"
        except (KeyError, IndexError, TypeError, AttributeError):
            rule_id = f"#{loc[1] + 1}"
        loc = loc[2:]
    where = ".".join(str(p) for p in loc)
    return RuleFileError(str(path), f"{where + ': ' if where else ''}{message}", rule_id)


def _resolve_citations(rule: RuleSpec, path: Path, guidance: Guidance) -> list[Citation]:
    citations = []
    for pid in rule.citations.editorial:
        if pid not in guidance.passages:
            raise RuleFileError(str(path), f"cites unknown editorial passage {pid!r}", rule.id)
        p = guidance.passages[pid]
        citations.append(Citation(source="editorial", passage=p.id, quote=p.quote,
                                  credit=guidance.credit))
    for sid in rule.citations.regulators:
        if sid not in guidance.regulators:
            raise RuleFileError(str(path), f"cites unknown regulator source {sid!r}", rule.id)
        s = guidance.regulators[sid]
        citations.append(Citation(source=s.source, url=s.url, title=s.title, fact=s.fact,
                                  regulator=s.id))
    return citations


# Phrase lists every rule file may name in ``unless`` ('@name'), from data with a home elsewhere.
SHARED_PHRASE_LISTS = ("fda-approved-products",)


def shared_phrase_lists() -> dict[str, list[str]]:
    """'@fda-approved-products': the names of every product the FDA approved and did not
    withdraw, from the approvals knowledge base (corpus/therapies.yaml)."""
    return {"fda-approved-products": load_knowledge().names(jurisdiction="US", current=True)}


def load_rule_file(path: Path, guidance: Guidance) -> list[Rule]:
    data = _read(path)
    if not isinstance(data, dict):
        raise RuleFileError(str(path), "expected a mapping with 'category' and 'rules'")
    own = data.get("phrase_lists") or {}
    if isinstance(own, dict):
        taken = sorted(set(own) & set(SHARED_PHRASE_LISTS))
        if taken:
            raise RuleFileError(str(path), f"phrase_lists: {taken} is a shared list's name")
        data = {**data, "phrase_lists": {**own, **shared_phrase_lists()}}
    try:
        spec = RuleFileSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation_problem(path, data, exc) from None
    rules = []
    for rule in spec.rules:
        if not rule.id.startswith(spec.category + "."):
            raise RuleFileError(str(path), f"id must start with '{spec.category}.'", rule.id)
        for pattern in rule.regex:
            problem = pattern_problem(pattern)
            if problem:
                raise RuleFileError(str(path), f"regex {problem}", rule.id)
        for problem in _unmatchable_token_values(rule.patterns):
            raise RuleFileError(str(path), problem, rule.id)
        rules.append(Rule(rule, spec.category, path, _resolve_citations(rule, path, guidance)))
    return rules


_TEXT_ATTRS = ("LOWER", "LEMMA", "TEXT", "ORTH", "NORM")


def _unmatchable_token_values(patterns: list[list[dict[str, Any]]]) -> list[str]:
    """Token-pattern values that the tokenizer splits (``risk-free``) and so can never match."""
    make_doc = get_nlp().make_doc
    problems = []
    for pattern in patterns:
        for token in pattern:
            for attr in _TEXT_ATTRS:
                value = token.get(attr)
                values = value.get("IN", []) if isinstance(value, dict) else [value]
                for v in values:
                    if isinstance(v, str) and all(len(make_doc(form)) > 1
                                                  for form in (v, v.upper(), v.title())):
                        problems.append(
                            f"token value {v!r} is split by the tokenizer into "
                            f"{[t.text for t in make_doc(v)]}; write it as a phrase instead")
    return problems


def load_rules(rules_dir: Path | None = None) -> RuleBook:
    """Load, validate and compile every rule file in ``rules_dir``."""
    rules_dir = rules_dir or RULES_DIR
    if not rules_dir.is_dir():
        raise RuleFileError(str(rules_dir), "the rules folder does not exist")
    guidance = load_guidance()
    context = load_context(rules_dir)
    files = sorted(p for p in rules_dir.glob("*.yaml") if p.name not in NON_RULE_FILES)
    if not files:
        raise RuleFileError(str(rules_dir), "no rule files (*.yaml) found")
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in files:
        for rule in load_rule_file(path, guidance):
            if rule.id in seen:
                raise RuleFileError(str(path), f"id already used in {seen[rule.id].name}", rule.id)
            seen[rule.id] = path
            rules.append(rule)
    return RuleBook(rules, context, files)


@lru_cache(maxsize=4)
def default_rules(rules_dir: str | None = None) -> RuleBook:
    return load_rules(Path(rules_dir) if rules_dir else None)
