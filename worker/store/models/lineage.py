"""The mapped classes of the materialised lineage; their columns are declared in
worker.store.tables.lineage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped

from worker.store import tables
from worker.store.models.base import Base


class FigureSeries(Base):
    """One (subject, metric, claimant) series and its latest point."""

    __tablename__ = "figure_series"
    __table__ = tables.figure_series

    id: Mapped[int]
    key: Mapped[str]
    subject: Mapped[str | None]
    metric: Mapped[str]
    claimant: Mapped[str | None]
    latest_claim_id: Mapped[int | None]


class FigureStatement(Base):
    """One statement of a series (worker.series.Statement), kept at write time: its two
    dates, whether it is a point of the series, and the change it makes."""

    __tablename__ = "figure_statements"
    __table__ = tables.figure_statements

    claim_id: Mapped[int]
    series_id: Mapped[int]
    article_id: Mapped[int]
    version_id: Mapped[int]
    version_number: Mapped[int]
    story_key: Mapped[int]
    value: Mapped[int]
    recalled: Mapped[bool]
    refers_to: Mapped[str | None]
    stated_for: Mapped[datetime]
    reported_on: Mapped[datetime]
    version_value: Mapped[int | None]
    corrected: Mapped[bool]
    live: Mapped[bool]
    point: Mapped[bool]
    through_recall: Mapped[bool]
    previous_value: Mapped[int | None]
    kind: Mapped[str | None]
    detected_at: Mapped[datetime | None]


class FigureChangeRow(Base):
    """A change (a statement with a kind) with its claim's and article's fields and its times
    as ISO text, as `worker changes` lists it: a copy of figure_statements, figure_claims and
    articles kept with the statements and the articles."""

    __tablename__ = "figure_change_rows"
    __table__ = tables.figure_change_rows

    claim_id: Mapped[int]
    series_id: Mapped[int]
    article_id: Mapped[int]
    version_id: Mapped[int]
    version_number: Mapped[int]
    value: Mapped[int]
    previous_value: Mapped[int | None]
    kind: Mapped[str]
    stated_for: Mapped[datetime]
    reported_on: Mapped[datetime]
    refers_to: Mapped[str | None]
    through_recall: Mapped[bool]
    detected_at: Mapped[datetime | None]
    low: Mapped[int | None]
    high: Mapped[int | None]
    qualifier: Mapped[str]
    modality: Mapped[str]
    claimed_at: Mapped[datetime]
    sentence: Mapped[str]
    claimant_raw: Mapped[str | None]
    url: Mapped[str]
    outlet: Mapped[str | None]
    story_id: Mapped[int | None]
    title: Mapped[str | None]
    language: Mapped[str | None]
    stated_for_iso: Mapped[str]
    reported_on_iso: Mapped[str]
    claimed_at_iso: Mapped[str]
    detected_at_iso: Mapped[str | None]
    published_at_iso: Mapped[str | None]


class FigureValueStory(Base):
    """A story supporting a value of a series, and when it first did (for as-of counts)."""

    __tablename__ = "figure_value_stories"
    __table__ = tables.figure_value_stories

    series_id: Mapped[int]
    value: Mapped[int]
    story_key: Mapped[int]
    first_reported_on: Mapped[datetime]


class FigureValue(Base):
    """How many independent stories support a value of a series."""

    __tablename__ = "figure_values"
    __table__ = tables.figure_values

    series_id: Mapped[int]
    value: Mapped[int]
    stories: Mapped[int]
