"""The polling daemon: feeds from `worker/data/feeds.toml`, leases on due feeds, the per-feed flow
(`Poller.poll`: fetch -> parse -> new items -> article pages -> pipeline -> state), revision
re-checks (`Poller.recheck`) and the APScheduler loop with graceful shutdown (`Daemon`).

Why it never loses or duplicates an item: a feed item is remembered (`feed_items`) only after
the article it produced is stored, and a feed's new validators and body hash are stored only
after all its new items are; a kill in between makes the next poll see the same items again,
and `Store.save` recognises the article (canonical URL, content fingerprint) instead of
duplicating it. Why several workers can share the work: a worker claims due feeds in batches
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, an immediate transaction on SQLite) with a lease, so a
dead worker's feeds come back when the lease expires.

Where the time goes: fetch threads (`[fetch] max_connections`) wait on the network, and hand
each page to a process pool (`procs.AnalysisPool`, `[pipeline] processes`) for the CPU-bound
cleaning and figure extraction, so fetching goes on while pages are analysed on every core.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import signal
import socket
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from worker import dedupe, schedule
from worker.config import Settings
from worker.errors import ConfigError, FetchError, InputError
from worker.feeds import FeedEntry, parse_feed
from worker.fetch import FetchCancelled, Fetcher, FetchResult
from worker.metrics import Metrics
from worker.pipeline import Analysis, CoreConfig, Document, Store
from worker.procs import AnalysisPool, PoolClosed
from worker.replay import documents_from_file, iter_files
from worker.store.models import (
    Article,
    ArticleEvent,
    Feed,
    FeedItem,
    FetchEvent,
    UrlAlias,
    utcnow,
)

log = logging.getLogger(__name__)

FEED_KEYS = {"url", "name", "language", "interval"}
OPTION_TYPES: dict[str, type] = {"fetch_articles": bool, "max_items": int}


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- feeds declared in worker/data/feeds.toml -------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class FeedSpec:
    url: str
    name: str | None = None
    language: str | None = None
    interval: int | None = None
    options: dict[str, Any] = field(default_factory=dict)


def feed_url(value: str, base_dir: Path) -> str:
    """http(s) URLs as given; a local path (relative to `base_dir`) becomes a file: URL."""
    value = value.strip()
    scheme = urlsplit(value).scheme.lower()
    if scheme in ("http", "https", "file"):
        return value
    if scheme and len(scheme) > 1:
        raise ValueError(f"unsupported URL scheme {scheme!r}: {value}")
    path = Path(value)
    path = path if path.is_absolute() else base_dir / path
    return path.resolve().as_uri()


def load_feed_specs(path: Path, base_dir: Path) -> list[FeedSpec]:
    """The `[[feed]]` tables of a feeds file (a missing file declares no feeds)."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    specs = []
    for n, raw in enumerate(data.get("feed", []), 1):
        where = f"{path}: feed {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
            raise ConfigError(f"{where}: needs a url")
        options = {}
        for key, value in raw.items():
            if key in FEED_KEYS:
                continue
            tp = OPTION_TYPES.get(key)
            if tp is None:
                raise ConfigError(f"{where}: unknown key {key!r} (known: "
                                  f"{', '.join(sorted(FEED_KEYS | set(OPTION_TYPES)))})")
            if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
                raise ConfigError(f"{where}: {key}: expected {tp.__name__}")
            options[key] = value
        try:
            interval = raw.get("interval")
            specs.append(FeedSpec(
                url=feed_url(raw["url"], base_dir), name=raw.get("name"),
                language=raw.get("language"), options=options,
                interval=None if interval is None else schedule.parse_duration(str(interval))))
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return specs


def upsert_feeds(factory: sessionmaker[Session], specs: Iterable[FeedSpec],
                 origin: str = "config") -> int:
    """Insert new feeds, update names/intervals/options of known ones; polling state is kept.
    Workers starting together insert the same feeds: the loser of that race tries again and
    then finds them."""
    specs = list(specs)
    for attempt in range(1, 4):
        try:
            return _upsert_feeds(factory, specs, origin)
        except IntegrityError:
            if attempt == 3:
                raise
            log.info("feeds inserted concurrently by another worker, retrying")
    raise AssertionError("unreachable")


