"""Durable jobs in the store: items claimed under a lease, renewed while scored, finished once."""

from __future__ import annotations

import json
import time
from typing import Any, Iterable, Iterator

import orjson
import sqlite_utils

from checker.core.errors import NotFound
from checker.surfaces.store.schema import Transaction, new_id, now, result_json


class JobStore:
    """The jobs part of Store (checker.surfaces.store), which holds ``db``."""

    db: sqlite_utils.Database

    def transaction(self) -> Transaction:
        return Transaction(self.db.conn)

    # -- jobs --------------------------------------------------------------------------------

    def create_job(self, items: Iterable[dict[str, Any]], *, key_id: str | None,
                   versions: dict[str, str], options: dict[str, Any] | None = None
                   ) -> tuple[str, int]:
        """Queue ``items`` ({id, text, url, clinic, fields}); ``options`` (checker.core.options,
        as ``CheckOptions.to_dict``) narrow every item's result."""
        job_id = new_id()
        total = 0
        with self.transaction():
            self.db["jobs"].insert({
                "id": job_id, "created": now(), "key_id": key_id, "state": "queued", "total": 0,
                "done": 0, "failed": 0, "finished": None,
                "checker_version": versions["checker"], "rules_version": versions["rules"],
                "data_version": versions.get("data", ""), "model_version": versions["model"],
                "options": json.dumps(options, ensure_ascii=False) if options else None,
            })

            def rows() -> Iterator[dict[str, Any]]:
                nonlocal total
                for seq, item in enumerate(items):
                    total += 1
                    yield {"job_id": job_id, "seq": seq, "item_id": str(item["id"]),
                           "text": item["text"], "url": item.get("url") or "",
                           "clinic": item.get("clinic") or "", "status": "pending",
                           "fields": json.dumps(item["fields"], ensure_ascii=False)
                           if item.get("fields") else None,
                           "lease_until": 0.0, "worker": None, "result": None, "error": None,
                           "scored": None}

            self.db["job_items"].insert_all(rows(), batch_size=500)
            # An empty upload is an empty job: done as soon as it is made.
            self.db["jobs"].update(job_id, {"total": total} if total else
                                   {"total": 0, "state": "done", "finished": now()})
        return job_id, total

    def get_job(self, job_id: str) -> dict[str, Any]:
        """A job's row; its ``options`` as a dict ({} when none)."""
        try:
            job = self.db["jobs"].get(job_id)
        except sqlite_utils.db.NotFoundError:
            raise NotFound(f"no job {job_id!r}") from None
        job["options"] = json.loads(job["options"]) if job.get("options") else {}
        return job

    def jobs_for_key(self, key_id: str, limit: int, offset: int) -> list[dict[str, Any]]:
        """A key's jobs, newest first."""
        rows = self.db.query(
            "select * from jobs where key_id = ? order by created desc, id limit ? offset ?",
            [key_id, limit, offset])
        return [{**row, "options": json.loads(row["options"]) if row.get("options") else {}}
                for row in rows]

    def claim_items(self, worker: str, limit: int = 20, lease_seconds: float = 120.0
                    ) -> list[dict[str, Any]]:
        """Take up to ``limit`` pending items (or items whose lease ran out) for one worker.

        The claim is one IMMEDIATE transaction, so two workers never take the same item.
        """
        t = time.time()
        with self.transaction():
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
        with self.transaction():
            return self.db.execute(
                "update job_items set lease_until = ? where status = 'working' and worker = ?",
                [time.time() + lease_seconds, worker]).rowcount

    def finish_item(self, job_id: str, seq: int, worker: str, *, result: dict[str, Any] | None,
                    error: str | None = None) -> bool:
        """Record one item's outcome, once: only the worker holding the lease may write it."""
        with self.transaction():
            cur = self.db.execute(
                "update job_items set status = ?, result = ?, error = ?, scored = ?, "
                "lease_until = 0 where job_id = ? and seq = ? and status = 'working' and worker = ?",
                ["done" if error is None else "error",
                 None if result is None else result_json(result),
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
                "select seq, item_id, url, clinic, fields, status, result, error, text "
                "from job_items "
                "where job_id = ? order by seq", [job_id]):
            yield {"seq": row["seq"], "id": row["item_id"], "status": row["status"],
                   "url": row["url"] or "", "clinic": row["clinic"] or "",
                   "fields": json.loads(row["fields"]) if row["fields"] else {},
                   "text": row["text"],
                   # orjson: a job's results are tens of MB of JSON; json took 0.4 s per 1,000
                   "result": orjson.loads(row["result"]) if row["result"] else None,
                   "error": row["error"]}

