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
import sqlite3
from pathlib import Path
from typing import Any

import orjson
from flask import Flask, g, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError

from checker.core.errors import CheckerError, CheckTooSlow
from checker.core.paths import ROOT
from checker.core.errors import StoreError
from checker.surfaces.store import Store
from checker.surfaces.web.compress import compress
from checker.surfaces.web.shared import (MAX_TEXT_CHARS, csrf, database_path, external_url,
                                          limiter, purge)

log = logging.getLogger(__name__)

ENV_SETTINGS = {
    "RATELIMIT_ANONYMOUS": str, "RATELIMIT_KEYED": str, "RATELIMIT_READS": str,
    "JOB_LEASE_SECONDS": float, "JOB_BATCH": int, "JOB_IDLE_SECONDS": float,
    "RETENTION_DAYS": float, "KEYED_RETENTION_DAYS": float, "BASE_URL": str,
    "CHECK_SECONDS": float, "PROXY_HOPS": int, "MIN_FREE_BYTES": int,
}

CACHEABLE_ENDPOINTS = {"static", "pages.favicon"}

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")


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
        RATELIMIT_READS="300/minute",     # every other page and API read, per address
        WTF_CSRF_TIME_LIMIT=4 * 3600,     # a form older than four hours must be reloaded
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        JOB_WORKER=True,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        RETENTION_DAYS=30.0,              # unpublished checks made without a key
        KEYED_RETENTION_DAYS=0.0,         # a key's unpublished checks (0: until deleted)
        PURGE_EVERY_SECONDS=3600.0,
        BASE_URL="http://localhost:8000",  # links in reports; never taken from the Host header
        CHECK_SECONDS=20.0,               # the time budget of one check in a request
        MIN_FREE_BYTES=32 * 1024 * 1024,  # health reports "read-only" below this much disk free
    )
    # Deployment settings may also come from the environment (CHECKER_JOB_LEASE_SECONDS=10, ...).
    for name, cast in ENV_SETTINGS.items():
        value = os.environ.get(f"CHECKER_{name}")
        if value is not None:
            app.config[name] = cast(value)
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(db_path)
    app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].startswith("https://")

    # The checker is built once per process (spaCy pipeline, matchers, model).
    checker = app.config.pop("CHECKER", None)
    if checker is None:
        from checker.engine import Checker
        checker = Checker(classifier=app.config.get("CLASSIFIER", True))
    app.extensions["checker"] = checker

    # Create or migrate the database at start-up, so the first request does not pay for it;
    # make its files private to the server's user, and purge what is past its retention.
    store = Store(db_path)
    try:
        changed = store.tighten_permissions()
        if changed:
            log.warning("made %s readable by their owner only (0600)", ", ".join(changed))
        purge(app, store)
    finally:
        store.close()

    if app.config.get("PROXY_HOPS"):
        # Behind a proxy (docs/deploy): the client's address comes from the X-Forwarded-For
        # the proxy sets, so rate limits count clients, not the proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    csrf.init_app(app)
    limiter.init_app(app)

    from checker.surfaces.web.api import api
    from checker.surfaces.web.pages import pages
    from checker.surfaces.web.dashboards import dashboards, warm_up_charts
    from checker.surfaces.web.reporting import reporting

    app.register_blueprint(pages)
    app.register_blueprint(reporting)
    app.register_blueprint(dashboards)
    app.register_blueprint(api)
    csrf.exempt(api)
    from checker.surfaces.web.clinics import register as register_clinics
    register_clinics(app)   # /clinics, /compare and their API twins

    @app.teardown_appcontext
    def close_store(_exc: BaseException | None) -> None:
        store = g.pop("store", None)
        if store is not None:
            store.close()

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        # What a user checked is theirs: no shared cache may keep a result, a report, a page
        # that shows their text or an API answer. Only the stylesheet and icons are cacheable.
        if request.endpoint not in CACHEABLE_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store, private"
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Permissions-Policy", "interest-cohort=()")
        return compress(request, response)

    @app.context_processor
    def settings() -> dict[str, Any]:
        return {"retention_days": app.config["RETENTION_DAYS"], "external_url": external_url}

    _register_page_errors(app)

    if app.config.get("JOB_WORKER"):
        from checker.surfaces.web.jobs import start_worker
        start_worker(app)
        warm_up_charts()     # a server (not a test app): have the charts' library ready
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


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def _register_page_errors(app: Flask) -> None:
    from checker.surfaces.web.api_common import problem

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
        log.warning("checker error %s", exc.code)   # the message may quote the user's input
        status = 422 if isinstance(exc, CheckTooSlow) else 400
        if _wants_json():
            return problem(status, "Cannot check this", exc.message)
        return page(status, "We could not check this", exc.message)

    @app.errorhandler(StoreError)
    @app.errorhandler(sqlite3.Error)
    def storage_error(exc: Exception):  # type: ignore[no-untyped-def]
        # A full disk, a locked or unreadable database: the server's problem, said as such,
        # and nothing already stored is touched (every write is one transaction).
        log.error("storage error: %s", exc)
        message = ("The checker cannot store or read checks right now (the database is full "
                   "or unavailable). Nothing stored was lost. Try again later, or tick "
                   "\u201cDon't save my check\u201d to check without storing it.")
        if _wants_json():
            response = problem(503, "Storage unavailable", message)
        else:
            response = app.make_response(page(503, "We cannot save checks right now", message))
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(500)
    def server_error(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unexpected error")
        if _wants_json():
            return problem(500, "Internal error", "Something went wrong on our side.")
        return page(500, "Something went wrong", "Something went wrong on our side. Nothing you "
                    "pasted was lost; please try again.")