def _upsert_feeds(factory: sessionmaker[Session], specs: list[FeedSpec], origin: str) -> int:
    added = 0
    with factory() as s, s.begin():
        for spec in specs:
            feed = s.scalar(select(Feed).where(Feed.url == spec.url))
            if feed is None:
                s.add(Feed(url=spec.url, name=spec.name, language=spec.language, origin=origin,
                           interval_seconds=spec.interval, options=dict(spec.options),
                           next_poll_at=utcnow()))
                added += 1
            elif feed.origin == origin:
                feed.name, feed.language = spec.name, spec.language
                feed.interval_seconds, feed.options = spec.interval, dict(spec.options)
    return added


# -- leases ------------------------------------------------------------------------------

def claim_feeds(factory: sessionmaker[Session], worker_id: str, limit: int,
                lease_seconds: int, *, due_before: datetime | None = None) -> list[int]:
    """Lease up to `limit` due feeds that nobody holds (or whose lease expired)."""
    now = utcnow()
    with factory() as s, s.begin():
        ids = list(s.scalars(
            select(Feed.id)
            .where(Feed.next_poll_at <= (due_before or now),
                   or_(Feed.leased_by.is_(None), Feed.lease_until < now))
            .order_by(Feed.next_poll_at, Feed.id).limit(limit)
            .with_for_update(skip_locked=True)))
        if ids:
            s.execute(update(Feed).where(Feed.id.in_(ids)).values(
                leased_by=worker_id, lease_until=now + timedelta(seconds=lease_seconds)))
    return ids


def renew_leases(factory: sessionmaker[Session], worker_id: str, lease_seconds: int) -> int:
    """Extend every lease this worker holds: a poll slower than `lease_seconds` (a big feed, a
    slow host, a busy machine) keeps its feed instead of letting another worker poll it too."""
    with factory() as s, s.begin():
        result = s.execute(update(Feed).where(Feed.leased_by == worker_id).values(
            lease_until=utcnow() + timedelta(seconds=lease_seconds)))
        return int(getattr(result, "rowcount", 0) or 0)


def release_leases(factory: sessionmaker[Session], worker_id: str) -> int:
    with factory() as s, s.begin():
        result = s.execute(update(Feed).where(Feed.leased_by == worker_id)
                           .values(leased_by=None, lease_until=None))
        return int(getattr(result, "rowcount", 0) or 0)


def claim_rechecks(factory: sessionmaker[Session], limit: int, lease_seconds: int, *,
                   due_before: datetime | None = None) -> list[int]:
    """Articles due for a re-check; claiming pushes their due time out by one lease."""
    now = utcnow()
    with factory() as s, s.begin():
        ids = list(s.scalars(
            select(Article.id).where(Article.next_recheck_at <= (due_before or now))
            .order_by(Article.next_recheck_at, Article.id).limit(limit)
            .with_for_update(skip_locked=True)))
        if ids:
            s.execute(update(Article).where(Article.id.in_(ids)).values(
                next_recheck_at=now + timedelta(seconds=lease_seconds)))
    return ids


# -- the per-feed flow -------------------------------------------------------------------

@dataclass(frozen=True)
class FeedState:
    id: int
    url: str
    name: str | None
    language: str | None
    interval: int | None
    options: dict[str, Any]
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    polls_since_full: int
    consecutive_failures: int


