"""Where chunks of records are scored: this process, a pool of worker processes, or Dask."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Protocol


from checker.core.errors import BatchError
from checker.core.options import CheckOptions
from checker.core.records import BadRecord, Record

log = logging.getLogger(__name__)

from checker.surfaces.batch.rows import DASK_CHUNK, LOCAL_CHUNK, score_chunk

# -- engines ----------------------------------------------------------------------------------


class Future(Protocol):
    def result(self) -> Any: ...


class Done:
    """An already computed result, for the engine that scores in this process."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class Engine:
    """Where chunks are scored. ``submit`` returns something with ``result()``."""

    name = "this process"
    workers = 1
    chunk_size = LOCAL_CHUNK

    def __init__(self, classifier: bool, fmt: str, options: CheckOptions | None = None) -> None:
        self.classifier, self.fmt, self.options = classifier, fmt, options

    def submit(self, chunk: list[Record | BadRecord]) -> Future:
        return Done(score_chunk(chunk, self.classifier, self.fmt, self.options))

    def result(self, future: Future) -> Any:
        return future.result()

    def close(self, cancel: bool = False) -> None:
        pass


def watch_driver(driver_pid: int) -> None:
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


class ProcessPool(Engine):
    def __init__(self, classifier: bool, fmt: str, workers: int,
                 options: CheckOptions | None = None) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        super().__init__(classifier, fmt, options)
        self.workers = workers
        self.name = f"{workers} worker processes"
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods:
            # Workers fork from a server that has already imported spaCy and scikit-learn, and
            # never from this process (its threads, its open files).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["checker.engine", "checker.surfaces.batch.rows"]
                                           + (["skops.io"] if classifier else []))
        else:  # pragma: no cover - Windows
            context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                        initializer=watch_driver, initargs=(os.getpid(),))

    def submit(self, chunk: list[Record | BadRecord]) -> Future:
        return self.pool.submit(score_chunk, chunk, self.classifier, self.fmt, self.options)

    def result(self, future: Future) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()
        except BrokenProcessPool:
            raise BatchError("a worker process died (out of memory, or killed); what was "
                             "finished is saved: run again with --resume") from None

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskEngine(Engine):
    chunk_size = DASK_CHUNK

    def __init__(self, classifier: bool, fmt: str, address: str, workers: int,
                 options: CheckOptions | None = None) -> None:
        super().__init__(classifier, fmt, options)
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

    def submit(self, chunk: list[Record | BadRecord]) -> Future:
        return self.client.submit(score_chunk, chunk, self.classifier, self.fmt, self.options,
                                  pure=False)

    def result(self, future: Future) -> Any:
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

