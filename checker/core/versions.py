"""The version of the data a result depends on, besides the rules and the model."""

from __future__ import annotations

import hashlib

from checker.core.paths import CORPUS_DIR

DATA_FILES = ("editorial/passages.yaml", "regulators.yaml", "conditions.yaml", "therapies.yaml",
              "fx_rates.yaml")


def data_version() -> str:
    """A hash of the data files every check reads (passages, regulators, conditions, approvals,
    exchange rates), in a fixed order."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        path = CORPUS_DIR / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()[:16]
