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
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, NamedTuple, Protocol

import orjson

from checker.core.errors import BatchError, CheckerError
from checker.core.records import BadRecord, Record, read_input
from checker.formats import to_v2
from checker.surfaces.summary import SUMMARY_COLUMNS, csv_line, summary_row

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


def _peak_rss_bytes() -> int:
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
        out: dict[str, Any] = {"id": record.id}
        if record.url:
            out["url"] = record.url
        if record.clinic:
            out["clinic"] = record.clinic
        if fmt == "compact":
            out["compact"] = True   # ``result`` is then Result.to_dict(compact=True)
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


def _write_passages(output: Path, resuming: bool) -> None:
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


def _score_one(checker: Any, record: Record | BadRecord, fmt: str) -> Scored | Failed:
    if isinstance(record, BadRecord):
        return Failed(record.line, record.id, record.problem)
    try:
        checked = checker.check(record.text)
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


def score_chunk(chunk: list[Record | BadRecord], classifier: bool, fmt: str
                ) -> tuple[list[Scored | Failed], WorkerStats]:
    """Score a chunk in this process; a record that cannot be checked becomes a Failed."""
    with _check_lock:
        checker = worker_checker(classifier)
        outcomes = [_score_one(checker, record, fmt) for record in chunk]
    return outcomes, WorkerStats(f"{socket.gethostname()}:{os.getpid()}", _peak_rss_bytes())


# -- engines ----------------------------------------------------------------------------------


class _Future(Protocol):
    def result(self) -> Any: ...


class _Done:
    """An already computed result, for the engine that scores in this process."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class _Engine:
    """Where chunks are scored. ``submit`` returns something with ``result()``."""

    name = "this process"
    workers = 1
    chunk_size = LOCAL_CHUNK

    def __init__(self, classifier: bool, fmt: str) -> None:
        self.classifier, self.fmt = classifier, fmt

    def submit(self, chunk: list[Record | BadRecord]) -> _Future:
        return _Done(score_chunk(chunk, self.classifier, self.fmt))

    def result(self, future: _Future) -> Any:
        return future.result()

    def close(self, cancel: bool = False) -> None:
        pass


def _watch_driver(driver_pid: int) -> None:
    """Pool initializer: end this worker if the process that started it is killed.

    Workers wait for work on a pipe that they hold open themselves, so a driver killed with
    SIGKILL would otherwise leave them waiting, each with the model in memory, for ever.
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(driver_pid, 0)
            except ProcessLookupError:
                os._exit(70)
            except PermissionError:  # pragma: no cover - the pid now belongs to someone else
                os._exit(70)

    threading.Thread(target=watch, name="watch-driver", daemon=True).start()


class _ProcessPool(_Engine):
    def __init__(self, classifier: bool, fmt: str, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        super().__init__(classifier, fmt)
        self.workers = workers
        self.name = f"{workers} worker processes"
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods:
            # Workers fork from a server that has already imported spaCy and scikit-learn, and
            # never from this process (its threads, its open files).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["checker.engine", "checker.surfaces.batch"]
                                           + (["skops.io"] if classifier else []))
        else:  # pragma: no cover - Windows
            context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                        initializer=_watch_driver, initargs=(os.getpid(),))

    def submit(self, chunk: list[Record | BadRecord]) -> _Future:
        return self.pool.submit(score_chunk, chunk, self.classifier, self.fmt)

    def result(self, future: _Future) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()
        except BrokenProcessPool:
            raise BatchError("a worker process died (out of memory, or killed); what was "
                             "finished is saved: run again with --resume") from None

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


class _Dask(_Engine):
    chunk_size = DASK_CHUNK

    def __init__(self, classifier: bool, fmt: str, address: str, workers: int) -> None:
        super().__init__(classifier, fmt)
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - it is in requirements.txt
            raise BatchError("Dask is not installed: pip install 'dask[distributed]'") from None
        self.cluster = None
        if not log.isEnabledFor(logging.INFO):
            # Dask logs every connection at INFO; keep its chatter to what we ask for.
            logging.getLogger("distributed").setLevel(logging.WARNING)
        try:
            if address == "local":
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                            processes=True, dashboard_address=":0",
                                            silence_logs=logging.CRITICAL)
                self.client = Client(self.cluster)
            else:
                # How long to try: Dask's distributed.comm.timeouts.connect (30 s; the
                # environment variable DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT changes it).
                self.client = Client(address)
        except (OSError, TimeoutError, ValueError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise BatchError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
        threads = self.client.nthreads()
        self.workers = max(sum(threads.values()), 1)
        self.name = f"Dask at {address} ({len(threads)} workers, {self.workers} threads)"

    def submit(self, chunk: list[Record | BadRecord]) -> _Future:
        return self.client.submit(score_chunk, chunk, self.classifier, self.fmt, pure=False)

    def result(self, future: _Future) -> Any:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker as exc:
            raise BatchError(f"Dask workers kept dying on a chunk ({exc}); what was finished "
                             "is saved: run again with --resume") from None

    def close(self, cancel: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


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


def _done_ids(output: Path, fmt: str) -> tuple[set[str], str | None]:
    """The ids already in OUTPUT, and the versions of its last row."""
    ids: set[str] = set()
    versions = None
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
                    ids.add(str(row["id"]))
                    versions = json.dumps(row["result"]["versions"], sort_keys=True)
        else:
            rows = csv.reader(lines)
            header = next(rows, None)
            if header is not None and header != CSV_COLUMNS:
                raise ValueError("its header is not the batch CSV header")
            for row in rows:
                ids.add(row[0])
                versions = json.dumps({"checker": row[10], "rules": row[11], "model": row[12]})
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


def _engine(options: BatchOptions) -> _Engine:
    workers = options.workers or os.cpu_count() or 1
    kind = _row_kind(options)
    if options.dask:
        return _Dask(options.classifier, kind, options.dask, workers)
    if workers == 1:
        return _Engine(options.classifier, kind)
    return _ProcessPool(options.classifier, kind, workers)


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
        done, earlier_versions = _done_ids(output, _row_kind(options))
        if errors_path.exists():
            reported = _reported(errors_path)
    append = options.resume and exists
    records = read_input(options.input, options.input_kind)

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
    engine: _Engine | None = None
    try:
        if options.fmt == "csv" and not append:
            csv.writer(out).writerow(CSV_COLUMNS)
        if options.fmt == "compact":
            _write_passages(output, resuming=append)
        engine = _engine(options)
        summary.engine = engine.name
        size = options.chunk_size or engine.chunk_size
        window: deque[_Future] = deque()
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
        summary.reader_peak_rss_bytes = _peak_rss_bytes()
    log.info("batch done: %s", summary.describe())
    return summary


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
