"""The mapped classes of feeds, their fetches and the items they announced; their columns
are declared in worker.store.tables.polling."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from worker.store import tables
from worker.store.models.base import Base


class Feed(Base):
    """A polled feed and its polling state (the scheduler reads `next_poll_at`)."""

    __tablename__ = "feeds"
    __table__ = tables.feeds

    id: Mapped[int]
    url: Mapped[str]
    name: Mapped[str | None]
    language: Mapped[str | None]
    origin: Mapped[str]
    interval_seconds: Mapped[int | None]
    effective_interval: Mapped[int | None]
    options: Mapped[dict[str, Any]]
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    body_hash: Mapped[str | None]
    polls_since_full: Mapped[int]
    next_poll_at: Mapped[datetime]
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_item_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
    last_error_class: Mapped[str | None]
    consecutive_failures: Mapped[int]
    items_seen: Mapped[int]
    gone: Mapped[bool]
    leased_by: Mapped[str | None]
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class FetchEvent(Base):
    """One HTTP fetch of a feed: the last N per feed are kept for `feeds status`."""

    __tablename__ = "fetch_events"
    __table__ = tables.fetch_events

    id: Mapped[int]
    feed_id: Mapped[int]
    at: Mapped[datetime]
    url: Mapped[str]
    status: Mapped[int | None]
    duration_ms: Mapped[int]
    bytes: Mapped[int]
    new_items: Mapped[int]
    error_class: Mapped[str | None]
    error: Mapped[str | None]


class FeedItem(Base):
    """An item a feed announced: remembered so a re-sent item is not processed again."""

    __tablename__ = "feed_items"
    __table__ = tables.feed_items

    id: Mapped[int]
    feed_id: Mapped[int]
    guid: Mapped[str]
    url: Mapped[str | None]
    title: Mapped[str | None]
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    article_id: Mapped[int | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
