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
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

from worker import clean, memory
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


T = TypeVar("T")


@dataclass(frozen=True)
class _Pending(Generic[T]):
    """An item of `analyse_each` on its way: its document, and the pool that has it."""

    item: T
    doc: Document | None
    executor: ProcessPoolExecutor | None
    future: Future[Analysis] | None


class PoolClosed(Exception):
    """The pool was shut down (the worker is stopping): the document was not analysed."""


def _kill_processes(broken: ProcessPoolExecutor) -> None:
    """SIGKILL the processes left in a broken pool. They ignore SIGTERM (`_init_process`), so
    the executor's own clean-up cannot end one that is blocked handing back a large result on
    a pipe nobody reads any more: its manager thread then waits for it at 100 % CPU for ever,
    and the interpreter never exits. Their documents have already failed with the pool."""
    processes = dict(getattr(broken, "_processes", None) or {})  # one copy, under the GIL
    for process in processes.values():
        with contextlib.suppress(Exception):
            process.kill()


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


def analyse_in_pool(doc: Document, core: CoreConfig, claims_always: bool = False) -> Analysis:
    """`analyse` in a pool process, then trafilatura's caches of the page's strings emptied
    (`clean.clear_text_caches`) and the C heap's free pages back to the system
    (`worker.memory.trim`, 0.2 ms), so neither the strings of past pages nor the largest page
    met stay resident in every pool process."""
    result = analyse(doc, core, claims_always=claims_always)
    clean.clear_text_caches()
    memory.trim()
    return result


def settle() -> None:
    """Once the modules, models and lexicons are loaded: move every object alive into the
    garbage collector's permanent generation (`gc.freeze`). They live as long as the process,
    and without this every full collection walks them again; the 2-4 ms it saves a page is a
    third of what the pipeline adds to trafilatura. Objects frozen are still freed by
    reference counting; only cycles among them stay."""
    gc.freeze()


def warm_for_fork(core: CoreConfig) -> None:
    """In a command that forks its pool from itself (`worker replay`, `worker reanalyse`), just
    before the fork: what nearly every page that passes the topic screen needs is loaded here
    once (trafilatura, py3langid's model, the boilerplate rules' compiled tiers) and shared by
    the processes forked after it, instead of loaded by each of them (about 0.9 s of CPU per
    process). The figure lexicons are left to the processes: only a relevant page needs them,
    and a mostly off-topic replay never does. Measured, `worker replay` with a pool of 2,
    CPU time, interleaved: the corpus with 5 % relevant pages 9.7-10.8 -> 8.1-8.8 s, the
    corpus alone unchanged (6.2-6.3 -> 6.2-6.4 s)."""
    import trafilatura  # noqa: F401 - imported for its side effect: the modules load here

    from worker.language import warm_up as warm_up_language

    warm_up_language()
    clean.cached_rules(core.boilerplate).compile_tiers()
    settle()


def _context() -> multiprocessing.context.BaseContext:
    # fork would copy a process full of threads holding locks (fetchers, the scheduler, the
    # database pool); the fork server is a clean single-threaded process with the core, its
    # models and the packaged data files loaded (worker.preload), which its workers share
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["worker.procs", "worker.preload"])
    return ctx


def or_error(fn: Callable[[Document], Analysis], doc: Document) -> Analysis | Exception:
    """`fn(doc)`, or the exception it raised (PoolClosed excepted: the pool is stopping)."""
    try:
        return fn(doc)
    except PoolClosed:
        raise
    except Exception as exc:  # noqa: BLE001 - handed back per document, never fatal
        return exc


