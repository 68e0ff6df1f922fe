"""The tables of the materialised lineage (see worker.series and worker.store.lineage)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from worker.store.tables.base import UTCDateTime, metadata

_CHANGE = "kind IS NOT NULL"

figure_series = Table(
    "figure_series", metadata,
    Column("id", Integer, primary_key=True),
    # "subject|metric|claimant", '' for a missing part: unique where NULLs would not be
    Column("key", String(80), nullable=False, unique=True),
    Column("subject", String(8)),
    Column("metric", String(16), nullable=False),
    Column("claimant", String(32)),
    Column("latest_claim_id", BigInteger),
)

figure_statements = Table(
    "figure_statements", metadata,
    # no foreign keys to the claims: a claim replaced by re-analysis leaves its statement for
    # worker.store.lineage.refresh_article to find, remove and re-derive around
    Column("claim_id", BigInteger, primary_key=True, autoincrement=False),
    Column("series_id", Integer, ForeignKey("figure_series.id", ondelete="CASCADE"),
           nullable=False),
    Column("article_id", BigInteger, nullable=False, index=True),
    Column("version_id", BigInteger, nullable=False),
    Column("version_number", Integer, nullable=False),
    Column("story_key", BigInteger, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("recalled", Boolean, nullable=False),
    Column("refers_to", String(10)),
    Column("stated_for", UTCDateTime(), nullable=False),
    Column("reported_on", UTCDateTime(), nullable=False),
    Column("version_value", BigInteger),
    Column("corrected", Boolean, nullable=False),
    Column("live", Boolean, nullable=False),
    Column("point", Boolean, nullable=False),
    Column("through_recall", Boolean, nullable=False),
    Column("previous_value", BigInteger),
    Column("kind", String(16)),
    # when this row last became (or changed as) a change: what alerts read new changes by
    Column("detected_at", UTCDateTime()),
    Index("ix_figure_statements_order", "series_id", "stated_for", "reported_on",
          "claim_id"),
    Index("ix_figure_statements_points", "series_id", "stated_for", "reported_on",
          "claim_id", sqlite_where=text("point"), postgresql_where=text("point")),
    Index("ix_figure_statements_value", "series_id", "value", "reported_on"),
    Index("ix_figure_statements_recalls", "series_id", "value",
          sqlite_where=text("recalled"), postgresql_where=text("recalled")),
    Index("ix_figure_statements_story", "series_id", "value", "story_key", "reported_on"),
    Index("ix_figure_statements_changes", "stated_for", "reported_on", "claim_id",
          sqlite_where=text(_CHANGE), postgresql_where=text(_CHANGE)),
    Index("ix_figure_statements_kind", "kind", "stated_for", "reported_on", "claim_id",
          sqlite_where=text(_CHANGE), postgresql_where=text(_CHANGE)),
    Index("ix_figure_statements_series_changes", "series_id", "stated_for", "reported_on",
          "claim_id", sqlite_where=text(_CHANGE), postgresql_where=text(_CHANGE)),
)

figure_value_stories = Table(
    "figure_value_stories", metadata,
    Column("series_id", Integer, ForeignKey("figure_series.id", ondelete="CASCADE"),
           primary_key=True),
    Column("value", BigInteger, primary_key=True),
    Column("story_key", BigInteger, primary_key=True),
    Column("first_reported_on", UTCDateTime(), nullable=False),
    # as-of counts (`figures --as-of`) read the stories known by a time from the index
    Index("ix_figure_value_stories_first", "series_id", "value", "first_reported_on"),
)

figure_values = Table(
    "figure_values", metadata,
    Column("series_id", Integer, ForeignKey("figure_series.id", ondelete="CASCADE"),
           primary_key=True),
    Column("value", BigInteger, primary_key=True),
    Column("stories", Integer, nullable=False),
)
