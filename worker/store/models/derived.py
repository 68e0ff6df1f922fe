"""The mapped classes of announcements and alerts, derived from the claims; their columns are
declared in worker.store.tables.derived."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from worker.store import tables
from worker.store.models.base import Base


class ClaimantAnnouncement(Base):
    """One announcement (worker.announce): a claimant's statements made for one day, rebuilt
    from the claims whenever they change; the `announcements` view reads it with its figures."""

    __tablename__ = "claimant_announcements"
    __table__ = tables.claimant_announcements

    id: Mapped[str]
    claimant: Mapped[str]
    announced_on: Mapped[str]
    dated_by: Mapped[str]
    recalled_only: Mapped[bool]
    independent_stories: Mapped[int]
    languages: Mapped[str]
    reports: Mapped[int]
    first_reported_at: Mapped[datetime]
    url: Mapped[str]
    outlet: Mapped[str | None]
    headline: Mapped[str]


class AnnouncementFigure(Base):
    __tablename__ = "announcement_figures"
    __table__ = tables.announcement_figures

    id: Mapped[int]
    announcement_id: Mapped[str]
    subject: Mapped[str | None]
    metric: Mapped[str]
    kind: Mapped[str]
    value: Mapped[int]
    low: Mapped[int | None]
    high: Mapped[int | None]
    qualifier: Mapped[str]
    stories: Mapped[int]
    reports: Mapped[int]
    recalled_only: Mapped[bool]
    sentence: Mapped[str]


class AnnouncementLink(Base):
    """One report carrying an announcement."""

    __tablename__ = "announcement_links"
    __table__ = tables.announcement_links

    id: Mapped[int]
    announcement_id: Mapped[str]
    article_id: Mapped[int]
    story_key: Mapped[int]
    url: Mapped[str]
    outlet: Mapped[str | None]
    language: Mapped[str | None]
    title: Mapped[str | None]
    reported_at: Mapped[datetime]
    recalled_only: Mapped[bool]


class DerivedState(Base):
    """What a derived table was last built from (a fingerprint of its inputs), so it is
    rebuilt only when they changed."""

    __tablename__ = "derived_state"
    __table__ = tables.derived_state

    name: Mapped[str]
    fingerprint: Mapped[str]
    updated_at: Mapped[datetime]


class AlertOutbox(Base):
    """Every change ever published, once (its stable change id), in publication order: the
    webhooks and the Atom file read it; each endpoint keeps a cursor into it."""

    __tablename__ = "alert_outbox"
    __table__ = tables.alert_outbox

    id: Mapped[int]
    change_id: Mapped[str]
    created_at: Mapped[datetime]
    subject: Mapped[str | None]
    metric: Mapped[str]
    claimant: Mapped[str | None]
    payload: Mapped[dict[str, Any]]


class AlertEndpoint(Base):
    """A webhook's delivery state: everything up to `cursor` (an outbox id) is delivered or
    filtered out; after a failure, nothing is tried before `next_attempt_at`."""

    __tablename__ = "alert_endpoints"
    __table__ = tables.alert_endpoints

    name: Mapped[str]
    url: Mapped[str]
    cursor: Mapped[int]
    delivered: Mapped[int]
    failures: Mapped[int]
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None]
    leased_by: Mapped[str | None]
    lease_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class AlertDelivery(Base):
    """The delivery log: one row per attempt to POST one change to one webhook."""

    __tablename__ = "alert_deliveries"
    __table__ = tables.alert_deliveries

    id: Mapped[int]
    endpoint: Mapped[str]
    outbox_id: Mapped[int]
    change_id: Mapped[str]
    attempt: Mapped[int]
    at: Mapped[datetime]
    ok: Mapped[bool]
    status: Mapped[int | None]
    error: Mapped[str | None]
    duration_ms: Mapped[int]