class AnalysisPool:
    """`analyse` for many threads at once: in `processes` worker processes (created on first
    use), or in the calling thread when `processes` is 1. At most `queue_size` documents are
    submitted and unanswered at any time, so memory stays flat however large the backlog.
    A pool whose process died (BrokenProcessPool) is replaced and the document tried once
    more on the new one; a second crash is raised to the caller, who records an error.

    Two calls, one pool: `analyse(doc)` blocks its thread (the daemon's fetch threads, each
    polling a feed), `analyse_each(items, doc_of, window)` keeps up to `window` documents in
    flight for one caller and gives the analyses back in input order (a replay).

    `start` is how the processes start: "forkserver" (default) forks them from a clean
    single-threaded server with the core loaded (`worker.preload`): the daemon's process
    is full of threads holding locks. "fork" forks the calling process, for a command that
    runs no threads of its own (`worker replay`): nothing to load twice and no server, and
    the processes are its own children, so their CPU time is the command's.

    `claims_always` extracts figures whatever the topic score says (`worker reanalyse`:
    every stored version keeps its figures up to date)."""

    def __init__(self, core: CoreConfig, processes: int = 0, queue_size: int = 64, *,
                 start: str = "forkserver", claims_always: bool = False) -> None:
        self.core = core
        self.claims_always = claims_always
        self.processes = processes if processes > 0 else (os.cpu_count() or 1)
        self.queue_size = max(1, queue_size)
        self.slots = threading.BoundedSemaphore(self.queue_size)
        self.lock = threading.Lock()
        self.executor: ProcessPoolExecutor | None = None
        self.inflight: set[Future[Analysis]] = set()
        self.closed = threading.Event()
        self.restarts = 0
        self.settled = False
        self.start = start

    def analyse(self, doc: Document) -> Analysis:
        self._take_slot()
        try:
            if self.processes <= 1:
                return self._inline(doc)
            return self._in_pool(doc, tries=2)
        finally:
            self.slots.release()

    def analyse_each(self, items: Iterable[T], doc_of: Callable[[T], Document | None],
                     window: int = 1) -> Iterator[tuple[T, Analysis | Exception | None]]:
        """Each item with the analysis of its document (None when `doc_of` gives none, the
        exception when the analysis failed), in input order; up to `window` documents (at
        most `queue_size`) in flight. Items are taken from `items` only as room frees up, so
        with `window` 1 each item is taken, analysed and handed back before the next is
        taken. PoolClosed is raised, never handed back: the pool is stopping."""
        if self.processes <= 1:
            for item in items:
                doc = doc_of(item)
                yield item, None if doc is None else or_error(self.analyse, doc)
            return
        window = max(1, min(window, self.queue_size))
        pending: deque[_Pending[T]] = deque()
        try:
            for item in items:
                pending.append(self._submit(item, doc_of(item)))
                while len(pending) >= window:
                    yield self._head(pending)
            while pending:
                yield self._head(pending)
        finally:
            for p in pending:  # the caller stopped early: what is queued is not needed
                if p.future is not None:
                    p.future.cancel()
                    self.slots.release()

    # -- the parts ---------------------------------------------------------------------

    def _take_slot(self) -> None:
        while not self.slots.acquire(timeout=0.5):
            if self.closed.is_set():
                raise PoolClosed
        if self.closed.is_set():
            self.slots.release()
            raise PoolClosed

    def _inline(self, doc: Document) -> Analysis:
        result = analyse(doc, self.core, claims_always=self.claims_always)
        if not self.settled:  # the first document loaded what stays
            self.settled = True
            settle()
        return result

    def _in_pool(self, doc: Document, *, tries: int) -> Analysis:
        for attempt in range(1, tries + 1):
            executor = self._executor()
            try:
                return self._wait(executor.submit(analyse_in_pool, doc, self.core,
                                                  self.claims_always))
            except CancelledError:
                raise PoolClosed from None
            except BrokenProcessPool:
                self._replace(executor)
                if self.closed.is_set():
                    raise PoolClosed from None
                if attempt == tries:
                    raise
                log.warning("an analysis process died; retrying %s on a new pool", doc.url)
            except RuntimeError:
                if self.closed.is_set():  # submit after shutdown
                    raise PoolClosed from None
                raise
        raise AssertionError("unreachable")

    def _submit(self, item: T, doc: Document | None) -> _Pending[T]:
        if doc is None:
            return _Pending(item, None, None, None)
        self._take_slot()  # released when the result is handed back (or the item dropped)
        try:
            return self._send(item, doc)
        except BaseException:
            self.slots.release()
            raise

    def _send(self, item: T, doc: Document) -> _Pending[T]:
        executor = self._executor()
        try:
            fut = executor.submit(analyse_in_pool, doc, self.core, self.claims_always)
        except BrokenProcessPool as exc:  # a process died since: handled at the item's turn
            fut = Future()
            fut.set_exception(exc)
        except RuntimeError:
            if self.closed.is_set():  # submit after shutdown
                raise PoolClosed from None
            raise
        return _Pending(item, doc, executor, fut)

    def _head(self, pending: deque[_Pending[T]]) -> tuple[T, Analysis | Exception | None]:
        """The first pending item's result. When its process died, the pool is replaced,
        the document is analysed again alone (a second crash is its own: handed back as
        the error), and the documents queued behind it go to the new pool."""
        p = pending.popleft()
        if p.future is None or p.doc is None:
            return p.item, None
        try:
            return p.item, self._wait(p.future)
        except CancelledError:
            raise PoolClosed from None
        except BrokenProcessPool:
            assert p.executor is not None
            self._replace(p.executor)
            if self.closed.is_set():
                raise PoolClosed from None
            log.warning("an analysis process died; retrying %s on a new pool", p.doc.url)
            result = or_error(lambda d: self._in_pool(d, tries=1), p.doc)
            for i, q in enumerate(pending):
                if q.doc is not None and q.executor is p.executor:
                    pending[i] = self._send(q.item, q.doc)  # keeps its slot
            return p.item, result
        except Exception as exc:  # noqa: BLE001 - the analysis itself failed
            return p.item, exc
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
                if self.start == "fork":
                    with contextlib.suppress(Exception):  # else each process loads its own
                        warm_for_fork(self.core)
                    self.executor = ProcessPoolExecutor(
                        self.processes, mp_context=multiprocessing.get_context("fork"),
                        initializer=exit_with_parent)
                else:
                    self.executor = ProcessPoolExecutor(
                        self.processes, mp_context=_context(), initializer=_init_process,
                        initargs=(self.core,))
            return self.executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self.lock:
            if self.executor is broken:  # the first thread to see it replaces it
                self.executor = None
                self.restarts += 1
        _kill_processes(broken)
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
            if getattr(executor, "_broken", False):
                _kill_processes(executor)  # or the wait below never ends (see there)
            executor.shutdown(wait=True, cancel_futures=True)
