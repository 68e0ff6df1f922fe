"""The mapped classes of the figures claimed, their reviews, and what happened to documents
and articles; their columns are declared in worker.store.tables.claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from worker.store import tables
from worker.store.models.base import Base


class FigureClaim(Base):
    """One number stated in one article version (see worker.figures.model.Claim)."""

    __tablename__ = "figure_claims"
    __table__ = tables.figure_claims

    id: Mapped[int]
    version_id: Mapped[int]
    article_id: Mapped[int]
    metric: Mapped[str]
    subject: Mapped[str | None]
    value: Mapped[int]
    low: Mapped[int | None]
    high: Mapped[int | None]
    qualifier: Mapped[str]
    modality: Mapped[str]
    claimant: Mapped[str | None]
    claimant_raw: Mapped[str | None]
    scope: Mapped[str | None]
    sentence: Mapped[str]
    start: Mapped[int]
    end: Mapped[int]
    claimed_at: Mapped[datetime]
    refers_to: Mapped[str | None]
    recalled: Mapped[bool]
    part_of: Mapped[int | None]
    partial: Mapped[bool]
    claimant_inferred: Mapped[bool]
    extractor_version: Mapped[str | None]
    excluded: Mapped[bool]


class ClaimReview(Base):
    """A person's correction of one claim (`worker claims mark`): what was changed, the
    claim's values before it, who, when and why. The claim row carries the corrected values;
    this row is how a re-analysis, which extracts the claims again, applies it again (the claim
    is found by its version, metric and offset, else its sentence)."""

    __tablename__ = "claim_reviews"
    __table__ = tables.claim_reviews

    id: Mapped[int]
    claim_id: Mapped[int | None]
    version_id: Mapped[int]
    metric: Mapped[str]
    start: Mapped[int]
    value: Mapped[int]
    sentence: Mapped[str]
    action: Mapped[str]
    new_value: Mapped[str | None]
    total_start: Mapped[int | None]
    original: Mapped[dict[str, Any]]
    reviewer: Mapped[str]
    reviewed_at: Mapped[datetime]
    note: Mapped[str]


class IngestEvent(Base):
    """The outcome of every document the pipeline saw: new, duplicate, revised, ..."""

    __tablename__ = "ingest_events"
    __table__ = tables.ingest_events

    id: Mapped[int]
    at: Mapped[datetime]
    source: Mapped[str]
    locator: Mapped[str]
    outcome: Mapped[str]
    feed_id: Mapped[int | None]
    article_id: Mapped[int | None]
    version_id: Mapped[int | None]
    detail: Mapped[str | None]
    worker_id: Mapped[str | None]


class ArticleEvent(Base):
    """Something that happened to a stored article: unpublished, corrected, restored."""

    __tablename__ = "article_events"
    __table__ = tables.article_events

    id: Mapped[int]
    article_id: Mapped[int]
    at: Mapped[datetime]
    kind: Mapped[str]
    detail: Mapped[str | None]
