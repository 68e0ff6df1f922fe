"""Process pools for the CPU-bound core.

`AnalysisPool` runs `pipeline.analyse` for many fetch threads at once in worker processes, with
a bound on documents in flight. A pool worker whose parent is killed (SIGKILL, OOM killer) must
not live on as an orphan: its siblings hold the task pipe open, so it would never see EOF;
`exit_with_parent` (a pool initializer) ends it as soon as the parent is gone."""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from worker import memory
from worker.pipeline import Analysis, CoreConfig, Document, analyse

log = logging.getLogger(__name__)


def _watch_parent() -> None:
    # the parent's sentinel becomes readable once it is gone, even with a fork server between
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)


def exit_with_parent() -> None:
    """Pool initializer: end this worker process as soon as its parent has gone, and leave
    Ctrl-C (SIGINT, sent to the whole process group) to the parent, which shuts the pool down:
    no KeyboardInterrupt traceback from each child."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, daemon=True, name="parent-watch").start()


class PoolClosed(Exception):
    """The pool was shut down (the worker is stopping): the document was not analysed."""


def _init_process(core: CoreConfig) -> None:
    """In each pool process: leave SIGINT/SIGTERM to the parent (it shuts the pool down), exit
    when the parent is gone, and load the data files and models once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    exit_with_parent()
    with contextlib.suppress(Exception):  # a broken data file shows up per document instead
        analyse(Document(url="warm-up", locator="warm-up", text="Warm-up. 1 000 soldiers."),
                core, claims_always=True)
    settle()


def analyse_in_pool(doc: Document, core: CoreConfig) -> Analysis:
    """`analyse` in a pool process, then the C heap's free pages back to the system
    (`worker.memory.trim`, 0.2 ms), so the largest page met does not stay resident in every
    pool process."""
    result = analyse(doc, core)
    memory.trim()
    return result


def settle() -> None:
    """Once the modules, models and lexicons are loaded: move every object alive into the
    garbage collector's permanent generation (`gc.freeze`). They live as long as the process,
    and without this every full collection walks them again; the 2-4 ms it saves a page is a
    third of what the pipeline adds to trafilatura. Objects frozen are still freed by
    reference counting; only cycles among them stay."""
    gc.freeze()


def _context() -> multiprocessing.context.BaseContext:
    # fork would copy a process full of threads holding locks (fetchers, the scheduler, the
    # database pool); the fork server is a clean single-threaded process with the core, its
    # models and the packaged data files loaded (worker.preload), which its workers share
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["worker.procs", "worker.preload"])
    return ctx


class AnalysisPool:
    """`analyse` for many threads at once: in `processes` worker processes (created on first
    use), or in the calling thread when `processes` is 1. At most `queue_size` documents are
    submitted and unanswered at any time, so memory stays flat however large the backlog.
    A pool whose process died (BrokenProcessPool) is replaced and the document tried once
    more on the new one; a second crash is raised to the caller, who records an error."""

    def __init__(self, core: CoreConfig, processes: int = 0, queue_size: int = 64) -> None:
        self.core = core
        self.processes = processes if processes > 0 else (os.cpu_count() or 1)
        self.slots = threading.BoundedSemaphore(max(1, queue_size))
        self.lock = threading.Lock()
        self.executor: ProcessPoolExecutor | None = None
        self.inflight: set[Future[Analysis]] = set()
        self.closed = threading.Event()
        self.restarts = 0
        self.settled = False

    def analyse(self, doc: Document) -> Analysis:
        while not self.slots.acquire(timeout=0.5):
            if self.closed.is_set():
                raise PoolClosed
        try:
            if self.closed.is_set():
                raise PoolClosed
            if self.processes <= 1:
                result = analyse(doc, self.core)
                if not self.settled:  # the first document loaded what stays
                    self.settled = True
                    settle()
                return result
            for attempt in (1, 2):
                executor = self._executor()
                try:
                    return self._wait(executor.submit(analyse_in_pool, doc, self.core))
                except CancelledError:
                    raise PoolClosed from None
                except BrokenProcessPool:
                    self._replace(executor)
                    if self.closed.is_set():
                        raise PoolClosed from None
                    if attempt == 2:
                        raise
                    log.warning("an analysis process died; retrying %s on a new pool", doc.url)
                except RuntimeError:
                    if self.closed.is_set():  # submit after shutdown
                        raise PoolClosed from None
                    raise
            raise AssertionError("unreachable")
        finally:
            self.slots.release()

    def _wait(self, fut: Future[Analysis]) -> Analysis:
        with self.lock:
            self.inflight.add(fut)
        try:
            if self.closed.is_set():
                fut.cancel()
            return fut.result()
        finally:
            with self.lock:
                self.inflight.discard(fut)

    def _executor(self) -> ProcessPoolExecutor:
        with self.lock:
            if self.closed.is_set():
                raise PoolClosed
            if self.executor is None:
                self.executor = ProcessPoolExecutor(
                    self.processes, mp_context=_context(), initializer=_init_process,
                    initargs=(self.core,))
            return self.executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self.lock:
            if self.executor is broken:  # the first thread to see it replaces it
                self.executor = None
                self.restarts += 1
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self, *, wait: bool = True) -> None:
        """Refuse new documents and cancel the queued ones; with `wait`, also wait for the
        running ones and the processes to end. May be called again (e.g. first without wait)."""
        self.closed.set()
        with self.lock:
            executor, queued = self.executor, list(self.inflight)
        for fut in queued:
            fut.cancel()  # only those not yet handed to a process
        if wait and executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
