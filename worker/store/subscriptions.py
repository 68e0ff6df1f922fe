"""The feed list as `worker feeds add`, `import` and `remove` edit it, on the Core tables
(worker.store.tables): these commands start in a fraction of a second because they load neither
the ORM nor the mapped classes (see the README, *Start-up*). What a poll writes about a feed is
in `worker.store.feeds`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, delete, insert, select

from worker.feedlist import FeedSpec
from worker.store.tables import feeds, utcnow


def add_feeds(engine: Engine, specs: Sequence[FeedSpec],
              origin: str = "cli") -> tuple[list[str], list[str]]:
    """Insert the feeds whose URL is not yet a feed, in one transaction; known ones are left
    as they are, and a URL given twice is added once (its first spec). Returns (added URLs,
    URLs already present before), in the order given."""
    urls = [spec.url for spec in specs]
    with engine.begin() as conn:
        present: set[str] = set()
        for i in range(0, len(urls), 500):
            present.update(conn.scalars(select(feeds.c.url)
                                        .where(feeds.c.url.in_(urls[i:i + 500]))))
        now = utcnow()
        new, seen = [], set(present)
        for spec in specs:
            if spec.url not in seen:
                seen.add(spec.url)
                new.append(spec)
        if new:  # the other columns take the tables' defaults (origin, counters, created_at)
            conn.execute(insert(feeds), [
                {"url": spec.url, "name": spec.name, "language": spec.language,
                 "origin": origin, "interval_seconds": spec.interval,
                 "options": dict(spec.options), "next_poll_at": now} for spec in new])
    return [spec.url for spec in new], [u for u in urls if u in present]


def remove_feed(engine: Engine, urls: Sequence[str]) -> str | None:
    """Delete the feed stored under any of `urls` (its items and events go with it, by the
    foreign keys' ON DELETE CASCADE); returns its origin, or None when no feed has those
    URLs."""
    with engine.begin() as conn:
        row = conn.execute(select(feeds.c.id, feeds.c.origin)
                           .where(feeds.c.url.in_(list(urls))).limit(1)).first()
        if row is None:
            return None
        conn.execute(delete(feeds).where(feeds.c.id == row.id))
    return str(row.origin)
