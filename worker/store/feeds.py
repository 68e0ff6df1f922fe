"""Feed rows and what a poll writes: the feed list upserted (what `feeds add`, `import` and
`remove` write is in `worker.store.subscriptions`, on the Core tables); leases on due feeds
claimed, renewed and released; a poll's state after success or failure (validators, next poll,
back-off, the last fetch events); remembered feed items (re-checks of articles are in
`worker.store.rechecks`). The per-feed flow (`worker.poll`) decides, these functions write,
one transaction each.

Why several workers can share the work: a worker claims due feeds in batches (`FOR UPDATE SKIP
LOCKED` on PostgreSQL, an immediate transaction on SQLite) with a lease, so a dead worker's
feeds come back when the lease expires."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from worker import faults, schedule
from worker.feedlist import FeedSpec
from worker.store.models import Article, Feed, FeedItem, FetchEvent, UrlAlias, utcnow

log = logging.getLogger(__name__)


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


# -- leases --------------------------------------------------------------------------------

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


def renew_leases(factory: sessionmaker[Session], worker_id: str, lease_seconds: int,
                 feed_ids: Collection[int] | None = None) -> int:
    """Extend the leases this worker holds: a poll slower than `lease_seconds` (a big feed, a
    slow host, a busy machine) keeps its feed instead of letting another worker poll it too.
    With `feed_ids` (the feeds being polled now), only those are extended and this worker's
    other leases are released: a poll that died with the database (it could not write its
    result, nor release its lease) leaves its feed free for the next tick instead of holding it
    for as long as the worker stays busy."""
    with factory() as s, s.begin():
        held = Feed.leased_by == worker_id
        if feed_ids is not None:
            s.execute(update(Feed).where(held, Feed.id.not_in(list(feed_ids)))
                      .values(leased_by=None, lease_until=None))
            held = held & Feed.id.in_(list(feed_ids))
        result = s.execute(update(Feed).where(held).values(
            lease_until=utcnow() + timedelta(seconds=lease_seconds)))
        faults.point("renew_lease")
        return int(getattr(result, "rowcount", 0) or 0)


def release_leases(factory: sessionmaker[Session], worker_id: str) -> int:
    with factory() as s, s.begin():
        result = s.execute(update(Feed).where(Feed.leased_by == worker_id)
                           .values(leased_by=None, lease_until=None))
        return int(getattr(result, "rowcount", 0) or 0)


# -- one poll ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedState:
    """What a poll needs to know of its feed, read once before the fetch."""

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


@dataclass(frozen=True, kw_only=True)
class PollSuccess:
    """A poll that fetched the feed (200, or 304 Not Modified) and stored all its new items."""

    at: datetime
    not_modified: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    full: bool
    interval: int
    next_poll_at: datetime
    new_items: int
    moved_to: str | None
    url: str
    status: int | None
    duration_ms: int
    bytes: int


@dataclass(frozen=True, kw_only=True)
class PollFailure:
    """A poll that failed; the feed backs off until `next_poll_at`."""

    at: datetime
    failures: int
    error: str
    error_class: str
    gone: bool
    next_poll_at: datetime
    url: str
    status: int | None
    duration_ms: int
    bytes: int


def feed_state(factory: sessionmaker[Session], feed_id: int) -> FeedState | None:
    with factory() as s:
        f = s.get(Feed, feed_id)
        if f is None:
            return None
        return FeedState(f.id, f.url, f.name, f.language, f.interval_seconds,
                         dict(f.options or {}), f.etag, f.last_modified, f.body_hash,
                         f.polls_since_full, f.consecutive_failures)


def known_items(factory: sessionmaker[Session], feed_id: int,
                guids: Sequence[str]) -> dict[str, tuple[Any, Any]]:
    """guid -> (updated_at, article_id) of the items of `guids` this feed already delivered."""
    known: dict[str, tuple[Any, Any]] = {}
    with factory() as s:
        for i in range(0, len(guids), 500):
            rows = s.execute(select(FeedItem.guid, FeedItem.updated_at, FeedItem.article_id)
                             .where(FeedItem.feed_id == feed_id,
                                    FeedItem.guid.in_(guids[i:i + 500])))
            known.update({g: (u, a) for g, u, a in rows})
    return known


def article_by_url(factory: sessionmaker[Session], canonical: str) -> int | None:
    """The article stored under a canonical URL, or seen under it as an alias."""
    with factory() as s:
        found = s.scalar(select(Article.id).where(Article.canonical_url == canonical))
        if found is None:
            found = s.scalar(select(UrlAlias.article_id).where(UrlAlias.url == canonical))
    return found


def remember_item(factory: sessionmaker[Session], feed_id: int, *, guid: str, url: str | None,
                  title: str | None, published: datetime | None, updated: datetime | None,
                  article_id: int | None, retry: bool, revisions: bool,
                  plan: list[list[int]]) -> bool:
    """Mark an item processed, after its article is stored (see worker.poll), and plan the
    article's first re-check: soon for a retry, by the revision plan for a new relevant one.
    False when another worker recorded the item first."""
    now = utcnow()
    try:
        with factory() as s, s.begin():
            s.add(FeedItem(feed_id=feed_id, guid=guid[:2048], url=url[:2048] if url else None,
                           title=title, published_at=published, updated_at=updated,
                           article_id=article_id, first_seen_at=now, last_seen_at=now))
            art = s.get(Article, article_id) if article_id else None
            if art is None:
                return True
            if updated:
                art.feed_updated_at = updated
            if retry:
                art.needs_retry = True
                art.next_recheck_at = now + timedelta(seconds=min(p[0] for p in plan))
            elif revisions and art.relevant and art.next_recheck_at is None:
                art.next_recheck_at = schedule.next_recheck(
                    art.published_at or art.first_seen_at, now, plan)
    except IntegrityError:
        return False
    return True


def item_updated(factory: sessionmaker[Session], feed_id: int, guid: str,
                 updated: datetime | None, article_id: int) -> None:
    """The feed says an item changed: remember when (its article is re-checked next)."""
    with factory() as s, s.begin():
        s.execute(update(FeedItem).where(FeedItem.feed_id == feed_id, FeedItem.guid == guid)
                  .values(updated_at=updated, last_seen_at=utcnow()))
        s.execute(update(Article).where(Article.id == article_id)
                  .values(feed_updated_at=updated))


def recent_item_dates(factory: sessionmaker[Session], feed_id: int,
                      limit: int = 20) -> list[datetime]:
    """Publication dates of the feed's newest items, for the observed publishing gap."""
    with factory() as s:
        return list(s.scalars(select(FeedItem.published_at).where(
            FeedItem.feed_id == feed_id, FeedItem.published_at.is_not(None))
            .order_by(FeedItem.published_at.desc()).limit(limit)))


