"""Indications: which conditions a text offers cell treatments for, and what regulators approved.

Knowledge lives in ``corpus/``:

* ``conditions.yaml`` — the conditions lexicon (id, label, organ system, terms matched in any
  case, abbreviations matched case-sensitively, tags such as ``fda_no_approval``);
* ``therapies.yaml`` — the approvals knowledge base built from approved_therapies.csv, one row
  per product or standard-of-care use, each with its jurisdiction, approval type, year, the
  condition ids it covers and its source URL.

For every condition mentioned, the detector decides whether the text **offers** a cell or
regenerative treatment for it (same sentence as a treatment and an offer word; an item of a
list introduced as conditions treated; a heading and its paragraph) or only **mentions** it,
and what its **status** is:

* ``approved`` — the text describes an approved product or established care in its setting
  (a transplant for leukaemia, a named licensed product);
* ``approved_elsewhere`` — some regulator approved a specific product for it (often narrow and
  conditional, e.g. Stemirac in Japan for spinal cord injury), which is not the clinic's cells;
* ``no_approval`` — no regulator has approved a cell product for it.

Findings come from the rules whose detector is ``indications`` (rules/indication.yaml and
rules/evidence.yaml); their weight goes through the shared ``weigh``, so a disclaimer, a
question, a news report or research framing turns an offer back into a mention.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.matcher import PhraseMatcher

from checker.core import yamlio
from checker.core.document import Document
from checker.core.errors import DataFileError, RuleFileError
from checker.core.nlp import get_nlp
from checker.core.paths import CORPUS_DIR
from checker.core.result import Citation
from checker.detect.rules import Rule, RuleHit

CONDITIONS_FILE = CORPUS_DIR / "conditions.yaml"
THERAPIES_FILE = CORPUS_DIR / "therapies.yaml"

STATUSES = ("no_approval", "approved_elsewhere", "approved")
MAX_MENTIONS = 20   # spans listed per condition; a record says how many more there are
ESTABLISHED_TAGS = {"standard_of_care_hsct", "other_established"}

# Words that, in the sentence of a condition, make it an offer (with a treatment nearby).
OFFER_WORDS = frozenset("""
treat treats treated treating treatment treatments therapy therapies help helps helped helping
cure cures cured curing heal heals healing reverse reverses reversing repair repairs restore
restores improve improves improved improvement relief relieve relieves regenerate regenerates
benefit benefits manage managing fight fighting combat address addresses recover recovery
protocol protocols program programs programme procedure procedures injection injections infusion
infusions option options solution solutions candidate candidates candidacy offer offers offered
for patients sufferers suffering people clients kids children
""".split())
# The offer words that still make an offer when the treatment was named in the sentence just
# before ("We use cord tissue cells. They are ideal for treating arthritis.").
STRONG_OFFER_WORDS = frozenset("""
treat treats treated treating treatment treatments therapy therapies help helps helped helping
cure cures cured curing heal heals healing reverse reverses reversing repair repairs restore
restores improve improves improved relief relieve relieves regenerate regenerates benefit benefits
recover recovery option options solution solutions candidate candidates ideal perfect
""".split())
# Words of a sentence that lists harms, not uses ("Risks include graft-versus-host disease").
RISK_WORDS = frozenset("""
risk risks complication complications side-effect side-effects adverse harm harms danger dangers
""".split())
# Words of an introduction to a list of conditions ("Conditions we treat:", "Who can benefit").
LIST_INTRO = re.compile(
    r"(?i)\b(?:conditions?|diseases?|disorders?|illness(?:es)?|ailments?|injur(?:y|ies)|indications?"
    r"|we\s{1,3}treat|we\s{1,3}help|can\s{1,3}help|may\s{1,3}help|benefit|candidates?|used\s{1,3}(?:for|to)"
    r"|treat(?:s|ing|ments?)?\s{1,3}(?:for|of|include)|therap(?:y|ies)\s{1,3}for|helps?\s{1,3}with)\b"
)
# Words that put a condition in its approved setting, per kind of established care.
SETTING_WORDS = {
    "standard_of_care_hsct": re.compile(
        r"(?i)\b(?:transplant(?:s|ation|ed)?|hsct|hct|bmt|bone\s{1,3}marrow\s{1,3}donor"
        r"|conditioning|engraft(?:ment)?|donor\s{1,3}match(?:ing)?|cord\s{1,3}blood\s{1,3}units?"
        r"|car[\s-]{0,2}t|gene\s{1,3}therapy|chemotherapy|radiation)\b"),
    "other_established": re.compile(
        r"(?i)\b(?:graft(?:s|ing)?|cultured\s{1,3}epiderm\w{0,5}|keratoplasty|corneal\s{1,3}transplant"
        r"|chondrocyte\s{1,3}implantation|aci|maci|limbal)\b"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConditionSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    system: str
    terms: list[str] = []
    abbreviations: list[str] = []
    lists: list[str] = []


class ConditionsFile(_Strict):
    version: int
    systems: dict[str, str]
    conditions: list[ConditionSpec] = Field(min_length=1)


class TherapySpec(_Strict):
    id: str
    product: str
    regulator: str
    jurisdiction: str
    approval_type_raw: str
    approval_type: str
    year_raw: str
    year: int | None
    cell_type: str
    indication: str
    conditions: list[str]
    source: str


class TherapiesFile(_Strict):
    version: int
    source_file: str
    therapies: list[TherapySpec] = Field(min_length=1)


@dataclass(frozen=True)
class Approval:
    product: str
    short_name: str
    jurisdiction: str
    regulator: str
    type: str
    year: int | None
    indication: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"product": self.product, "jurisdiction": self.jurisdiction, "type": self.type,
                "year": self.year, "source": self.source}

    def citation(self) -> Citation:
        when = f", {self.year}" if self.year else ""
        return Citation(
            source=self.regulator, url=self.source, title=self.product,
            fact=(f"{self.product}: {self.type.replace('_', ' ')} ({self.jurisdiction}{when}) "
                  f"for: {self.indication}"))


@dataclass
class Knowledge:
    systems: dict[str, str]
    conditions: dict[str, ConditionSpec]
    approvals: dict[str, list[Approval]]   # condition id -> current (not withdrawn) approvals
    product_names: dict[str, list[str]]    # short product name (lower case) -> condition ids


def _short_name(product: str) -> str:
    """'HEMACORD (HPC, Cord Blood) - New York Blood Center' -> 'HEMACORD'."""
    name = product.split(" - ")[0]
    name = re.sub(r"\(.*?\)", "", name).strip()
    return name


def _read(path: Path, model: type[BaseModel]) -> Any:
    data = yamlio.read_file(path, lambda problem: DataFileError(f"{path}: {problem}"))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DataFileError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    cfile: ConditionsFile = _read(CONDITIONS_FILE, ConditionsFile)
    conditions: dict[str, ConditionSpec] = {}
    for c in cfile.conditions:
        if c.id in conditions:
            raise DataFileError(f"{CONDITIONS_FILE}: condition id {c.id!r} used twice")
        if c.system not in cfile.systems:
            raise DataFileError(f"{CONDITIONS_FILE}: {c.id}: unknown system {c.system!r}")
        conditions[c.id] = c
    tfile: TherapiesFile = _read(THERAPIES_FILE, TherapiesFile)
    approvals: dict[str, list[Approval]] = defaultdict(list)
    product_names: dict[str, list[str]] = defaultdict(list)
    for t in tfile.therapies:
        unknown = [c for c in t.conditions if c not in conditions]
        if unknown:
            raise DataFileError(f"{THERAPIES_FILE}: {t.id}: unknown condition ids {unknown}")
        if t.approval_type == "withdrawn":
            continue
        approval = Approval(t.product, _short_name(t.product), t.jurisdiction, t.regulator,
                            t.approval_type, t.year, t.indication, t.source)
        for cid in t.conditions:
            approvals[cid].append(approval)
        name = approval.short_name.lower()
        if len(name) >= 4 and t.jurisdiction != "International":
            product_names[name].extend(t.conditions)
    return Knowledge(cfile.systems, conditions, dict(approvals), dict(product_names))


# -- detection --------------------------------------------------------------------------------


@dataclass
class Mention:
    condition: str
    start: int          # token offsets
    end: int
    sent: int
    offered: bool = False
    why: str = ""


@dataclass
class IndicationWhen:
    status: str | None = None
    min_systems: int | None = None


def parse_when(rule: Rule) -> IndicationWhen:
    when = dict(rule.spec.detector.when) if rule.spec.detector else {}
    status = when.pop("status", None)
    min_systems = when.pop("min_systems", None)
    if when:
        raise RuleFileError(str(rule.path), f"detector.when: unknown key(s) {sorted(when)}", rule.id)
    if status is not None and status not in ("no_approval", "approved_elsewhere"):
        raise RuleFileError(str(rule.path), f"detector.when.status: {status!r} is not "
                            "no_approval or approved_elsewhere", rule.id)
    if min_systems is not None and (not isinstance(min_systems, int) or min_systems < 2):
        raise RuleFileError(str(rule.path), "detector.when.min_systems must be an integer >= 2",
                            rule.id)
    if (status is None) == (min_systems is None):
        raise RuleFileError(str(rule.path), "detector.when needs exactly one of status, "
                            "min_systems", rule.id)
    return IndicationWhen(status, min_systems)


Weigh = Callable[..., RuleHit | None]


@dataclass
class IndicationResult:
    records: list[dict[str, Any]] = field(default_factory=list)
    hits: list[RuleHit] = field(default_factory=list)
    # Every offered mention, (category, start, end) in the user's text: a condition's finding is
    # reported once, but all its offers are covered, so the classifier does not repeat them.
    covered: list[tuple[str, int, int]] = field(default_factory=list)


class IndicationDetector:
    def __init__(self, rules: list[Rule], knowledge: Knowledge | None = None) -> None:
        self.knowledge = knowledge or load_knowledge()
        self.rules = [(rule, parse_when(rule)) for rule in rules]
        nlp = get_nlp()
        self._terms = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._abbrevs = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._products = PhraseMatcher(nlp.vocab, attr="LOWER")
        for cid, c in self.knowledge.conditions.items():
            if c.terms:
                self._terms.add(cid, [nlp.make_doc(t) for t in c.terms])
            if c.abbreviations:
                self._abbrevs.add(cid, [nlp.make_doc(a) for a in c.abbreviations])
        for name in self.knowledge.product_names:
            self._products.add(name, [nlp.make_doc(name)])
        strings = nlp.vocab.strings
        self._id_of = {strings[cid]: cid for cid in self.knowledge.conditions}
        # two-word terms by their words, for conditions whose head word is elided in a list
        self._term_ids = {" ".join(t.lower().split()): cid
                          for cid, c in self.knowledge.conditions.items() for t in c.terms
                          if len(t.split()) == 2}
        self._product_of = {strings[n]: n for n in self.knowledge.product_names}

    # -- finding mentions --------------------------------------------------------------------

    def mentions(self, document: Document) -> list[Mention]:
        doc = document.doc
        raw = [(self._id_of[k], s, e) for k, s, e in self._terms(doc)]
        raw += [(self._id_of[k], s, e) for k, s, e in self._abbrevs(doc)]
        raw += self._elided(doc, raw)
        # longest match wins where two conditions overlap ("knee osteoarthritis" > "osteoarthritis")
        raw.sort(key=lambda m: (m[1], -(m[2] - m[1])))
        out: list[Mention] = []
        taken_until = -1
        for cid, s, e in raw:
            if s < taken_until:
                continue
            if any(doc[i].like_url or doc[i].like_email for i in range(s, e)):
                continue
            if e < len(doc) and document.lower[e] in ("cell", "cells"):
                continue  # "cancer cells", "tumour cells": a kind of cell, not the disease
            sent = document.sentence_of(s)
            if sent < 0:
                continue
            out.append(Mention(cid, s, e, sent))
            taken_until = e
        return out

    def _elided(self, doc: Any, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """Conditions whose shared head word is said once: "heart, lung and kidney disease",
        "knee, hip and shoulder pain". Each listed word is tried with the head of the last item."""
        out = []
        for _cid, s, e in found:
            if e - s != 2 or s < 2 or doc[s - 1].lower_ not in ("and", "or", "&", ","):
                continue
            heads = _head_forms(doc[e - 1].lower_)
            i, items = s - 1, 0
            while i >= 1 and items < 6 and doc[i].lower_ in ("and", "or", "&", ","):
                j = i - 1
                if doc[j].lower_ in ("and", "or") and j >= 1:   # ", and" (serial comma)
                    j -= 1
                word = doc[j]
                if not word.is_alpha or word.is_stop:
                    break
                cid = next((self._term_ids[f"{word.lower_} {h}"] for h in heads
                            if f"{word.lower_} {h}" in self._term_ids), None)
                if cid is None:
                    break
                out.append((cid, j, j + 1))
                items += 1
                i = j - 1
        return out

    def _products_by_sentence(self, document: Document) -> dict[int, set[str]]:
        found: dict[int, set[str]] = defaultdict(set)
        for key, s, _e in self._products(document.doc):
            for cid in self.knowledge.product_names[self._product_of[key]]:
                found[document.sentence_of(s)].add(cid)
        return found

    def _offered(self, document: Document, marks: Any, m: Mention, list_sents: set[int],
                 sentence_words: dict[int, tuple[set[str], bool]]) -> str:
        """Why the mention is an offer ("" when it is not).

        ``sentence_words`` caches each sentence's words (and whether it speaks of side effects)
        for the mentions of one check: a sentence naming a condition thousands of times was read
        once per mention before.
        """
        if not marks.has_treatment_near(m.sent):
            return ""
        if m.sent not in sentence_words:
            sent = document.sents[m.sent]
            sentence_words[m.sent] = (
                set(document.lower[sent.start:sent.end]) | set(document.lemma[sent.start:sent.end]),
                "side effect" in document.sent_text[m.sent].lower())
        words, side_effects = sentence_words[m.sent]
        if words & RISK_WORDS or side_effects:
            return ""
        if m.sent in marks.treatment_sents and words & OFFER_WORDS:
            return "a treatment and an offer in the same sentence"
        if m.sent in list_sents:
            return "an item of a list of conditions treated"
        heading = _heading_of(document, m.sent)
        if heading is not None and heading in marks.treatment_sents:
            return "under a heading that names the treatment"
        if words & OFFER_WORDS and document.is_short(m.sent):
            return "a short offer line near the treatment"
        if words & STRONG_OFFER_WORDS and _named_just_before(document, marks, m.sent):
            return "an offer in the sentence after the treatment is named"
        return ""

    # -- the detector ------------------------------------------------------------------------

    def detect(self, document: Document, marks: Any, weigh: Weigh) -> IndicationResult:
        mentions = self.mentions(document)
        if not mentions:
            return IndicationResult()
        list_sents = _list_sentences(document, {m.sent for m in mentions})
        products = self._products_by_sentence(document)
        by_condition: dict[str, list[Mention]] = defaultdict(list)
        sentence_words: dict[int, tuple[set[str], bool]] = {}
        for m in mentions:
            m.why = self._offered(document, marks, m, list_sents, sentence_words)
            m.offered = bool(m.why)
            by_condition[m.condition].append(m)

        result = IndicationResult()
        offered_unapproved: list[tuple[Mention, str]] = []
        for cid, ms in by_condition.items():
            condition = self.knowledge.conditions[cid]
            approvals = self.knowledge.approvals.get(cid, [])
            status, setting = self._status(document, condition, approvals, ms, products)
            offered = [m for m in ms if m.offered]
            record = {
                "condition": cid, "label": condition.label, "system": condition.system,
                "mentions": [list(document.token_span_to_original(m.start, m.end))
                             for m in ms[:MAX_MENTIONS]],
                "status": status, "offered": bool(offered),
                "approvals": [a.to_dict() for a in approvals],
            }
            if len(ms) > MAX_MENTIONS:
                record["mentions_total"] = len(ms)
            if setting:
                record["setting"] = setting
            result.records.append(record)
            if not offered or status == "approved":
                continue
            result.covered += [("indication", *document.token_span_to_original(m.start, m.end))
                               for m in offered]
            for rule, when in self.rules:
                if when.status != status:
                    continue
                found = self._hit(weigh, rule, offered, condition, status, approvals)
                if found is not None:
                    hit, mention = found
                    result.hits.append(hit)
                    offered_unapproved.append((mention, cid))
        result.records.sort(key=lambda r: r["mentions"][0][0])
        result.hits += self._many_systems(weigh, offered_unapproved)
        return result

    def _status(self, document: Document, condition: ConditionSpec, approvals: list[Approval],
                mentions: list[Mention], products: dict[int, set[str]]) -> tuple[str, str]:
        for m in mentions:
            if condition.id in products.get(m.sent, set()):
                return "approved", "an approved product is named"
            sentence = document.sent_text[m.sent]
            # established care needs no product approval to be established (a transplant for
            # myelofibrosis), so the setting counts even where the knowledge base lists none
            for tag in ESTABLISHED_TAGS & set(condition.lists):
                if SETTING_WORDS[tag].search(sentence):
                    return "approved", "described in its established setting"
        if not approvals:
            return "no_approval", ""
        return "approved_elsewhere", ""

    def _hit(self, weigh: Weigh, rule: Rule, offered: list[Mention], condition: ConditionSpec,
             status: str, approvals: list[Approval]) -> tuple[RuleHit, Mention] | None:
        fact = _fact(condition, status, approvals)
        citations = [a.citation() for a in _notable(approvals)]
        for m in offered:  # the first offer that survives hedges and disclaimers
            first = {"step": "indication", "rule": rule.id, "severity": rule.severity,
                     "condition": condition.id, "status": status, "offered_as": m.why}
            hit = weigh(rule, m.start, m.end, first,
                        details={"condition": condition.id, "label": condition.label,
                                 "system": condition.system, "status": status, "fact": fact,
                                 "approvals": [a.to_dict() for a in approvals]})
            if hit is not None and hit.confidence > 0:
                hit.citations = citations
                return hit, m
        return None

    def _many_systems(self, weigh: Weigh, offered: list[tuple[Mention, str]]) -> list[RuleHit]:
        hits = []
        for rule, when in self.rules:
            if when.min_systems is None:
                continue
            systems: dict[str, str] = {}
            trigger = None
            for m, cid in sorted(offered, key=lambda x: x[0].start):
                system = self.knowledge.conditions[cid].system
                if system not in systems:
                    systems[system] = cid
                    if len(systems) == when.min_systems:
                        trigger = m
            if trigger is None:
                continue
            labels = {s: self.knowledge.systems[s] for s in systems}
            first = {"step": "indication", "rule": rule.id, "severity": rule.severity,
                     "systems": sorted(systems)}
            fact = ("Offered for conditions of " + str(len(systems)) + " unrelated organ systems: "
                    + "; ".join(f"{labels[s].lower()} ({self.knowledge.conditions[c].label})"
                                for s, c in systems.items()) + ".")
            hit = weigh(rule, trigger.start, trigger.end, first,
                        details={"systems": sorted(systems), "fact": fact})
            if hit is not None:
                hits.append(hit)
        return hits


def _notable(approvals: list[Approval], limit: int = 4) -> list[Approval]:
    """The approvals worth citing: one per product name, at most ``limit``."""
    seen, out = set(), []
    for a in approvals:
        if a.short_name in seen:
            continue
        seen.add(a.short_name)
        out.append(a)
    return out[:limit]


def _fact(condition: ConditionSpec, status: str, approvals: list[Approval]) -> str:
    if status == "no_approval":
        fda = (" The FDA lists it among conditions for which no regenerative medicine therapy is "
               "approved." if "fda_no_approval" in condition.lists else "")
        incurable = (" The editorial names it among the diseases that are still incurable."
                     if "editorial_incurable" in condition.lists else "")
        return (f"{condition.label}: no regulator in our knowledge base has approved a cell "
                f"product for it.{fda}{incurable}")
    parts = []
    for a in _notable(approvals, 3):
        when = f", {a.year}" if a.year else ""
        parts.append(f"{a.short_name} ({a.jurisdiction}, {a.type.replace('_', ' ')}{when})")
    return (f"{condition.label}: the only approvals are for specific products — "
            f"{'; '.join(parts)} — each for a narrow use in its own jurisdiction. A clinic's own "
            f"cells are not that product, and that approval does not cover them.")


def _head_forms(head: str) -> tuple[str, ...]:
    """'diseases' -> ('diseases', 'disease'); 'injury' -> ('injury', 'injuries')."""
    if head.endswith("ies"):
        return head, head[:-3] + "y"
    if head.endswith("y"):
        return head, head[:-1] + "ies"
    if head.endswith("s"):
        return head, head[:-1]
    return head, head + "s"


def _named_just_before(document: Document, marks: Any, sent_index: int) -> bool:
    """The sentence just before, in the same paragraph, names the treatment ("it", "this")."""
    j = sent_index - 1
    return (j >= 0 and j in marks.treatment_sents
            and document.para_of_sent[j] == document.para_of_sent[sent_index])


def _heading_of(document: Document, sent_index: int) -> int | None:
    """The heading line (a short line without a full stop) that opens this paragraph."""
    paragraph = document.para_of_sent[sent_index]
    first = sent_index
    while first > 0 and document.para_of_sent[first - 1] == paragraph:
        first -= 1
    candidates = [first]
    if first > 0:
        candidates.append(first - 1)  # a heading on its own line just before the paragraph
    for i in candidates:
        if i == sent_index:
            continue
        text = document.sent_text[i].strip()
        if document.is_short(i) and not text.endswith((".", "?", "!")):
            return i
    return None


def _list_sentences(document: Document, with_conditions: set[int]) -> set[int]:
    """Sentences that are items of a list of conditions: after an intro line, or comma lists."""
    out: set[int] = set()
    sents = document.sents
    for i, sent in enumerate(sents):
        text = document.sent_text[i]
        # "arthritis, tendinitis, lupus, hair loss, ..." - a comma list is itself a list
        if i in with_conditions and text.count(",") >= 3 and _alpha_share(document, sent) > 0.6:
            out.add(i)
        if not LIST_INTRO.search(text):
            continue
        if not (text.rstrip().endswith(":") or document.is_short(i) or "include" in text.lower()):
            continue
        j = i + 1
        while j < len(sents) and document.is_short(j) and j - i <= 40:
            out.add(j)
            j += 1
        if i in with_conditions and ":" in text:
            out.add(i)  # "Conditions we treat: autism, CP and MS."
    return out


def _alpha_share(document: Document, sent: Any) -> float:
    is_space, is_alpha, is_punct = document.is_space, document.is_alpha, document.is_punct
    tokens = [i for i in range(sent.start, sent.end) if not is_space[i]]
    return sum(1 for i in tokens if is_alpha[i] or is_punct[i]) / max(len(tokens), 1)