@dataclass
class PollReport:
    feed_id: int
    url: str
    result: str  # ok, not_modified, unchanged, error, cancelled, skipped
    items: Counter[str] = field(default_factory=Counter)
    status: int | None = None
    error_class: str | None = None
    error: str | None = None


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
        self.store = Store(factory, settings, worker_id=worker_id)
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
        with self.factory() as s:
            f = s.get(Feed, feed_id)
            if f is None:
                return PollReport(feed_id, "", "skipped")
            st = FeedState(f.id, f.url, f.name, f.language, f.interval_seconds,
                           dict(f.options or {}), f.etag, f.last_modified, f.body_hash,
                           f.polls_since_full, f.consecutive_failures)
        try:
            report = self._poll(st)
        except FetchCancelled:
            report = PollReport(st.id, st.url, "cancelled")
        except Exception as exc:  # noqa: BLE001 - a bug or a database hiccup: back off, go on
            log.exception("poll of %s failed", st.url, extra={"feed": st.url})
            self._failed(st, FetchError("internal", f"{type(exc).__name__}: {exc}"))
            report = PollReport(st.id, st.url, "error", error_class="internal", error=str(exc))
        if report.result == "cancelled":
            self._release(st.id)
        self.metrics.feeds_polled.labels(report.result).inc()
        self.metrics.poll_seconds.observe(time.monotonic() - started)
        log.info("polled %s: %s", st.url, report.result, extra={
            "feed": st.url, "result": report.result, "status": report.status,
            "error_class": report.error_class, "items": dict(report.items),
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
        known = self._known_items(st.id, [e.guid for e in entries])
        oldest = datetime.min.replace(tzinfo=UTC)
        entries = sorted(entries, key=lambda e: e.published or e.updated or oldest)
        max_items = st.options.get("max_items")
        if max_items:
            entries = entries[-int(max_items):]
        items: Counter[str] = Counter()
        for e in entries:
            if self.stop.is_set():
                return items, False
            if e.guid in known:
                updated_at, article_id = known[e.guid]
                if e.updated and article_id and (updated_at is None or e.updated > updated_at):
                    self._feed_updated(st.id, e, article_id)
                continue
            outcome = self._new_item(st, e, source, language)
            items[outcome] += 1
            self.metrics.items.labels(outcome).inc()
        return items, True

    def _known_items(self, feed_id: int, guids: list[str]) -> dict[str, tuple[Any, Any]]:
        known: dict[str, tuple[Any, Any]] = {}
        with self.factory() as s:
            for i in range(0, len(guids), 500):
                rows = s.execute(select(FeedItem.guid, FeedItem.updated_at, FeedItem.article_id)
                                 .where(FeedItem.feed_id == feed_id,
                                        FeedItem.guid.in_(guids[i:i + 500])))
                known.update({g: (u, a) for g, u, a in rows})
        return known

    def _article_for(self, url: str) -> int | None:
        canonical = dedupe.canonical_url(url)
        with self.factory() as s:
            found = s.scalar(select(Article.id).where(Article.canonical_url == canonical))
            if found is None:
                found = s.scalar(select(UrlAlias.article_id).where(UrlAlias.url == canonical))
        return found

    def _new_item(self, st: FeedState, e: FeedEntry, source: str | None,
                  language: str | None) -> str:
        if e.url and (existing := self._article_for(e.url)) is not None:
            # an old item re-sent under a new GUID: known by its URL, no page fetch needed
            self._remember(st.id, e, existing)
            return "duplicate"
        doc, retry = self._item_document(st, e, source, language)
        try:
            analysis = self.analyse(doc)
        except FetchCancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - reported per item, never fatal
            log.exception("cannot analyse %s", doc.url, extra={"feed": st.url})
            self.store.record_error(doc, f"{type(exc).__name__}: {exc}")
            self._remember(st.id, e, None)
            return "error"
        outcome = self.store.save(doc, analysis)
        fresh = outcome.outcome in ("new", "irrelevant", "revised")
        self._remember(st.id, e, outcome.article_id, retry=retry and fresh,
                       revisions=fresh and urlsplit(doc.url).scheme in ("http", "https"))
        return outcome.outcome

    def _item_document(self, st: FeedState, e: FeedEntry, source: str | None,
                       language: str | None) -> tuple[Document, bool]:
        """The item's page, or else its summary/content from the feed (then marked for a
        retry)."""
        url = e.url or f"{st.url}#{e.guid}"
        base = Document(url=url, locator=url, origin="feed", title=e.title,
                        published=e.published or e.updated, source=source,
                        language=e.language or st.language or language, feed_id=st.id,
                        fetched_at=utcnow())
        page = urlsplit(e.url or "").scheme in ("http", "https", "file")
        if page and st.options.get("fetch_articles", True):
            try:
                res = self.fetcher.fetch(url, kind="article")
                final = res.final_url if urlsplit(res.final_url).scheme != "file" else url
                return replace(base, url=final, html=res.body), False
            except FetchCancelled:
                raise
            except FetchError as exc:
                log.info("page of %s unavailable (%s), using the feed's text", url, exc,
                         extra={"feed": st.url, "error_class": exc.error_class})
        body = e.content or e.summary
        if body:
            return replace(base, html=f"<html><body><article>{body}</article></body></html>"), page
        return replace(base, text=e.title or url), page

    def _remember(self, feed_id: int, e: FeedEntry, article_id: int | None, *,
                  retry: bool = False, revisions: bool = False) -> None:
        """Mark an item processed (after its article is stored: see the module docstring)."""
        now = utcnow()
        plan = self.settings.schedule.revisions
        try:
            with self.factory() as s, s.begin():
                s.add(FeedItem(feed_id=feed_id, guid=e.guid[:2048],
                               url=e.url[:2048] if e.url else None, title=e.title,
                               published_at=e.published, updated_at=e.updated,
                               article_id=article_id, first_seen_at=now, last_seen_at=now))
                art = s.get(Article, article_id) if article_id else None
                if art is None:
                    return
                if e.updated:
                    art.feed_updated_at = e.updated
                if retry:
                    art.needs_retry = True
                    art.next_recheck_at = now + timedelta(seconds=min(p[0] for p in plan))
                elif revisions and art.relevant and art.next_recheck_at is None:
                    art.next_recheck_at = schedule.next_recheck(
                        art.published_at or art.first_seen_at, now, plan)
        except IntegrityError:
            log.info("item %s of feed %s already recorded by another worker", e.guid, feed_id)

    def _feed_updated(self, feed_id: int, e: FeedEntry, article_id: int) -> None:
        """The feed says an item was updated: re-fetch its article now."""
        with self.factory() as s, s.begin():
            s.execute(update(FeedItem).where(FeedItem.feed_id == feed_id,
                                             FeedItem.guid == e.guid)
                      .values(updated_at=e.updated, last_seen_at=utcnow()))
            s.execute(update(Article).where(Article.id == article_id)
                      .values(feed_updated_at=e.updated))
        self.recheck(article_id)

    def _poll_directory(self, st: FeedState, path: Path) -> PollReport:
        """A local fixture source (e.g. `seeds/`): each content file is an item."""
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
        docs: list[Document] = []
        for f in files:
            try:
                docs.extend(documents_from_file(f))
            except InputError as exc:
                log.warning("skipping fixture %s: %s", f, exc)
        oldest = datetime.min.replace(tzinfo=UTC)
        docs.sort(key=lambda d: (d.fetched_at or d.published or oldest, d.locator))
        prefix = str(path) + os.sep
        guids = [d.locator.removeprefix(prefix) for d in docs]
        known = self._known_items(st.id, guids)
        items: Counter[str] = Counter()
        for guid, doc in zip(guids, docs, strict=True):
            if self.stop.is_set():
                return PollReport(st.id, st.url, "cancelled", items=items)
            if guid in known:
                continue
            doc = replace(doc, origin="feed", feed_id=st.id)
            entry = FeedEntry(guid=guid, url=doc.url, title=doc.title, summary=None,
                              content=None, published=doc.published, updated=None)
            try:
                outcome = self.store.save(doc, self.analyse(doc)).outcome
                article = self._article_for(doc.url)
            except FetchCancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - reported per item
                self.store.record_error(doc, f"{type(exc).__name__}: {exc}")
                outcome, article = "error", None
            self._remember(st.id, entry, article)
            items[outcome] += 1
            self.metrics.items.labels(outcome).inc()
        self._succeeded(st, res, digest=digest, full=True, new=sum(items.values()))
        return PollReport(st.id, st.url, "ok", items=items, status=200)

    # -- feed state ----------------------------------------------------------------------

    def _observed_gap(self, s: Session, feed_id: int) -> int | None:
        dates = s.scalars(select(FeedItem.published_at).where(
            FeedItem.feed_id == feed_id, FeedItem.published_at.is_not(None))
            .order_by(FeedItem.published_at.desc()).limit(20))
        return schedule.observed_gap(dates)

    def _succeeded(self, st: FeedState, res: FetchResult, *, digest: str | None, full: bool,
                   new: int, ttl: int | None = None) -> None:
        now = utcnow()
        with self.factory() as s, s.begin():
            f = s.get(Feed, st.id)
            if f is None:
                return
            interval = schedule.poll_interval(
                self.policy, configured=st.interval, ttl=ttl,
                max_age=schedule.cache_lifetime(res.headers, now),
                gap=self._observed_gap(s, st.id))
            if res.not_modified:
                # a 304 may carry fresh validators (RFC 9110 §15.4.5): keep them
                f.etag = res.etag or f.etag
                f.last_modified = res.last_modified or f.last_modified
            else:
                # Last-Modified may change even if the ETag does not: store both as sent
                f.etag, f.last_modified, f.body_hash = res.etag, res.last_modified, digest
            f.polls_since_full = 0 if full else f.polls_since_full + 1
            f.last_polled_at = f.last_success_at = now
            f.consecutive_failures, f.gone = 0, False
            f.effective_interval = interval
            f.next_poll_at = schedule.with_jitter(now, interval, self.policy.jitter, self.rng)
            f.items_seen += new
            if new:
                f.last_new_item_at = now
            moved = res.permanent_redirect_url
            if moved and moved != f.url:
                if s.scalar(select(Feed.id).where(Feed.url == moved)) is None:
                    log.info("feed %s moved permanently to %s", f.url, moved)
                    f.url = moved
                else:
                    log.warning("feed %s moved to %s, which is already a feed", f.url, moved)
            self._end_poll(s, f, FetchEvent(
                feed_id=f.id, at=now, url=res.final_url, status=res.status,
                duration_ms=int(res.duration * 1000), bytes=res.bytes, new_items=new))

    def _failed(self, st: FeedState, exc: FetchError, res: FetchResult | None = None) -> None:
        now = utcnow()
        sc = self.settings.schedule
        failures = st.consecutive_failures + 1
        gone = exc.error_class == "gone"
        delay = sc.backoff_cap if gone else schedule.backoff(
            failures, base=sc.backoff_base, cap=sc.backoff_cap, retry_after=exc.retry_after)
        with self.factory() as s, s.begin():
            f = s.get(Feed, st.id)
            if f is None:
                return
            f.consecutive_failures = failures
            f.last_polled_at = f.last_error_at = now
            f.last_error, f.last_error_class = str(exc)[:2000], exc.error_class
            f.gone = gone or f.gone
            # never disabled for good: a gone feed is still tried once per backoff_cap
            f.next_poll_at = schedule.with_jitter(now, delay, self.policy.jitter, self.rng)
            self._end_poll(s, f, FetchEvent(
                feed_id=f.id, at=now, url=res.final_url if res else st.url,
                status=exc.status if exc.status is not None else (res.status if res else None),
                duration_ms=int(res.duration * 1000) if res else 0,
                bytes=res.bytes if res else 0, error_class=exc.error_class,
                error=str(exc)[:2000]))
        if res is not None or exc.error_class == "internal":  # the fetcher counted the rest
            self.metrics.fetch_errors.labels("feed", exc.error_class).inc()

    def _end_poll(self, s: Session, f: Feed, event: FetchEvent) -> None:
        if f.leased_by == self.worker_id:
            f.leased_by, f.lease_until = None, None
        s.add(event)
        s.flush()
        keep = select(FetchEvent.id).where(FetchEvent.feed_id == f.id).order_by(
            FetchEvent.id.desc()).limit(max(1, self.settings.daemon.fetch_events_kept))
        s.execute(delete(FetchEvent).where(FetchEvent.feed_id == f.id,
                                           FetchEvent.id.not_in(keep.scalar_subquery())))

    def _release(self, feed_id: int) -> None:
        with self.factory() as s, s.begin():
            s.execute(update(Feed).where(Feed.id == feed_id, Feed.leased_by == self.worker_id)
                      .values(leased_by=None, lease_until=None))

    # -- revisions -----------------------------------------------------------------------

    def recheck(self, article_id: int) -> str:
        """Re-fetch one article: a changed text becomes a version, a 404/410 marks it
        unpublished (never deleted), a page that comes back restores it."""
        with self.factory() as s:
            a = s.get(Article, article_id)
            if a is None:
                return "skipped"
            url, published, outlet, lang = a.url, a.published_at or a.first_seen_at, a.outlet, \
                a.language
        now = utcnow()
        plan = self.settings.schedule.revisions
        try:
            res = self.fetcher.fetch(url, kind="article")
        except FetchCancelled:
            return "cancelled"
        except FetchError as exc:
            outcome = "unpublished" if exc.status in (404, 410) else "error"
            with self.factory() as s, s.begin():
                art = s.get(Article, article_id)
                if art is not None:
                    if outcome == "unpublished" and art.status != "unpublished":
                        art.status = "unpublished"
                        s.add(ArticleEvent(article_id=art.id, at=now, kind="unpublished",
                                           detail=f"HTTP {exc.status} at {url}"))
                    art.next_recheck_at = schedule.next_recheck(published, now, plan)
            self.metrics.rechecks.labels(outcome).inc()
            log.info("re-check of %s: %s", url, exc, extra={"url": url, "outcome": outcome})
            return outcome
        doc = Document(url=url, locator=url, origin="recheck", html=res.body,
                       published=published, source=outlet, language=lang, fetched_at=now)
        outcome = self.store.save(doc, self.analyse(doc)).outcome
        with self.factory() as s, s.begin():
            art = s.get(Article, article_id)
            if art is not None:
                art.needs_retry = False
                if art.status == "unpublished":
                    art.status = "active"
                    s.add(ArticleEvent(article_id=art.id, at=now, kind="restored"))
                art.next_recheck_at = schedule.next_recheck(published, now, plan) \
                    if art.relevant else None
        self.metrics.rechecks.labels(outcome).inc()
        log.info("re-checked %s: %s", url, outcome, extra={"url": url, "outcome": outcome})
        return outcome


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
        self.lock = threading.Lock()
        self.summary = CycleSummary()
        self.last_tick = time.monotonic()
        self._closed = False

    # -- jobs ----------------------------------------------------------------------------

    def _submit(self, fn: Callable[[int], Any], arg: int) -> None:
        fut = self.pool.submit(fn, arg)
        with self.lock:
            self.inflight.add(fut)
            self.metrics.in_flight.set(len(self.inflight))
        fut.add_done_callback(self._done)

    def _done(self, fut: Future[Any]) -> None:
        with self.lock:
            self.inflight.discard(fut)
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
        self.last_tick = time.monotonic()
        self.metrics.last_tick.set_to_current_time()
        if self.stopping.is_set():
            return 0
        with self.lock:
            busy = bool(self.inflight)
        if busy:
            renew_leases(self.factory, self.worker_id, self.settings.daemon.lease_seconds)
        free = min(self._free(), self.settings.daemon.batch_size)
        if free <= 0:
            return 0
        ids = claim_feeds(self.factory, self.worker_id, free,
                          self.settings.daemon.lease_seconds, due_before=due_before)
        for feed_id in ids:
            self._submit(self.poller.poll, feed_id)
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
        self.summary.seconds = time.monotonic() - started
        return self.summary

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
        sched.start()
        log.info("worker %s polling", self.worker_id, extra={"worker_id": self.worker_id})
        try:
            self.stopping.wait()
        finally:
            sched.shutdown(wait=True)

    def _safe(self, fn: Callable[[], int]) -> Callable[[], None]:
        def job() -> None:
            try:
                fn()
            except Exception:  # noqa: BLE001 - the database may be down for a while
                log.exception("scheduler tick failed")
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
