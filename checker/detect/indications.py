"""Indications: which conditions a text offers cell or regenerative treatments for, and what
regulators approved.

The conditions lexicon and the approvals knowledge base are data in ``corpus/``
(checker.core.knowledge).

For every condition mentioned, the detector decides whether the text **offers** a cell or
regenerative treatment for it (same sentence as a treatment and an offer word; an item of a
list introduced as conditions treated; a heading and its paragraph) or only **mentions** it,
and what its **status** is:

* ``approved`` — the text names an approved product for it, or describes established care in
  its setting (a transplant for myelofibrosis, a skin graft for burns);
* ``established_care`` — a blood stem-cell (haematopoietic) transplant is the standard treatment
  for it, in hospitals, for selected patients (AML, lymphoma, aplastic anaemia, sickle cell: the
  standard-of-care rows of the knowledge base); ``setting`` says when the text describes that
  transplant. Offered without it, it is flagged as ``approved_elsewhere`` is;
* ``approved_elsewhere`` — some regulator approved a specific product for it (often narrow and
  conditional, e.g. Stemirac in Japan for spinal cord injury), which is not the clinic's product;
* ``no_approval`` — no regulator has approved a stem-cell or other regenerative treatment for it.

Findings come from the rules whose detector is ``indications`` (rules/indication.yaml and
rules/evidence.yaml); their weight goes through the shared ``weigh``, so a disclaimer, a
question, a news report or research framing turns an offer back into a mention.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

from spacy.matcher import PhraseMatcher

from checker.core.document import Document
from checker.core.errors import RuleFileError
from checker.core.nlp import get_nlp
from checker.core.knowledge import Approval, ConditionSpec, Knowledge, load_knowledge
from checker.context.vocabulary import IndicationWords
from checker.context.weighing import Context
from checker.core.hits import Rule, RuleHit
from checker.detect.base import Detection

STATUSES = ("no_approval", "approved_elsewhere", "established_care", "approved")
RULE_STATUSES = ("no_approval", "approved_elsewhere", "established_care")  # a rule's when.status
MAX_MENTIONS = 20   # spans listed per condition; a record says how many more there are

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
    statuses: tuple[str, ...] = ()
    min_systems: int | None = None


def parse_when(rule: Rule) -> IndicationWhen:
    when = dict(rule.spec.detector.when) if rule.spec.detector else {}
    status = when.pop("status", None)
    min_systems = when.pop("min_systems", None)
    if when:
        raise RuleFileError(str(rule.path), f"detector.when: unknown key(s) {sorted(when)}", rule.id)
    statuses = tuple([status] if isinstance(status, str) else status or ())
    if status is not None and (not statuses or any(s not in RULE_STATUSES for s in statuses)):
        raise RuleFileError(str(rule.path), f"detector.when.status: {status!r} is not one or a "
                            f"list of {', '.join(RULE_STATUSES)}", rule.id)
    if min_systems is not None and (not isinstance(min_systems, int) or min_systems < 2):
        raise RuleFileError(str(rule.path), "detector.when.min_systems must be an integer >= 2",
                            rule.id)
    if (status is None) == (min_systems is None):
        raise RuleFileError(str(rule.path), "detector.when needs exactly one of status, "
                            "min_systems", rule.id)
    return IndicationWhen(statuses, min_systems)


Weigh = Callable[..., RuleHit | None]   # Context.weigh



class IndicationDetector:
    def __init__(self, rules: list[Rule], words: IndicationWords,
                 knowledge: Knowledge | None = None) -> None:
        self.words = words
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
        if words & self.words.risk or side_effects:
            return ""
        if m.sent in marks.treatment_sents and words & self.words.offer:
            return "a treatment and an offer in the same sentence"
        if m.sent in list_sents:
            return "an item of a list of conditions treated"
        heading = _heading_of(document, m.sent)
        if heading is not None and heading in marks.treatment_sents:
            return "under a heading that names the treatment"
        if words & self.words.offer and document.is_short(m.sent):
            return "a short offer line near the treatment"
        if words & self.words.strong_offer and _named_just_before(document, marks, m.sent):
            return "an offer in the sentence after the treatment is named"
        return ""

    # -- the detector ------------------------------------------------------------------------

    name = "indications"

    def analyze(self, document: Document, context: Context) -> Detection:
        """Every condition named (the result's ``indications``), with its approval status and
        whether the text offers treatment for it; hits where an unapproved one is offered; and
        every offered mention as ``covered`` (a condition's finding is reported once, but all
        its offers are covered, so the engine drops the classifier's findings on them)."""
        marks, weigh = context.marks, context.weigh
        mentions = self.mentions(document)
        if not mentions:
            return Detection()
        list_sents = _list_sentences(document, {m.sent for m in mentions}, self.words.list_intro)
        products = self._products_by_sentence(document)
        by_condition: dict[str, list[Mention]] = defaultdict(list)
        sentence_words: dict[int, tuple[set[str], bool]] = {}
        for m in mentions:
            m.why = self._offered(document, marks, m, list_sents, sentence_words)
            m.offered = bool(m.why)
            by_condition[m.condition].append(m)

        result = Detection()
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
            result.indications.append(record)
            if not offered or status == "approved" or setting:
                continue   # named or described in its established setting
            result.covered += [("indication", *document.token_span_to_original(m.start, m.end))
                               for m in offered]
            for rule, when in self.rules:
                if status not in when.statuses:
                    continue
                found = self._hit(weigh, rule, offered, condition, status, approvals)
                if found is not None:
                    hit, mention = found
                    result.hits.append(hit)
                    offered_unapproved.append((mention, cid))
        result.indications.sort(key=lambda r: r["mentions"][0][0])
        result.hits += self._many_systems(weigh, offered_unapproved)
        return result

    def _status(self, document: Document, condition: ConditionSpec, approvals: list[Approval],
                mentions: list[Mention], products: dict[int, set[str]]) -> tuple[str, str]:
        """The condition's status and, when the text names an approved product or describes its
        established setting, which ("" otherwise)."""
        established = _established(condition, approvals)
        for m in mentions:
            if condition.id in products.get(m.sent, set()):
                return "approved", "an approved product is named"
            sentence = document.sent_text[m.sent]
            # established care needs no product approval to be established (a transplant for
            # myelofibrosis), so the setting counts even where the knowledge base lists none
            for tag, setting in self.words.setting.items():
                if tag in condition.lists and setting.search(sentence):
                    return ("established_care" if established else "approved",
                            "described in its established setting")
        if established:
            return "established_care", ""
        if not approvals:
            return "no_approval", ""
        return "approved_elsewhere", ""

    def _hit(self, weigh: Weigh, rule: Rule, offered: list[Mention], condition: ConditionSpec,
             status: str, approvals: list[Approval]) -> tuple[RuleHit, Mention] | None:
        fact = _fact(condition, status, approvals)
        # established care cites its standard-of-care rows first
        cited = sorted(approvals, key=lambda a: a.type != "standard_of_care") \
            if status == "established_care" else approvals
        citations = [a.citation() for a in _notable(cited)]
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


def _established(condition: ConditionSpec, approvals: list[Approval]) -> bool:
    """A blood stem-cell transplant is established care for the condition: it is tagged so, and
    the knowledge base has a standard-of-care row for it (approved_therapies.md)."""
    return ("standard_of_care_hsct" in condition.lists
            and any(a.type == "standard_of_care" for a in approvals))


def _products(approvals: list[Approval], limit: int = 3) -> list[str]:
    """The notable approvals, as "NAME (US, full, 2011)"."""
    parts = []
    for a in _notable(approvals, limit):
        when = f", {a.year}" if a.year else ""
        parts.append(f"{a.short_name} ({a.jurisdiction}, {a.type.replace('_', ' ')}{when})")
    return parts


def _fact(condition: ConditionSpec, status: str, approvals: list[Approval]) -> str:
    """What the knowledge base says about the condition, true whatever the treatment offered
    (stem cells, exosomes, PRP ...)."""
    if status == "no_approval":
        fda = (" The FDA lists it among conditions for which no regenerative medicine therapy is "
               "approved." if "fda_no_approval" in condition.lists else "")
        incurable = (" The editorial names it among the diseases that are still incurable."
                     if "editorial_incurable" in condition.lists else "")
        return (f"{condition.label}: no regulator in our knowledge base has approved a stem-cell "
                f"or other regenerative treatment for it.{fda}{incurable}")
    if status == "established_care":
        parts = _products([a for a in approvals if a.type != "standard_of_care"])
        approved = ""
        if len(parts) == 1:
            approved = f" The product approved for it, {parts[0]}, is for a narrow use."
        elif parts:
            approved = (f" Products approved for it, such as {'; '.join(parts)}, are each for a "
                        f"narrow use.")
        return (f"{condition.label}: a blood stem-cell (haematopoietic) transplant is established "
                f"care for it, given in specialist hospital units to selected patients.{approved} "
                f"A stem-cell or other treatment sold outside that setting is not that care, and "
                f"neither the transplant's standing nor any approval covers it.")
    parts = _products(approvals)
    if len(parts) == 1:
        return (f"{condition.label}: the only approval is for a specific product — {parts[0]} — "
                f"for a narrow use in its own jurisdiction. A clinic's own treatment is not that "
                f"product, and that approval does not cover it.")
    return (f"{condition.label}: the only approvals are for specific products — "
            f"{'; '.join(parts)} — each for a narrow use in its own jurisdiction. A clinic's own "
            f"treatment is not one of those products, and those approvals do not cover it.")


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


def _list_sentences(document: Document, with_conditions: set[int],
                    list_intro: re.Pattern[str]) -> set[int]:
    """Sentences that are items of a list of conditions: after an intro line, or comma lists."""
    out: set[int] = set()
    sents = document.sents
    for i, sent in enumerate(sents):
        text = document.sent_text[i]
        # "arthritis, tendinitis, lupus, hair loss, ..." - a comma list is itself a list
        if i in with_conditions and text.count(",") >= 3 and _alpha_share(document, sent) > 0.6:
            out.add(i)
        if not list_intro.search(text):
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
