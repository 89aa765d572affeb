"""The compiled context vocabulary of ``rules/context.yaml``: phrase matchers and patterns that
find every cue of a document once (``ContextVocabulary.marks``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.matcher import PhraseMatcher

from checker.context.marks import Cue, Marks
from checker.context.spec import CONTEXT_FILE_NAME, ContextFile
from checker.core import yamlio
from checker.core.document import Document
from checker.core.errors import RuleFileError
from checker.core.knowledge import load_knowledge
from checker.core.nlp import get_nlp
from checker.core.paths import RULES_DIR
from checker.core.regexes import pattern_problem

@dataclass(frozen=True)
class IndicationWords:
    """What tells an offer of treatment for a condition from a mention (context.yaml's
    ``indications``): offer words, the strong ones, harm words, list introductions, and the
    words that put a condition in the setting of established care."""

    offer: frozenset[str]
    strong_offer: frozenset[str]
    risk: frozenset[str]
    list_intro: re.Pattern[str]
    setting: dict[str, re.Pattern[str]]


class ContextVocabulary:
    """The compiled context vocabulary: phrase matchers over the shared pipeline's vocab."""

    def __init__(self, spec: ContextFile, path: Path) -> None:
        self.spec = spec
        self.path = path
        nlp = get_nlp()
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        groups = {
            "treatment": spec.treatment.phrases,
            "medical": spec.medical.phrases,
            "disclaimer": spec.disclaimer.phrases,
            "critique": spec.critique.phrases,
            "hedge_strong": spec.hedge.strong,
            "hedge_weak": spec.hedge.weak,
            # established care as worded here, and every approved product by its names
            "approved": spec.approved.phrases + load_knowledge().names(),
        }
        groups["other_care"] = spec.treatment.other_care or ["\u2063"]
        groups["not_hedge"] = spec.hedge.not_hedges or ["\u2063"]
        groups["research"] = spec.register_.research
        groups["advert"] = spec.register_.advert
        groups["address"] = spec.register_.address or ["\u2063"]
        groups["personal"] = spec.register_.personal or ["\u2063"]
        groups["first_person"] = spec.register_.first_person or ["\u2063"]
        for kind, phrases in groups.items():
            self.matcher.add(kind, [nlp.make_doc(p) for p in phrases])
        self._kind_of = {nlp.vocab.strings[k]: k for k in groups}
        self.research_regexes = [re.compile(r) for r in spec.register_.research_regex]
        self.other_care_contrast = [tuple(nlp.make_doc(p.lower()).text.split())
                                    for p in spec.treatment.other_care_contrast]
        self.cue_regexes = [(kind, re.compile(r, re.IGNORECASE))
                            for kind, patterns in (("disclaimer", spec.disclaimer.regex),
                                                   ("critique", spec.critique.regex),
                                                   ("hedge_strong", spec.hedge.strong_regex))
                            for r in patterns]
        self.negation_cues = {c.lower() for c in spec.negation.cues}
        self.negation_stop = {c.lower() for c in spec.negation.stop}
        self.negation_exceptions = {" ".join(c.lower().split()) for c in spec.negation.exceptions}
        self.negation_clause_initial = {c.lower() for c in spec.negation.clause_initial}
        self.negation_unmet_need = {c.lower() for c in spec.negation.unmet_need}
        self.negation_contrast = {c.lower() for c in spec.negation.contrast}
        words = spec.indications
        self.indication_words = IndicationWords(
            frozenset(words.offer_words), frozenset(words.strong_offer_words),
            frozenset(words.risk_words), re.compile(words.list_intro),
            {tag: re.compile(pattern) for tag, pattern in words.setting_words.items()})

    # "a gene therapy, not a stem cell treatment", "PRP contains no stem cells": a treatment named
    # only to say it is not the one in question does not make the sentence about it.
    _DENIERS = frozenset({"not", "no", "non"})
    _DENIAL_FILLERS = frozenset({"a", "an", "any", "the", "-", "stem", "cord", "blood", "adult",
                                 "mesenchymal", "umbilical", "real", "actual", "live"})

    def _denied(self, lower: list[str], start: int) -> bool:
        i = start - 1
        while i >= 0 and start - i <= 3 and lower[i] in self._DENIAL_FILLERS:
            i -= 1
        return i >= 0 and lower[i] in self._DENIERS

    def marks(self, document: Document) -> Marks:
        treatment: set[int] = set()
        medical: set[int] = set()
        other_care: set[int] = set()
        promises: list[tuple[int, int]] = []
        cues: dict[int, list[Cue]] = {}
        doc = document.doc
        research = sum(len(r.findall(document.text)) for r in self.research_regexes)
        sales = address = 0
        personal: list[str] = []
        first_person = 0
        for match_id, start, end in self.matcher(doc):
            kind = self._kind_of[match_id]
            if kind == "research":
                research += 1
                continue
            if kind == "advert":
                sales += 1
                continue
            if kind == "personal":
                personal.append(document.span_text(start, end))
                continue
            if kind == "first_person":
                first_person += 1
                continue
            if kind == "address":
                address += 1
                continue
            sent_index = document.sentence_of(start)
            if sent_index < 0:
                continue
            if kind == "other_care":
                if not self._named_as_replaced(document, start):
                    other_care.add(sent_index)
                continue
            if kind == "not_hedge":
                promises.append((start, end))
                continue
            if kind == "treatment":
                if not self._denied(document.lower, start):
                    treatment.add(sent_index)
            elif kind == "medical":
                medical.add(sent_index)
            else:
                cues.setdefault(sent_index, []).append(Cue(kind, start, end, document.span_text(start, end)))
        for kind, regex in self.cue_regexes:
            for m in regex.finditer(document.text):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is None or not len(span):
                    continue
                sent_index = document.sentence_of(span.start)
                if sent_index >= 0:
                    cues.setdefault(sent_index, []).append(
                        Cue(kind, span.start, span.end, span.text))
        if promises:  # "new hope" is a promise, not a hedge
            for sent_index, found in cues.items():
                cues[sent_index] = [c for c in found if not (c.kind == "hedge_weak" and any(
                    s <= c.start and c.end <= e for s, e in promises))]
        _carry_list_framing(document, cues)
        questions = set()
        is_space, token_text = document.is_space, document.token_text
        for index, sent in enumerate(document.sents):
            last = next((i for i in range(sent.end - 1, sent.start - 1, -1) if not is_space[i]),
                        None)
            if last is not None and token_text[last] == "?":
                questions.add(index)
        return Marks(self, document, treatment, medical, cues, questions, research, sales,
                     address, personal, first_person, other_care)

    def _named_as_replaced(self, document: Document, start: int) -> bool:
        """ "instead of pills or an operation": the care named is what is replaced."""
        lower, is_space = document.lower, document.is_space
        before = [lower[i] for i in range(max(0, start - 6), start) if not is_space[i]]
        return any(tuple(before[i:i + len(c)]) == c
                   for c in self.other_care_contrast for i in range(len(before) - len(c) + 1))


