"""The store's ground: its file (created 0600, capped in size), its numbered migrations, ids,
hashed keys, timestamps, and the write transaction every change is made in."""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import sqlite_utils

from checker.core.errors import StoreError

BUSY_TIMEOUT_MS = 30_000
KEY_PREFIX = "ccc_"
CAP_MARGIN_PAGES = 64   # health calls a capped database full this close to its cap
MIN_FREE_BYTES = 32 * 1024 * 1024   # below this, health reports the store as not writable
AUDIT_ANONYMOUS_DAYS = 30   # audit rows of calls made without a key are kept this long




def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def days_ago(days: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="milliseconds")


def new_id(nbytes: int = 16) -> str:
    """An unguessable id (128 random bits, URL-safe) that does not start with "-" or "_":
    a key id is given on the command line (``keys revoke ID``), where "-6S0W..." read as an
    option."""
    while True:
        token = secrets.token_urlsafe(nbytes)
        if token[0] not in "-_":
            return token


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf8")).hexdigest()


# -- migrations -------------------------------------------------------------------------------


def _m1_initial(db: sqlite_utils.Database) -> None:
    db["checks"].create({
        "id": str, "created": str, "source": str, "sha256": str, "chars": int, "text": str,
        "clinic": str, "url": str, "level": str, "score": float, "result": str,
        "checker_version": str, "rules_version": str, "data_version": str, "model_version": str,
        "key_id": str,
    }, pk="id", not_null={"created", "sha256", "text", "result"})
    db["checks"].create_index(["created"])
    db["checks"].create_index(["sha256"])
    db["checks"].create_index(["key_id", "created"])
    db["keys"].create({
        "id": str, "name": str, "hash": str, "prefix": str, "created": str, "revoked": str,
    }, pk="id", not_null={"name", "hash", "created"})
    db["keys"].create_index(["hash"], unique=True)
    db["audit"].create({
        "id": int, "time": str, "key_id": str, "address": str, "action": str, "target": str,
        "status": int, "detail": str,
    }, pk="id")
    db["audit"].create_index(["time"])
    db["audit"].create_index(["key_id", "time"])


def _m2_jobs(db: sqlite_utils.Database) -> None:
    db["jobs"].create({
        "id": str, "created": str, "key_id": str, "state": str, "total": int, "done": int,
        "failed": int, "finished": str, "checker_version": str, "rules_version": str,
        "data_version": str, "model_version": str,
    }, pk="id", not_null={"created", "state", "total"})
    db["jobs"].create_index(["state", "created"])
    db["job_items"].create({
        "job_id": str, "seq": int, "item_id": str, "text": str, "url": str, "clinic": str,
        "status": str, "lease_until": float, "worker": str, "result": str, "error": str,
        "scored": str,
    }, pk=("job_id", "seq"), not_null={"status"}, foreign_keys=[("job_id", "jobs", "id")])
    db["job_items"].create_index(["job_id", "status"])
    db["job_items"].create_index(["status", "lease_until"])


def _m3_search(db: sqlite_utils.Database) -> None:
    db["checks"].enable_fts(["text", "clinic", "url"], create_triggers=True, tokenize="porter")


def _m4_private_by_default(db: sqlite_utils.Database) -> None:
    """Checks are private unless their submitter publishes them; the owner can delete them.

    Every check stored before this migration becomes private (nothing was ever chosen public).
    ``delete_hash`` is the sha256 of the check's delete token (the token is shown once).
    """
    db["checks"].add_column("published", int, not_null_default=0)
    db["checks"].add_column("published_at", str)
    db["checks"].add_column("delete_hash", str)
    db["checks"].create_index(["published", "created"])


def _m5_clinic_key(db: sqlite_utils.Database) -> None:
    """Checks grouped by clinic: ``clinic_key`` (checker.surfaces.clinics) of the clinic's name,
    else of its address's domain; "" when neither was given. Filled in for every stored check."""
    from checker.surfaces.clinics import clinic_key

    db["checks"].add_column("clinic_key", str, not_null_default="")
    rows = db.execute("select id, clinic, url from checks where clinic != '' or url != ''")
    for check_id, clinic, url in rows.fetchall():
        db.execute("update checks set clinic_key = ? where id = ?",
                   [clinic_key(clinic or "", url or ""), check_id])
    db["checks"].create_index(["clinic_key", "created"])


def _m6_job_fields(db: sqlite_utils.Database) -> None:
    """Jobs keep what their upload said beyond id, text, url and clinic: ``job_items.fields``,
    every other field of the item's record as JSON (null when none), and ``jobs.options``, the
    options the whole job is checked with (checker.core.options) as JSON (null when none)."""
    if "fields" not in db["job_items"].columns_dict:
        db["job_items"].add_column("fields", str)
    if "options" not in db["jobs"].columns_dict:
        db["jobs"].add_column("options", str)
    db["jobs"].create_index(["key_id", "created"], if_not_exists=True)


MIGRATIONS = [(1, "initial: checks, keys, audit", _m1_initial),
              (2, "durable jobs", _m2_jobs),
              (3, "full-text search of saved checks", _m3_search),
              (4, "private by default: published flag, delete token", _m4_private_by_default),
              (5, "clinics: a clinic key on every check", _m5_clinic_key),
              (6, "jobs: every input field of an item, the job's options", _m6_job_fields)]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def result_json(result: dict[str, Any]) -> str:
    """A result as stored: JSON with sorted keys, UTF-8 text as is (orjson: a result is tens of
    kilobytes, and the standard encoder took half the time of saving one)."""
    return orjson.dumps(result, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def max_database_bytes() -> int | None:
    """The database's size cap from $CHECKER_DB_MAX_MB, or None (no cap).

    With a cap, a flood of checks fills the database, not the disk: writes past it fail as
    "full" (answered 503, nothing stored is touched), health says so, and the retention purge
    makes room again.
    """
    value = os.environ.get("CHECKER_DB_MAX_MB", "").strip()
    if not value:
        return None
    try:
        megabytes = float(value)
    except ValueError:
        raise StoreError(f"CHECKER_DB_MAX_MB must be a number of megabytes, not {value!r}") from None
    return int(megabytes * 1024 * 1024) if megabytes > 0 else None


def connect(path: Path) -> sqlite3.Connection:
    if not path.exists():
        # Readable by the server's user only: it holds what patients pasted. SQLite gives the
        # -wal and -shm files it makes beside it the same permissions.
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    cap = max_database_bytes()
    if cap is not None:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(cap // page_size, 1)}")
    return conn


def migrate(db: sqlite_utils.Database) -> int:
    """Apply every migration the file has not seen, each in its own transaction."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        if "schema_migrations" not in db.table_names():
            db["schema_migrations"].create({"version": int, "name": str, "applied": str},
                                           pk="version")
        done = {r["version"] for r in db["schema_migrations"].rows}
        newest = max(done, default=0)
        if newest > SCHEMA_VERSION:
            raise StoreError(f"the database is at schema version {newest}, newer than this "
                             f"checker knows ({SCHEMA_VERSION}); upgrade the checker")
        for version, name, step in MIGRATIONS:
            if version in done:
                continue
            step(db)
            db["schema_migrations"].insert({"version": version, "name": name, "applied": now()})
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


class Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error (the connection is in autocommit)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
