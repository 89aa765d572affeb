"""The guidance every finding cites: editorial passages (verbatim, with credit) and regulator sources.

Loaded once from ``corpus/editorial/passages.yaml`` and ``corpus/regulators.yaml``. A passage id
or source id that a rule names but that does not exist is a start-up error, not a silent gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from checker.core import yamlio

from checker.core.errors import DataFileError
from checker.core.paths import CORPUS_DIR

EDITORIAL_DIR = CORPUS_DIR / "editorial"
EDITORIAL_FILE = EDITORIAL_DIR / "choudhery-umezawa-2025-stem-cells-as-biological-drugs.txt"
PASSAGES_FILE = EDITORIAL_DIR / "passages.yaml"
REGULATORS_FILE = CORPUS_DIR / "regulators.yaml"

_WS = re.compile(r"\s+")


def fold_whitespace(text: str) -> str:
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Passage:
    id: str
    section: str
    quote: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class RegulatorSource:
    id: str
    source: str
    title: str
    url: str
    fact: str


@dataclass(frozen=True)
class Guidance:
    credit: str
    passages: dict[str, Passage]
    regulators: dict[str, RegulatorSource]

    def passage(self, passage_id: str) -> Passage:
        return self.passages[passage_id]

    def regulator(self, source_id: str) -> RegulatorSource:
        return self.regulators[source_id]


def _read_yaml(path: Path) -> dict:
    data = yamlio.read_file(path, lambda problem: DataFileError(f"{path}: {problem}"))
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping at the top level")
    return data


@lru_cache(maxsize=1)
def load_guidance() -> Guidance:
    data = _read_yaml(PASSAGES_FILE)
    passages: dict[str, Passage] = {}
    for item in data.get("passages", []):
        try:
            passage = Passage(item["id"], item["section"], fold_whitespace(item["quote"]),
                              tuple(item.get("topics", [])))
        except (KeyError, TypeError) as exc:
            raise DataFileError(f"{PASSAGES_FILE}: passage {item!r} lacks {exc}") from None
        if passage.id in passages:
            raise DataFileError(f"{PASSAGES_FILE}: passage id {passage.id!r} used twice")
        passages[passage.id] = passage
    credit = fold_whitespace(data.get("credit", ""))
    if not credit:
        raise DataFileError(f"{PASSAGES_FILE}: the credit line is missing")

    regulators: dict[str, RegulatorSource] = {}
    for item in _read_yaml(REGULATORS_FILE).get("sources", []):
        try:
            src = RegulatorSource(item["id"], item["source"], item["title"], item["url"],
                                  fold_whitespace(item["fact"]))
        except (KeyError, TypeError) as exc:
            raise DataFileError(f"{REGULATORS_FILE}: source {item!r} lacks {exc}") from None
        regulators[src.id] = src
    return Guidance(credit, passages, regulators)


@lru_cache(maxsize=1)
def editorial_text() -> str:
    """The editorial with whitespace folded: what verbatim quotes are checked against."""
    return fold_whitespace(EDITORIAL_FILE.read_text(encoding="utf8"))
