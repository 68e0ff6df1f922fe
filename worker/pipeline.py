"""Where I/O meets the core: a document (from a feed, a fixture file or a re-check) is analysed
by pure functions (`analyse`: clean, language, date, topic, figures, signature) and then stored
in ONE transaction (`store`: article, version, claims, story link, ingest event), so a kill at
any moment leaves no half-stored article and a rerun finishes the job without duplicates.
`AnalysisPool` runs `analyse` in worker processes for the daemon's fetch threads."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import insert, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from worker import clean, dedupe, revisions, topic
from worker.config import Settings
from worker.dates import date_from_text
from worker.figures import Claim, extract_claims, load_lexicons
from worker.language import detect_language
from worker.store import queries
from worker.store.models import (
    Article,
    ArticleEvent,
    ArticleVersion,
    ContentFingerprint,
    FigureClaim,
    IngestEvent,
    LshBand,
    Story,
    UrlAlias,
    utcnow,
)

log = logging.getLogger(__name__)

OUTCOMES = ("new", "duplicate", "revised", "irrelevant", "error")


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


@dataclass(frozen=True, kw_only=True)
class CoreConfig:
    """The data files and parameters the pure core needs (picklable, for a process pool)."""

    boilerplate: str
    topics: str
    claimants_dir: str
    num_perm: int = 128
    shingle: int = 5

    @classmethod
    def from_settings(cls, s: Settings) -> CoreConfig:
        return cls(
            boilerplate=str(s.path(s.pipeline.boilerplate_file)),
            topics=str(s.path(s.pipeline.topics_file)),
            claimants_dir=str(s.path(s.pipeline.claimants_file).parent),
            num_perm=s.dedupe.num_perm,
            shingle=s.dedupe.shingle,
        )


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


@dataclass
class Outcome:
    outcome: str
    article_id: int | None = None
    version_id: int | None = None
    figures: int = 0
    detail: str | None = None
    claims: list[dict[str, Any]] = field(default_factory=list)


@lru_cache(maxsize=4)
def _lexicons(config_dir: str) -> Any:
    return load_lexicons(Path(config_dir))


def _title_from_text(text: str) -> str | None:
    first = text.strip().split("\n", 1)[0].strip()
    if not first:
        return None
    if len(first) <= 200:
        return first
    head = first[:200]
    for stop in (". ", "? ", "! "):
        if stop in head:
            return head[: head.index(stop) + 1]
    return head.rsplit(" ", 1)[0] + "…"


def _as_datetime(value: str | date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    try:
        return _as_datetime(datetime.fromisoformat(value))
    except ValueError:
        return None


def analyse(doc: Document, core: CoreConfig, *, today: date | None = None,
            claims_always: bool = False) -> Analysis:
    """Pure: everything the pipeline knows about a document before it touches the database.
    Figures are extracted from relevant texts only, unless `claims_always`."""
    rules = clean.cached_rules(core.boilerplate)
    extracted_title = extracted_date = None
    if doc.html is not None:
        ext = clean.extract_html(doc.html, doc.url, want_date=doc.published is None)
        text = clean.strip_boilerplate(ext.text, rules)
        extracted_title, extracted_date = ext.title, ext.date
    else:
        text = clean.clean_text(doc.text or "", rules)
    title = doc.title or extracted_title or _title_from_text(text)
    language = detect_language(text, doc.language)
    published = doc.published or _as_datetime(extracted_date)
    if published is None:
        published = _as_datetime(date_from_text(text, today=today))
    rel = topic.relevance(text, topic.cached_topic(core.topics), title=title)
    fp = dedupe.fingerprint(text)
    signature: bytes | None = None
    n_shingles = 0
    claims: tuple[Claim, ...] = ()
    if rel.relevant:
        mh, n_shingles = dedupe.text_signature(text, num_perm=core.num_perm,
                                               shingle=core.shingle)
        signature = dedupe.signature_bytes(mh)
    if rel.relevant or claims_always:
        claims = tuple(extract_claims(
            text, language or "en", published.date() if published else None,
            lexicons=_lexicons(core.claimants_dir)))
    return Analysis(text=text, title=title, language=language, published=published,
                    relevant=rel.relevant, relevance=rel.score, fingerprint=fp,
                    signature=signature, shingles=n_shingles, claims=claims)


class Store:
    """Writes analysed documents; one transaction per document."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings,
                 worker_id: str | None = None) -> None:
        self.factory = factory
        self.settings = settings
        self.worker_id = worker_id

    def save(self, doc: Document, analysis: Analysis) -> Outcome:
        """Store a document; on a unique-constraint race with another worker, retry once (the
        second pass sees the other worker's rows and records a duplicate or a revision)."""
        for attempt in (1, 2):
            try:
                with self.factory() as session, session.begin():
                    return self._save(session, doc, analysis)
            except IntegrityError:
                if attempt == 2:
                    raise
                log.info("concurrent insert of %s, retrying", doc.url)
        raise AssertionError("unreachable")

    def record_error(self, doc: Document, message: str) -> None:
        with self.factory() as session, session.begin():
            session.add(IngestEvent(source=doc.origin, locator=doc.locator, outcome="error",
                                    feed_id=doc.feed_id, detail=message[:2000],
                                    worker_id=self.worker_id))

    # -- the one transaction ------------------------------------------------------------

    def _event(self, session: Session, doc: Document, outcome: Outcome) -> Outcome:
        session.execute(insert(IngestEvent).values(
            source=doc.origin, locator=doc.locator, outcome=outcome.outcome,
            feed_id=doc.feed_id, article_id=outcome.article_id, version_id=outcome.version_id,
            detail=outcome.detail, worker_id=self.worker_id,
        ))
        return outcome

    @staticmethod
    def _lookup(session: Session, canonical: str, fingerprint: str
                ) -> tuple[int | None, int | None]:
        """In one round trip: the article stored under this URL (directly or as an alias) and
        the article that first had this text, if any."""
        q = union_all(
            select(literal(0), Article.id).where(Article.canonical_url == canonical),
            select(literal(1), UrlAlias.article_id).where(UrlAlias.url == canonical),
            select(literal(2), ContentFingerprint.article_id)
            .where(ContentFingerprint.fingerprint == fingerprint),
        )
        found: dict[int, int] = {}
        for kind, article_id in session.execute(q):
            found.setdefault(kind, article_id)
        return found.get(0, found.get(1)), found.get(2)

    def _save(self, session: Session, doc: Document, a: Analysis) -> Outcome:
        canonical = dedupe.canonical_url(doc.url)
        fetched = doc.fetched_at or utcnow()
        by_url, owner = self._lookup(session, canonical, a.fingerprint)
        if by_url is None:
            if owner is not None:
                session.execute(insert(UrlAlias).values(url=canonical, article_id=owner))
                detail = f"same text as article {owner}"
                return self._event(session, doc, Outcome("duplicate", owner, detail=detail))
            return self._new_article(session, doc, a, canonical, fetched)

        article = session.get_one(Article, by_url)
        article.last_fetched_at = max(fetched, article.last_fetched_at or fetched)
        if not article.relevant:
            if article.fingerprint == a.fingerprint or not a.relevant:
                article.fingerprint = a.fingerprint
                return self._event(session, doc, Outcome("irrelevant", article.id))
            article.relevant, article.relevance = True, a.relevance
            article.fingerprint = a.fingerprint
            return self._add_version(session, doc, a, article, fetched, outcome="new",
                                     fingerprint_owner=owner)
        known = session.scalar(select(ArticleVersion.id).where(
            ArticleVersion.article_id == article.id,
            ArticleVersion.fingerprint == a.fingerprint))
        if known is not None:
            return self._event(session, doc, Outcome("duplicate", article.id, known))
        return self._add_version(session, doc, a, article, fetched, outcome="revised",
                                 fingerprint_owner=owner)

    def _new_article(self, session: Session, doc: Document, a: Analysis, canonical: str,
                     fetched: datetime) -> Outcome:
        values = dict(
            canonical_url=canonical, url=doc.url, title=a.title, outlet=doc.source,
            language=a.language, published_at=a.published, first_seen_at=fetched,
            last_fetched_at=fetched, relevant=a.relevant, relevance=a.relevance,
            fingerprint=a.fingerprint,
        )
        if not a.relevant:
            # most pages of a general feed: three plain INSERTs, no ORM object to track
            article_id = session.execute(
                insert(Article).values(**values).returning(Article.id)).scalar_one()
            session.execute(insert(ContentFingerprint).values(
                fingerprint=a.fingerprint, article_id=article_id))
            return self._event(session, doc, Outcome("irrelevant", article_id))
        article = Article(**values)
        session.add(article)
        session.flush()
        return self._add_version(session, doc, a, article, fetched, outcome="new",
                                 fingerprint_owner=None)

    def _add_version(self, session: Session, doc: Document, a: Analysis, article: Article,
                     fetched: datetime, *, outcome: str, fingerprint_owner: int | None
                     ) -> Outcome:
        previous = session.scalars(
            select(ArticleVersion).where(ArticleVersion.article_id == article.id)
            .order_by(ArticleVersion.number.desc()).limit(1)
        ).first()
        changes = None
        if previous is not None:
            old_claims = session.scalars(
                select(FigureClaim).where(FigureClaim.version_id == previous.id)).all()
            changes = revisions.compare_versions(previous.text, a.text, old_claims, a.claims)
            if revisions.is_correction_note(previous.text, a.text):
                session.add(ArticleEvent(article_id=article.id, at=fetched, kind="corrected"))
                article.status = "corrected"
        version = ArticleVersion(
            article_id=article.id, number=(previous.number + 1) if previous else 1,
            fetched_at=fetched, title=a.title, text=a.text, fingerprint=a.fingerprint,
            changes=changes,
        )
        session.add(version)
        if fingerprint_owner is None:
            session.execute(insert(ContentFingerprint).values(
                fingerprint=a.fingerprint, article_id=article.id))
        article.fingerprint = a.fingerprint
        article.title = a.title or article.title
        if previous is None:
            article.language = a.language
            if a.published:
                article.published_at = a.published
        session.flush()
        claimed_at = article.published_at or fetched
        if previous is not None:
            claimed_at = fetched  # a figure changed in place is claimed when it was changed
        if a.claims:
            session.execute(insert(FigureClaim), [dict(
                version_id=version.id, article_id=article.id, metric=c.metric,
                subject=c.subject, value=c.value, low=c.low, high=c.high,
                qualifier=c.qualifier, modality=c.modality, claimant=c.claimant,
                claimant_raw=c.claimant_raw, scope=c.scope, sentence=c.sentence,
                start=c.start, end=c.end, claimed_at=claimed_at,
            ) for c in a.claims])
        if a.signature is not None and article.signature is None:
            article.signature, article.shingles = a.signature, a.shingles
            self._link_story(session, article, a.signature, a.shingles)
        out = Outcome(outcome, article.id, version.id, figures=len(a.claims),
                      claims=[c.to_dict() for c in a.claims])
        return self._event(session, doc, out)

    def _link_story(self, session: Session, article: Article, signature: bytes,
                    shingles: int) -> None:
        """Join the story of the most similar earlier article (LSH candidates only, so the
        cost does not grow with the number of stored articles), or start a new story.
        Similarity is containment (see dedupe.containment): a reprint with a new lede or a
        trimmed tail is contained in the original."""
        dd = self.settings.dedupe
        buckets = dedupe.band_buckets(signature, dd.bands)
        candidates = queries.story_candidates(session, buckets, exclude_article=article.id)
        best: tuple[float, int] | None = None
        for other_sig, other_shingles, story_id in candidates:
            if other_sig is None or story_id is None:
                continue
            sim = dedupe.containment(signature, shingles, other_sig, other_shingles or shingles)
            if sim >= dd.threshold and (best is None or sim > best[0]):
                best = (sim, story_id)
        if best is not None:
            article.story_id = best[1]
        else:
            story = Story(first_article_id=article.id)
            session.add(story)
            session.flush()
            article.story_id = story.id
        session.execute(insert(LshBand), [
            {"band": band, "bucket": bucket, "article_id": article.id} for band, bucket in buckets])
