"""The polling daemon's loop: claim due feeds and due re-checks (leases, `worker.store.feeds`),
run each through the per-feed flow (`worker.poll.Poller`) in a bounded thread pool, on an
APScheduler interval, until SIGTERM/SIGINT; then let in-flight work finish within the grace
period and release the leases. The three rooms: the feed list (`worker.feedlist`), the
per-feed poll (`worker.poll`), and this loop with its signals.

Why several workers can share the work: a worker claims due feeds in batches (`FOR UPDATE SKIP
LOCKED` on PostgreSQL, an immediate transaction on SQLite) with a lease, so a dead worker's
feeds come back when the lease expires; the no-loss, no-duplicate rule is in `worker.poll`.

Where the time goes: fetch threads (`[fetch] max_connections`) wait on the network, and hand
each page to a process pool (`procs.AnalysisPool`, `[pipeline] processes`) for the CPU-bound
cleaning and figure extraction, so fetching goes on while pages are analysed on every core.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from worker.config import Settings
from worker.fetch import Fetcher
from worker.metrics import Metrics
from worker.pipeline import CoreConfig
from worker.poll import Poller, PollReport
from worker.procs import AnalysisPool
from worker.store.feeds import claim_feeds, release_leases, renew_leases
from worker.store.models import utcnow
from worker.store.rechecks import claim_rechecks

log = logging.getLogger(__name__)



def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- the loop ----------------------------------------------------------------------------

@dataclass
class CycleSummary:
    polls: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    rechecks: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"polls": dict(self.polls), "items": dict(self.items),
                "errors": dict(self.errors), "rechecks": dict(self.rechecks),
                "seconds": round(self.seconds, 3)}


class Daemon:
    """Claims due feeds and due re-checks and runs them in a bounded thread pool; their pages
    are analysed in one process pool per daemon (`[pipeline] processes`, 0 = one per core)."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session], *,
                 metrics: Metrics | None = None, worker_id: str | None = None,
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        self.factory = factory
        self.metrics = metrics or Metrics()
        self.worker_id = worker_id or settings.daemon.worker_id or default_worker_id()
        self.stopping = threading.Event()
        self.fetcher = Fetcher(settings.fetch, base_dir=settings.base_dir, stop=self.stopping,
                               metrics=self.metrics)
        self.analysis = AnalysisPool(CoreConfig.from_settings(settings),
                                     processes=settings.pipeline.processes,
                                     queue_size=settings.pipeline.queue_size)
        self.poller = Poller(settings, factory, self.fetcher, metrics=self.metrics,
                             worker_id=self.worker_id, stop=self.stopping, rng=rng,
                             analysis=self.analysis)
        self.capacity = max(1, settings.fetch.max_connections)
        self.pool = ThreadPoolExecutor(self.capacity, thread_name_prefix="poll")
        self.inflight: set[Future[Any]] = set()
        self.inflight_feeds: dict[Future[Any], int] = {}  # poll jobs and their feeds
        self.lock = threading.Lock()
        self.summary = CycleSummary()
        self.last_tick = time.monotonic()
        self._closed = False

    # -- jobs ----------------------------------------------------------------------------

    def _submit(self, fn: Callable[[int], Any], arg: int, *, feed: bool = False) -> None:
        fut = self.pool.submit(fn, arg)
        with self.lock:
            self.inflight.add(fut)
            if feed:
                self.inflight_feeds[fut] = arg
            self.metrics.in_flight.set(len(self.inflight))
        fut.add_done_callback(self._done)

    def _done(self, fut: Future[Any]) -> None:
        with self.lock:
            self.inflight.discard(fut)
            self.inflight_feeds.pop(fut, None)
            self.metrics.in_flight.set(len(self.inflight))
            if fut.cancelled() or fut.exception() is not None:
                return
            result = fut.result()
            if isinstance(result, PollReport):
                self.summary.polls[result.result] += 1
                self.summary.items.update(result.items)
                if result.error_class:
                    self.summary.errors[result.error_class] += 1
            elif isinstance(result, str):
                self.summary.rechecks[result] += 1

    def _free(self) -> int:
        with self.lock:
            return self.capacity - len(self.inflight)

    def tick(self, due_before: datetime | None = None) -> int:
        """Renew the leases of the feeds in flight, then claim as many due feeds as there are
        free slots (at most a batch) and start them."""
        if self.stopping.is_set():
            return 0
        with self.lock:
            polling = set(self.inflight_feeds.values())
        # the feeds being polled keep their leases; any other lease of ours is an orphan of a
        # poll that died with the database, and is released so the feed is polled again
        renew_leases(self.factory, self.worker_id, self.settings.daemon.lease_seconds,
                     polling)
        free = min(self._free(), self.settings.daemon.batch_size)
        ids = [] if free <= 0 else claim_feeds(
            self.factory, self.worker_id, free, self.settings.daemon.lease_seconds,
            due_before=due_before)
        for feed_id in ids:
            self._submit(self.poller.poll, feed_id, feed=True)
        self.last_tick = time.monotonic()  # /healthz: the database answered this tick
        self.metrics.last_tick.set_to_current_time()
        return len(ids)

    def recheck_tick(self, due_before: datetime | None = None) -> int:
        free = min(self._free(), self.settings.daemon.batch_size)
        if self.stopping.is_set() or free <= 0:
            return 0
        ids = claim_rechecks(self.factory, free, self.settings.daemon.lease_seconds,
                             due_before=due_before)
        for article_id in ids:
            self._submit(self.poller.recheck, article_id)
        return len(ids)

    def _drain(self, step: Callable[[datetime], int], due_before: datetime) -> None:
        while not self.stopping.is_set():
            started = step(due_before)
            with self.lock:
                pending = set(self.inflight)
            if not started and not pending:
                return
            if pending:
                wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)

    def run_cycle(self) -> CycleSummary:
        """`worker run --once`: every feed due now, then every re-check due now."""
        started = time.monotonic()
        cutoff = utcnow()
        self._drain(self.tick, cutoff)
        self._drain(self.recheck_tick, cutoff)
        with self.lock:
            pending = set(self.inflight)
        wait(pending)
        self.after_cycle()
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def after_cycle(self) -> int:
        """Announcements rebuilt and new changes published (worker.alerts)."""
        from worker.alerts_publish import after_ingest

        report = after_ingest(self.factory, self.settings, stop=self.stopping)
        return report.published

    def run_forever(self) -> None:
        """Poll until `stop()` (or SIGTERM/SIGINT, see `install_signals`)."""
        from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        sched = BackgroundScheduler(timezone=UTC, executors={"default": JobExecutor(1)},
                                    job_defaults={"coalesce": True, "max_instances": 1,
                                                  "misfire_grace_time": None})
        every = self.settings.daemon.tick_seconds
        sched.add_job(self._safe(self.tick), "interval", seconds=every, id="feeds",
                      next_run_time=datetime.now(UTC))
        sched.add_job(self._safe(self.recheck_tick), "interval", seconds=every, id="revisions",
                      next_run_time=datetime.now(UTC) + timedelta(seconds=every / 2))
        sched.add_job(self._safe(self.after_cycle), "interval",
                      seconds=self.settings.alerts.interval, id="alerts",
                      next_run_time=datetime.now(UTC) + timedelta(seconds=every))
        sched.start()
        log.info("worker %s polling", self.worker_id, extra={"worker_id": self.worker_id})
        try:
            self.stopping.wait()
        finally:
            sched.shutdown(wait=True)

    def _safe(self, fn: Callable[[], int]) -> Callable[[], None]:
        """A tick that never stops the scheduler: a failure (the database gone) is logged
        once when it starts and once when it ends, and the next tick simply tries again;
        /healthz reports unhealthy meanwhile (no successful tick)."""
        state = {"failing": False}

        def job() -> None:
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - the database may be down for a while
                if not state["failing"]:
                    log.exception("scheduler tick failed; retrying every tick until it works")
                else:
                    log.debug("scheduler tick still failing: %s", exc)
                state["failing"] = True
                return
            if state["failing"]:
                log.info("scheduler tick works again")
            state["failing"] = False
        return job

    def stop(self) -> None:
        self.stopping.set()

    def install_signals(self) -> Callable[[], None]:
        """SIGTERM/SIGINT stop taking work; returns a function restoring the old handlers."""
        def handler(signum: int, _frame: Any) -> None:
            log.info("received %s, stopping", signal.Signals(signum).name)
            self.stop()

        old = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for sig, previous in old.items():
                signal.signal(sig, previous)
        return restore

    def close(self, grace: float | None = None) -> bool:
        """Stop, let in-flight work finish within `grace` seconds, release our leases.
        Returns False when some work was still running (the caller may then exit hard)."""
        if self._closed:
            return True
        self._closed = True
        self.stopping.set()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.analysis.close(wait=False)  # queued pages are cancelled, running ones finish
        with self.lock:
            pending = set(self.inflight)
        _done, still = wait(pending, timeout=self.settings.daemon.shutdown_grace
                            if grace is None else grace)
        try:
            released = release_leases(self.factory, self.worker_id)
            log.info("released %d leases", released, extra={"worker_id": self.worker_id})
        except Exception:  # noqa: BLE001 - leases expire by themselves anyway
            log.exception("could not release leases")
        if not still:
            self.fetcher.close()
            self.analysis.close(wait=True)
        return not still