def record_success(factory: sessionmaker[Session], feed_id: int, worker_id: str,
                   ok: PollSuccess, *, events_kept: int) -> None:
    with factory() as s, s.begin():
        f = s.get(Feed, feed_id)
        if f is None:
            return
        if ok.not_modified:
            # a 304 may carry fresh validators (RFC 9110 §15.4.5): keep them
            f.etag = ok.etag or f.etag
            f.last_modified = ok.last_modified or f.last_modified
        else:
            # Last-Modified may change even if the ETag does not: store both as sent
            f.etag, f.last_modified, f.body_hash = ok.etag, ok.last_modified, ok.body_hash
        f.polls_since_full = 0 if ok.full else f.polls_since_full + 1
        f.last_polled_at = f.last_success_at = ok.at
        f.consecutive_failures, f.gone = 0, False
        f.effective_interval = ok.interval
        f.next_poll_at = ok.next_poll_at
        f.items_seen += ok.new_items
        if ok.new_items:
            f.last_new_item_at = ok.at
        moved = ok.moved_to
        if moved and moved != f.url:
            if s.scalar(select(Feed.id).where(Feed.url == moved)) is None:
                log.info("feed %s moved permanently to %s", f.url, moved)
                f.url = moved
            else:
                log.warning("feed %s moved to %s, which is already a feed", f.url, moved)
        _end_poll(s, f, worker_id, FetchEvent(
            feed_id=f.id, at=ok.at, url=ok.url, status=ok.status, duration_ms=ok.duration_ms,
            bytes=ok.bytes, new_items=ok.new_items), events_kept)


def record_failure(factory: sessionmaker[Session], feed_id: int, worker_id: str,
                   bad: PollFailure, *, events_kept: int) -> None:
    with factory() as s, s.begin():
        f = s.get(Feed, feed_id)
        if f is None:
            return
        f.consecutive_failures = bad.failures
        f.last_polled_at = f.last_error_at = bad.at
        f.last_error, f.last_error_class = bad.error[:2000], bad.error_class
        f.gone = bad.gone or f.gone
        # never disabled for good: a gone feed is still tried once per backoff_cap
        f.next_poll_at = bad.next_poll_at
        _end_poll(s, f, worker_id, FetchEvent(
            feed_id=f.id, at=bad.at, url=bad.url, status=bad.status,
            duration_ms=bad.duration_ms, bytes=bad.bytes, error_class=bad.error_class,
            error=bad.error[:2000]), events_kept)


def _end_poll(s: Session, f: Feed, worker_id: str, event: FetchEvent, kept: int) -> None:
    """Release our lease and keep only the feed's last `kept` fetch events."""
    if f.leased_by == worker_id:
        f.leased_by, f.lease_until = None, None
    s.add(event)
    s.flush()
    keep = select(FetchEvent.id).where(FetchEvent.feed_id == f.id).order_by(
        FetchEvent.id.desc()).limit(max(1, kept))
    s.execute(delete(FetchEvent).where(FetchEvent.feed_id == f.id,
                                       FetchEvent.id.not_in(keep.scalar_subquery())))


def release_feed(factory: sessionmaker[Session], feed_id: int, worker_id: str) -> None:
    with factory() as s, s.begin():
        s.execute(update(Feed).where(Feed.id == feed_id, Feed.leased_by == worker_id)
                  .values(leased_by=None, lease_until=None))
