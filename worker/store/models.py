"""SQLAlchemy 2 typed models. Every constraint is named by the naming convention, so Alembic
migrations are stable on SQLite and PostgreSQL alike; every "never twice" rule of the pipeline
is a unique constraint here, so a rerun or a racing worker can never duplicate rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from worker import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


utcnow = clock.utcnow  # the tables' default times (worker/clock.py)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Feed(Base):
    """A polled feed and its polling state (the scheduler reads `next_poll_at`)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(16), default="cli")
    interval_seconds: Mapped[int | None] = mapped_column(Integer)
    effective_interval: Mapped[int | None] = mapped_column(Integer)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    body_hash: Mapped[str | None] = mapped_column(String(64))
    polls_since_full: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_item_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_class: Mapped[str | None] = mapped_column(String(32))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    gone: Mapped[bool] = mapped_column(Boolean, default=False)
    leased_by: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FetchEvent(Base):
    """One HTTP fetch of a feed: the last N per feed are kept for `feeds status`."""

    __tablename__ = "fetch_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    url: Mapped[str] = mapped_column(String(2048))
    status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    new_items: Mapped[int] = mapped_column(Integer, default=0)
    error_class: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)


class FeedItem(Base):
    """An item a feed announced: remembered so a re-sent item is not processed again."""

    __tablename__ = "feed_items"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Story(Base):
    """Syndicated or near-identical copies of one report, grouped by MinHash similarity."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Article(Base):
    """One article per canonical URL. Irrelevant ones keep URL, title and fingerprint only."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_fetched_at: Mapped[datetime | None]
    relevant: Mapped[bool] = mapped_column(Boolean)
    relevance: Mapped[float] = mapped_column(Float, default=0.0)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    shingles: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active")
    needs_retry: Mapped[bool] = mapped_column(Boolean, default=False)
    next_recheck_at: Mapped[datetime | None] = mapped_column(index=True)
    feed_updated_at: Mapped[datetime | None]
    # validators and digest of the last fetched page, for conditional re-checks
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    rechecks_since_full: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ArticleVersion(Base):
    """One distinct cleaned text of an article (trivial differences do not make a version)."""

    __tablename__ = "article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        UniqueConstraint("article_id", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the analysis its claims come from (worker.figures.version.analysis_version)
    analysed_with: Mapped[str | None] = mapped_column(String(64))


class RawPage(Base):
    """A version's page as fetched ([store] keep_raw): zlib-compressed, with its SHA-256, so a
    re-analysis can clean it again with the current rules. `is_text`: it arrived decoded."""

    __tablename__ = "raw_pages"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    compression: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    is_text: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ContentFingerprint(Base):
    """Normalised-text hash -> article: the same text under another URL is the same article."""

    __tablename__ = "content_fingerprints"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )


class UrlAlias(Base):
    """Another canonical URL under which an already stored article was seen."""

    __tablename__ = "url_aliases"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )


