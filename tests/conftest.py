"""Shared fixtures: one Checker per test session (building spaCy matchers takes a second)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from checker.engine import Checker
from checker.core.paths import CORPUS_DIR, DOCS_DIR, ROOT

SAMPLES = sorted((CORPUS_DIR / "samples").glob("advert-*.txt"))
EDITORIAL = CORPUS_DIR / "editorial" / "choudhery-umezawa-2025-stem-cells-as-biological-drugs.txt"


@pytest.fixture(scope="session")
def checker() -> Checker:
    return Checker()


@pytest.fixture(scope="session")
def rules_checker() -> Checker:
    """Rules only, no classifier: what the rule examples are written against."""
    return Checker(classifier=False)


@pytest.fixture(scope="session")
def result_validator() -> dict[str, jsonschema.Draft202012Validator]:
    """A validator for each result format: its published schema."""
    validators = {}
    for fmt, name in (("1", "result.schema.json"), ("2", "result.v2.schema.json")):
        schema = json.loads((DOCS_DIR / name).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[fmt] = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker())
    return validators


def assert_valid_result(validators, text: str, result: dict) -> None:
    """Valid against its format's schema, and every span points into the user's own text."""
    validator = validators[result["format"]]
    errors = sorted(validator.iter_errors(result), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    for f in result["findings"]:
        assert text[f["start"]:f["end"]] == f["text"], f
    for p in result["prices"]:
        assert text[p["start"]:p["end"]] == p["text"], p
    for ind in result["indications"]:
        for start, end in ind["mentions"]:
            assert 0 <= start < end <= len(text)


@pytest.fixture
def validate(result_validator):
    def _validate(text: str, result: dict) -> None:
        assert_valid_result(result_validator, text, result)
    return _validate


__all__ = ["ROOT", "SAMPLES", "EDITORIAL", "Path"]


@pytest.fixture
def make_app(tmp_path, checker):
    """Build the web app on a fresh SQLite file in ``tmp_path``, with the session's checker:
    ``make_app(RATELIMIT_READS="5/minute", ...)`` overrides any setting."""
    from checker.surfaces.web import create_app

    def build(**config):
        settings = {"DATABASE": str(tmp_path / "app.db"), "CHECKER": checker,
                    "JOB_WORKER": False, "SECRET_KEY": "test-secret", **config}
        return create_app(settings)
    return build


def form_token(client) -> str:
    """The CSRF token of the form page, as a browser would read it."""
    import re

    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