_CARRIED = ("critique", "disclaimer")
_BULLETS = ("-", "*", "\u2022")  # text.prepare folds every other bullet to "\u2022"


def _carry_list_framing(document: Document, cues: dict[int, list[Cue]]) -> None:
    """A heading or lead-in that warns ("Warning signs", "Be careful if you see:") or rules out
    ("Who is not a good candidate?") frames the list under it: each bulleted item that follows
    carries the opener's critique or disclaimer cue too.

    An opener is a line that is not itself a list item, with such a cue, that ends in a colon
    or is a short line without a full stop (a heading, a question heading). Its frame is the
    run of bulleted lines right after it, in its paragraph or the next one.
    """
    sents, para = document.sents, document.para_of_sent
    sent_text = document.sent_text
    for i in range(len(sents)):
        framing = [c for c in cues.get(i, ()) if c.kind in _CARRIED]
        if not framing:
            continue
        text = sent_text[i].strip()
        if text.startswith(_BULLETS):
            continue
        if not (text.endswith(":") or (document.is_short(i) and not text.endswith((".", "!")))):
            continue
        j = i + 1
        # a heading's lead-in line ("Be especially careful if you see:") may sit between
        if j < len(sents) and para[j] - para[i] <= 1:
            lead_in = sent_text[j].strip()
            if lead_in.endswith(":") and not lead_in.startswith(_BULLETS):
                j += 1
        while (j < len(sents) and j - i <= 25 and para[j] - para[i] <= 1
               and sent_text[j].strip().startswith(_BULLETS)):
            for cue in framing:
                if not any(c.kind == cue.kind for c in cues.get(j, ())):
                    cues.setdefault(j, []).append(cue)
            j += 1


def _load_yaml(path: Path) -> Any:
    return yamlio.read_file(path, lambda problem: RuleFileError(str(path), problem))


def load_context(rules_dir: Path | None = None) -> ContextVocabulary:
    path = (rules_dir or RULES_DIR) / CONTEXT_FILE_NAME
    data = _load_yaml(path)
    spec = yamlio.validated(ContextFile, data, lambda problem: RuleFileError(str(path), problem))
    for where, patterns in (("disclaimer.regex", spec.disclaimer.regex),
                            ("critique.regex", spec.critique.regex),
                            ("hedge.strong_regex", spec.hedge.strong_regex),
                            ("register.research_regex", spec.register_.research_regex),
                            ("indications.list_intro", [spec.indications.list_intro]),
                            ("indications.setting_words",
                             list(spec.indications.setting_words.values()))):
        for pattern in patterns:
            problem = pattern_problem(pattern)
            if problem:
                raise RuleFileError(str(path), f"{where}: {problem}")
    return ContextVocabulary(spec, path)


@lru_cache(maxsize=4)
def default_context(rules_dir: str | None = None) -> ContextVocabulary:
    return load_context(Path(rules_dir) if rules_dir else None)
