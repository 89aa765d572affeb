"""The approvals knowledge base: the conditions lexicon and what regulators approved for them.

Both live in ``corpus/`` as data:

* ``conditions.yaml`` — the conditions lexicon (id, label, organ system, terms matched in any
  case, abbreviations matched case-sensitively, tags such as ``fda_no_approval``);
* ``therapies.yaml`` — one entry per row of approved_therapies.csv (a product or a standard-of-
  care use), with its jurisdiction, approval type, year, the condition ids it covers, its source
  URL, and ``names``: the names it goes by in text (brand and non-proprietary names).

The approved products' names have this one home: the indications detector finds named products
with them, the context vocabulary counts them as cues of approved care, and the regulatory rules'
``unless`` lists take the FDA-approved ones (``@fda-approved-products``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from checker.core import yamlio
from checker.core.errors import DataFileError
from checker.core.paths import CORPUS_DIR
from checker.core.result import Citation

CONDITIONS_FILE = CORPUS_DIR / "conditions.yaml"
THERAPIES_FILE = CORPUS_DIR / "therapies.yaml"


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
    names: list[str] = []   # as the product is named in text, lower case (products only)


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
    product_names: dict[str, list[str]]    # a current product's name -> condition ids
    therapies: list[TherapySpec]

    def names(self, *, jurisdiction: str | None = None, current: bool = False) -> list[str]:
        """The names of the approved products (not standard-of-care uses), in file order: of
        one jurisdiction only, and only those not withdrawn, when asked."""
        out: dict[str, None] = {}
        for t in self.therapies:
            if t.jurisdiction == "International":
                continue
            if (jurisdiction and t.jurisdiction != jurisdiction) or \
                    (current and t.approval_type == "withdrawn"):
                continue
            out.update(dict.fromkeys(t.names))
        return list(out)


def _short_name(product: str) -> str:
    """'HEMACORD (HPC, Cord Blood) - New York Blood Center' -> 'HEMACORD'."""
    name = product.split(" - ")[0]
    name = re.sub(r"\(.*?\)", "", name).strip()
    return name


def _read(path: Path, model: type[BaseModel]) -> Any:
    error = lambda problem: DataFileError(f"{path}: {problem}")  # noqa: E731
    return yamlio.validated(model, yamlio.read_file(path, error), error)


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
        if t.jurisdiction != "International" and not t.names:
            raise DataFileError(f"{THERAPIES_FILE}: {t.id}: a product needs its names")
        if t.approval_type == "withdrawn":
            continue
        approval = Approval(t.product, _short_name(t.product), t.jurisdiction, t.regulator,
                            t.approval_type, t.year, t.indication, t.source)
        for cid in t.conditions:
            approvals[cid].append(approval)
        if t.jurisdiction != "International":
            for name in t.names:
                product_names[name].extend(t.conditions)
    return Knowledge(cfile.systems, conditions, dict(approvals), dict(product_names),
                     tfile.therapies)
