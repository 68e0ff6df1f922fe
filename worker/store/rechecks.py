"""Re-checks of stored articles: claiming the due ones (their due time pushed out by one lease,
so two workers never re-check one article at once), what a re-check needs to know (the URL, the
last fetch's validators), and what it writes: unpublished, unreadable, done. The flow is
`worker.poll.Poller.recheck`; these functions write, one transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from worker.store import lineage
from worker.store.models import Article, ArticleEvent, utcnow


def claim_rechecks(factory: sessionmaker[Session], limit: int, lease_seconds: int, *,
                   due_before: datetime | None = None) -> list[int]:
    """Articles due for a re-check; claiming pushes their due time out by one lease."""
    now = utcnow()
    with factory() as s, s.begin():
        ids = list(s.scalars(
            select(Article.id).where(Article.next_recheck_at <= (due_before or now))
            .order_by(Article.next_recheck_at, Article.id).limit(limit)
            .with_for_update(skip_locked=True)))
        if ids:
            s.execute(update(Article).where(Article.id.in_(ids)).values(
                next_recheck_at=now + timedelta(seconds=lease_seconds)))
    return ids


@dataclass(frozen=True)
class RecheckTarget:
    url: str
    published: datetime
    outlet: str | None
    language: str | None
    # the last fetch, for a conditional re-check
    etag: str | None = None
    last_modified: str | None = None
    raw_sha256: str | None = None
    rechecks_since_full: int = 0
    needs_retry: bool = False


def recheck_target(factory: sessionmaker[Session], article_id: int) -> RecheckTarget | None:
    with factory() as s:
        a = s.get(Article, article_id)
        if a is None:
            return None
        return RecheckTarget(a.url, a.published_at or a.first_seen_at, a.outlet, a.language,
                             a.etag, a.last_modified, a.raw_sha256, a.rechecks_since_full,
                             a.needs_retry)


def recheck_failed(factory: sessionmaker[Session], article_id: int, *, unpublished: bool,
                   detail: str, at: datetime, next_recheck_at: datetime | None) -> None:
    """A re-check that could not fetch the page; a 404/410 marks the article unpublished
    (never deleted)."""
    with factory() as s, s.begin():
        art = s.get(Article, article_id)
        if art is None:
            return
        if unpublished and art.status != "unpublished":
            art.status = "unpublished"
            s.add(ArticleEvent(article_id=art.id, at=at, kind="unpublished", detail=detail))
            s.flush()
            lineage.refresh_article(s, art.id)  # its figures no longer stand
        art.next_recheck_at = next_recheck_at


def recheck_unreadable(factory: sessionmaker[Session], article_id: int, *,
                       at: datetime) -> None:
    """A re-check that found nothing readable on the page: the article stays as it was and
    the page is tried again at `at`."""
    with factory() as s, s.begin():
        art = s.get(Article, article_id)
        if art is not None:
            art.needs_retry = True
            art.next_recheck_at = at


def recheck_done(factory: sessionmaker[Session], article_id: int, *, at: datetime,
                 next_recheck_at: datetime | None, full: bool,
                 validators: tuple[str | None, str | None] | None = None) -> None:
    """A re-check that got the page: no retry pending, a removed page restored, the next
    re-check planned for a relevant article only. `validators` (ETag, Last-Modified) are
    those of a re-check that ended without analysis (a stored page brings its own)."""
    with factory() as s, s.begin():
        art = s.get(Article, article_id)
        if art is None:
            return
        art.needs_retry = False
        if art.status == "unpublished":
            art.status = "active"
            s.add(ArticleEvent(article_id=art.id, at=at, kind="restored"))
            s.flush()
            lineage.refresh_article(s, art.id)
        if validators is not None:
            art.etag, art.last_modified = validators
            art.last_fetched_at = at
        art.rechecks_since_full = 0 if full else art.rechecks_since_full + 1
        art.next_recheck_at = next_recheck_at if art.relevant else None
