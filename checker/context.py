"""What surrounds a claim: treatment mentions, negations, disclaimers, hedges, critique, questions.

The vocabulary lives in ``rules/context.yaml``. ``ContextVocabulary.marks(document)`` finds every
cue once per document; ``Marks.modifiers(...)`` then says, for one matched span, which cues
change its weight and by how much. The rule engine and the indications detector both use it, so
"not approved for autism" softens a claim and an indication the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from . import yamlio
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.matcher import PhraseMatcher

from .document import Document
from .errors import RuleFileError
from .nlp import get_nlp
from .paths import RULES_DIR

CONTEXT_FILE_NAME = "context.yaml"
MODIFIER_KINDS = ("negation", "disclaimer", "hedge", "critique", "question", "approved")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Treatment(_Strict):
    window: int = Field(ge=0, le=20)
    whole_text_below: int = Field(ge=0, le=1000)
    phrases: list[str] = Field(min_length=1)


class _Medical(_Strict):
    phrases: list[str] = Field(min_length=1)


class _Negation(_Strict):
    factor: float = Field(ge=0, le=1)
    window: int = Field(ge=1, le=10)
    cues: list[str] = Field(min_length=1)
    exceptions: list[str] = []
    stop: list[str] = []


class _Factored(_Strict):
    factor: float = Field(ge=0, le=1)
    phrases: list[str] = Field(min_length=1)


class _Hedge(_Strict):
    strong_factor: float = Field(ge=0, le=1)
    weak_factor: float = Field(ge=0, le=1)
    carry_factor: float = Field(ge=0, le=1)
    carry_sentences: int = Field(ge=0, le=5)
    strong: list[str] = Field(min_length=1)
    weak: list[str] = Field(min_length=1)


class _Approved(_Strict):
    factor: float = Field(ge=0, le=1)
    carry_sentences: int = Field(ge=0, le=5)
    phrases: list[str] = Field(min_length=1)


class _Question(_Strict):
    factor: float = Field(ge=0, le=1)


class _Register(_Strict):
    factor: float = Field(ge=0, le=1)
    min_research_cues: int = Field(ge=1)
    ratio: float = Field(gt=0)
    research_regex: list[str] = []
    research: list[str] = Field(min_length=1)
    advert: list[str] = Field(min_length=1)


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
    advert_cues: int = 0

    @property
    def reads_like_research(self) -> bool:
        """True when the whole text reads like research or news writing, not a sales page."""
        spec = self.vocabulary.spec.register_
        return (self.research_cues >= spec.min_research_cues
                and self.research_cues >= spec.ratio * max(self.advert_cues, 1))

    def has_treatment_near(self, sent_index: int) -> bool:
        """A cell or regenerative treatment is named near the sentence (see context.yaml)."""
        return self._near(self.treatment_sents, sent_index)

    def has_medical_near(self, sent_index: int) -> bool:
        """Any medical treatment word (or a cell treatment) is named near the sentence."""
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
            return whole_sentence or cue.end <= start or cue.start >= end

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
                                 f"{self.advert_cues} sales cues in the text",
                          "factor": spec.register_.factor})
        steps.sort(key=lambda s: s["factor"])
        return steps

    def _negator(self, start: int, sent_index: int) -> str | None:
        vocab = self.vocabulary
        doc = self.document.doc
        sent = self.document.sents[sent_index]
        steps = 0
        i = start - 1
        while i >= sent.start and steps < vocab.spec.negation.window:
            token = doc[i]
            lower = token.lower_
            if token.is_punct and lower not in ("'", "-"):
                return None
            if lower in vocab.negation_stop:
                return None
            if lower in vocab.negation_cues:
                following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
                if f"{lower} {following}" in vocab.negation_exceptions:
                    return None
                return token.text
            if not token.is_space:
                steps += 1
            i -= 1
        return None

    def _approved_near(self, sent_index: int, start: int, end: int,
                       whole_sentence: bool = False) -> str | None:
        """An approved product or established care named in the sentence or just before it."""
        spec = self.vocabulary.spec.approved
        for cue in self.cues(sent_index, "approved"):
            if whole_sentence or cue.end <= start or cue.start >= end:
                return cue.text
        paragraph = self.document.para_of_sent[sent_index]
        for back in range(1, spec.carry_sentences + 1):
            j = sent_index - back
            if j < 0 or self.document.para_of_sent[j] != paragraph:
                break
            found = self.cues(j, "approved")
            if found:
                return found[0].text
        return None

    def _carried_hedge(self, sent_index: int) -> str | None:
        spec = self.vocabulary.spec.hedge
        paragraph = self.document.para_of_sent[sent_index]
        for back in range(1, spec.carry_sentences + 1):
            j = sent_index - back
            if j < 0 or self.document.para_of_sent[j] != paragraph:
                break
            strong = self.cues(j, "hedge_strong")
            if strong:
                return strong[0].text
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
        groups["research"] = spec.register_.research
        groups["advert"] = spec.register_.advert
        for kind, phrases in groups.items():
            self.matcher.add(kind, [nlp.make_doc(p) for p in phrases])
        self._kind_of = {nlp.vocab.strings[k]: k for k in groups}
        self.research_regexes = [re.compile(r) for r in spec.register_.research_regex]
        self.negation_cues = {c.lower() for c in spec.negation.cues}
        self.negation_stop = {c.lower() for c in spec.negation.stop}
        self.negation_exceptions = {" ".join(c.lower().split()) for c in spec.negation.exceptions}

    def marks(self, document: Document) -> Marks:
        treatment: set[int] = set()
        medical: set[int] = set()
        cues: dict[int, list[Cue]] = {}
        doc = document.doc
        research = sum(len(r.findall(document.text)) for r in self.research_regexes)
        advert = 0
        for match_id, start, end in self.matcher(doc):
            kind = self._kind_of[match_id]
            if kind == "research":
                research += 1
                continue
            if kind == "advert":
                advert += 1
                continue
            sent_index = document.sentence_of(start)
            if sent_index < 0:
                continue
            if kind == "treatment":
                treatment.add(sent_index)
            elif kind == "medical":
                medical.add(sent_index)
            else:
                cues.setdefault(sent_index, []).append(Cue(kind, start, end, doc[start:end].text))
        questions = set()
        for index, sent in enumerate(document.sents):
            last = next((t for t in reversed(sent) if not t.is_space), None)
            if last is not None and last.text == "?":
                questions.add(index)
        return Marks(self, document, treatment, medical, cues, questions, research, advert)


def _load_yaml(path: Path) -> Any:
    try:
        return yamlio.load_path(path)
    except FileNotFoundError:
        raise RuleFileError(str(path), "file not found") from None
    except yamlio.YAMLError as exc:
        raise RuleFileError(str(path), f"not valid YAML: {exc}") from None


def load_context(rules_dir: Path | None = None) -> ContextVocabulary:
    path = (rules_dir or RULES_DIR) / CONTEXT_FILE_NAME
    data = _load_yaml(path)
    try:
        spec = ContextFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleFileError(str(path), f"{where}: {first['msg']}") from None
    return ContextVocabulary(spec, path)


@lru_cache(maxsize=4)
def default_context(rules_dir: str | None = None) -> ContextVocabulary:
    return load_context(Path(rules_dir) if rules_dir else None)
