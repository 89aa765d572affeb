"""The context cues of one document, and what they do to one matched span.

``ContextVocabulary.marks(document)`` (checker.context.vocabulary) finds every cue once per
document; ``Marks.modifiers(...)`` then says, for one matched span, which cues change its weight
and by how much. Every detector weighs its matches through it (checker.context.weighing), so "not
approved for autism" softens a claim and an indication the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from checker.context.spec import CLAUSE_REACH, MODIFIER_KINDS
from checker.core.document import Document

@dataclass(frozen=True)
class Cue:
    kind: str
    start: int      # token offsets
    end: int
    text: str


@dataclass
class Marks:
    """Every context cue of one document, indexed by sentence."""

    vocabulary: Any   # the ContextVocabulary that found the cues (checker.context.vocabulary)
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
                          "cue": f"{_count(self.research_cues, 'research or news cue')}, "
                                 f"{_count(self.advert_cues, 'sales cue')} in the text",
                          "factor": spec.register_.factor})
        elif self.reads_like_critique:
            steps.append({"step": "register",
                          "cue": f"{len(self.critique_sents)} of "
                                 f"{_count(len(self.document.sents), 'sentence')} report or "
                                 f"criticise claims, {_count(self.advert_cues, 'sales cue')} "
                                 f"in the text",
                          "factor": spec.register_.factor})
        elif self.reads_like_personal_post:
            steps.append({"step": "register",
                          "cue": f"a personal post asking others (\u201c{self.personal_cues[0]}"
                                 f"\u201d), {_count(self.sales_cues, 'sales cue')} in the text",
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


def _count(n: float, noun: str) -> str:
    """ "1 sales cue", "2 sales cues", "0.5 sales cues": the count and its noun agreeing."""
    return f"{n:g} {noun}" + ("" if n == 1 else "s")
