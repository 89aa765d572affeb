"""The versions a result depends on: the checker's own, and the data's (besides the rules'
and the model's, which their loaders compute)."""

from __future__ import annotations

import hashlib

from checker.core.paths import CORPUS_DIR

CHECKER_VERSION = "0.2.0"   # 0.2: result format 2, private by default

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
