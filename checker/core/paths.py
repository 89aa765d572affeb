"""Where the project's data lives: beside the package, never inside it."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = Path(os.environ.get("CHECKER_RULES_DIR", ROOT / "rules"))
CORPUS_DIR = ROOT / "corpus"
MODELS_DIR = Path(os.environ.get("CHECKER_MODELS_DIR", ROOT / "models"))
DOCS_DIR = ROOT / "docs"
