"""The writer: one analysed document stored in ONE transaction (article, version, claims,
story link, ingest event), so a kill at any moment leaves no half-stored article and a rerun
finishes the job without duplicates. Built from an engine and the dedupe settings; writes go
through prebuilt Core statements on a Core connection (no ORM unit of work)."""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from worker import dedupe, faults, revisions
from worker.config import DedupeSettings
from worker.document import Analysis, Document, Outcome, raw_digest
from worker.store import lineage, queries, rawpages, stories
from worker.store.lineage_sql import ARTICLE_COPIES
from worker.store.models import (
    Article,
    ArticleEvent,
    ArticleVersion,
    Base,
    ContentFingerprint,
    FigureClaim,
    IngestEvent,
    LshBand,
    Story,
    UrlAlias,
    utcnow,
)

log = logging.getLogger(__name__)


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


# Statements built once, executed with parameters: plain Core INSERTs skip the ORM's per-row
# work, and a statement without literal values is compiled once and then taken from the cache.
_INSERT_EVENT = insert(_table(IngestEvent))
_INSERT_ALIAS = insert(_table(UrlAlias))
_INSERT_FINGERPRINT = insert(_table(ContentFingerprint))
_INSERT_CLAIM = insert(_table(FigureClaim))
_INSERT_ARTICLE = insert(_table(Article)).returning(_table(Article).c.id)
_INSERT_VERSION = insert(_table(ArticleVersion)).returning(_table(ArticleVersion).c.id)
_INSERT_STORY = insert(_table(Story)).returning(_table(Story).c.id)
_INSERT_ARTICLE_EVENT = insert(_table(ArticleEvent))
_UPDATE_ARTICLE = update(_table(Article)).where(_table(Article).c.id == bindparam("article_key"))
_SELECT_ARTICLE = select(
    Article.id, Article.relevant, Article.fingerprint, Article.title, Article.published_at,
    Article.last_fetched_at, Article.signature.is_not(None), Article.story_id,
).where(Article.id == bindparam("id"))
_SELECT_KNOWN_VERSION = select(ArticleVersion.id).where(
    ArticleVersion.article_id == bindparam("id"),
    ArticleVersion.fingerprint == bindparam("fp")).limit(1)
_SELECT_CLAIMS = select(FigureClaim.metric, FigureClaim.subject, FigureClaim.claimant,
                        FigureClaim.value).where(FigureClaim.version_id == bindparam("id"))
_SELECT_LATEST_VERSION = (
    select(ArticleVersion.id, ArticleVersion.number, ArticleVersion.text)
    .where(ArticleVersion.article_id == bindparam("id"))
    .order_by(ArticleVersion.number.desc()).limit(1))
_LOOKUP = union_all(
    select(literal(0), Article.id).where(Article.canonical_url == bindparam("url")),
    select(literal(1), UrlAlias.article_id).where(UrlAlias.url == bindparam("url")),
    select(literal(2), ContentFingerprint.article_id)
    .where(ContentFingerprint.fingerprint == bindparam("fingerprint")),
)


def _insert_bands(conn: Connection, article_id: int, buckets: list[tuple[int, int]]) -> None:
    """The article's LSH band rows, through the driver's executemany: SQLAlchemy would build
    the 64 parameter sets one by one, which costs more than the insert itself."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO {LshBand.__tablename__} (band, bucket, article_id) "
        f"VALUES ({mark}, {mark}, {mark})",
        [(band, bucket, article_id) for band, bucket in buckets])


@dataclass(frozen=True)
class _Stored:
    """What the write path reads of a stored article (one row, no ORM object to track)."""

    id: int
    relevant: bool
    fingerprint: str | None
    title: str | None
    published_at: datetime | None
    last_fetched_at: datetime | None
    has_signature: bool
    story_id: int | None = None


def _update_article(conn: Connection, article_id: int, changes: dict[str, Any]) -> None:
    """SET the columns named in `changes` (the statement takes its SET list from them), and
    the copies of the article's fields in its change rows when one of them is set."""
    if changes:
        conn.execute(_UPDATE_ARTICLE, {**changes, "article_key": article_id})
    if not ARTICLE_COPIES.isdisjoint(changes):
        lineage.sync_article(conn, article_id)


def _page_state(doc: Document) -> dict[str, str | None]:
    """What the article row remembers of the page that brought this document (nothing for a
    plain-text document)."""
    if doc.html is None:
        return {}
    return {"etag": doc.etag, "last_modified": doc.last_modified,
            "raw_sha256": raw_digest(doc.html)}


def _irrelevant_detail(a: Analysis) -> str | None:
    return "pre-filter: no term of a required topic group in the page" if a.prefiltered else None


