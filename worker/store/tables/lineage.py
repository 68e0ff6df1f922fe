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
    Text,
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

# the changes (statements with a kind) again, with the fields of their claims and articles and
# their times as ISO text: what `worker changes` lists, in a table of its own that the listing
# reads alone. At 10M claims a series' 7,830 changes read through figure_statements and
# figure_claims were ~40,000 random pages of two 10M-row tables, more than PostgreSQL's shared
# buffers hold; here they are a few hundred pages of a table of ~60,000 rows. The article's
# fields were a primary-key lookup per row (~31,000 buffers at 10M) and the five times a
# to_char per row and column (~20 ms at 10M). Written with the statements
# (worker.store.lineage: `sync_changes`); the article's fields again whenever the writer sets
# them (`sync_article`), since a title or a story link can change without a lineage refresh.
ISO = String(25)  # "2025-01-13T06:20:00+00:00", formatted by the database (store.sqltime)
figure_change_rows = Table(
    "figure_change_rows", metadata,
    Column("claim_id", BigInteger, primary_key=True, autoincrement=False),
    Column("series_id", Integer, ForeignKey("figure_series.id", ondelete="CASCADE"),
           nullable=False),
    Column("article_id", BigInteger, nullable=False),
    Column("version_id", BigInteger, nullable=False),
    Column("version_number", Integer, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("previous_value", BigInteger),
    Column("kind", String(16), nullable=False),
    Column("stated_for", UTCDateTime(), nullable=False),
    Column("reported_on", UTCDateTime(), nullable=False),
    Column("refers_to", String(10)),
    Column("through_recall", Boolean, nullable=False),
    Column("detected_at", UTCDateTime()),
    Column("low", BigInteger),
    Column("high", BigInteger),
    Column("qualifier", String(16), nullable=False),
    Column("modality", String(16), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("sentence", Text, nullable=False),
    Column("claimant_raw", Text),
    # the article's, as articles has them
    Column("url", String(2048), nullable=False),
    Column("outlet", String(200)),
    Column("story_id", Integer),
    Column("title", Text),
    Column("language", String(8)),
    # the times as the listing shows them: `<column>_iso` is iso_utc(<column>)
    Column("stated_for_iso", ISO, nullable=False),
    Column("reported_on_iso", ISO, nullable=False),
    Column("claimed_at_iso", ISO, nullable=False),
    Column("detected_at_iso", ISO),
    Column("published_at_iso", ISO),
    Index("ix_figure_change_rows_series", "series_id", "stated_for", "reported_on",
          "claim_id"),
    Index("ix_figure_change_rows_order", "stated_for", "reported_on", "claim_id"),
    Index("ix_figure_change_rows_kind", "kind", "stated_for", "reported_on", "claim_id"),
    Index("ix_figure_change_rows_article", "article_id"),  # `sync_article`
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
