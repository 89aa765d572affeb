"""The web application: one factory, a blueprint for the patients' pages and one for the API.

``create_app(config)`` builds the app on an embedded SQLite database (sqlite-utils). The
checker (spaCy pipeline, rules, model) is loaded once per process and shared by requests;
each request opens its own database connection and closes it on teardown.

Security of the page itself: every template autoescapes (the pasted text is never HTML), forms
carry a CSRF token (Flask-WTF), responses carry a Content-Security-Policy without inline
scripts or styles, ``X-Content-Type-Options: nosniff`` and ``frame-ancestors 'none'``.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

import orjson
from flask import Flask, g, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..errors import CheckerError
from ..paths import ROOT
from ..store import Store

log = logging.getLogger(__name__)

DEFAULT_DB = ROOT / "instance" / "checker.db"
MAX_TEXT_CHARS = 100_000

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://",
                  headers_enabled=True)

ENV_SETTINGS = {
    "RATELIMIT_ANONYMOUS": str, "RATELIMIT_KEYED": str, "JOB_LEASE_SECONDS": float,
    "JOB_BATCH": int, "JOB_IDLE_SECONDS": float,
}

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--db, else $CHECKER_DB, else instance/checker.db beside the code."""
    return Path(explicit or os.environ.get("CHECKER_DB") or DEFAULT_DB)


def _secret_key(db_path: Path) -> str:
    """A stable secret per installation, kept beside the database (never in the repository)."""
    env = os.environ.get("CHECKER_SECRET_KEY")
    if env:
        return env
    path = db_path.parent / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    config = dict(config or {})
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.json = FastJSONProvider(app)
    db_path = database_path(config.pop("DATABASE", None))
    app.config.update(
        DATABASE=str(db_path),
        MAX_TEXT_CHARS=MAX_TEXT_CHARS,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,      # uploads for jobs; text fields are checked apart
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        RATELIMIT_ANONYMOUS="60/minute",
        RATELIMIT_KEYED="600/minute",
        WTF_CSRF_TIME_LIMIT=None,
        JOB_WORKER=True,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    # Deployment settings may also come from the environment (CHECKER_JOB_LEASE_SECONDS=10, ...).
    for name, cast in ENV_SETTINGS.items():
        value = os.environ.get(f"CHECKER_{name}")
        if value is not None:
            app.config[name] = cast(value)
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(db_path)

    # The checker is built once per process (spaCy pipeline, matchers, model).
    checker = app.config.pop("CHECKER", None)
    if checker is None:
        from ..engine import Checker
        checker = Checker(classifier=app.config.get("CLASSIFIER", True))
    app.extensions["checker"] = checker

    # Create or migrate the database at start-up, so the first request does not pay for it.
    Store(db_path).close()

    csrf.init_app(app)
    limiter.init_app(app)

    from .api import api
    from .pages import pages

    app.register_blueprint(pages)
    app.register_blueprint(api)
    csrf.exempt(api)

    @app.teardown_appcontext
    def close_store(_exc: BaseException | None) -> None:
        store = g.pop("store", None)
        if store is not None:
            store.close()

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Permissions-Policy", "interest-cohort=()")
        return response

    _register_page_errors(app)

    if app.config.get("JOB_WORKER"):
        from .jobs import start_worker
        start_worker(app)
    return app


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON, encoded by orjson where Flask would write compact JSON.

    A result is tens of kilobytes of JSON; the standard encoder took ~2 ms of a request. Same
    keys (sorted, as Flask sorts them), same values; non-ASCII text is sent as UTF-8 rather than
    as escapes. Anything else (an indent asked for, say, in debug mode) goes to Flask's encoder.
    """

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("separators", (",", ":")) == (",", ":") and set(kwargs) <= {"separators"}:
            option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_SORT_KEYS if self.sort_keys else 0)
            return orjson.dumps(obj, default=self.default, option=option).decode("utf-8")
        return super().dumps(obj, **kwargs)


def get_store() -> Store:
    from flask import current_app

    if "store" not in g:
        g.store = Store(current_app.config["DATABASE"])
    return g.store


def get_checker() -> Any:
    from flask import current_app

    return current_app.extensions["checker"]


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def _register_page_errors(app: Flask) -> None:
    from .api import problem

    def page(status: int, title: str, message: str):  # type: ignore[no-untyped-def]
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        return page(400, "Please try again",
                    "Your form had expired or came from another site. Go back to the form, "
                    "paste the text again and press Check.")

    @app.errorhandler(404)
    def not_found(exc: Exception):  # type: ignore[no-untyped-def]
        if _wants_json():
            return problem(404, "Not found", "There is nothing at this address.")
        return page(404, "Page not found",
                    "There is nothing at this address. If it was a saved check, the link may be "
                    "mistyped.")

    @app.errorhandler(405)
    def not_allowed(exc: Exception):  # type: ignore[no-untyped-def]
        allowed = ", ".join(sorted(getattr(exc, "valid_methods", None) or []))
        if _wants_json():
            response = problem(405, "Method not allowed", f"{request.method} is not allowed here.")
        else:
            response = page(405, "Not allowed", "This page cannot be used that way.")
            response = app.make_response(response)
        if allowed:
            response.headers["Allow"] = allowed  # RFC 9110
        return response

    @app.errorhandler(413)
    def too_large(exc: Exception):  # type: ignore[no-untyped-def]
        if _wants_json():
            return problem(413, "Request too large",
                           "The request is larger than the server accepts.")
        return page(413, "That was too much text",
                    f"Please paste at most {MAX_TEXT_CHARS:,} characters (about 15,000 words).")

    @app.errorhandler(429)
    def too_many(exc: Exception):  # type: ignore[no-untyped-def]
        if _wants_json():
            return problem(429, "Too many requests",
                           f"Rate limit exceeded ({getattr(exc, 'description', '')}). "
                           "Slow down, or use an API key.")
        return page(429, "Too many checks at once",
                    "You have checked a lot of texts in a short time. Please wait a minute.")

    @app.errorhandler(CheckerError)
    def checker_error(exc: CheckerError):  # type: ignore[no-untyped-def]
        log.warning("checker error: %s", exc)
        if _wants_json():
            return problem(400, "Cannot check this", exc.message)
        return page(400, "We could not check this", exc.message)

    @app.errorhandler(500)
    def server_error(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unexpected error")
        if _wants_json():
            return problem(500, "Internal error", "Something went wrong on our side.")
        return page(500, "Something went wrong", "Something went wrong on our side. Nothing you "
                    "pasted was lost; please try again.")
