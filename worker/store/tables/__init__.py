"""The tables, as SQLAlchemy Core `Table` objects in one `MetaData`: the schema Alembic
compares with (`worker/migrations/env.py`), and what a short command reads and writes without
loading the ORM (`worker figures`, `feeds list`, `feeds add`; see the README's *Start-up*).
`worker.store.models` maps its classes onto these tables (`__table__`), so every column is
declared once, in the module of its domain. Every "never twice" rule of the pipeline is a
unique constraint here, so a rerun or a racing worker can never duplicate rows.

Importing this package costs a few milliseconds; the ORM and the declarative classes about ten
times as much, which is why the fast commands stay on this side."""

from __future__ import annotations

from worker.store.tables.base import NAMING_CONVENTION, UTCDateTime, metadata, utcnow
from worker.store.tables.claims import article_events, claim_reviews, figure_claims, ingest_events
from worker.store.tables.derived import (
    alert_deliveries,
    alert_endpoints,
    alert_outbox,
    announcement_figures,
    announcement_links,
    claimant_announcements,
    derived_state,
)
from worker.store.tables.documents import (
    article_versions,
    articles,
    content_fingerprints,
    lsh_bands,
    raw_pages,
    stories,
    url_aliases,
)
from worker.store.tables.lineage import (
    figure_change_rows,
    figure_series,
    figure_statements,
    figure_value_stories,
    figure_values,
)
from worker.store.tables.polling import feed_items, feeds, fetch_events

__all__ = [
    "NAMING_CONVENTION", "UTCDateTime", "metadata", "utcnow",
    "feeds", "fetch_events", "feed_items",
    "stories", "articles", "article_versions", "raw_pages", "content_fingerprints",
    "url_aliases", "lsh_bands",
    "figure_claims", "claim_reviews", "ingest_events", "article_events",
    "claimant_announcements", "announcement_figures", "announcement_links", "derived_state",
    "alert_outbox", "alert_endpoints", "alert_deliveries",
    "figure_series", "figure_statements", "figure_value_stories", "figure_values",
    "figure_change_rows",
]