class Store:
    """Writes analysed documents; one transaction per document."""

    def __init__(self, engine: Engine, dedupe: DedupeSettings,
                 worker_id: str | None = None, *, keep_raw: bool = True) -> None:
        self.engine = engine
        self.dedupe = dedupe
        self.worker_id = worker_id
        self.keep_raw = keep_raw  # [store] keep_raw: each version's page as fetched
        # SQLite has one writer at a time: threads of this process take turns here instead of
        # colliding on the file lock, where SQLite's busy handler sleeps for milliseconds
        sqlite = engine.dialect.name == "sqlite"
        self.write_lock: AbstractContextManager[Any] = threading.Lock() if sqlite else nullcontext()

    def save(self, doc: Document, analysis: Analysis) -> Outcome:
        """Store a document; on a unique-constraint race with another worker, retry once (the
        second pass sees the other worker's rows and records a duplicate or a revision)."""
        for attempt in (1, 2):
            try:
                with self.write_lock, self.engine.begin() as conn:
                    outcome = self._save(conn, doc, analysis)
                    faults.point("before_commit")
                    return outcome
            except IntegrityError:
                if attempt == 2:
                    raise
                log.info("concurrent insert of %s, retrying", doc.url)
        raise AssertionError("unreachable")

    def record_error(self, doc: Document, message: str) -> None:
        with self.write_lock, self.engine.begin() as conn:
            self._event(conn, doc, Outcome("error", detail=message[:2000]))

    # -- the one transaction ------------------------------------------------------------

    def _event(self, conn: Connection, doc: Document, outcome: Outcome) -> Outcome:
        conn.execute(_INSERT_EVENT, {
            "source": doc.origin, "locator": doc.locator, "outcome": outcome.outcome,
            "feed_id": doc.feed_id, "article_id": outcome.article_id,
            "version_id": outcome.version_id, "detail": outcome.detail,
            "worker_id": self.worker_id})
        return outcome

    def _lookup(self, conn: Connection, canonical: str, fingerprint: str
                ) -> tuple[int | None, int | None]:
        """In one round trip: the article stored under this URL (directly or as an alias) and
        the article that first had this text, if any."""
        found: dict[int, int] = {}
        for kind, article_id in conn.execute(_LOOKUP, {"url": canonical,
                                                       "fingerprint": fingerprint}):
            found.setdefault(kind, article_id)
        return found.get(0, found.get(1)), found.get(2)

    def _save(self, conn: Connection, doc: Document, a: Analysis) -> Outcome:
        canonical = dedupe.canonical_url(doc.url)
        if a.unreadable is not None:  # no article is written, or changed, from it
            by_url, _ = self._lookup(conn, canonical, "")
            return self._event(conn, doc, Outcome("unreadable", by_url, detail=a.unreadable))
        fetched = doc.fetched_at or utcnow()
        page = _page_state(doc)
        by_url, owner = self._lookup(conn, canonical, a.fingerprint)
        if by_url is None:
            if owner is not None:
                conn.execute(_INSERT_ALIAS, {"url": canonical, "article_id": owner})
                detail = f"same text as article {owner}"
                return self._event(conn, doc, Outcome("duplicate", owner, detail=detail))
            return self._new_article(conn, doc, a, canonical, fetched, page)

        art = _Stored(*conn.execute(_SELECT_ARTICLE, {"id": by_url}).one())
        changes: dict[str, Any] = {
            "last_fetched_at": max(fetched, art.last_fetched_at or fetched), **page}
        if not art.relevant:
            if art.fingerprint == a.fingerprint or not a.relevant:
                changes["fingerprint"] = a.fingerprint
                _update_article(conn, art.id, changes)
                return self._event(conn, doc, Outcome("irrelevant", art.id,
                                                      detail=_irrelevant_detail(a)))
            changes.update(relevant=True, relevance=a.relevance)
            return self._add_version(conn, doc, a, art, fetched, changes, outcome="new",
                                     fingerprint_owner=owner, first=True)
        known = conn.scalar(_SELECT_KNOWN_VERSION, {"id": art.id, "fp": a.fingerprint})
        if known is not None:
            _update_article(conn, art.id, changes)
            return self._event(conn, doc, Outcome("duplicate", art.id, known))
        return self._add_version(conn, doc, a, art, fetched, changes, outcome="revised",
                                 fingerprint_owner=owner, first=False)

    def _new_article(self, conn: Connection, doc: Document, a: Analysis, canonical: str,
                     fetched: datetime, page: dict[str, str | None]) -> Outcome:
        article_id = conn.execute(_INSERT_ARTICLE, {
            "canonical_url": canonical, "url": doc.url, "title": a.title, "outlet": doc.source,
            "language": a.language, "published_at": a.published, "first_seen_at": fetched,
            "last_fetched_at": fetched, "relevant": a.relevant, "relevance": a.relevance,
            "fingerprint": a.fingerprint, "etag": None, "last_modified": None,
            "raw_sha256": None, **page,
        }).scalar_one()
        faults.point("after_article")
        if not a.relevant:  # most pages of a general feed end here
            conn.execute(_INSERT_FINGERPRINT,
                         {"fingerprint": a.fingerprint, "article_id": article_id})
            return self._event(conn, doc, Outcome("irrelevant", article_id,
                                                  detail=_irrelevant_detail(a)))
        art = _Stored(article_id, True, a.fingerprint, a.title, a.published, fetched, False)
        return self._add_version(conn, doc, a, art, fetched, {}, outcome="new",
                                 fingerprint_owner=None, first=True)

    def _add_version(self, conn: Connection, doc: Document, a: Analysis, art: _Stored,
                     fetched: datetime, changes: dict[str, Any], *, outcome: str,
                     fingerprint_owner: int | None, first: bool) -> Outcome:
        """Store a new version of `art` with its claims, link the article to a story, and
        write `changes` (plus what this version changes) to the article row."""
        previous = None if first else conn.execute(_SELECT_LATEST_VERSION,
                                                   {"id": art.id}).first()
        diff = None
        if previous is not None:
            old_claims = conn.execute(_SELECT_CLAIMS, {"id": previous.id}).all()
            diff = revisions.compare_versions(previous.text, a.text, old_claims, a.claims)
            if revisions.is_correction_note(previous.text, a.text):
                conn.execute(_INSERT_ARTICLE_EVENT,
                             {"article_id": art.id, "at": fetched, "kind": "corrected"})
                changes["status"] = "corrected"
        version_id = conn.execute(_INSERT_VERSION, {
            "article_id": art.id, "number": (previous.number + 1) if previous else 1,
            "fetched_at": fetched, "title": a.title, "text": a.text,
            "fingerprint": a.fingerprint, "changes": diff, "analysed_with": a.analysed_with,
        }).scalar_one()
        faults.point("after_version")
        if self.keep_raw and doc.html is not None:
            rawpages.store(conn, version_id, doc.html)
        if fingerprint_owner is None:
            conn.execute(_INSERT_FINGERPRINT,
                         {"fingerprint": a.fingerprint, "article_id": art.id})
        changes.update(fingerprint=a.fingerprint, title=a.title or art.title)
        published = art.published_at
        if previous is None:
            changes["language"] = a.language
            if a.published:
                changes["published_at"] = published = a.published
        # a figure changed in place is claimed when it was changed
        claimed_at = fetched if previous is not None else (published or fetched)
        if a.claims:
            conn.execute(_INSERT_CLAIM, [{
                "version_id": version_id, "article_id": art.id, "metric": c.metric,
                "subject": c.subject, "value": c.value, "low": c.low, "high": c.high,
                "qualifier": c.qualifier, "modality": c.modality, "claimant": c.claimant,
                "claimant_raw": c.claimant_raw, "scope": c.scope, "sentence": c.sentence,
                "start": c.start, "end": c.end, "claimed_at": claimed_at,
                "refers_to": c.refers_to, "recalled": c.recalled, "part_of": c.part_of,
                "partial": c.partial, "claimant_inferred": False,
                "extractor_version": a.extractor,
            } for c in a.claims])
        story_id = art.story_id
        if a.signature is not None and not art.has_signature:
            story_id = self._link_story(conn, art.id, a.signature, a.shingles)
            changes.update(signature=a.signature, shingles=a.shingles, story_id=story_id)
        _update_article(conn, art.id, changes)
        inferred: set[tuple[str | None, str, str | None]] = set()
        if story_id is not None:
            if previous is None:  # a new member: it may be the earliest published
                stories.set_representative(conn, story_id)
            if a.claims:
                inferred = stories.infer_claimants(conn, story_id)
        # the figure series, in the same transaction as the claims: this article's, or every
        # copy's when the story lent or withdrew claimants
        if inferred and story_id is not None:
            lineage.refresh_story(conn, story_id)
        elif a.claims:
            lineage.refresh_article(conn, art.id)
        out = Outcome(outcome, art.id, version_id, figures=len(a.claims),
                      claims=[c.to_dict() for c in a.claims])
        return self._event(conn, doc, out)

    def _link_story(self, conn: Connection, article_id: int, signature: bytes,
                    shingles: int) -> int:
        """The story of the most similar earlier article (LSH candidates only, so the cost
        does not grow with the number of stored articles), or a new story; returns its id.
        Similarity is containment (see dedupe.containment): a reprint with a new lede or a
        trimmed tail is contained in the original."""
        dd = self.dedupe
        buckets = dedupe.band_buckets(signature, dd.bands)
        candidates = queries.story_candidates(conn, buckets, exclude_article=article_id)
        best: tuple[float, int] | None = None
        for other_sig, other_shingles, story_id in candidates:
            sim = dedupe.story_match(signature, shingles, other_sig, other_shingles or shingles,
                                     threshold=dd.threshold, min_jaccard=dd.min_jaccard)
            if sim is not None and (best is None or sim > best[0]):
                best = (sim, story_id)
        _insert_bands(conn, article_id, buckets)
        if best is not None:
            return best[1]
        return int(conn.execute(_INSERT_STORY, {"first_article_id": article_id}).scalar_one())
