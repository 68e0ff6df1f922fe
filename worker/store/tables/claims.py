"""The tables of the figures claimed, their reviews, what happened to documents and articles."""

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
    UniqueConstraint,
    false,
)

from worker.store.tables.base import UTCDateTime, metadata, utcnow

figure_claims = Table(
    "figure_claims", metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("article_versions.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("metric", String(16), nullable=False),
    Column("subject", String(8)),
    Column("value", BigInteger, nullable=False),
    Column("low", BigInteger),
    Column("high", BigInteger),
    Column("qualifier", String(16), nullable=False),
    Column("modality", String(16), nullable=False),
    Column("claimant", String(32)),
    Column("claimant_raw", Text),
    Column("scope", String(16)),
    Column("sentence", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=False),
    # the date or period the figure is about: "YYYY-MM-DD" | "YYYY-MM" | "YYYY" (precision)
    Column("refers_to", String(10)),
    # restates an earlier statement ("up from 300 in January"): never a new value of a series
    Column("recalled", Boolean, nullable=False, default=False, server_default=false()),
    # index, among this version's claims ordered by start, of the total this one is part of
    Column("part_of", Integer),
    # a part of a breakdown or a sub-population ("2,000 wounded were flown home")
    Column("partial", Boolean, nullable=False, default=False, server_default=false()),
    # taken from another article of the story stating the same subject, metric and value
    Column("claimant_inferred", Boolean, nullable=False, default=False, server_default=false()),
    # the extractor (code + rules) that made it: worker.figures.version.EXTRACTOR_VERSION
    Column("extractor_version", String(64)),
    # a reviewer marked it wrong (`worker claims mark --wrong`): never a point of a series
    Column("excluded", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("version_id", "start", "metric"),
    Index("ix_figure_claims_series", "subject", "metric", "claimant", "claimed_at"),
)

claim_reviews = Table(
    "claim_reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("claim_id", Integer, ForeignKey("figure_claims.id", ondelete="SET NULL"), index=True),
    Column("version_id", Integer, ForeignKey("article_versions.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("metric", String(16), nullable=False),
    Column("start", Integer, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("sentence", Text, nullable=False),
    # wrong | recalled | part_of | claimant | subject
    Column("action", String(16), nullable=False),
    # the code set (claimant, subject), or the claim id of the total (part_of)
    Column("new_value", String(64)),
    # for part_of: the total's offset in the version, to find it again after a re-analysis
    Column("total_start", Integer),
    # the claim's reviewable fields before this review: subject, claimant, recalled, ...
    Column("original", JSON(), nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("reviewed_at", UTCDateTime(), nullable=False, default=utcnow),
    Column("note", Text, nullable=False),
)

ingest_events = Table(
    "ingest_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False, index=True, default=utcnow),
    Column("source", String(16), nullable=False),
    Column("locator", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL"), index=True),
    Column("version_id", Integer, ForeignKey("article_versions.id", ondelete="SET NULL")),
    Column("detail", Text),
    Column("worker_id", String(128)),
)

article_events = Table(
    "article_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("at", UTCDateTime(), nullable=False, default=utcnow),
    Column("kind", String(16), nullable=False),
    Column("detail", Text),
)
