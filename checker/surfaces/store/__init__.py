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

import json
import secrets
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from checker.core.errors import NotFound, StoreError
from checker.surfaces.clinics import clinic_key
from checker.surfaces.store.jobs import JobStore
from checker.surfaces.store.schema import (AUDIT_ANONYMOUS_DAYS, CAP_MARGIN_PAGES, KEY_PREFIX,
                                           MIN_FREE_BYTES, SCHEMA_VERSION, connect,
                                           days_ago, hash_key, max_database_bytes, migrate,
                                           new_id, now, result_json)


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


class Store(JobStore):
    """The project's SQLite database."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite_utils.Database(connect(self.path))
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
            with self.transaction():
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
            "result": result_json(result),
            "checker_version": versions["checker"], "rules_version": versions["rules"],
            "data_version": versions.get("data", ""), "model_version": versions["model"],
            "key_id": key_id, "published": int(publish),
            "published_at": row_time if publish else None, "delete_hash": hash_key(token),
            "clinic_key": clinic_key(clinic or "", url or ""),
        }
        with self.transaction():
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
        with self.transaction():
            self.db.execute("update checks set published = ?, published_at = ? where id = ?",
                            [int(published), now() if published else None, check_id])

    def delete_check(self, check_id: str) -> bool:
        """Delete a check for good (its search index entry goes with it, by trigger)."""
        with self.transaction():
            return self.db.execute("delete from checks where id = ?", [check_id]).rowcount == 1

    def purge(self, *, retention_days: float, keyed_retention_days: float = 0,
              audit_days: float = AUDIT_ANONYMOUS_DAYS) -> dict[str, int]:
        """Delete unpublished checks past their retention, and anonymous audit rows past theirs.

        ``retention_days`` applies to checks made without a key (the web form, open API
        calls); ``keyed_retention_days`` to a key's checks (0 keeps them until deleted).
        Published checks stay until their owner deletes them.
        """
        counts = {"checks": 0, "keyed_checks": 0, "audit": 0}
        with self.transaction():
            if retention_days > 0:
                counts["checks"] = self.db.execute(
                    "delete from checks where published = 0 and key_id is null and created < ?",
                    [days_ago(retention_days)]).rowcount
            if keyed_retention_days > 0:
                counts["keyed_checks"] = self.db.execute(
                    "delete from checks where published = 0 and key_id is not null "
                    "and created < ?", [days_ago(keyed_retention_days)]).rowcount
            if audit_days > 0:
                counts["audit"] = self.db.execute(
                    "delete from audit where key_id is null and time < ?",
                    [days_ago(audit_days)]).rowcount
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
        with self.transaction():
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
        with self.transaction():
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
        with self.transaction():
            self.db["audit"].insert({"time": now(), "key_id": key_id, "address": address or "",
                                     "action": action, "target": target, "status": status,
                                     "detail": detail[:500]})
