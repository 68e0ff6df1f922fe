"""The mapped classes of stories, articles, their versions and raw pages, and the duplicate
index; their columns are declared in worker.store.tables.documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from worker.store import tables
from worker.store.models.base import Base


class Story(Base):
    """Syndicated or near-identical copies of one report, grouped by MinHash similarity."""

    __tablename__ = "stories"
    __table__ = tables.stories

    id: Mapped[int]
    first_article_id: Mapped[int | None]
    created_at: Mapped[datetime]


class Article(Base):
    """One article per canonical URL. Irrelevant ones keep URL, title and fingerprint only."""

    __tablename__ = "articles"
    __table__ = tables.articles

    id: Mapped[int]
    canonical_url: Mapped[str]
    url: Mapped[str]
    title: Mapped[str | None]
    outlet: Mapped[str | None]
    language: Mapped[str | None]
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_fetched_at: Mapped[datetime | None]
    relevant: Mapped[bool]
    relevance: Mapped[float]
    fingerprint: Mapped[str | None]
    story_id: Mapped[int | None]
    signature: Mapped[bytes | None]
    shingles: Mapped[int | None]
    status: Mapped[str]
    needs_retry: Mapped[bool]
    next_recheck_at: Mapped[datetime | None]
    feed_updated_at: Mapped[datetime | None]
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    raw_sha256: Mapped[str | None]
    rechecks_since_full: Mapped[int]


class ArticleVersion(Base):
    """One distinct cleaned text of an article (trivial differences do not make a version)."""

    __tablename__ = "article_versions"
    __table__ = tables.article_versions

    id: Mapped[int]
    article_id: Mapped[int]
    number: Mapped[int]
    fetched_at: Mapped[datetime]
    title: Mapped[str | None]
    text: Mapped[str]
    fingerprint: Mapped[str]
    changes: Mapped[dict[str, Any] | None]
    analysed_with: Mapped[str | None]


class RawPage(Base):
    """A version's page as fetched ([store] keep_raw): zlib-compressed, with its SHA-256, so a
    re-analysis can clean it again with the current rules. `is_text`: it arrived decoded."""

    __tablename__ = "raw_pages"
    __table__ = tables.raw_pages

    version_id: Mapped[int]
    sha256: Mapped[str]
    compression: Mapped[str]
    size: Mapped[int]
    is_text: Mapped[bool]
    data: Mapped[bytes]


class ContentFingerprint(Base):
    """Normalised-text hash -> article: the same text under another URL is the same article."""

    __tablename__ = "content_fingerprints"
    __table__ = tables.content_fingerprints

    fingerprint: Mapped[str]
    article_id: Mapped[int]


class UrlAlias(Base):
    """Another canonical URL under which an already stored article was seen."""

    __tablename__ = "url_aliases"
    __table__ = tables.url_aliases

    url: Mapped[str]
    article_id: Mapped[int]


class LshBand(Base):
    """One LSH band bucket of an article's MinHash: the near-duplicate index, in the database."""

    __tablename__ = "lsh_bands"
    __table__ = tables.lsh_bands

    band: Mapped[int]
    bucket: Mapped[int]
    article_id: Mapped[int]
