"""Durable jobs: uploads parsed into items, and a worker thread per server process that scores them.

Items live in SQLite (``job_items``). A worker claims a few pending items under a lease in one
IMMEDIATE transaction, scores them with the shared checker, and records each outcome only while
it still holds the lease. If the server stops mid-job, the items it held return to the pool when
their lease runs out, and the next server process picks the job up where it stopped: no item is
lost, and no item gets two results.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
import time
from typing import Any

from flask import Flask

from checker.core.errors import CheckerError, RecordsError, UploadError
from checker.core.options import CheckOptions
from checker.core.records import BadRecord, read_stream
from checker.formats import to_v2
from checker.surfaces.store import Store
from checker.surfaces.web.shared import MAX_JOB_ITEMS, purge

log = logging.getLogger(__name__)




def parse_upload(data: bytes, kind: str, max_chars: int, max_items: int = MAX_JOB_ITEMS
                 ) -> list[dict[str, Any]]:
    """Items from a JSON Lines or CSV upload, or an UploadError listing the bad lines.

    The upload is read by the same reader as the batch command (``checker.records``); a job is
    queued only when every record in it can be scored. An upload with no records at all is an
    empty job, which is done as soon as it is made.
    """
    items: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    too_long = False
    seen: set[str] = set()
    try:
        for record in read_stream(io.BytesIO(data), kind):
            if len(items) >= max_items:
                raise UploadError(f"the upload has more than {max_items:,} items", 413)
            if isinstance(record, BadRecord):
                problems.append({"line": record.line, "problem": record.problem})
                continue
            if len(record.text) > max_chars:
                too_long = True
                problems.append({"line": record.line,
                                 "problem": f"text longer than {max_chars:,} characters"})
                continue
            if record.id in seen:
                problems.append({"line": record.line, "problem": f"duplicate id {record.id!r}"})
                continue
            seen.add(record.id)
            items.append({"id": record.id, "text": record.text, "url": record.url[:2000],
                          "clinic": record.clinic[:200], "fields": record.fields})
    except RecordsError as exc:
        raise UploadError(exc.message) from None
    if problems:
        raise UploadError(f"{len(problems)} record(s) cannot be scored; nothing was queued",
                          413 if too_long and len(problems) == 1 else 400, problems[:50])
    return items


class JobWorker(threading.Thread):
    """Scores pending job items in the background of one server process."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="checker-jobs", daemon=True)
        self.app = app
        self.db_path = app.config["DATABASE"]
        self.checker = app.extensions["checker"]
        self.batch = int(app.config.get("JOB_BATCH", 10))
        self.lease = float(app.config.get("JOB_LEASE_SECONDS", 30))
        self.idle = float(app.config.get("JOB_IDLE_SECONDS", 0.5))
        self.budget = float(app.config.get("CHECK_SECONDS", 20.0))
        self.purge_every = float(app.config.get("PURGE_EVERY_SECONDS", 3600.0))
        self.next_purge = time.monotonic() + self.purge_every
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.stopping = threading.Event()

    def run(self) -> None:
        store = Store(self.db_path)
        try:
            while not self.stopping.is_set():
                done = self.work_once(store)
                if not done:
                    self.stopping.wait(self.idle)
                if time.monotonic() >= self.next_purge:
                    self.next_purge = time.monotonic() + self.purge_every
                    self._purge(store)
        finally:
            store.close()

    def _purge(self, store: Store) -> None:


        try:
            purge(self.app, store)
        except Exception:  # a busy database: the next round will do it
            log.exception("purging past retention failed")

    def work_once(self, store: Store) -> int:
        try:
            items = store.claim_items(self.worker_id, self.batch, self.lease)
        except Exception:  # a locked or vanished database must not kill the thread
            log.exception("claiming job items failed")
            return 0
        if not items:
            return 0
        # While this worker scores what it claimed, its leases are renewed: a slow item (or a
        # slow batch of them) is never taken over, and scored again, by another worker.
        renewer = LeaseRenewer(self.db_path, self.worker_id, self.lease)
        renewer.start()
        try:
            self._score(store, items)
        finally:
            renewer.stop()
        return len(items)

    def _score(self, store: Store, items: list[dict[str, Any]]) -> None:
        options: dict[str, CheckOptions] = {}   # each job's, read once per claim
        for item in items:
            try:
                if item["job_id"] not in options:
                    options[item["job_id"]] = CheckOptions.parse(
                        store.get_job(item["job_id"])["options"])
                result = to_v2(self.checker.check(item["text"], budget=self.budget,
                                                  options=options[item["job_id"]]))
                store.finish_item(item["job_id"], item["seq"], self.worker_id, result=result)
            except CheckerError as exc:
                store.finish_item(item["job_id"], item["seq"], self.worker_id, result=None,
                                  error=exc.message)
            except Exception as exc:  # record, never crash the worker
                log.exception("scoring job item failed")
                store.finish_item(item["job_id"], item["seq"], self.worker_id, result=None,
                                  error=f"internal error: {type(exc).__name__}")


class LeaseRenewer(threading.Thread):
    """Renews one worker's leases every third of the lease until stopped."""

    def __init__(self, db_path: str, worker_id: str, lease: float) -> None:
        super().__init__(name="checker-lease", daemon=True)
        self.db_path, self.worker_id, self.lease = db_path, worker_id, lease
        self.stopping = threading.Event()

    def run(self) -> None:
        store = None
        try:
            while not self.stopping.wait(self.lease / 3):
                if store is None:
                    store = Store(self.db_path)
                store.renew_leases(self.worker_id, self.lease)
        except Exception:  # the items then return to the pool when the lease runs out
            log.exception("renewing job leases failed")
        finally:
            if store is not None:
                store.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def start_worker(app: Flask) -> JobWorker:
    worker = JobWorker(app)
    worker.start()
    app.extensions["job_worker"] = worker
    return worker
