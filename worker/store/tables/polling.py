"""The tables of feeds, their fetches and the items they announced."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from worker.store.tables.base import UTCDateTime, metadata, utcnow

feeds = Table(
    "feeds", metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("name", String(200)),
    Column("language", String(8)),
    Column("origin", String(16), nullable=False, default="cli"),
    Column("interval_seconds", Integer),
    Column("effective_interval", Integer),
    Column("options", JSON(), nullable=False, default=dict),
    Column("etag", String(512)),
    Column("last_modified", String(128)),
    Column("body_hash", String(64)),
    Column("polls_since_full", Integer, nullable=False, default=0),
    Column("next_poll_at", UTCDateTime(), nullable=False, index=True, default=utcnow),
    Column("last_polled_at", UTCDateTime()),
    Column("last_success_at", UTCDateTime()),
    Column("last_new_item_at", UTCDateTime()),
    Column("last_error_at", UTCDateTime()),
    Column("last_error", Text),
    Column("last_error_class", String(32)),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("items_seen", Integer, nullable=False, default=0),
    Column("gone", Boolean, nullable=False, default=False),
    Column("leased_by", String(128)),
    Column("lease_until", UTCDateTime(), index=True),
    Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
)

fetch_events = Table(
    "fetch_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("at", UTCDateTime(), nullable=False, default=utcnow),
    Column("url", String(2048), nullable=False),
    Column("status", Integer),
    Column("duration_ms", Integer, nullable=False, default=0),
    Column("bytes", Integer, nullable=False, default=0),
    Column("new_items", Integer, nullable=False, default=0),
    Column("error_class", String(32)),
    Column("error", Text),
)

feed_items = Table(
    "feed_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("guid", String(2048), nullable=False),
    Column("url", String(2048)),
    Column("title", Text),
    Column("published_at", UTCDateTime()),
    Column("updated_at", UTCDateTime()),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL"), index=True),
    Column("first_seen_at", UTCDateTime(), nullable=False, default=utcnow),
    Column("last_seen_at", UTCDateTime(), nullable=False, default=utcnow),
    UniqueConstraint("feed_id", "guid"),
)
