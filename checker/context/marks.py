"""What surrounds a claim: treatment mentions, negations, disclaimers, hedges, critique, questions.

The vocabulary lives in ``rules/context.yaml``. ``ContextVocabulary.marks(document)`` finds every
cue once per document; ``Marks.modifiers(...)`` then says, for one matched span, which cues
change its weight and by how much. The rule engine and the indications detector both use it, so
"not approved for autism" softens a claim and an indication the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from checker.core import yamlio
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.matcher import PhraseMatcher

from checker.core.document import Document
from checker.core.errors import RuleFileError
from checker.core.nlp import get_nlp
from checker.core.paths import RULES_DIR

CONTEXT_FILE_NAME = "context.yaml"
MODIFIER_KINDS = ("negation", "disclaimer", "hedge", "critique", "question", "approved")
# How far back (tokens) a clause-initial negation is looked for. A clause is a few dozen tokens;
# without a bound, a sentence of 20,000 repeated words made every match walk back to its start.
CLAUSE_REACH = 80


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Treatment(_Strict):
    window: int = Field(ge=0, le=20)
    whole_text_below: int = Field(ge=0, le=1000)
    unnamed_short_text: bool = False
    # Conventional care that, named in such a text, is what it is about instead ("Cortisone
    # injections relieve knee pain"); not when it is named as what the treatment replaces.
    other_care: list[str] = []
    other_care_contrast: list[str] = []
    phrases: list[str] = Field(min_length=1)


class _Medical(_Strict):
    phrases: list[str] = Field(min_length=1)


class _Negation(_Strict):
    factor: float = Field(ge=0, le=1)
    window: int = Field(ge=1, le=10)
    cues: list[str] = Field(min_length=1)
    exceptions: list[str] = []
    stop: list[str] = []
    clause_initial: list[str] = []   # a clause opening with these negates the whole clause
    unmet_need: list[str] = []       # "no cure for X, but ...": these nouns, then "for"
    contrast: list[str] = []


class _Factored(_Strict):
    factor: float = Field(ge=0, le=1)
    phrases: list[str] = Field(min_length=1)
    # Cues that phrases cannot say ("no published studies", "these overseas clinics"): matched
    # case-insensitively on the prepared text; every repeat must be bounded.
    regex: list[str] = []


class _Hedge(_Strict):
    strong_factor: float = Field(ge=0, le=1)
    weak_factor: float = Field(ge=0, le=1)
    carry_factor: float = Field(ge=0, le=1)
    carry_sentences: int = Field(ge=0, le=5)
    strong: list[str] = Field(min_length=1)
    weak: list[str] = Field(min_length=1)
    strong_regex: list[str] = []
    not_hedges: list[str] = []   # hedge words used as a promise: "offers new hope"


class _Approved(_Strict):
    factor: float = Field(ge=0, le=1)
    carry_sentences: int = Field(ge=0, le=5)
    carry_after: int = Field(default=0, ge=0, le=5)   # also the sentences just after
    phrases: list[str] = Field(min_length=1)
    # A text that is about established care as a whole (a transplant centre's page): at least
    # `page_min_sentences` sentences name it, and they are at least `page_share` of the sentences
    # that name any cell treatment. Then every finding counts for `factor`, as for the register.
    page_min_sentences: int = Field(default=0, ge=0)
    page_share: float = Field(default=1.0, ge=0, le=1)


class _Question(_Strict):
    factor: float = Field(ge=0, le=1)


class _Register(_Strict):
    factor: float = Field(ge=0, le=1)
    min_research_cues: int = Field(ge=1)
    ratio: float = Field(gt=0)
    research_regex: list[str] = []
    research: list[str] = Field(min_length=1)
    advert: list[str] = Field(min_length=1)
    # Words that speak to the reader ("you", "your"): sales pages use them, and so do patient
    # guides and charities' advice. Each counts as `address_weight` of a sales cue.
    address: list[str] = []
    address_weight: float = Field(default=1.0, ge=0, le=1)
    # The critical register: a text in which at least `min_critique_sentences` sentences (and at
    # least `critique_share` of all its sentences) report or criticise claims, and which has more
    # of those sentences than sales cues, is a critique, a news report or a regulator's warning.
    min_critique_sentences: int = Field(default=0, ge=0)
    critique_share: float = Field(default=0.0, ge=0, le=1)
    # A personal post: someone asking others about a clinic ("Has anyone tried...?") in a text
    # with at most `personal_max_sales` sales cues ("you" and "your" not counted) is reporting
    # what a clinic told them, not advertising.
    personal: list[str] = []
    personal_max_sales: int = Field(default=0, ge=0)
    # ... and who speaks for themselves ("I", "my") at least this often
    first_person: list[str] = []
    personal_min_first_person: int = Field(default=1, ge=0)


class ContextFile(_Strict):
    kind: Literal["context"]
    version: int
    treatment: _Treatment
    medical: _Medical
    negation: _Negation
    disclaimer: _Factored
    hedge: _Hedge
    critique: _Factored
    approved: _Approved
    question: _Question
    register_: _Register = Field(alias="register")  # "register" would shadow a BaseModel method


@dataclass(frozen=True)
class Cue:
    kind: str
    start: int      # token offsets
    end: int
    text: str


@dataclass
class Marks:
    """Every context cue of one document, indexed by sentence."""

    vocabulary: "ContextVocabulary"
    document: Document
    treatment_sents: set[int]
    medical_sents: set[int]
    cues_by_sent: dict[int, list[Cue]] = field(default_factory=dict)
    question_sents: set[int] = field(default_factory=set)
    research_cues: int = 0
    sales_cues: int = 0       # "our clinic", "book", "price"...
    address_cues: int = 0     # "you", "your"
    personal_cues: list[str] = field(default_factory=list)
    first_person_cues: int = 0
    other_care_sents: set[int] = field(default_factory=set)

    @property
    def advert_cues(self) -> float:
        """Sales cues, with each word that speaks to the reader counting `address_weight`."""
        return self.sales_cues + self.vocabulary.spec.register_.address_weight * self.address_cues

    @property
    def reads_like_research(self) -> bool:
        """True when the whole text reads like research or news writing, not a sales page."""
        spec = self.vocabulary.spec.register_
        return (self.research_cues >= spec.min_research_cues
                and self.research_cues >= spec.ratio * max(self.advert_cues, 1))

    @property
    def reads_like_personal_post(self) -> bool:
        """True when the text is someone asking others about a clinic, not the clinic selling."""
        spec = self.vocabulary.spec.register_
        return (bool(self.personal_cues) and self.sales_cues <= spec.personal_max_sales
                and self.first_person_cues >= spec.personal_min_first_person)

    @cached_property
    def critique_sents(self) -> set[int]:
        """Sentences with a critique cue (a reporter, critic or regulator speaking)."""
        return {i for i, cues in self.cues_by_sent.items() if any(c.kind == "critique" for c in cues)}

    @cached_property
    def reads_like_critique(self) -> bool:
        """True when the whole text reports or criticises claims rather than making them."""
        spec = self.vocabulary.spec.register_
        n = len(self.critique_sents)
        return (spec.min_critique_sentences > 0 and n >= spec.min_critique_sentences
                and n >= spec.critique_share * len(self.document.sents)
                and n > self.advert_cues)

    @cached_property
    def about_established_care(self) -> bool:
        """True when the whole text is about approved products or established care."""
        spec = self.vocabulary.spec.approved
        if spec.page_min_sentences <= 0:
            return False
        approved = {i for i, cues in self.cues_by_sent.items() if any(c.kind == "approved" for c in cues)}
        if len(approved) < spec.page_min_sentences:
            return False
        return len(approved) >= spec.page_share * len(self.treatment_sents | approved)

    def has_treatment_near(self, sent_index: int) -> bool:
        """A cell or regenerative treatment is named near the sentence (see context.yaml).

        A short text that names no treatment at all (an excerpt of a clinic page: "Nearly everyone
        walks better a week later") is taken to be about the treatment of the page it came from,
        when ``unnamed_short_text`` is set: it is what this checker is given to read.
        """
        if self._near(self.treatment_sents, sent_index):
            return True
        spec = self.vocabulary.spec.treatment
        return (spec.unnamed_short_text and not self.treatment_sents
                and not self.other_care_sents
                and len(self.document.sents) <= spec.whole_text_below)

    def has_medical_near(self, sent_index: int) -> bool:
        """Any medical treatment word (or a cell treatment) is named near the sentence.

        A text that names no cell or regenerative treatment anywhere but does name other care
        (surgery, physiotherapy, medication...) is about that care: a price on a cataract or
        physiotherapy page is not a price for an unproven treatment.
        """
        if not self.treatment_sents and self.other_care_sents:
            return False
        return self._near(self.medical_sents | self.treatment_sents, sent_index)

    def _near(self, sentences: set[int], sent_index: int) -> bool:
        spec = self.vocabulary.spec.treatment
        if not sentences:
            return False
        if len(self.document.sents) <= spec.whole_text_below:
            return True
        if any(i in sentences for i in range(sent_index - spec.window, sent_index + spec.window + 1)):
            return True
        paragraph = self.document.para_of_sent[sent_index]
        return any(self.document.para_of_sent[i] == paragraph for i in sentences)

    def cues(self, sent_index: int, kind: str) -> list[Cue]:
        return [c for c in self.cues_by_sent.get(sent_index, ()) if c.kind == kind]

    def modifiers(self, start: int, end: int, allowed: tuple[str, ...] = MODIFIER_KINDS,
                  whole_sentence: bool = False) -> list[dict[str, Any]]:
        """The cues that change the weight of the token span [start, end), strongest first.

        Each is a trail step: ``{"step", "cue", "factor"}``. Cues inside the span itself never
        count: a rule for "no side effects" is not negated by its own "no". A finding that spans
        its whole sentence (the classifier's) counts the cues inside it.
        """
        spec = self.vocabulary.spec
        sent_index = self.document.sentence_of(start)
        if sent_index < 0:
            return []
        steps: list[dict[str, Any]] = []

        def outside(cue: Cue) -> bool:
            # A cue wholly inside the match is the claim's own word ("no" of "no side effects");
            # one that reaches beyond it ("not yet proven" around "proven safe")
            # frames the claim and counts.
            return whole_sentence or cue.start < start or cue.end > end

        if "negation" in allowed:
            negator = self._negator(start, sent_index)
            if negator:
                steps.append({"step": "negation", "cue": negator, "factor": spec.negation.factor})
        if "disclaimer" in allowed:
            found = [c for c in self.cues(sent_index, "disclaimer") if outside(c)]
            if found:
                steps.append({"step": "disclaimer", "cue": found[0].text,
                              "factor": spec.disclaimer.factor})
        if "critique" in allowed:
            found = [c for c in self.cues(sent_index, "critique") if outside(c)]
            if found:
                steps.append({"step": "critique", "cue": found[0].text,
                              "factor": spec.critique.factor})
        if "hedge" in allowed:
            strong = [c for c in self.cues(sent_index, "hedge_strong") if outside(c)]
            weak = [c for c in self.cues(sent_index, "hedge_weak") if outside(c)]
            if strong:
                steps.append({"step": "hedge", "cue": strong[0].text,
                              "factor": spec.hedge.strong_factor})
            elif weak:
                steps.append({"step": "hedge", "cue": weak[0].text,
                              "factor": spec.hedge.weak_factor})
            else:
                carried = self._carried_hedge(sent_index)
                if carried:
                    steps.append({"step": "hedge_nearby", "cue": carried,
                                  "factor": spec.hedge.carry_factor})
        if "approved" in allowed:
            cue = self._approved_near(sent_index, start, end, whole_sentence)
            if cue:
                steps.append({"step": "approved", "cue": cue, "factor": spec.approved.factor})
        if "question" in allowed and sent_index in self.question_sents:
            steps.append({"step": "question", "cue": "?", "factor": spec.question.factor})
        if self.reads_like_research:  # the whole text's register applies to every rule
            steps.append({"step": "register",
                          "cue": f"{self.research_cues} research or news cues, "
                                 f"{self.advert_cues:g} sales cues in the text",
                          "factor": spec.register_.factor})
        elif self.reads_like_critique:
            steps.append({"step": "register",
                          "cue": f"{len(self.critique_sents)} of {len(self.document.sents)} "
                                 f"sentences report or criticise claims, "
                                 f"{self.advert_cues:g} sales cues in the text",
                          "factor": spec.register_.factor})
        elif self.reads_like_personal_post:
            steps.append({"step": "register",
                          "cue": f"a personal post asking others (\u201c{self.personal_cues[0]}"
                                 f"\u201d), {self.sales_cues} sales cues in the text",
                          "factor": spec.register_.factor})
        if self.about_established_care and not any(s["step"] == "approved" for s in steps):
            steps.append({"step": "approved", "cue": "the whole text is about established care",
                          "factor": spec.approved.factor})
        steps.sort(key=lambda s: s["factor"])
        return steps

    def _negator(self, start: int, sent_index: int) -> str | None:
        vocab = self.vocabulary
        document = self.document
        lower, is_punct, is_space = document.lower, document.is_punct, document.is_space
        sent_start = document.sents[sent_index].start
        steps = 0
        i = start - 1
        while i >= sent_start and steps < vocab.spec.negation.window:
            word = lower[i]
            if word in ("(", ")", "[", "]"):  # a parenthesis sits inside the clause
                i -= 1
                continue
            if is_punct[i] and word not in ("'", "-"):
                return None
            if word in vocab.negation_stop:
                return None
            if word in vocab.negation_cues:
                following = lower[i + 1] if i + 1 < len(lower) else ""
                if f"{word} {following}" in vocab.negation_exceptions:
                    return None
                if self._unmet_need(i, start, sent_index):
                    return None
                return document.token_text[i]
            if not is_space[i]:
                steps += 1
            i -= 1
        return self._clause_negated(start, sent_index)

    def _clause_negated(self, start: int, sent_index: int) -> str | None:
        """A clause that opens with a negated subject ("No such product has been approved for
        ...", "There is no stem cell treatment that ...") negates all of it, however long."""
        vocab = self.vocabulary
        if not vocab.spec.negation.clause_initial:
            return None
        document = self.document
        lower, is_punct, is_space = document.lower, document.is_punct, document.is_space
        sent_start = document.sents[sent_index].start
        first = start
        i = start - 1
        while i >= sent_start:
            word = lower[i]
            if (is_punct[i] and word not in ("'", "-", "(", ")")) or word in vocab.negation_stop:
                break
            if start - i > CLAUSE_REACH:
                return None  # no clause boundary within reach: not a clause that opens nearby
            first = i
            i -= 1
        words = [j for j in range(first, start) if not is_space[j] and not is_punct[j]]
        if len(words) >= 2 and lower[words[0]] == "there" and lower[words[1]] in (
                "is", "are", "'s", "was", "were", "has", "have", "exists", "exist"):
            words = [j for j in words[2:] if lower[j] != "been"]
        if len(words) < 2 or lower[words[0]] not in vocab.negation_clause_initial:
            return None
        if f"{lower[words[0]]} {lower[words[1]]}" in vocab.negation_exceptions:
            return None
        if self._unmet_need(words[0], start, sent_index):
            return None
        return document.token_text[words[0]]

    def _unmet_need(self, cue: int, start: int, sent_index: int) -> bool:
        """ "MS has no cure for now, but our cells can help": the "no" denies a cure, not
        the condition, and the contrast that follows makes the offer. The negation then does not
        reach a condition named after "no cure for" (it still cancels "cure" itself)."""
        vocab = self.vocabulary
        lower, is_space = self.document.lower, self.document.is_space
        between = [lower[j] for j in range(cue + 1, start) if not is_space[j]]
        need = any(w in vocab.negation_unmet_need and nxt == "for"
                   for w, nxt in zip(between, between[1:]))
        if not need:
            return False
        sent = self.document.sents[sent_index]
        return any(lower[j] in vocab.negation_contrast
                   for j in range(sent.start, sent.end) if j < cue or j >= start)

    def _approved_near(self, sent_index: int, start: int, end: int,
                       whole_sentence: bool = False) -> str | None:
        """An approved product or established care named in the sentence or just before it."""
        spec = self.vocabulary.spec.approved
        for cue in self.cues(sent_index, "approved"):
            if whole_sentence or cue.end <= start or cue.start >= end:
                return cue.text
        return (self._cue_nearby(sent_index, "approved", range(-1, -spec.carry_sentences - 1, -1))
                or self._cue_nearby(sent_index, "approved", range(1, spec.carry_after + 1)))

    def _carried_hedge(self, sent_index: int) -> str | None:
        spec = self.vocabulary.spec.hedge
        return self._cue_nearby(sent_index, "hedge_strong", range(-1, -spec.carry_sentences - 1, -1))

    def _cue_nearby(self, sent_index: int, kind: str, offsets: range) -> str | None:
        """The first cue of ``kind`` in the sentences at ``offsets``, within the paragraph."""
        paragraph = self.document.para_of_sent[sent_index]
        for offset in offsets:
            j = sent_index + offset
            if not 0 <= j < len(self.document.sents) or self.document.para_of_sent[j] != paragraph:
                break
            found = self.cues(j, kind)
            if found:
                return found[0].text
        return None


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
            "approved": spec.approved.phrases,
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
    try:
        spec = ContextFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleFileError(str(path), f"{where}: {first['msg']}") from None
    from checker.detect.rules import MAX_REGEX_REPEAT_PRODUCT, _regex_cost  # late: rules imports this module
    for where, patterns in (("disclaimer.regex", spec.disclaimer.regex),
                            ("critique.regex", spec.critique.regex),
                            ("hedge.strong_regex", spec.hedge.strong_regex),
                            ("register.research_regex", spec.register_.research_regex)):
        for pattern in patterns:
            try:
                cost = _regex_cost(pattern)
                re.compile(pattern)
            except (re.error, ValueError) as exc:
                raise RuleFileError(str(path), f"{where}: {pattern!r}: {exc}") from None
            if cost > MAX_REGEX_REPEAT_PRODUCT:
                raise RuleFileError(str(path), f"{where}: {pattern!r} may do {cost} steps at one "
                                    f"position (limit {MAX_REGEX_REPEAT_PRODUCT})")
    return ContextVocabulary(spec, path)


@lru_cache(maxsize=4)
def default_context(rules_dir: str | None = None) -> ContextVocabulary:
    return load_context(Path(rules_dir) if rules_dir else None)
