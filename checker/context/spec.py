"""The schema of ``rules/context.yaml``: what surrounds a claim and how much it changes it.

Validated when it loads; a broken file stops start-up with a ``RuleFileError`` naming the field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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


class _Indications(_Strict):
    offer_words: list[str] = Field(min_length=1)
    strong_offer_words: list[str] = Field(min_length=1)
    risk_words: list[str] = Field(min_length=1)
    list_intro: str
    setting_words: dict[str, str]


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
    indications: _Indications
