"""The one ingest loop, from "here are entries" to "stored and remembered", for the daemon's
feeds (`worker.poll`: an RSS/Atom feed's items, a fixture directory's files) and for
`worker replay` (`worker.replay`: files and directories named on the command line).

An entry (`Job`) is a feed item with its document: the page fetched for it, the feed's text
standing in, or a fixture file read. The loop has each document analysed by the one pool
(`procs.AnalysisPool.analyse_each`, in input order, up to `window` in flight), stores it
(`Store.save`: one document, one transaction), then hands the outcome to its `Sink`, which
remembers the item (the daemon: `feed_items`, after the article is stored, never before) or
only counts it (a replay). What differs between the callers is where the entries come from
and what is remembered, never the loop.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from worker import faults
from worker.document import Analysis, Document, Outcome
from worker.feeds import FeedEntry
from worker.procs import AnalysisPool, PoolClosed, or_error
from worker.store.writer import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One entry on its way in. `entry` is what a feed said of the item (its GUID is what is
    remembered); `doc` what is analysed and stored."""

    entry: FeedEntry
    doc: Document
    retry: bool = False  # `doc` is the feed's text standing in for a page that failed
    # the feed's text, for when the page proves unreadable (None: nothing else to try)
    fallback: Callable[[], tuple[Document, bool]] | None = None
    stored_as: int | None = None  # already stored under its URL: remembered, not analysed
    web: bool = False  # a feed item's page (not a file): re-checked by the revision plan


class Sink(Protocol):
    """What the loop asks of its caller after each entry."""

    def remember(self, job: Job, doc: Document, outcome: Outcome | None) -> None:
        """The entry is done (`outcome` None: it failed): remember it, if anything is."""

    def failed(self, job: Job, doc: Document, exc: Exception) -> None:
        """The analysis of `doc` failed (the error is already recorded as an ingest event)."""

    def done(self, job: Job, outcome: str) -> None:
        """Called after each entry, with its outcome (metrics, a progress bar)."""


@dataclass
class Tally:
    """What the loop did: outcomes counted, figures stored, entries done; `current` is the
    entry being worked on when it stopped (a database failure: what was before it stays)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    figures: int = 0
    done: int = 0
    complete: bool = False  # False: stopped (the stop event, the pool closed) or failed
    current: Job | None = None


def ingest(jobs: Iterable[Job], store: Store, pool: AnalysisPool, sink: Sink, *,
           window: int = 1, stop: threading.Event | None = None,
           tally: Tally | None = None) -> Tally:
    """Analyse, store and remember each entry, in order. A failed analysis is an `error`
    outcome (recorded, remembered without an article); a database error is raised (the
    caller decides: a poll backs its feed off, a replay stops and says how far it came);
    `stop` (checked between entries) and a closing pool end the loop with `complete` False.
    Entries are taken from `jobs` only as the window has room (see `analyse_each`)."""
    tally = tally if tally is not None else Tally()
    if stop is not None and stop.is_set():
        return tally
    analysed = pool.analyse_each(jobs, lambda j: None if j.stored_as is not None else j.doc,
                                 window)
    try:
        for job, result in analysed:
            tally.current = job
            outcome = _one(job, result, store, pool, sink)
            tally.outcomes[outcome.outcome if outcome else "error"] += 1
            tally.figures += outcome.figures if outcome else 0
            tally.done += 1
            tally.current = None
            sink.done(job, outcome.outcome if outcome else "error")
            if stop is not None and stop.is_set():
                return tally
    except PoolClosed:
        return tally
    finally:
        _close(analysed)
    tally.complete = True
    return tally


def _close(it: Iterator[object]) -> None:
    close = getattr(it, "close", None)
    if close is not None:
        close()  # cancels what is still queued in the pool


def _one(job: Job, result: Analysis | Exception | None, store: Store, pool: AnalysisPool,
         sink: Sink) -> Outcome | None:
    if job.stored_as is not None:  # an old item re-sent under a new GUID: known by its URL
        outcome = Outcome("duplicate", job.stored_as)
        sink.remember(job, job.doc, outcome)
        return outcome
    doc = job.doc
    if isinstance(result, Analysis) and result.unreadable is not None and job.fallback:
        # nothing readable on the page: recorded as such, the feed's text stands in and the
        # page is tried again at the next re-check, never kept as irrelevant
        log.info("page of %s unreadable (%s), using the feed's text", doc.url,
                 result.unreadable)
        store.save(doc, result)
        doc, retry = job.fallback()
        job = Job(job.entry, doc, retry=retry, web=job.web)
        result = or_error(pool.analyse, doc)
    if not isinstance(result, Analysis):
        exc = result if result is not None else RuntimeError("no analysis")
        store.record_error(doc, f"{type(exc).__name__}: {exc}")
        sink.failed(job, doc, exc)
        sink.remember(job, doc, None)
        return None
    outcome = store.save(doc, result)
    faults.point("before_remember")
    if outcome.outcome != "unreadable":  # not remembered: tried again when listed again
        sink.remember(job, doc, outcome)
    return outcome
