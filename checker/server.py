"""`serve` and `keys`: the commands that run the web app and manage API keys.

``serve`` runs the Flask app under gunicorn (a production WSGI server: worker processes, each
with a few threads), never Flask's development server. The database path comes from --db, else
$CHECKER_DB, else instance/checker.db; it is created on first start.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import click

log = logging.getLogger(__name__)

DB_HELP = "SQLite database file (default: $CHECKER_DB, else instance/checker.db)."


def _resolve_db(db: str | None) -> str:
    from .web import database_path

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
      python -m checker serve --host 0.0.0.0 --port 8000 --db /var/lib/checker/checker.db
    """
    from gunicorn.app.base import BaseApplication

    from .store import Store

    path = _resolve_db(db)
    Store(path).close()  # create or migrate now, and fail here with a clear message if it cannot

    class Server(BaseApplication):  # type: ignore[misc]
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from .web import create_app
            return create_app()

    click.echo(f"Clinic Claim Checker on http://{host}:{port}/ (database {path}); Ctrl-C stops it",
               err=True)
    Server({
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread", "timeout": 120, "graceful_timeout": 20,
        "keepalive": keepalive,
        "accesslog": "-", "errorlog": "-", "loglevel": "info",
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
    from .store import Store

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
    from .store import Store

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
    from .store import Store

    store = Store(_resolve_db(db))
    try:
        key = store.revoke_key(key_id)
    finally:
        store.close()
    click.echo(f"revoked {key.id} ({key.name}) at {key.revoked}", err=True)
