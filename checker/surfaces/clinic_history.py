"""A clinic over time: its checks oldest to newest, what fired each time, and what changed.

``history(rows)`` takes a clinic's stored checks (checker.surfaces.store.clinics, oldest first,
results as stored) and gives, for each check: its date, level, score, triage points
(checker.surfaces.triage), the rules that fired, and the change from the check before it
(the rules added and removed, the warning signs added and removed, the score's change), with
the two ids a comparison page takes.
"""

from __future__ import annotations

from typing import Any

from checker.formats import glance
from checker.surfaces.clinics import clinic_label
from checker.surfaces.compare import compare, rules_fired
from checker.surfaces.triage import triage_points


def history(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per check, in the order given (oldest first)."""
    entries: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for row in rows:
        result = glance(row["result"])
        entry = {
            "id": row["id"], "created": row["created"], "clinic": row["clinic"],
            "url": row["url"], "published": bool(row.get("published")),
            "level": result["level"], "score": result["score"],
            "triage": triage_points(result), "findings": len(result["findings"]),
            "rules": rules_fired(result), "change": None,
        }
        if previous is not None:
            c = compare((previous["result"], "", {}), (result, "", {}), text_diff=False)
            entry["change"] = {
                "from": previous["id"],
                "score": c["score"]["delta"],
                "level_before": c["level"]["before"] if c["level"]["changed"] else None,
                "rules_added": c["rules"]["added"], "rules_removed": c["rules"]["removed"],
                "added": c["counts"]["added"], "removed": c["counts"]["removed"],
                "unchanged": c["counts"]["unchanged"],
            }
        entries.append(entry)
        previous = {"id": row["id"], "result": result}
    return entries


def clinic_view(key: str, rows: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """A clinic's page (or API answer): its key and name (as its newest check writes it), how
    many checks it has in all and the history of those given."""
    latest = rows[-1] if rows else {"clinic": "", "url": ""}
    return {"key": key, "name": clinic_label(latest["clinic"], latest["url"]),
            "total": total, "shown": len(rows), "checks": history(rows)}
