"""What the web app's parts share: the limits, the extensions, and the per-request helpers.

The application factory (checker.surfaces.web) and both blueprints (pages, api) import from
here, never from each other's modules.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, g, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from checker.core.errors import InputTooLarge, NotFound
from checker.core.inputs import has_text
from checker.core.paths import ROOT
from checker.formats import to_v1
from checker.intake import Intake, from_pasted, from_url
from checker.surfaces.store import Store

log = logging.getLogger(__name__)

DEFAULT_DB = ROOT / "instance" / "checker.db"
MAX_TEXT_CHARS = 100_000           # a text to check, on the form or the API
MAX_BATCH_ITEMS = 1000             # texts of one batch request
MAX_BATCH_CHARS = 2_000_000        # a batch request's texts in all; more goes to a job
CHECK_BODY_BYTES = 4 * 1024 * 1024  # a /check body: 100,000 characters, JSON-escaped, fit
MAX_JOB_ITEMS = 100_000            # items of one job
CHECK_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")   # what a saved check's id looks like

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://",
                  headers_enabled=True)

def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--db, else $CHECKER_DB, else instance/checker.db beside the code."""
    return Path(explicit or os.environ.get("CHECKER_DB") or DEFAULT_DB)


def purge(app: Flask, store: Store) -> dict[str, int]:
    """Delete what is past the retention settings (checks, anonymous audit rows)."""
    counts = store.purge(retention_days=app.config["RETENTION_DAYS"],
                         keyed_retention_days=app.config["KEYED_RETENTION_DAYS"])
    if any(counts.values()):
        log.info("purged past retention: %s", counts)
    return counts


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a report or a page: the configured BASE_URL and the route's path.

    Never built from the request's Host header, which any client can set to any site.
    """
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def get_store() -> Store:
    if "store" not in g:
        g.store = Store(current_app.config["DATABASE"])
    return g.store


def web_check(check_id: str) -> dict[str, Any]:
    """A stored check the web may show (else 404): made on the form or the open API, or
    published; its result in format 1, which the pages lay out (checks are stored in format 2).

    A check made with an API key belongs to that key: the web shows it only once published.
    """
    if not CHECK_ID.match(check_id):
        abort(404)
    try:
        row = get_store().get_check(check_id)
    except NotFound:
        abort(404)
    if row["key_id"] and not row["published"]:
        abort(404)
    row["result"] = to_v1(row["result"])
    return row


def get_checker() -> Any:
    return current_app.extensions["checker"]


def run_check(text: str, source: dict[str, Any] | None = None, options: Any = None) -> Any:
    """Check ``text`` for a request, within the app's time budget (CHECK_SECONDS): a Result,
    narrowed by ``options`` (checker.core.options) when given."""
    return get_checker().check(text, budget=current_app.config["CHECK_SECONDS"], source=source,
                               options=options)


def take_in(text: str | None = None, url: str | None = None) -> Intake:
    """The text to check and its source: pasted text (its visible text when it is markup), or
    the page at ``url`` fetched safely. FetchError or ExtractError say why not; a text longer
    than the app's limit is an InputTooLarge."""
    if text is not None and has_text(text):
        return within_limit(from_pasted(text), "The visible text of that markup")
    return within_limit(from_url(url or ""), "The text of that page")


def within_limit(found: Intake, what: str) -> Intake:
    """``found``, if its text is within the app's limit (MAX_TEXT_CHARS); else InputTooLarge
    saying what (``what``) was too long."""
    limit = current_app.config["MAX_TEXT_CHARS"]
    if len(found.text) > limit:
        raise InputTooLarge(f"{what} has {len(found.text):,} characters; at most {limit:,} can "
                            "be checked. Paste the part that describes the treatment instead.")
    return found
