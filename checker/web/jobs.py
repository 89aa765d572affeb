"""Durable jobs: uploads parsed into items, and a worker thread per server process that scores them.

Items live in SQLite (``job_items``). A worker claims a few pending items under a lease in one
IMMEDIATE transaction, scores them with the shared checker, and records each outcome only while
it still holds the lease. If the server stops mid-job, the items it held return to the pool when
their lease runs out, and the next server process picks the job up where it stopped: no item is
lost, and no item gets two results.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

from flask import Flask

from ..errors import CheckerError
from ..store import Store

log = logging.getLogger(__name__)

MAX_JOB_ITEMS = 100_000


class UploadError(CheckerError):
    code = "E601"

    def __init__(self, message: str, status: int = 400, problems: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status = status
        self.problems = problems or []


@dataclass
class Item:
    id: str
    text: str
    url: str = ""
    clinic: str = ""


def parse_upload(data: bytes, kind: str, max_chars: int, max_items: int = MAX_JOB_ITEMS
                 ) -> list[dict[str, Any]]:
    """Items from a JSON Lines or CSV upload, or an UploadError listing the bad lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(f"the upload is not UTF-8 text (byte {exc.start})") from None
    rows: Iterator[tuple[int, Any]]
    if kind == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "text" not in reader.fieldnames or "id" not in reader.fieldnames:
            raise UploadError("the CSV needs a header row with at least the columns id and text")
        rows = ((n + 2, row) for n, row in enumerate(reader))
    else:
        def jsonl() -> Iterator[tuple[int, Any]]:
            for n, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, exc
        rows = jsonl()
    items: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    too_long = False
    seen: set[str] = set()
    for line, row in rows:
        if len(items) >= max_items:
            raise UploadError(f"the upload has more than {max_items:,} items", 413)
        if isinstance(row, Exception):
            problems.append({"line": line, "problem": f"not JSON ({row.msg})"})
            continue
        if not isinstance(row, dict):
            problems.append({"line": line, "problem": "not a JSON object"})
            continue
        item_id, body = row.get("id"), row.get("text")
        if item_id is None or str(item_id).strip() == "":
            problems.append({"line": line, "problem": "no id"})
            continue
        if not isinstance(body, str) or not body.strip():
            problems.append({"line": line, "problem": "no text"})
            continue
        if len(body) > max_chars:
            too_long = True
            problems.append({"line": line, "problem": f"text longer than {max_chars:,} characters"})
            continue
        key = str(item_id)
        if key in seen:
            problems.append({"line": line, "problem": f"duplicate id {key!r}"})
            continue
        seen.add(key)
        items.append({"id": key, "text": body, "url": str(row.get("url") or "")[:2000],
                      "clinic": str(row.get("clinic") or "")[:200]})
    if problems:
        raise UploadError(f"{len(problems)} record(s) cannot be scored; nothing was queued",
                          413 if too_long and len(problems) == 1 else 400, problems[:50])
    if not items:
        raise UploadError("the upload has no items")
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
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.stopping = threading.Event()

    def run(self) -> None:
        store = Store(self.db_path)
        try:
            while not self.stopping.is_set():
                done = self.work_once(store)
                if not done:
                    self.stopping.wait(self.idle)
        finally:
            store.close()

    def work_once(self, store: Store) -> int:
        try:
            items = store.claim_items(self.worker_id, self.batch, self.lease)
        except Exception:  # a locked or vanished database must not kill the thread
            log.exception("claiming job items failed")
            return 0
        for item in items:
            try:
                result = self.checker.check(item["text"]).to_dict()
                store.finish_item(item["job_id"], item["seq"], self.worker_id, result=result)
            except CheckerError as exc:
                store.finish_item(item["job_id"], item["seq"], self.worker_id, result=None,
                                  error=exc.message)
            except Exception as exc:  # record, never crash the worker
                log.exception("scoring job item failed")
                store.finish_item(item["job_id"], item["seq"], self.worker_id, result=None,
                                  error=f"internal error: {type(exc).__name__}")
        return len(items)


def start_worker(app: Flask) -> JobWorker:
    worker = JobWorker(app)
    worker.start()
    app.extensions["job_worker"] = worker
    return worker
