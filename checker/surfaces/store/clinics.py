"""Stored checks grouped by clinic (the ``clinic_key`` column, checker.surfaces.clinics).

Only what the caller may list: the **published** checks, and with ``key_id`` also that key's
own checks, published or not. Nothing else is ever listed: a private check made on the web
form is reached by its link alone, as everywhere else.
"""

from __future__ import annotations

import json
from typing import Any

from checker.surfaces.clinics import clinic_key

MAX_CLINIC_CHECKS = 200   # the newest checks of one clinic its page lays out


def _visible(key_id: str | None) -> tuple[str, list[Any]]:
    if key_id:
        return "(checks.published = 1 or checks.key_id = ?)", [key_id]
    return "checks.published = 1", []


def list_clinics(store: Any, *, key_id: str | None = None, query: str = "", limit: int = 100,
                 offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Clinics with listable checks, the most recently checked first, and how many there are
    in all. Each: its key, its number of checks, and its latest check (id, time, clinic, url,
    level, score). ``query`` keeps the clinics whose key holds it, folded the same way."""
    where, params = _visible(key_id)
    clauses = ["checks.clinic_key != ''", where]
    folded = clinic_key(query) if query.strip() else ""
    if folded:
        clauses.append("checks.clinic_key like ? escape '\\'")
        params.append("%" + folded.replace("\\", "\\\\").replace("%", "\\%")
                      .replace("_", "\\_") + "%")
    condition = " and ".join(clauses)
    total = store.db.execute(
        f"select count(distinct clinic_key) from checks where {condition}", params).fetchone()[0]
    # The latest check of each clinic: its newest row (rowids grow with time; two checks saved
    # in the same millisecond are still told apart).
    rows = store.db.execute(
        "select g.clinic_key, g.n, g.last, c.id, c.clinic, c.url, c.level, c.score from "
        f"(select clinic_key, count(*) as n, max(created) as last, max(rowid) as latest "
        f"from checks where {condition} group by clinic_key) as g "
        "join checks as c on c.rowid = g.latest "
        "order by g.last desc, g.latest desc limit ? offset ?",
        [*params, limit, offset]).fetchall()
    columns = ("key", "checks", "last_checked", "latest_id", "clinic", "url", "level", "score")
    return [dict(zip(columns, r)) for r in rows], total


def clinic_checks(store: Any, key: str, *, key_id: str | None = None,
                  limit: int = MAX_CLINIC_CHECKS) -> tuple[list[dict[str, Any]], int]:
    """The listable checks of the clinic ``key``, oldest first (the newest ``limit`` of them),
    each with its stored result; and how many there are in all."""
    where, params = _visible(key_id)
    condition = f"checks.clinic_key = ? and {where}"
    total = store.db.execute(f"select count(*) from checks where {condition}",
                             [key, *params]).fetchone()[0]
    rows = store.db.execute(
        "select id, created, clinic, url, level, score, published, key_id, result "
        f"from checks where {condition} order by created desc, rowid desc limit ?",
        [key, *params, limit]).fetchall()
    columns = ("id", "created", "clinic", "url", "level", "score", "published", "key_id",
               "result")
    out = []
    for r in reversed(rows):
        row = dict(zip(columns, r))
        row["result"] = json.loads(row["result"])
        row["published"] = bool(row["published"])
        out.append(row)
    return out, total
