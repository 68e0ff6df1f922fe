"""The SQLAlchemy 2 typed ORM classes, one per table. Each is mapped onto the Core table of
`worker.store.tables` (`__table__`), where the columns, types, defaults, constraints and
indexes are declared; a class here only types its attributes (`Mapped[...]`) for the code that
works with objects. `Base.metadata` is `worker.store.tables.metadata`, which Alembic compares
with.

Commands that must start fast read and write the Core tables and never import this package
(the ORM and the declarative mapping cost more than a short command's whole query)."""

from __future__ import annotations

from worker.store.models.base import Base
from worker.store.models.claims import ArticleEvent, ClaimReview, FigureClaim, IngestEvent
from worker.store.models.derived import (
    AlertDelivery,
    AlertEndpoint,
    AlertOutbox,
    AnnouncementFigure,
    AnnouncementLink,
    ClaimantAnnouncement,
    DerivedState,
)
from worker.store.models.documents import (
    Article,
    ArticleVersion,
    ContentFingerprint,
    LshBand,
    RawPage,
    Story,
    UrlAlias,
)
from worker.store.models.lineage import (
    FigureChangeRow,
    FigureSeries,
    FigureStatement,
    FigureValue,
    FigureValueStory,
)
from worker.store.models.polling import Feed, FeedItem, FetchEvent
from worker.store.tables import NAMING_CONVENTION, UTCDateTime, utcnow

__all__ = [
    "NAMING_CONVENTION", "UTCDateTime", "utcnow", "Base",
    "Feed", "FetchEvent", "FeedItem",
    "Story", "Article", "ArticleVersion", "RawPage", "ContentFingerprint", "UrlAlias",
    "LshBand",
    "FigureClaim", "ClaimReview", "IngestEvent", "ArticleEvent",
    "ClaimantAnnouncement", "AnnouncementFigure", "AnnouncementLink", "DerivedState",
    "AlertOutbox", "AlertEndpoint", "AlertDelivery",
    "FigureSeries", "FigureStatement", "FigureValueStory", "FigureValue",
    "FigureChangeRow",
]
