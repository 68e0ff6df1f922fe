"""The values that flow between the floors: a `Document` as it arrived, the `Analysis` the
pure core made of it, and the `Outcome` of storing it. Pure data, no I/O: the pipeline, the
pool, the poll flow and the store's writer all speak in these."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from worker.figures.model import Claim


class OutcomeKind(StrEnum):
    """What storing a document came to (the ingest event's `outcome`, the replay summary)."""

    NEW = "new"                # a new article
    DUPLICATE = "duplicate"    # the same text or URL as a stored article, or a re-sent item
    REVISED = "revised"        # a new version of a stored article (edited in place)
    IRRELEVANT = "irrelevant"  # not about the tracked topic: remembered, not analysed again
    UNREADABLE = "unreadable"  # nothing could be read from the page: tried again later
    ERROR = "error"            # it could not be analysed or stored


OUTCOMES = tuple(OutcomeKind)


@dataclass(frozen=True, kw_only=True)
class Document:
    """One article as it arrived: HTML or plain text plus whatever metadata came with it."""

    url: str
    locator: str
    origin: str = "replay"
    html: str | bytes | None = None
    text: str | None = None
    title: str | None = None
    published: datetime | None = None
    source: str | None = None
    language: str | None = None
    fetched_at: datetime | None = None
    feed_id: int | None = None
    etag: str | None = None  # the validators of the response that brought `html`
    last_modified: str | None = None


@dataclass(frozen=True, kw_only=True)
class Analysis:
    text: str
    title: str | None
    language: str | None
    published: datetime | None
    relevant: bool
    relevance: float
    fingerprint: str
    signature: bytes | None
    shingles: int = 0
    claims: tuple[Claim, ...] = ()
    prefiltered: bool = False  # ruled out by the topic pre-filter, never extracted
    cut_from: int = 0  # bytes of clean text before [pipeline] max_text_bytes cut it (0: uncut)
    unreadable: str | None = None  # why no text came out of the page (then nothing is stored)
    extractor: str | None = None  # worker.figures.version.extractor_version of the claims
    analysed_with: str | None = None  # ... and analysis_version (extractor + cleaning rules)


@dataclass
class Outcome:
    outcome: OutcomeKind | str  # an `OutcomeKind`: a plain string is checked and converted
    article_id: int | None = None
    version_id: int | None = None
    figures: int = 0
    detail: str | None = None
    claims: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.outcome = OutcomeKind(self.outcome)  # an unlisted outcome is a bug: ValueError


def raw_digest(body: str | bytes) -> str:
    """SHA-256 of a page as fetched: an identical body needs no new analysis."""
    return hashlib.sha256(body.encode("utf-8") if isinstance(body, str) else body).hexdigest()
