"""The tables of announcements and alerts, derived from the claims (see worker.announce,
worker.alerts)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from worker.store.tables.base import UTCDateTime, metadata, utcnow

claimant_announcements = Table(
    "claimant_announcements", metadata,
    Column("id", String(64), primary_key=True),  # "KR-NIS/2025-01-13"
    Column("claimant", String(32), nullable=False),
    Column("announced_on", String(10), nullable=False),
    Column("dated_by", String(16), nullable=False),
    Column("recalled_only", Boolean, nullable=False, default=False),
    Column("independent_stories", Integer, nullable=False),
    Column("languages", String(200), nullable=False),  # "de,en,ko"
    Column("reports", Integer, nullable=False),
    Column("first_reported_at", UTCDateTime(), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("outlet", String(200)),
    Column("headline", Text, nullable=False),
    Index("ix_claimant_announcements_claimant", "claimant", "announced_on"),
)

announcement_figures = Table(
    "announcement_figures", metadata,
    Column("id", Integer, primary_key=True),
    Column("announcement_id", String(64), ForeignKey("claimant_announcements.id",
           ondelete="CASCADE"), nullable=False, index=True),
    Column("subject", String(8)),
    Column("metric", String(16), nullable=False),
    Column("kind", String(16), nullable=False),  # total | increment | part
    Column("value", BigInteger, nullable=False),
    Column("low", BigInteger),
    Column("high", BigInteger),
    Column("qualifier", String(16), nullable=False),
    Column("stories", Integer, nullable=False),
    Column("reports", Integer, nullable=False),
    Column("recalled_only", Boolean, nullable=False, default=False),
    Column("sentence", Text, nullable=False),
)

announcement_links = Table(
    "announcement_links", metadata,
    Column("id", Integer, primary_key=True),
    Column("announcement_id", String(64), ForeignKey("claimant_announcements.id",
           ondelete="CASCADE"), nullable=False, index=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("story_key", BigInteger, nullable=False),
    Column("url", String(2048), nullable=False),
    Column("outlet", String(200)),
    Column("language", String(8)),
    Column("title", Text),
    Column("reported_at", UTCDateTime(), nullable=False),
    Column("recalled_only", Boolean, nullable=False, default=False),
)

derived_state = Table(
    "derived_state", metadata,
    Column("name", String(128), primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow),
)

alert_outbox = Table(
    "alert_outbox", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("change_id", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
    Column("subject", String(8)),
    Column("metric", String(16), nullable=False),
    Column("claimant", String(32)),
    Column("payload", JSON(), nullable=False),
)

alert_endpoints = Table(
    "alert_endpoints", metadata,
    Column("name", String(200), primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("cursor", BigInteger, nullable=False, default=0),
    Column("delivered", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime()),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("leased_by", String(128)),
    Column("lease_until", UTCDateTime()),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow),
)

alert_deliveries = Table(
    "alert_deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("endpoint", String(200), nullable=False),
    Column("outbox_id", BigInteger, ForeignKey("alert_outbox.id", ondelete="CASCADE"),
           nullable=False),
    Column("change_id", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", UTCDateTime(), nullable=False, default=utcnow),
    Column("ok", Boolean, nullable=False),
    Column("status", Integer),
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False, default=0),
    Index("ix_alert_deliveries_endpoint", "endpoint", "outbox_id"),
)
