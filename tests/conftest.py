"""Shared fixtures: one Checker per test session (building spaCy matchers takes a second)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from checker.engine import Checker, default_checker
from checker.core.paths import CORPUS_DIR, DOCS_DIR, ROOT

SAMPLES = sorted((CORPUS_DIR / "samples").glob("advert-*.txt"))
# The browser tests' Chromium: Debian's, driven by Playwright (which never downloads its own).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()
EDITORIAL = CORPUS_DIR / "editorial" / "choudhery-umezawa-2025-stem-cells-as-biological-drugs.txt"


@pytest.fixture(scope="session")
def checker() -> Checker:
    """The shipped checker, the same instance ``checker.check`` and the CLI use."""
    return default_checker()


@pytest.fixture(scope="session")
def rules_checker() -> Checker:
    """Rules only, no classifier and no speaker model: what the rule examples are written
    against."""
    return default_checker(classifier=False, speaker=False)


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


__all__ = ["ROOT", "SAMPLES", "EDITORIAL", "Path", "auth", "cli", "form_token", "submit"]


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


@pytest.fixture
def app(make_app):
    """The web app on a fresh database, the session's checker, no job worker thread."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def key(app) -> str:
    """A new API key of ``app``'s database."""
    from checker.surfaces.store import Store

    store = Store(app.config["DATABASE"])
    try:
        return store.create_key("tests")[0]
    finally:
        store.close()


def cli(*args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None):
    """``python -m checker ARGS`` in this process (what ``main`` does for a real one): its
    exit code and what it wrote to stdout and stderr (bytes), as ``returncode``, ``stdout``,
    ``stderr``. ``env`` sets environment variables for the run."""
    from types import SimpleNamespace

    from click.testing import CliRunner

    from checker.surfaces.cli import main

    with CliRunner().isolation(input=stdin, env=env) as (stdout, stderr, _):
        code = main(list(args))
    return SimpleNamespace(returncode=code, stdout=stdout.getvalue(), stderr=stderr.getvalue())


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def form_token(client) -> str:
    """The CSRF token of the form page, as a browser would read it."""
    import re

    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def submit(client, text: str, **fields):
    """Post the form as a browser would: its CSRF token, the text, any other fields."""
    return client.post("/check", data={"csrf_token": form_token(client), "text": text, **fields})


@pytest.fixture(scope="session")
def pages_server():
    """A local HTTP server of fixture pages, redirects, huge and slow answers and PDFs
    (tests.fetchserver): the web, for the fetching tests, without the network."""
    from tests.fetchserver import FetchServer

    with FetchServer() as running:
        yield running


@pytest.fixture
def loopback(monkeypatch):
    """Let the checker fetch from 127.0.0.1 (and nothing else private), where pages_server is."""
    monkeypatch.setenv("CHECKER_FETCH_ALLOW_LOOPBACK", "1")
