"""The per-feed flow, one recipe (miniflux's RefreshFeed): read the feed's state, fetch it
(conditional GET), parse it, process each new item (its page, the analysis, the store), then
record the poll's state; and the re-check of one stored article. Every write is a function of
`worker.store.feeds` or the pipeline's `Store`; this module decides, it writes no SQL.

Why it never loses or duplicates an item: a feed item is remembered (`feed_items`) only after
the article it produced is stored, and a feed's new validators and body hash are stored only
after all its new items are; a kill in between makes the next poll see the same items again,
and `Store.save` recognises the article (canonical URL, content fingerprint) instead of
duplicating it.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session, sessionmaker

from worker import clock, dedupe, schedule
from worker.config import Settings
from worker.errors import FetchError
from worker.feeds import FeedEntry, parse_feed
from worker.fetch import FetchCancelled, Fetcher, FetchResult
from worker.ingest import Job, ingest
from worker.metrics import Metrics
from worker.pipeline import Analysis, CoreConfig, Document, Outcome, raw_digest
from worker.procs import AnalysisPool, PoolClosed
from worker.replay import fixture_entries, iter_files
from worker.store import feeds as store
from worker.store import rechecks
from worker.store.db import engine_of
from worker.store.feeds import FeedState, PollFailure, PollSuccess
from worker.store.models import utcnow
from worker.store.writer import Store

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    feed_id: int
    url: str
    result: str  # ok, not_modified, unchanged, error, cancelled, skipped
    items: Counter[str] = field(default_factory=Counter)
    status: int | None = None
    error_class: str | None = None
    error: str | None = None


class _FeedSink:
    """The daemon's side of the ingest loop: an item is remembered in `feed_items` after its
    article is stored (the no-loss rule above), and counted in the metrics."""

    def __init__(self, poller: Poller, st: FeedState) -> None:
        self.poller, self.st = poller, st

    def remember(self, job: Job, doc: Document, outcome: Outcome | None) -> None:
        fresh = outcome is not None and outcome.outcome in ("new", "irrelevant", "revised")
        self.poller._remember(self.st.id, job.entry, outcome.article_id if outcome else None,
                              retry=job.retry and fresh,
                              revisions=fresh and job.web
                              and urlsplit(doc.url).scheme in ("http", "https"))

    def failed(self, job: Job, doc: Document, exc: Exception) -> None:
        log.error("cannot analyse %s: %s: %s", doc.url, type(exc).__name__, exc,
                  exc_info=exc, extra={"feed": self.st.url})

    def done(self, job: Job, outcome: str) -> None:
        self.poller.metrics.items.labels(outcome).inc()


class Poller:
    """One feed poll or one article re-check at a time per call; thread-safe."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session], fetcher: Fetcher,
                 *, metrics: Metrics, worker_id: str, stop: threading.Event,
                 rng: random.Random | None = None,
                 analysis: AnalysisPool | None = None) -> None:
        self.settings = settings
        self.factory = factory
        self.fetcher = fetcher
        self.metrics = metrics
        self.worker_id = worker_id
        self.stop = stop
        self.rng = rng or random.Random()
        self.store = Store(engine_of(factory), settings.dedupe, worker_id=worker_id,
                           keep_raw=settings.store.keep_raw)
        self.core = CoreConfig.from_settings(settings)
        self.analysis = analysis or AnalysisPool(self.core, processes=1)
        sc = settings.schedule
        self.policy = schedule.IntervalPolicy(default=sc.default_interval,
                                              minimum=sc.min_interval,
                                              maximum=sc.max_interval, jitter=sc.jitter)

    def analyse(self, doc: Document) -> Analysis:
        """The one call of the CPU-bound core: in the pool's processes, while this thread
        waits and the other threads go on fetching. Stopping cancels it (FetchCancelled)."""
        try:
            return self.analysis.analyse(doc)
        except PoolClosed:
            raise FetchCancelled() from None

    # -- polling -------------------------------------------------------------------------

    def poll(self, feed_id: int) -> PollReport:
        started = time.monotonic()
        st = store.feed_state(self.factory, feed_id)
        if st is None:
            return PollReport(feed_id, "", "skipped")
        try:
            report = self._poll(st)
        except FetchCancelled:
            report = PollReport(st.id, st.url, "cancelled")
        except Exception as exc:  # noqa: BLE001 - a bug or a database hiccup: back off, go on
            log.exception("poll of %s failed", st.url, extra={"feed": st.url})
            try:
                self._failed(st, FetchError("internal", f"{type(exc).__name__}: {exc}"))
            except Exception:  # noqa: BLE001 - the database is gone too: the next tick
                log.warning("could not record the failure of %s (the database?); its lease "
                            "is released at the next tick", st.url, extra={"feed": st.url})
            report = PollReport(st.id, st.url, "error", error_class="internal", error=str(exc))
        if report.result == "cancelled":
            store.release_feed(self.factory, st.id, self.worker_id)
        self.metrics.feeds_polled.labels(report.result).inc()
        self.metrics.poll_seconds.observe(time.monotonic() - started)
        cause = f" ({report.error_class}: {report.error})" if report.error else ""
        log.info("polled %s: %s%s", st.url, report.result, cause, extra={
            "feed": st.url, "result": report.result, "status": report.status,
            "error_class": report.error_class, "error": report.error,
            "items": dict(report.items),
            "duration_ms": int((time.monotonic() - started) * 1000)})
        return report

    def _poll(self, st: FeedState) -> PollReport:
        parts = urlsplit(st.url)
        if parts.scheme == "file" and Path(unquote(parts.path)).is_dir():
            return self._poll_directory(st, Path(unquote(parts.path)))
        full = (not (st.etag or st.last_modified)
                or st.polls_since_full + 1 >= self.settings.schedule.full_fetch_every)
        try:
            res = self.fetcher.fetch(st.url, etag=None if full else st.etag,
                                     last_modified=None if full else st.last_modified)
        except FetchCancelled:
            raise
        except FetchError as exc:
            self._failed(st, exc)
            return PollReport(st.id, st.url, "error", status=exc.status,
                              error_class=exc.error_class, error=str(exc))
        digest = None if res.not_modified else hashlib.sha256(res.body).hexdigest()
        if res.not_modified or digest == st.body_hash:
            result = "not_modified" if res.not_modified else "unchanged"
            self._succeeded(st, res, digest=digest, full=full, new=0)
            return PollReport(st.id, st.url, result, status=res.status)
        try:
            parsed = parse_feed(res.body, res.final_url, res.content_type)
        except FetchError as exc:
            self._failed(st, exc, res)
            return PollReport(st.id, st.url, "error", status=res.status,
                              error_class=exc.error_class, error=str(exc))
        source = st.name or parsed.title
        items, complete = self._process(st, parsed.entries, source, parsed.language)
        report = PollReport(st.id, st.url, "ok", items=items, status=res.status)
        if not complete:
            report.result = "cancelled"
            return report
        self._succeeded(st, res, digest=digest, full=full, new=sum(items.values()),
                        ttl=parsed.ttl_seconds)
        return report

    def _process(self, st: FeedState, entries: list[FeedEntry], source: str | None,
                 language: str | None) -> tuple[Counter[str], bool]:
        """The feed's new items through the one ingest loop (`worker.ingest`), oldest first;
        an item the feed says was updated has its article re-checked instead."""
        known = store.known_items(self.factory, st.id, [e.guid for e in entries])
        oldest = clock.EARLIEST
        entries = sorted(entries, key=lambda e: e.published or e.updated or oldest)
        max_items = st.options.get("max_items")
        if max_items:
            entries = entries[-int(max_items):]

        def jobs() -> Iterator[Job]:  # taken one at a time: each page fetched in its turn
            for e in entries:
                if self.stop.is_set():
                    return
                if e.guid not in known:
                    yield self._job(st, e, source, language)
                    continue
                updated_at, article_id = known[e.guid]
                if e.updated and article_id and (updated_at is None or e.updated > updated_at):
                    store.item_updated(self.factory, st.id, e.guid, e.updated, article_id)
                    self.recheck(article_id)

        return self._ingest(st, jobs())

    def _ingest(self, st: FeedState, jobs: Iterable[Job]) -> tuple[Counter[str], bool]:
        tally = ingest(jobs, self.store, self.analysis, _FeedSink(self, st), stop=self.stop)
        return tally.outcomes, tally.complete and not self.stop.is_set()

    def _job(self, st: FeedState, e: FeedEntry, source: str | None,
             language: str | None) -> Job:
        """An item as an ingest entry: known by its URL already (re-sent under a new GUID:
        no page fetch needed), else its page fetched, or the feed's text."""
        if e.url and (existing := self._article_for(e.url)) is not None:
            return Job(e, Document(url=e.url, locator=e.url, origin="feed", feed_id=st.id),
                       stored_as=existing)
        doc, retry = self._item_document(st, e, source, language)
        fallback = None if retry else (
            lambda: self._item_document(st, e, source, language, page=False))
        return Job(e, doc, retry=retry, fallback=fallback, web=True)

    def _article_for(self, url: str) -> int | None:
        return store.article_by_url(self.factory, dedupe.canonical_url(url))

    def _item_document(self, st: FeedState, e: FeedEntry, source: str | None,
                       language: str | None, *, page: bool = True) -> tuple[Document, bool]:
        """The item's page (unless `page` is False), or else its summary/content from the
        feed (then marked for a retry)."""
        url = e.url or f"{st.url}#{e.guid}"
        base = Document(url=url, locator=url, origin="feed", title=e.title,
                        published=e.published or e.updated, source=source,
                        language=e.language or st.language or language, feed_id=st.id,
                        fetched_at=utcnow())
        is_page = urlsplit(e.url or "").scheme in ("http", "https", "file")
        if is_page and page and st.options.get("fetch_articles", True):
            try:
                res = self.fetcher.fetch(url, kind="article")
                final = res.final_url if urlsplit(res.final_url).scheme != "file" else url
                return replace(base, url=final, html=res.body, etag=res.etag,
                               last_modified=res.last_modified), False
            except FetchCancelled:
                raise
            except FetchError as exc:
                log.info("page of %s unavailable (%s), using the feed's text", url, exc,
                         extra={"feed": st.url, "error_class": exc.error_class})
        body = e.content or e.summary
        if body:
            return (replace(base, html=f"<html><body><article>{body}</article></body></html>"),
                    is_page)
        return replace(base, text=e.title or url), is_page

    def _remember(self, feed_id: int, e: FeedEntry, article_id: int | None, *,
                  retry: bool = False, revisions: bool = False) -> None:
        """Mark an item processed (after its article is stored: see the module docstring)."""
        if not store.remember_item(self.factory, feed_id, guid=e.guid, url=e.url, title=e.title,
                                   published=e.published, updated=e.updated,
                                   article_id=article_id, retry=retry, revisions=revisions,
                                   plan=self.settings.schedule.revisions):
            log.info("item %s of feed %s already recorded by another worker", e.guid, feed_id)

    def _poll_directory(self, st: FeedState, path: Path) -> PollReport:
        """A local fixture source (e.g. `seeds/`): each content file is an item, ingested
        by the same loop as a replay of the directory (`replay.fixture_entries`)."""
        if not self.fetcher.is_fixture_path(path):
            exc = FetchError("blocked", f"{path} is not under [fetch] fixture_paths")
            self._failed(st, exc)
            return PollReport(st.id, st.url, "error", error_class="blocked", error=str(exc))
        files = list(iter_files([path]))
        h = hashlib.sha256()
        for f in files:
            stat = f.stat()
            h.update(f"{f.relative_to(path)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        digest = h.hexdigest()
        res = FetchResult(status=200, url=st.url, final_url=st.url, permanent_redirect_url=None,
                          headers={}, body=b"", etag=None, last_modified=None, duration=0.0,
                          bytes=0)
        if digest == st.body_hash:
            self._succeeded(st, res, digest=digest, full=True, new=0)
            return PollReport(st.id, st.url, "unchanged", status=200)
        found = fixture_entries(files, origin="feed", feed_id=st.id, within=path)
        for failed in found.failed:
            log.warning("skipping fixture %s: %s", failed["file"], failed["error"])
        known = store.known_items(self.factory, st.id, [j.entry.guid for j in found.jobs])
        items, complete = self._ingest(st, (j for j in found.jobs if j.entry.guid not in known))
        if not complete:
            return PollReport(st.id, st.url, "cancelled", items=items)
        self._succeeded(st, res, digest=digest, full=True, new=sum(items.values()))
        return PollReport(st.id, st.url, "ok", items=items, status=200)

    # -- feed state ----------------------------------------------------------------------

    def _succeeded(self, st: FeedState, res: FetchResult, *, digest: str | None, full: bool,
                   new: int, ttl: int | None = None) -> None:
        now = utcnow()
        interval = schedule.poll_interval(
            self.policy, configured=st.interval, ttl=ttl,
            max_age=schedule.cache_lifetime(res.headers, now),
            gap=schedule.observed_gap(store.recent_item_dates(self.factory, st.id)))
        store.record_success(self.factory, st.id, self.worker_id, PollSuccess(
            at=now, not_modified=res.not_modified, etag=res.etag,
            last_modified=res.last_modified, body_hash=digest, full=full, interval=interval,
            next_poll_at=schedule.with_jitter(now, interval, self.policy.jitter, self.rng),
            new_items=new, moved_to=res.permanent_redirect_url, url=res.final_url,
            status=res.status, duration_ms=int(res.duration * 1000), bytes=res.bytes),
            events_kept=self.settings.daemon.fetch_events_kept)

    def _failed(self, st: FeedState, exc: FetchError, res: FetchResult | None = None) -> None:
        now = utcnow()
        sc = self.settings.schedule
        failures = st.consecutive_failures + 1
        gone = exc.error_class == "gone"
        delay = sc.backoff_cap if gone else schedule.backoff(
            failures, base=sc.backoff_base, cap=sc.backoff_cap, retry_after=exc.retry_after)
        store.record_failure(self.factory, st.id, self.worker_id, PollFailure(
            at=now, failures=failures, error=str(exc), error_class=exc.error_class, gone=gone,
            next_poll_at=schedule.with_jitter(now, delay, self.policy.jitter, self.rng),
            url=res.final_url if res else st.url,
            status=exc.status if exc.status is not None else (res.status if res else None),
            duration_ms=int(res.duration * 1000) if res else 0, bytes=res.bytes if res else 0),
            events_kept=self.settings.daemon.fetch_events_kept)
        if res is not None or exc.error_class == "internal":  # the fetcher counted the rest
            self.metrics.fetch_errors.labels("feed", exc.error_class).inc()

    # -- revisions -----------------------------------------------------------------------

    def recheck(self, article_id: int) -> str:
        """Re-fetch one article: a changed text becomes a version, a 404/410 marks it
        unpublished (never deleted), a page that comes back restores it.

        The request is conditional (the validators of the last fetch); a 304 or a body equal
        to the last one ends the re-check without analysis (`unchanged`). Every
        `[schedule] full_fetch_every`-th re-check is unconditional, as for feeds, so validators
        that lie cannot hide an edit for long; an article stored from the feed's text
        (`needs_retry`) is always fetched and analysed in full."""
        target = rechecks.recheck_target(self.factory, article_id)
        if target is None:
            return "skipped"
        url, published = target.url, target.published
        full = (target.needs_retry or not (target.etag or target.last_modified)
                or target.rechecks_since_full + 1 >= self.settings.schedule.full_fetch_every)
        now = utcnow()
        plan = self.settings.schedule.revisions
        try:
            res = self.fetcher.fetch(url, kind="article",
                                     etag=None if full else target.etag,
                                     last_modified=None if full else target.last_modified)
        except FetchCancelled:
            return "cancelled"
        except FetchError as exc:
            outcome = "unpublished" if exc.status in (404, 410) else "error"
            rechecks.recheck_failed(self.factory, article_id, unpublished=outcome == "unpublished",
                                 detail=f"HTTP {exc.status} at {url}", at=now,
                                 next_recheck_at=schedule.next_recheck(published, now, plan))
            self.metrics.rechecks.labels(outcome).inc()
            log.info("re-check of %s: %s", url, exc, extra={"url": url, "outcome": outcome})
            return outcome
        validators = None
        if res.not_modified:  # a 304 may carry fresh validators (RFC 9110 §15.4.5)
            validators = (res.etag or target.etag, res.last_modified or target.last_modified)
        elif not target.needs_retry and raw_digest(res.body) == target.raw_sha256:
            validators = (res.etag, res.last_modified)  # a 200 sends its own, as sent
        if validators is not None:
            outcome = "unchanged"
        else:
            doc = Document(url=url, locator=url, origin="recheck", html=res.body,
                           published=published, source=target.outlet,
                           language=target.language, fetched_at=now, etag=res.etag,
                           last_modified=res.last_modified)
            outcome = self.store.save(doc, self.analyse(doc)).outcome
        if outcome == "unreadable":  # kept as it was, tried again at the first step of the plan
            rechecks.recheck_unreadable(self.factory, article_id,
                                     at=now + timedelta(seconds=min(p[0] for p in plan)))
            self.metrics.rechecks.labels(outcome).inc()
            log.info("re-checked %s: %s", url, outcome, extra={"url": url, "outcome": outcome})
            return outcome
        rechecks.recheck_done(self.factory, article_id, at=now, full=full, validators=validators,
                           next_recheck_at=schedule.next_recheck(published, now, plan))
        self.metrics.rechecks.labels(outcome).inc()
        log.info("re-checked %s: %s", url, outcome, extra={"url": url, "outcome": outcome})
        return outcome
