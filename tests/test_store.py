"""The SQLite store: its schema is migrated once, recorded, and checked cheaply on every open."""

from __future__ import annotations

import sqlite3

import pytest

from checker.engine import check
from checker.core.errors import StoreError
from checker.surfaces.store import SCHEMA_VERSION, Store


def _user_version(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_a_new_database_is_migrated_and_says_so(tmp_path):
    path = tmp_path / "new.db"
    store = Store(path)
    assert {"checks", "keys", "audit", "schema_migrations"} <= set(store.db.table_names())
    store.close()
    assert _user_version(path) == SCHEMA_VERSION


def test_a_database_migrated_before_user_version_is_kept_and_marked(tmp_path):
    path = tmp_path / "old.db"
    store = Store(path)
    saved = store.save_check("Our stem cells cure autism.",
                             check("Our stem cells cure autism.").to_dict(),
                             source="api")
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")   # as a database of an earlier checker
    conn.commit()
    conn.close()
    reopened = Store(path)
    assert reopened.get_check(saved.id)["text"] == "Our stem cells cure autism."
    reopened.close()
    assert _user_version(path) == SCHEMA_VERSION


def test_a_database_of_a_newer_checker_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "newer.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("insert into schema_migrations (version, name, applied) values (?, 'later', '')",
                 [SCHEMA_VERSION + 1])
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this checker knows"):
        Store(path)


def test_a_removed_database_file_is_created_again_on_the_next_open(tmp_path):
    path = tmp_path / "gone.db"
    Store(path).close()
    for leftover in tmp_path.glob("gone.db*"):
        leftover.unlink()
    store = Store(path)
    assert "checks" in store.db.table_names()
    store.close()
