"""Scoring records in a worker: one outcome each (a finished output row, or a problem), the
output row formats, and the compact rows' passages file.

A JSON Lines row is ``{"id", "url", "clinic", "fields", "text", "result"}``: the record's id,
its url and clinic when it has them, ``fields`` with every other field of the input record as
given (not the text; absent when there are none), the text only when it is not the input's own
(a page's or a file's), and the result. A CSV row is the summary row (checker.surfaces.summary).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from checker.core.errors import BatchError, CheckerError
from checker.core.options import CheckOptions
from checker.core.records import BadRecord, Record
from checker.formats import to_v2
from checker.surfaces.summary import SUMMARY_COLUMNS, csv_line, record_fields, summary_row

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "compact", "csv")
CSV_COLUMNS = SUMMARY_COLUMNS
LOCAL_CHUNK = 16      # records per task for worker processes
DASK_CHUNK = 64       # larger for Dask: each task also pays a trip through the scheduler
CHUNKS_PER_WORKER = 4




# -- scoring (runs in the workers) -----------------------------------------------------------


class Scored(NamedTuple):
    line: int | None
    id: str
    row: str          # the finished output line, JSON or CSV, ending in a newline
    versions: str     # the checker, rules, data and model versions that made it


class Failed(NamedTuple):
    line: int | None
    id: str | None
    problem: str


class WorkerStats(NamedTuple):
    worker: str           # host:pid
    peak_rss_bytes: int   # the worker process's peak resident memory so far


# Dask may run tasks in threads; one check at a time per process keeps spaCy's caches safe.
_check_lock = threading.Lock()


def worker_checker(classifier: bool) -> Any:
    """This process's Checker: the shipped rules and model, loaded once per worker process."""
    from checker.engine import default_checker

    started = time.perf_counter()
    loaded = default_checker.cache_info().currsize
    checker = default_checker(classifier)
    if default_checker.cache_info().currsize > loaded:
        log.info("worker %s loaded the checker in %.1f s", os.getpid(),
                 time.perf_counter() - started)
    return checker


def peak_rss_bytes() -> int:
    """This process's peak resident memory: VmHWM where Linux gives it, else getrusage.

    ``getrusage``'s maximum survives ``exec``: a command started by a large process (a benchmark
    that has loaded the checker itself) would report its parent's peak. VmHWM is the peak of
    this process's own memory map.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def format_row(record: Record, result: dict[str, Any], fmt: str) -> str:
    """One output line for a scored record."""
    if fmt in ("jsonl", "compact"):
        out: dict[str, Any] = {"id": record.id, **record_fields(
            url=record.url, clinic=record.clinic, fields=record.fields, text=record.text,
            result=result)}
        if fmt == "compact":
            out["compact"] = True   # ``result`` is then Result.to_dict(compact=True)
        if record.source is not None:
            out["text"] = record.text   # a page's or a file's text: the offsets point into it
        out["result"] = result
        # orjson: a result is ~40 kB of JSON, and the standard encoder took ~7 % of a worker's time
        return orjson.dumps(out, option=orjson.OPT_APPEND_NEWLINE).decode("utf-8")
    return csv_line(summary_row(record.id, result, url=record.url, clinic=record.clinic))


# -- compact rows: each editorial passage quoted once, in OUTPUT.passages.json ----------------


def passages_path(output: Path) -> Path:
    return output.with_name(output.name + ".passages.json")


def passages_file() -> dict[str, Any]:
    """What ``OUTPUT.passages.json`` holds: every passage's quote, the credit, the data version."""
    from checker.core.versions import data_version
    from checker.core.guidance import load_guidance

    guidance = load_guidance()
    return {"about": "What the compact rows of the batch output cite by id: the editorial's "
                     "passages (each quote verbatim; the credit line goes with every one) and "
                     "the regulator sources.",
            "data_version": data_version(), "credit": guidance.credit,
            "passages": {p.id: p.quote for p in guidance.passages.values()},
            "regulators": {r.id: {"source": r.source, "url": r.url, "title": r.title,
                                  "fact": r.fact} for r in guidance.regulators.values()}}


def expand_row(row: dict[str, Any], passages: dict[str, Any]) -> dict[str, Any]:
    """A compact row as the full row would have been: quotes and credit put back in place."""
    if not row.get("compact"):
        return row
    credit, quotes, regulators = passages["credit"], passages["passages"], passages["regulators"]

    def whole(c: dict[str, Any]) -> dict[str, Any]:
        if c.get("source") == "editorial" and "quote" not in c:
            return {**c, "quote": quotes[c["passage"]], "credit": credit}
        if "regulator" in c:
            return dict(regulators[c["regulator"]])
        return c

    findings = [{**finding, "citations": [whole(c) for c in finding["citations"]]}
                for finding in row["result"]["findings"]]
    expanded = {k: v for k, v in row.items() if k != "compact"}
    expanded["result"] = {**row["result"], "findings": findings}
    return expanded


def write_passages(output: Path, resuming: bool) -> None:
    """Write OUTPUT.passages.json; when resuming, refuse if the passages have changed since."""
    path, data = passages_path(output), passages_file()
    if resuming and path.exists():
        try:
            earlier = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BatchError(f"{path} cannot be read ({exc}); start a new OUTPUT") from None
        if earlier != data:
            raise BatchError(f"{path}: the editorial passages have changed since {output} was "
                             f"started (data {earlier.get('data_version')}, now "
                             f"{data['data_version']}); start a new OUTPUT")
        return
    try:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BatchError(f"cannot write {path} ({exc.strerror})") from None


def _score_one(checker: Any, record: Record | BadRecord, fmt: str,
               options: CheckOptions | None = None) -> Scored | Failed:
    if isinstance(record, BadRecord):
        return Failed(record.line, record.id, record.problem)
    try:
        checked = checker.check(record.text, source=record.source, options=options)
        # jsonl rows hold format 2 ("jsonl:1" is format 1); compact and csv rows format 1
        result = to_v2(checked) if fmt == "jsonl" else checked.to_dict(compact=fmt == "compact")
    except CheckerError as exc:
        return Failed(record.line, record.id, exc.message)
    except Exception as exc:  # a bug must not stop a run of millions; it is logged in full
        log.exception("record %s (line %s) failed", record.id, record.line)
        return Failed(record.line, record.id, f"internal error ({type(exc).__name__}: {exc})")
    versions = json.dumps(result["versions"], sort_keys=True)
    row_kind = "jsonl" if fmt == "jsonl:1" else fmt
    return Scored(record.line, record.id, format_row(record, result, row_kind), versions)


def score_chunk(chunk: list[Record | BadRecord], classifier: bool, fmt: str,
                options: CheckOptions | None = None
                ) -> tuple[list[Scored | Failed], WorkerStats]:
    """Score a chunk in this process (narrowed by ``options``, checker.core.options); a record
    that cannot be checked becomes a Failed."""
    with _check_lock:
        checker = worker_checker(classifier)
        outcomes = [_score_one(checker, record, fmt, options) for record in chunk]
    return outcomes, WorkerStats(f"{socket.gethostname()}:{os.getpid()}", peak_rss_bytes())