class LshBand(Base):
    """One LSH band bucket of an article's MinHash: the near-duplicate index, in the database."""

    __tablename__ = "lsh_bands"

    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class FigureClaim(Base):
    """One number stated in one article version (see worker.figures.model.Claim)."""

    __tablename__ = "figure_claims"
    __table_args__ = (
        UniqueConstraint("version_id", "start", "metric"),
        Index("ix_figure_claims_series", "subject", "metric", "claimant", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(8))
    value: Mapped[int] = mapped_column(BigInteger)
    low: Mapped[int | None] = mapped_column(BigInteger)
    high: Mapped[int | None] = mapped_column(BigInteger)
    qualifier: Mapped[str] = mapped_column(String(16))
    modality: Mapped[str] = mapped_column(String(16))
    claimant: Mapped[str | None] = mapped_column(String(32))
    claimant_raw: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str | None] = mapped_column(String(16))
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime]
    # the date or period the figure is about: "YYYY-MM-DD" | "YYYY-MM" | "YYYY" (precision)
    refers_to: Mapped[str | None] = mapped_column(String(10))
    # restates an earlier statement ("up from 300 in January"): never a new value of a series
    recalled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # index, among this version's claims ordered by start, of the total this one is part of
    part_of: Mapped[int | None] = mapped_column(Integer)
    # a part of a breakdown or a sub-population ("2,000 wounded were flown home")
    partial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # taken from another article of the story stating the same subject, metric and value
    claimant_inferred: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    # the extractor (code + rules) that made it: worker.figures.version.EXTRACTOR_VERSION
    extractor_version: Mapped[str | None] = mapped_column(String(64))
    # a reviewer marked it wrong (`worker claims mark --wrong`): never a point of a series
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ClaimReview(Base):
    """A person's correction of one claim (`worker claims mark`): what was changed, the
    claim's values before it, who, when and why. The claim row carries the corrected values;
    this row is how a re-analysis, which extracts the claims again, applies it again (the claim
    is found by its version, metric and offset, else its sentence)."""

    __tablename__ = "claim_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("figure_claims.id", ondelete="SET NULL"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("article_versions.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(16))
    start: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)
    sentence: Mapped[str] = mapped_column(Text)
    # wrong | recalled | part_of | claimant | subject
    action: Mapped[str] = mapped_column(String(16))
    # the code set (claimant, subject), or the claim id of the total (part_of)
    new_value: Mapped[str | None] = mapped_column(String(64))
    # for part_of: the total's offset in the version, to find it again after a re-analysis
    total_start: Mapped[int | None] = mapped_column(Integer)
    # the claim's reviewable fields before this review: subject, claimant, recalled, ...
    original: Mapped[dict[str, Any]] = mapped_column(JSON)
    reviewer: Mapped[str] = mapped_column(String(128))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text)


class IngestEvent(Base):
    """The outcome of every document the pipeline saw: new, duplicate, revised, ..."""

    __tablename__ = "ingest_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(16))
    locator: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_versions.id", ondelete="SET NULL")
    )
    detail: Mapped[str | None] = mapped_column(Text)
    worker_id: Mapped[str | None] = mapped_column(String(128))


class ArticleEvent(Base):
    """Something that happened to a stored article: unpublished, corrected, restored."""

    __tablename__ = "article_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)


# -- announcements and alerts (derived from the claims; see worker.announce, worker.alerts) --

