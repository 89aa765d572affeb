"""Storage: results, API keys, jobs and the audit trail in one SQLite file, through sqlite-utils.

* WAL mode and a busy timeout, so several server workers (processes or threads) can write at
  once without losing a write.
* Explicit, numbered schema migrations, recorded in ``schema_migrations``; opening an old file
  upgrades it, opening a newer one than the code knows is refused.
* Every stored result keeps the input's sha256, the text, the checker/rules/data/model versions,
  the time and the API key that asked, so a regulator can reproduce and defend it.

One ``Store`` per thread or request: sqlite3 connections are not shared between threads.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson
import sqlite_utils

from checker.core.errors import NotFound, StoreError

BUSY_TIMEOUT_MS = 30_000
KEY_PREFIX = "ccc_"
CAP_MARGIN_PAGES = 64   # health calls a capped database full this close to its cap
MIN_FREE_BYTES = 32 * 1024 * 1024   # below this, health reports the store as not writable
AUDIT_ANONYMOUS_DAYS = 30   # audit rows of calls made without a key are kept this long




def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _days_ago(days: float) -> str:
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


MIGRATIONS = [(1, "initial: checks, keys, audit", _m1_initial),
              (2, "durable jobs", _m2_jobs),
              (3, "full-text search of saved checks", _m3_search),
              (4, "private by default: published flag, delete token", _m4_private_by_default)]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def _result_json(result: dict[str, Any]) -> str:
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


def _connect(path: Path) -> sqlite3.Connection:
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


@dataclass(frozen=True)
class SavedCheck:
    id: str
    delete_token: str   # shown to the submitter once; only its hash is stored


@dataclass
class ApiKey:
    id: str
    name: str
    prefix: str
    created: str
    revoked: str | None


class Store:
    """The project's SQLite database."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite_utils.Database(_connect(self.path))
            # A database migrated to this schema says so in user_version: opening it for a
            # request then reads one pragma instead of taking the write lock to find nothing to do.
            if self.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                migrate(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable SQLite database ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open or create the database here "
                             f"({exc.strerror or exc})") from None

    def tighten_permissions(self) -> list[str]:
        """Make the database and its -wal/-shm files readable by their owner only (0600), as new
        ones are; files made by an earlier version may be world-readable. Returns what changed."""
        changed = []
        for suffix in ("", "-wal", "-shm"):
            file = Path(str(self.path) + suffix)
            try:
                if file.exists() and file.stat().st_mode & 0o077:
                    file.chmod(0o600)
                    changed.append(file.name)
            except OSError:
                continue
        return changed

    def close(self) -> None:
        self.db.conn.close()

    def health(self, min_free_bytes: int = MIN_FREE_BYTES) -> dict[str, Any]:
        """Whether the database can be read and written, and the disk space left beside it.

        The write is real (the header's user_version, rewritten in a transaction), so a full
        disk, a read-only file or a lock that never clears shows here, not first as a failed
        check. Below ``min_free_bytes`` free, the store counts as not writable: SQLite needs
        room for its write-ahead log before a write fails outright.
        """
        out: dict[str, Any] = {"readable": False, "writable": False, "free_bytes": None}
        try:
            out["readable"] = self.db.execute("select 1").fetchone()[0] == 1
            with self._tx():
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            out["writable"] = True
        except sqlite3.Error as exc:
            out["error"] = str(exc)
        try:
            out["free_bytes"] = shutil.disk_usage(self.path.parent).free
        except OSError:
            pass
        if out["free_bytes"] is not None and out["free_bytes"] < min_free_bytes:
            out["writable"] = False
            out["error"] = f"only {out['free_bytes']:,} bytes free on the database's disk"
        cap = max_database_bytes()
        if cap is not None and out["readable"]:
            pages, size = (self.db.execute(f"PRAGMA {p}").fetchone()[0]
                           for p in ("page_count", "page_size"))
            if (pages + CAP_MARGIN_PAGES) * size > cap:
                out["writable"] = False
                out["error"] = f"the database has reached its size limit ({cap:,} bytes)"
        return out

    # -- transactions ----------------------------------------------------------------------

    def _tx(self) -> "_Transaction":
        return _Transaction(self.db.conn)

    # -- checks ------------------------------------------------------------------------------

    def save_check(self, text: str, result: dict[str, Any], *, source: str, clinic: str = "",
                   url: str = "", key_id: str | None = None, publish: bool = False) -> SavedCheck:
        """Store a check, private unless ``publish``; its delete token is returned once."""
        check_id = new_id()
        token = new_id()
        versions = result["versions"]
        row_time = now()
        row = {
            "id": check_id, "created": row_time, "source": source, "sha256": result["input"]["sha256"],
            "chars": result["input"]["chars"], "text": text, "clinic": clinic or "", "url": url or "",
            "level": result["level"], "score": result["score"],
            "result": _result_json(result),
            "checker_version": versions["checker"], "rules_version": versions["rules"],
            "data_version": versions.get("data", ""), "model_version": versions["model"],
            "key_id": key_id, "published": int(publish),
            "published_at": row_time if publish else None, "delete_hash": hash_key(token),
        }
        with self._tx():
            self.db["checks"].insert(row)
        return SavedCheck(check_id, token)

    def get_check(self, check_id: str) -> dict[str, Any]:
        try:
            row = self.db["checks"].get(check_id)
        except sqlite_utils.db.NotFoundError:
            raise NotFound(f"no saved check {check_id!r}") from None
        row["result"] = json.loads(row["result"])
        return row

    def search_checks(self, query: str = "", *, key_id: str | None = None, limit: int = 50,
                      offset: int = 0) -> list[dict[str, Any]]:
        """Checks matching the words of ``query`` in their text, clinic or address, newest
        first; with no words, the newest. Only the **published** register, unless ``key_id``
        is given: then only that key's own checks, published or not. Nothing else is ever
        listed or searched: an unpublished check is reachable by its link or its key only."""
        where, params = (["checks.key_id = ?"], [key_id]) if key_id else (["checks.published = 1"], [])
        words = [w for w in "".join(c if c.isalnum() else " " for c in query).split() if w][:8]
        join = ""
        if words:
            join = " join checks_fts on checks.rowid = checks_fts.rowid"
            where.append("checks_fts match ?")
            params.append(" ".join(f'"{w}"' for w in words))
        sql = ("select checks.id, checks.created, checks.clinic, checks.url, checks.level, "
               "checks.score, checks.published, substr(checks.text, 1, 200) as excerpt "
               f"from checks{join} where {' and '.join(where)} "
               "order by checks.created desc, checks.id limit ? offset ?")
        columns = ("id", "created", "clinic", "url", "level", "score", "published", "excerpt")
        return [dict(zip(columns, r)) for r in self.db.execute(sql, [*params, limit, offset])]

    def checks_for_key(self, key_id: str, limit: int, offset: int) -> list[dict[str, Any]]:
        """A key's own stored checks, newest first (without the text, for export lists)."""
        return list(self.db.query(
            "select id, created, source, sha256, chars, clinic, url, level, score, published, "
            "checker_version, rules_version, data_version, model_version from checks "
            "where key_id = ? order by created desc, id limit ? offset ?", [key_id, limit, offset]))

    def owns(self, row: dict[str, Any], *, token: str | None = None,
             key_id: str | None = None) -> bool:
        """Whether the delete token or the key proves ownership of the stored check ``row``."""
        if key_id is not None and row.get("key_id") == key_id:
            return True
        expected = row.get("delete_hash")
        return bool(token and expected and secrets.compare_digest(hash_key(token), expected))

    def set_published(self, check_id: str, published: bool) -> None:
        with self._tx():
            self.db.execute("update checks set published = ?, published_at = ? where id = ?",
                            [int(published), now() if published else None, check_id])

    def delete_check(self, check_id: str) -> bool:
        """Delete a check for good (its search index entry goes with it, by trigger)."""
        with self._tx():
            return self.db.execute("delete from checks where id = ?", [check_id]).rowcount == 1

    def purge(self, *, retention_days: float, keyed_retention_days: float = 0,
              audit_days: float = AUDIT_ANONYMOUS_DAYS) -> dict[str, int]:
        """Delete unpublished checks past their retention, and anonymous audit rows past theirs.

        ``retention_days`` applies to checks made without a key (the web form, open API
        calls); ``keyed_retention_days`` to a key's checks (0 keeps them until deleted).
        Published checks stay until their owner deletes them.
        """
        counts = {"checks": 0, "keyed_checks": 0, "audit": 0}
        with self._tx():
            if retention_days > 0:
                counts["checks"] = self.db.execute(
                    "delete from checks where published = 0 and key_id is null and created < ?",
                    [_days_ago(retention_days)]).rowcount
            if keyed_retention_days > 0:
                counts["keyed_checks"] = self.db.execute(
                    "delete from checks where published = 0 and key_id is not null "
                    "and created < ?", [_days_ago(keyed_retention_days)]).rowcount
            if audit_days > 0:
                counts["audit"] = self.db.execute(
                    "delete from audit where key_id is null and time < ?",
                    [_days_ago(audit_days)]).rowcount
        return counts

    def audit_for_key(self, key_id: str, limit: int, offset: int) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select time, action, target, status, detail, address from audit where key_id = ? "
            "order by id desc limit ? offset ?", [key_id, limit, offset]))

    def count(self, table: str) -> int:
        return self.db[table].count

    # -- keys --------------------------------------------------------------------------------

    def create_key(self, name: str) -> tuple[str, ApiKey]:
        """A new API key: the secret is returned once and only its hash is stored."""
        if not name.strip():
            raise StoreError("a key needs a name")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(new_id(8), name.strip(), secret[:12], now(), None)
        with self._tx():
            self.db["keys"].insert({"id": key.id, "name": key.name, "hash": hash_key(secret),
                                    "prefix": key.prefix, "created": key.created,
                                    "revoked": None})
        return secret, key

    def key_for_secret(self, secret: str) -> ApiKey | None:
        rows = list(self.db["keys"].rows_where("hash = ? and revoked is null", [hash_key(secret)]))
        if not rows:
            return None
        r = rows[0]
        return ApiKey(r["id"], r["name"], r["prefix"], r["created"], r["revoked"])

    def list_keys(self) -> list[ApiKey]:
        return [ApiKey(r["id"], r["name"], r["prefix"], r["created"], r["revoked"])
                for r in self.db["keys"].rows_where(order_by="created")]

    def revoke_key(self, key_id: str) -> ApiKey:
        with self._tx():
            rows = list(self.db["keys"].rows_where("id = ?", [key_id]))
            if not rows:
                raise NotFound(f"no key with id {key_id!r}")
            if rows[0]["revoked"] is None:
                self.db["keys"].update(key_id, {"revoked": now()})
        r = self.db["keys"].get(key_id)
        return ApiKey(r["id"], r["name"], r["prefix"], r["created"], r["revoked"])

    # -- audit -------------------------------------------------------------------------------

    def audit(self, action: str, *, key_id: str | None, address: str | None, target: str = "",
              status: int = 200, detail: str = "") -> None:
        with self._tx():
            self.db["audit"].insert({"time": now(), "key_id": key_id, "address": address or "",
                                     "action": action, "target": target, "status": status,
                                     "detail": detail[:500]})

    # -- jobs --------------------------------------------------------------------------------

    def create_job(self, items: Iterable[dict[str, Any]], *, key_id: str | None,
                   versions: dict[str, str]) -> tuple[str, int]:
        job_id = new_id()
        total = 0
        with self._tx():
            self.db["jobs"].insert({
                "id": job_id, "created": now(), "key_id": key_id, "state": "queued", "total": 0,
                "done": 0, "failed": 0, "finished": None,
                "checker_version": versions["checker"], "rules_version": versions["rules"],
                "data_version": versions.get("data", ""), "model_version": versions["model"],
            })

            def rows() -> Iterator[dict[str, Any]]:
                nonlocal total
                for seq, item in enumerate(items):
                    total += 1
                    yield {"job_id": job_id, "seq": seq, "item_id": str(item["id"]),
                           "text": item["text"], "url": item.get("url") or "",
                           "clinic": item.get("clinic") or "", "status": "pending",
                           "lease_until": 0.0, "worker": None, "result": None, "error": None,
                           "scored": None}

            self.db["job_items"].insert_all(rows(), batch_size=500)
            # An empty upload is an empty job: done as soon as it is made.
            self.db["jobs"].update(job_id, {"total": total} if total else
                                   {"total": 0, "state": "done", "finished": now()})
        return job_id, total

    def get_job(self, job_id: str) -> dict[str, Any]:
        try:
            job = self.db["jobs"].get(job_id)
        except sqlite_utils.db.NotFoundError:
            raise NotFound(f"no job {job_id!r}") from None
        return job

    def claim_items(self, worker: str, limit: int = 20, lease_seconds: float = 120.0
                    ) -> list[dict[str, Any]]:
        """Take up to ``limit`` pending items (or items whose lease ran out) for one worker.

        The claim is one IMMEDIATE transaction, so two workers never take the same item.
        """
        t = time.time()
        with self._tx():
            rows = self.db.execute(
                "select job_id, seq, item_id, text from job_items "
                "where status = 'pending' or (status = 'working' and lease_until < ?) "
                "order by job_id, seq limit ?", [t, limit]).fetchall()
            if not rows:
                return []
            for job_id, seq, _i, _t in rows:
                self.db.execute("update job_items set status = 'working', worker = ?, "
                                "lease_until = ? where job_id = ? and seq = ?",
                                [worker, t + lease_seconds, job_id, seq])
            for job_id in {r[0] for r in rows}:
                self.db.execute("update jobs set state = 'running' where id = ? and state = 'queued'",
                                [job_id])
        return [{"job_id": r[0], "seq": r[1], "item_id": r[2], "text": r[3]} for r in rows]

    def renew_leases(self, worker: str, lease_seconds: float) -> int:
        """Extend the lease of every item ``worker`` is scoring; returns how many it holds."""
        with self._tx():
            return self.db.execute(
                "update job_items set lease_until = ? where status = 'working' and worker = ?",
                [time.time() + lease_seconds, worker]).rowcount

    def finish_item(self, job_id: str, seq: int, worker: str, *, result: dict[str, Any] | None,
                    error: str | None = None) -> bool:
        """Record one item's outcome, once: only the worker holding the lease may write it."""
        with self._tx():
            cur = self.db.execute(
                "update job_items set status = ?, result = ?, error = ?, scored = ?, "
                "lease_until = 0 where job_id = ? and seq = ? and status = 'working' and worker = ?",
                ["done" if error is None else "error",
                 None if result is None else _result_json(result),
                 error, now(), job_id, seq, worker])
            if cur.rowcount != 1:
                return False  # the lease was lost to another worker; its result stands
            column = "done" if error is None else "failed"
            self.db.execute(f"update jobs set {column} = {column} + 1 where id = ?", [job_id])
            self.db.execute(
                "update jobs set state = 'done', finished = ? where id = ? "
                "and done + failed >= total", [now(), job_id])
        return True

    def job_results(self, job_id: str) -> Iterator[dict[str, Any]]:
        self.get_job(job_id)  # raises NotFound before the first row is asked for
        return self._job_rows(job_id)

    def _job_rows(self, job_id: str) -> Iterator[dict[str, Any]]:
        for row in self.db.query(
                "select seq, item_id, url, clinic, status, result, error from job_items "
                "where job_id = ? order by seq", [job_id]):
            yield {"seq": row["seq"], "id": row["item_id"], "status": row["status"],
                   "url": row["url"] or "", "clinic": row["clinic"] or "",
                   "result": json.loads(row["result"]) if row["result"] else None,
                   "error": row["error"]}


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error (the connection is in autocommit)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
