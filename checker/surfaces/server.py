"""`serve` and `keys`: the commands that run the web app and manage API keys.

``serve`` runs the Flask app under gunicorn (a production WSGI server: worker processes, each
with a few threads), never Flask's development server. The database path comes from --db, else
$CHECKER_DB, else instance/checker.db; it is created on first start.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import click

log = logging.getLogger(__name__)

DB_HELP = "SQLite database file (default: $CHECKER_DB, else instance/checker.db)."

# The access log: who asked for which path, the answer and how long it took. No query string
# (a search's words, a delete token), no referrer, no user agent: never what a user submitted.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def _problem_bytes(status: int, reason: str, detail: str) -> bytes:
    body = json.dumps({"type": "about:blank", "title": reason, "status": status,
                       "detail": detail}).encode("utf-8")
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\n\r\n")
    return head.encode("latin-1") + body


def _client_error(exc: Exception) -> tuple[int, str, str] | None:
    """The status, reason and detail for a request gunicorn could not parse, or None."""
    from gunicorn.http import errors as e

    if isinstance(exc, e.LimitRequestLine):
        return 414, "URI Too Long", "The address (request line) is longer than 8,190 bytes."
    if isinstance(exc, e.LimitRequestHeaders):
        return 431, "Request Header Fields Too Large", "The request's headers are too large."
    if isinstance(exc, (e.InvalidRequestLine, e.InvalidRequestMethod, e.InvalidHTTPVersion,
                        e.InvalidHeader, e.InvalidHeaderName, e.ObsoleteFolding,
                        e.InvalidChunkSize, e.ChunkMissingTerminator, e.InvalidChunkExtension,
                        e.InvalidSchemeHeaders, e.InvalidProxyLine)) \
            and not isinstance(exc, (e.InvalidResponseHeader, e.InvalidResponseHeaderName)):
        return 400, "Bad Request", "The request is not well-formed HTTP."
    return None


def _worker_class() -> type:
    from gunicorn.workers.gthread import ThreadWorker

    class ProblemWorker(ThreadWorker):  # type: ignore[misc]
        """gunicorn's threaded worker, answering requests it cannot parse (an address over
        8,190 bytes, broken headers) with RFC 9457 problem details like the rest of the API,
        not its own HTML page, and logging the kind of error only: gunicorn's own message
        quotes the request line, which may hold a search's words."""

        def handle_error(self, req, client, addr, exc):  # type: ignore[no-untyped-def]
            answer = _client_error(exc)
            if answer is None:
                return super().handle_error(req, client, addr, exc)
            self.log.info("refused a malformed request: %s %s", answer[0], type(exc).__name__)
            try:
                client.sendall(_problem_bytes(*answer))
            except OSError:
                pass
            return None

    return ProblemWorker


def _resolve_db(db: str | None) -> str:
    from checker.surfaces.web.shared import database_path

    path = database_path(db)
    os.environ["CHECKER_DB"] = str(path)  # workers read it when they build the app
    return str(path)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", default=None, help=DB_HELP)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each loads the checker once).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker.")
@click.option("--keepalive", default=0, show_default=True, type=click.IntRange(0, 300),
              help="Seconds a client's connection stays open between requests. 0 closes it "
                   "after each answer, so every request goes to whichever worker is free; with "
                   "keep-alive, a worker keeps every connection it accepted, and with several "
                   "workers one of them can end up serving all the clients.")