class ClaimantAnnouncement(Base):
    """One announcement (worker.announce): a claimant's statements made for one day, rebuilt
    from the claims whenever they change; the `announcements` view reads it with its figures."""

    __tablename__ = "claimant_announcements"
    __table_args__ = (Index("ix_claimant_announcements_claimant", "claimant", "announced_on"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "KR-NIS/2025-01-13"
    claimant: Mapped[str] = mapped_column(String(32))
    announced_on: Mapped[str] = mapped_column(String(10))
    dated_by: Mapped[str] = mapped_column(String(16))
    recalled_only: Mapped[bool] = mapped_column(Boolean, default=False)
    independent_stories: Mapped[int] = mapped_column(Integer)
    languages: Mapped[str] = mapped_column(String(200))  # "de,en,ko"
    reports: Mapped[int] = mapped_column(Integer)
    first_reported_at: Mapped[datetime]
    url: Mapped[str] = mapped_column(String(2048))
    outlet: Mapped[str | None] = mapped_column(String(200))
    headline: Mapped[str] = mapped_column(Text)


class AnnouncementFigure(Base):
    __tablename__ = "announcement_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[str] = mapped_column(
        ForeignKey("claimant_announcements.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str | None] = mapped_column(String(8))
    metric: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # total | increment | part
    value: Mapped[int] = mapped_column(BigInteger)
    low: Mapped[int | None] = mapped_column(BigInteger)
    high: Mapped[int | None] = mapped_column(BigInteger)
    qualifier: Mapped[str] = mapped_column(String(16))
    stories: Mapped[int] = mapped_column(Integer)
    reports: Mapped[int] = mapped_column(Integer)
    recalled_only: Mapped[bool] = mapped_column(Boolean, default=False)
    sentence: Mapped[str] = mapped_column(Text)


class AnnouncementLink(Base):
    """One report carrying an announcement."""

    __tablename__ = "announcement_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[str] = mapped_column(
        ForeignKey("claimant_announcements.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)
    story_key: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(String(2048))
    outlet: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime]
    recalled_only: Mapped[bool] = mapped_column(Boolean, default=False)


class DerivedState(Base):
    """What a derived table was last built from (a fingerprint of its inputs), so it is
    rebuilt only when they changed."""

    __tablename__ = "derived_state"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertOutbox(Base):
    """Every change ever published, once (its stable change id), in publication order: the
    webhooks and the Atom file read it; each endpoint keeps a cursor into it."""

    __tablename__ = "alert_outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    change_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    subject: Mapped[str | None] = mapped_column(String(8))
    metric: Mapped[str] = mapped_column(String(16))
    claimant: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class AlertEndpoint(Base):
    """A webhook's delivery state: everything up to `cursor` (an outbox id) is delivered or
    filtered out; after a failure, nothing is tried before `next_attempt_at`."""

    __tablename__ = "alert_endpoints"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    leased_by: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertDelivery(Base):
    """The delivery log: one row per attempt to POST one change to one webhook."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_endpoint", "endpoint", "outbox_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(200))
    outbox_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("alert_outbox.id", ondelete="CASCADE"))
    change_id: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


# -- the materialised lineage (see worker.series and worker.store.lineage) --------------------

_CHANGE = "kind IS NOT NULL"


class FigureSeries(Base):
    """One (subject, metric, claimant) series and its latest point."""

    __tablename__ = "figure_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "subject|metric|claimant", '' for a missing part: unique where NULLs would not be
    key: Mapped[str] = mapped_column(String(80), unique=True)
    subject: Mapped[str | None] = mapped_column(String(8))
    metric: Mapped[str] = mapped_column(String(16))
    claimant: Mapped[str | None] = mapped_column(String(32))
    latest_claim_id: Mapped[int | None] = mapped_column(BigInteger)


class FigureStatement(Base):
    """One statement of a series (worker.series.Statement), kept at write time: its two
    dates, whether it is a point of the series, and the change it makes."""

    __tablename__ = "figure_statements"
    __table_args__ = (
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

    # no foreign keys to the claims: a claim replaced by re-analysis leaves its statement for
    # worker.store.lineage.refresh_article to find, remove and re-derive around
    claim_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    series_id: Mapped[int] = mapped_column(ForeignKey("figure_series.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(BigInteger, index=True)
    version_id: Mapped[int] = mapped_column(BigInteger)
    version_number: Mapped[int] = mapped_column(Integer)
    story_key: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[int] = mapped_column(BigInteger)
    recalled: Mapped[bool] = mapped_column(Boolean)
    refers_to: Mapped[str | None] = mapped_column(String(10))
    stated_for: Mapped[datetime]
    reported_on: Mapped[datetime]
    version_value: Mapped[int | None] = mapped_column(BigInteger)
    corrected: Mapped[bool] = mapped_column(Boolean)
    live: Mapped[bool] = mapped_column(Boolean)
    point: Mapped[bool] = mapped_column(Boolean)
    through_recall: Mapped[bool] = mapped_column(Boolean)
    previous_value: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str | None] = mapped_column(String(16))
    # when this row last became (or changed as) a change: what alerts read new changes by
    detected_at: Mapped[datetime | None]


class FigureValueStory(Base):
    """A story supporting a value of a series, and when it first did (for as-of counts)."""

    __tablename__ = "figure_value_stories"
    __table_args__ = (
        # as-of counts (`figures --as-of`) read the stories known by a time from the index
        Index("ix_figure_value_stories_first", "series_id", "value", "first_reported_on"),
    )

    series_id: Mapped[int] = mapped_column(
        ForeignKey("figure_series.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    story_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    first_reported_on: Mapped[datetime]


class FigureValue(Base):
    """How many independent stories support a value of a series."""

    __tablename__ = "figure_values"

    series_id: Mapped[int] = mapped_column(
        ForeignKey("figure_series.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    stories: Mapped[int] = mapped_column(Integer)
