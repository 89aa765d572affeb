"""Batch scoring: many adverts through ``check``, in input order, on all cores or a Dask cluster.

    read_input(path)   ->  Record | BadRecord, streamed (JSON Lines, CSV, or a folder of files)
    score_chunk(...)   ->  one outcome per record: a ready-made output row, or a problem
    run_batch(options) ->  writes OUTPUT and the errors file in input order; a BatchSummary

The records travel in small chunks through one of three engines: this process (``workers=1``),
a pool of worker processes (the default, one per core), or a Dask cluster (``dask=ADDRESS`` or
``"local"``). Each worker process loads the rules and the model once, the first time it scores.
At most a few chunks per worker are in flight, so memory stays flat however long the input is,
and outcomes are written in input order as soon as the oldest chunk is back.

``fmt="compact"`` writes JSON Lines in which each editorial or regulator citation names its
passage or source instead of repeating the quote and credit or the fact (over half of a result's
bytes); the quotes, with the credit line, and the regulator sources are written once to
``OUTPUT.passages.json``. ``expand_row`` puts them back.

``fmt="csv"`` writes one summary row per advert (checker.surfaces.summary), the same rows an API
job's CSV gives. Their ``triage_rank`` needs every row: it is left empty while the run goes, and
filled in once the run has finished (OUTPUT is then rewritten beside itself and renamed over, so a
kill at that moment leaves it as it was; resuming ranks it again).

``check_options`` (checker.core.options) narrow every result alike; a JSON Lines OUTPUT made
with other options is not resumed.

A killed run leaves OUTPUT with whole lines for every record it finished (a torn last line is cut
off on resume). ``resume=True`` reads the ids already in OUTPUT and the lines already in the
errors file and skips those records, so nothing is lost and nothing is written twice. Resuming
keeps one set of the finished ids in memory (about 100 bytes per id).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from checker.core.errors import BatchError, CheckerError
from checker.core.options import CheckOptions
from checker.core.records import BadRecord, Record, read_input
from checker.intake import from_url
from checker.intake.fetch import Pacer
from checker.surfaces.batch.engines import DaskEngine, Engine, Future, ProcessPool
from checker.surfaces.batch.rows import (CHUNKS_PER_WORKER, CSV_COLUMNS, FORMATS, Failed, Scored,
                                         WorkerStats, peak_rss_bytes, write_passages)
from checker.surfaces.summary import RANK, csv_line, ranks_of_rows

log = logging.getLogger(__name__)

# -- resuming ---------------------------------------------------------------------------------


def _complete_lines(path: Path) -> list[str]:
    """The whole lines of ``path``; a torn last line (a killed write) is cut off the file."""
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        log.warning("%s ends in a torn line; cutting it off", path)
        with open(path, "r+b") as fh:
            fh.truncate(end)
    return data[:end].decode("utf-8").splitlines()


def _done_ids(output: Path, fmt: str, options: CheckOptions | None = None
              ) -> tuple[set[str], str | None]:
    """The ids already in OUTPUT, and the versions of its last row."""
    ids: set[str] = set()
    versions = None
    wanted = options.to_dict() if options is not None else {}
    lines = _complete_lines(output)
    try:
        if fmt in ("jsonl", "jsonl:1", "compact"):
            for line in lines:
                if line.strip():
                    row = json.loads(line)
                    if bool(row.get("compact")) != (fmt == "compact"):
                        other = "compact" if row.get("compact") else "jsonl"
                        raise BatchError(f"{output} holds {other} rows: resume it with "
                                         f"--format {other}")
                    held = row["result"].get("format")
                    if fmt != "compact" and held != ("1" if fmt == "jsonl:1" else "2"):
                        raise BatchError(f"{output} holds format {held} results: resume it "
                                         f"with --result-format {held}")
                    made = {k: v for k, v in row["result"].get("options", {}).items()
                            if k != "dropped"}
                    if made != wanted:
                        raise BatchError(f"{output} was made with other options "
                                         f"({json.dumps(made) if made else 'none'}): resume it "
                                         "with the same ones, or start a new OUTPUT")
                    ids.add(str(row["id"]))
                    versions = json.dumps(row["result"]["versions"], sort_keys=True)
        else:
            rows = csv.reader(lines)
            header = next(rows, None)
            if header is not None and header != CSV_COLUMNS:
                raise ValueError("its header is not the batch CSV header")
            for row in rows:
                ids.add(row[0])
                versions = json.dumps(dict(zip(("checker", "rules", "model"), row[-3:])))
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise BatchError(f"{output}: cannot resume from it as {fmt} ({exc})") from None
    return ids, versions


def _reported(errors: Path) -> set[tuple[int | None, str | None]]:
    """The (line, id) of every record already in the errors file."""
    seen: set[tuple[int | None, str | None]] = set()
    for line in _complete_lines(errors):
        if line.strip():
            try:
                row = json.loads(line)
                seen.add((row.get("line"), row.get("id")))
            except (ValueError, AttributeError):
                continue
    return seen


# -- the run ----------------------------------------------------------------------------------


FETCH_INTERVAL = 1.0   # seconds between two requests to one host (batch --fetch)


@dataclass
class BatchOptions:
    input: Path | str
    output: Path
    fmt: str = "jsonl"
    input_kind: str = "auto"
    result_format: str = "2"            # of jsonl rows; compact and csv rows are format 1
    workers: int | None = None          # None: every core
    dask: str | None = None             # a scheduler address, or "local"
    resume: bool = False
    force: bool = False
    errors: Path | None = None          # default: OUTPUT + ".errors.jsonl"
    classifier: bool = True
    chunk_size: int | None = None
    fetch: bool = False                 # records with a url and no text: fetch the page
    check_options: CheckOptions | None = None   # narrow every result (checker.core.options)

    @property
    def errors_path(self) -> Path:
        return self.errors or self.output.with_name(self.output.name + ".errors.jsonl")


@dataclass
class BatchSummary:
    output: Path
    errors: Path
    engine: str = ""
    scored: int = 0
    failed: int = 0
    skipped: int = 0                    # already in OUTPUT or the errors file (--resume)
    seconds: float = 0.0
    startup_seconds: float | None = None   # until the first chunk came back (workers loading)
    interrupted: bool = False
    versions: dict[str, str] = field(default_factory=dict)
    mixed_versions: bool = False
    peak_rss_bytes: dict[str, int] = field(default_factory=dict)   # per worker
    reader_peak_rss_bytes: int = 0      # the process that reads the input and writes OUTPUT
    _started: float = field(default_factory=time.perf_counter)

    @property
    def rate(self) -> float:
        done = self.scored + self.failed
        return done / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"output": str(self.output), "errors": str(self.errors), "engine": self.engine,
                "scored": self.scored, "failed": self.failed, "skipped": self.skipped,
                "seconds": round(self.seconds, 3), "adverts_per_second": round(self.rate, 2),
                "startup_seconds": None if self.startup_seconds is None
                else round(self.startup_seconds, 3),
                "interrupted": self.interrupted, "versions": self.versions,
                "mixed_versions": self.mixed_versions, "peak_rss_bytes": self.peak_rss_bytes,
                "reader_peak_rss_bytes": self.reader_peak_rss_bytes}

    def describe(self) -> str:
        parts = [f"scored {self.scored:,}", f"failed {self.failed:,}"]
        if self.skipped:
            parts.append(f"skipped {self.skipped:,} already done")
        line = ", ".join(parts) + f" in {self.seconds:.1f} s ({self.rate:.1f} adverts/s, {self.engine})"
        if self.failed:
            line += f"; the failures are listed in {self.errors}"
        if self.peak_rss_bytes:
            peak = max(self.peak_rss_bytes.values()) / 2**20
            line += f"; peak memory per worker {peak:.0f} MB"
        if self.interrupted:
            line += "; interrupted: run again with --resume to finish"
        return line


def _chunks(records: Iterable[Record | BadRecord], size: int
            ) -> Iterator[list[Record | BadRecord]]:
    chunk: list[Record | BadRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _row_kind(options: BatchOptions) -> str:
    """What a worker writes: "jsonl" (format 2 results), "jsonl:1", "compact" or "csv"."""
    return "jsonl:1" if options.fmt == "jsonl" and options.result_format == "1" else options.fmt


def _engine(options: BatchOptions) -> Engine:
    workers = options.workers or os.cpu_count() or 1
    kind = _row_kind(options)
    narrow = options.check_options
    if options.dask:
        return DaskEngine(options.classifier, kind, options.dask, workers, narrow)
    if workers == 1:
        return Engine(options.classifier, kind, narrow)
    return ProcessPool(options.classifier, kind, workers, narrow)


def fetched(records: Iterator[Record | BadRecord], pacer: Pacer | None = None
            ) -> Iterator[Record | BadRecord]:
    """Each record with a url and no text with its page fetched (one request a second to a
    host, by the reader, in input order); a page that cannot be fetched is a bad record that
    says why."""
    pacer = pacer or Pacer(FETCH_INTERVAL)
    for record in records:
        if isinstance(record, Record) and not record.text and record.url:
            try:
                taken = from_url(record.url, pacer=pacer)
            except CheckerError as exc:
                yield BadRecord(record.line, record.id, f"{record.url}: {exc.message}")
                continue
            yield record._replace(text=taken.text, source=taken.source)
        else:
            yield record


def run_batch(options: BatchOptions, progress: Callable[[int], None] | None = None
              ) -> BatchSummary:
    """Score every record of ``options.input`` into ``options.output``, in input order."""
    if options.fmt not in FORMATS:
        raise BatchError(f"unknown output format {options.fmt!r}")
    output, errors_path = Path(options.output), options.errors_path
    summary = BatchSummary(output, errors_path)
    done: set[str] = set()
    reported: set[tuple[int | None, str | None]] = set()
    earlier_versions = None
    exists = output.exists() and output.stat().st_size > 0
    if exists and not (options.resume or options.force):
        raise BatchError(f"{output} already exists: add --resume to carry on where it stopped, "
                         f"or --force to start again")
    if options.resume and exists:
        done, earlier_versions = _done_ids(output, _row_kind(options), options.check_options)
        if errors_path.exists():
            reported = _reported(errors_path)
    append = options.resume and exists
    records = read_input(options.input, options.input_kind, fetching=options.fetch)
    if options.fetch:
        records = fetched(records)

    def pending() -> Iterator[Record | BadRecord]:
        for record in records:
            if (record.id in done and isinstance(record, Record)) \
                    or (record.line, record.id) in reported:
                summary.skipped += 1
                if progress is not None:
                    progress(1)
            else:
                yield record

    try:
        out = open(output, "a" if append else "w", encoding="utf-8", newline="")
        err = open(errors_path, "a" if append and errors_path.exists() else "w", encoding="utf-8")
    except OSError as exc:
        raise BatchError(f"cannot write {exc.filename} ({exc.strerror})") from None
    started = summary._started = time.perf_counter()
    engine: Engine | None = None
    try:
        if options.fmt == "csv" and not append:
            csv.writer(out).writerow(CSV_COLUMNS)
        if options.fmt == "compact":
            write_passages(output, resuming=append)
        engine = _engine(options)
        summary.engine = engine.name
        size = options.chunk_size or engine.chunk_size
        window: deque[Future] = deque()
        limit = max(engine.workers * CHUNKS_PER_WORKER, 2)
        for chunk in _chunks(pending(), size):
            window.append(engine.submit(chunk))
            if len(window) >= limit:
                _write(engine.result(window.popleft()), out, err, summary, earlier_versions,
                       progress)
        while window:
            _write(engine.result(window.popleft()), out, err, summary, earlier_versions, progress)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        out.close()
        err.close()
        if engine is not None:
            engine.close(cancel=summary.interrupted)
        summary.seconds = time.perf_counter() - started
        summary.reader_peak_rss_bytes = peak_rss_bytes()
    if options.fmt == "csv" and not summary.interrupted:
        rank_csv(output)
    log.info("batch done: %s", summary.describe())
    return summary


def rank_csv(output: Path) -> None:
    """Fill in the triage_rank of every row of a finished CSV OUTPUT: a new file beside it,
    renamed over it (a kill on the way leaves OUTPUT as it was)."""
    try:
        with open(output, encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows, None)
            ranks = ranks_of_rows(rows)
        ranked = output.with_name(output.name + ".ranking")
        with open(output, encoding="utf-8", newline="") as src, \
                open(ranked, "w", encoding="utf-8", newline="") as dst:
            rows = csv.reader(src)
            header = next(rows, None)
            if header is not None:
                dst.write(csv_line(header))
            for rank, row in zip(ranks, rows):
                row[RANK] = str(rank)
                dst.write(csv_line(row))
        os.replace(ranked, output)
    except (OSError, ValueError, IndexError, csv.Error) as exc:
        raise BatchError(f"{output}: the rows were written but not ranked ({exc}); run again "
                         "with --resume to rank them") from None


def _write(batch: tuple[list[Scored | Failed], WorkerStats], out: IO[str], err: IO[str],
           summary: BatchSummary, earlier_versions: str | None,
           progress: Callable[[int], None] | None) -> None:
    """Write one chunk's outcomes, in order, and flush, so a kill loses only chunks in flight."""
    outcomes, stats = batch
    if summary.startup_seconds is None:
        summary.startup_seconds = time.perf_counter() - summary._started
    for outcome in outcomes:
        if isinstance(outcome, Scored):
            out.write(outcome.row)
            summary.scored += 1
            if not summary.versions:
                summary.versions = json.loads(outcome.versions)
                if earlier_versions is not None \
                        and _versions_differ(earlier_versions, outcome.versions):
                    log.warning("OUTPUT was started with other versions: %s; now %s",
                                earlier_versions, outcome.versions)
                    summary.mixed_versions = True
            elif json.dumps(summary.versions, sort_keys=True) != outcome.versions:
                if not summary.mixed_versions:
                    log.warning("workers disagree on versions: %s and %s",
                                summary.versions, outcome.versions)
                summary.mixed_versions = True
        else:
            err.write(json.dumps({"line": outcome.line, "id": outcome.id,
                                  "problem": outcome.problem}, ensure_ascii=False) + "\n")
            summary.failed += 1
    out.flush()
    err.flush()
    summary.peak_rss_bytes[stats.worker] = max(stats.peak_rss_bytes,
                                               summary.peak_rss_bytes.get(stats.worker, 0))
    if progress is not None:
        progress(len(outcomes))


def _versions_differ(earlier: str, now: str) -> bool:
    """Compare the versions a CSV OUTPUT can hold (checker, rules, model) with a full set."""
    old, new = json.loads(earlier), json.loads(now)
    return any(old[k] != new.get(k) for k in old)