def serve_command(host: str, port: int, db: str | None, workers: int, threads: int,
                  keepalive: int) -> None:
    """Serve the web form and the JSON API with gunicorn.

    \b
    Example:
      python -m checker serve --port 8000 --db /var/lib/checker/checker.db
      (binds 127.0.0.1; on a network, put nginx in front: docs/deploy/nginx.conf)
    """
    from gunicorn.app.base import BaseApplication

    from checker.surfaces.store import Store

    path = _resolve_db(db)
    Store(path).close()  # create or migrate now, and fail here with a clear message if it cannot
    # Links in reports use CHECKER_BASE_URL, never a request's Host header; by default the
    # address served here (behind a proxy, set it to the public address).
    os.environ.setdefault("CHECKER_BASE_URL", f"http://{host}:{port}")

    class Server(BaseApplication):  # type: ignore[misc]
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from checker.surfaces.web import create_app
            return create_app()

    click.echo(f"Clinic Claim Checker on http://{host}:{port}/ (database {path}); Ctrl-C stops it",
               err=True)
    Server({
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": _worker_class(), "timeout": 120, "graceful_timeout": 20,
        "keepalive": keepalive,
        "accesslog": "-", "errorlog": "-", "loglevel": "info",
        "access_log_format": ACCESS_LOG_FORMAT,
        "limit_request_line": 8190, "preload_app": False,
    }).run()


@click.group("keys")
def keys_group() -> None:
    """Create, list and revoke API keys for the batch and job endpoints.

    \b
    Example:
      python -m checker keys create "Health regulator batch"
    """


@keys_group.command("create")
@click.argument("name")
@click.option("--db", default=None, help=DB_HELP)
def keys_create(name: str, db: str | None) -> None:
    """Create a key and print it once (only its hash is stored).

    \b
    Example:
      KEY=$(python -m checker keys create "nightly batch")
    """
    from checker.surfaces.store import Store

    store = Store(_resolve_db(db))
    try:
        secret, key = store.create_key(name)
    finally:
        store.close()
    click.echo(secret)
    click.echo(f"created key {key.id} ({key.name}); it is shown only once", err=True)


@keys_group.command("list")
@click.option("--db", default=None, help=DB_HELP)
def keys_list(db: str | None) -> None:
    """List keys (id, name, prefix, created, revoked); secrets are never shown.

    \b
    Example:
      python -m checker keys list
    """
    from checker.surfaces.store import Store

    store = Store(_resolve_db(db))
    try:
        for k in store.list_keys():
            state = f"revoked {k.revoked}" if k.revoked else "active"
            click.echo(f"{k.id}\t{k.name}\t{k.prefix}...\t{k.created}\t{state}")
    finally:
        store.close()


@keys_group.command("revoke")
@click.argument("key_id")
@click.option("--db", default=None, help=DB_HELP)
def keys_revoke(key_id: str, db: str | None) -> None:
    """Revoke a key by its id; requests with it get 401 from then on.

    \b
    Example:
      python -m checker keys revoke Ab3dEf9hIjk
    """
    from checker.surfaces.store import Store

    store = Store(_resolve_db(db))
    try:
        key = store.revoke_key(key_id)
    finally:
        store.close()
    click.echo(f"revoked {key.id} ({key.name}) at {key.revoked}", err=True)


@click.command("purge")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--days", type=click.FloatRange(min=0), default=None,
              help="Delete unpublished checks made without a key after this many days "
                   "(default: $CHECKER_RETENTION_DAYS, else 30; 0 keeps them).")
@click.option("--keyed-days", type=click.FloatRange(min=0), default=None,
              help="The same for checks made with an API key (default: "
                   "$CHECKER_KEYED_RETENTION_DAYS, else 0: kept until deleted).")
def purge_command(db: str | None, days: float | None, keyed_days: float | None) -> None:
    """Delete what is past its retention now (the server also does it every hour).

    \b
    Example:
      python -m checker purge --days 7
    """
    from checker.surfaces.store import Store

    if days is None:
        days = float(os.environ.get("CHECKER_RETENTION_DAYS", 30))
    if keyed_days is None:
        keyed_days = float(os.environ.get("CHECKER_KEYED_RETENTION_DAYS", 0))
    store = Store(_resolve_db(db))
    try:
        counts = store.purge(retention_days=days, keyed_retention_days=keyed_days)
    finally:
        store.close()
    click.echo(f"deleted {counts['checks']} unpublished checks made without a key, "
               f"{counts['keyed_checks']} made with a key, {counts['audit']} anonymous audit rows",
               err=True)
