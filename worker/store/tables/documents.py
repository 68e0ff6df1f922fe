"""The tables of stories, articles, their versions and raw pages, the duplicate index."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from worker.store.tables.base import UTCDateTime, metadata, utcnow

stories = Table(
    "stories", metadata,
    Column("id", Integer, primary_key=True),
    Column("first_article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL",
           use_alter=True)),
    Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
)

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True),
    Column("canonical_url", String(2048), nullable=False, unique=True),
    Column("url", String(2048), nullable=False),
    Column("title", Text),
    Column("outlet", String(200)),
    Column("language", String(8)),
    Column("published_at", UTCDateTime(), index=True),
    Column("first_seen_at", UTCDateTime(), nullable=False, default=utcnow),
    Column("last_fetched_at", UTCDateTime()),
    Column("relevant", Boolean, nullable=False),
    Column("relevance", Float, nullable=False, default=0.0),
    Column("fingerprint", String(64)),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL"), index=True),
    Column("signature", LargeBinary),
    Column("shingles", Integer),
    Column("status", String(16), nullable=False, default="active"),
    Column("needs_retry", Boolean, nullable=False, default=False),
    Column("next_recheck_at", UTCDateTime(), index=True),
    Column("feed_updated_at", UTCDateTime()),
    # validators and digest of the last fetched page, for conditional re-checks
    Column("etag", String(512)),
    Column("last_modified", String(128)),
    Column("raw_sha256", String(64)),
    Column("rechecks_since_full", Integer, nullable=False, default=0, server_default="0"),
)

article_versions = Table(
    "article_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("fetched_at", UTCDateTime(), nullable=False, default=utcnow),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("changes", JSON()),
    # the analysis its claims come from (worker.figures.version.analysis_version)
    Column("analysed_with", String(64)),
    UniqueConstraint("article_id", "number"),
    UniqueConstraint("article_id", "fingerprint"),
)

raw_pages = Table(
    "raw_pages", metadata,
    Column("version_id", Integer, ForeignKey("article_versions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("compression", String(8), nullable=False),
    Column("size", Integer, nullable=False),
    Column("is_text", Boolean, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

content_fingerprints = Table(
    "content_fingerprints", metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
)

url_aliases = Table(
    "url_aliases", metadata,
    Column("url", String(2048), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
)

lsh_bands = Table(
    "lsh_bands", metadata,
    Column("band", Integer, primary_key=True),
    Column("bucket", BigInteger, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
