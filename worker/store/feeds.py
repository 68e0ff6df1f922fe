"""Feed rows: the feed list upserted, leases on due feeds and due re-checks claimed, renewed
and released. Every statement on `feeds` a worker runs outside one poll's own state lives here.

Why several workers can share the work: a worker claims due feeds in batches (`FOR UPDATE SKIP
LOCKED` on PostgreSQL, an immediate transaction on SQLite) with a lease, so a dead worker's
feeds come back when the lease expires."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from worker.feedlist import FeedSpec
from worker.store.models import Article, Feed, utcnow

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
