"""Announcements in the database: read the statements `worker.announce` groups, store what
it made (`claimant_announcements`, `announcement_figures`, `announcement_links`, read by the
`announcements` view), and read them back for the CLI and the report.

The tables are derived: a claimant's announcements are rebuilt, in one transaction, whenever
its claims changed (the count and largest id of its claims, the story links of all articles
and the reviews are the fingerprint kept in `derived_state`). `refresh` is called after each
replay and each daemon cycle and before every read, so the view and the commands never lag.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from worker.announce import Announcement, Statement, group_announcements, headline
from worker.store.models import (
    AnnouncementFigure,
    AnnouncementLink,
    Article,
    ArticleVersion,
    ClaimantAnnouncement,
    ClaimReview,
    DerivedState,
    FigureClaim,
    utcnow,
)

STATED = ("asserted", "reported")

# The view for SQL tools, `announcements`, is made by the migrations (`alerts`, then
# `utc_views`, which gives its time as ISO 8601 UTC text); a change of it needs a revision.
_PREFIX = "announcements:"


def _fingerprints(session: Session) -> dict[str, str]:
    """claimant -> what its announcements depend on; story links count for every claimant."""
    stories = session.execute(select(func.count(), func.coalesce(func.sum(Article.story_id), 0),
                                     func.max(Article.published_at))).one()
    reviews = session.execute(select(func.count(), func.max(ClaimReview.id))).one()
    shared = f"{stories[0]}:{stories[1]}:{stories[2]}:{reviews[0]}:{reviews[1]}"
    rows = session.execute(
        select(FigureClaim.claimant, func.count(), func.max(FigureClaim.id))
        .where(FigureClaim.claimant.is_not(None), FigureClaim.modality.in_(STATED),
               FigureClaim.excluded.is_(False))
        .group_by(FigureClaim.claimant)).all()
    return {str(claimant): f"{n}:{top}:{shared}" for claimant, n, top in rows}


def statements(session: Session, claimants: list[str]) -> list[Statement]:
    """The stated figures of `claimants` in each article's current (latest) version (a value
    its own article later corrected is no longer stood by), less those a reviewer marked
    wrong."""
    latest = (select(ArticleVersion.article_id, func.max(ArticleVersion.number).label("n"))
              .group_by(ArticleVersion.article_id).subquery())
    q = (select(FigureClaim, Article.story_id, Article.published_at, Article.first_seen_at,
                Article.url, Article.outlet, Article.language, Article.title)
         .join(ArticleVersion, ArticleVersion.id == FigureClaim.version_id)
         .join(latest, (latest.c.article_id == ArticleVersion.article_id)
               & (latest.c.n == ArticleVersion.number))
         .join(Article, Article.id == FigureClaim.article_id)
         .where(FigureClaim.claimant.in_(claimants), FigureClaim.modality.in_(STATED),
                FigureClaim.excluded.is_(False)))
    out = []
    for c, story_id, published, first_seen, url, outlet, language, title in session.execute(q):
        out.append(Statement(
            claim_id=c.id, article_id=c.article_id,
            story_key=story_id if story_id is not None else -c.article_id,
            claimant=c.claimant or "", subject=c.subject, metric=c.metric, value=c.value, low=c.low,
            high=c.high, qualifier=c.qualifier, scope=c.scope, partial=c.partial,
            refers_to=c.refers_to, recalled=c.recalled, reported_at=published or first_seen,
            url=url, outlet=outlet, language=language, title=title, sentence=c.sentence))
    return out


def refresh(session: Session, claimants: list[str] | None = None) -> list[str]:
    """Rebuild the announcements of the claimants whose claims changed since they were last
    built (or of `claimants`, whatever changed); returns the claimants rebuilt. Runs in the
    caller's transaction; the caller commits."""
    current = _fingerprints(session)
    stored = dict(session.execute(select(DerivedState.name, DerivedState.fingerprint).where(
        DerivedState.name.like(f"{_PREFIX}%"))).all())
    known = {name[len(_PREFIX):] for name in stored}
    if claimants is None:
        todo = sorted(c for c in set(current) | known
                      if stored.get(_PREFIX + c) != current.get(c))
    else:
        todo = sorted(claimants)
    if not todo:
        return []
    built = group_announcements(statements(session, todo))
    ids = select(ClaimantAnnouncement.id).where(ClaimantAnnouncement.claimant.in_(todo))
    session.execute(delete(AnnouncementFigure).where(AnnouncementFigure.announcement_id.in_(ids)))
    session.execute(delete(AnnouncementLink).where(AnnouncementLink.announcement_id.in_(ids)))
    session.execute(delete(ClaimantAnnouncement).where(ClaimantAnnouncement.claimant.in_(todo)))
    _insert(session, built)
    for claimant in todo:
        name = _PREFIX + claimant
        fingerprint = current.get(claimant, "none")
        row = session.get(DerivedState, name)
        if row is None:
            session.add(DerivedState(name=name, fingerprint=fingerprint))
        else:
            row.fingerprint, row.updated_at = fingerprint, utcnow()
    session.flush()
    return todo


def _insert(session: Session, built: list[Announcement]) -> None:
    if not built:
        return
    session.execute(insert(ClaimantAnnouncement), [{
        "id": a.key, "claimant": a.claimant, "announced_on": a.day.isoformat(),
        "dated_by": a.dated_by, "recalled_only": a.recalled_only,
        "independent_stories": a.stories, "languages": ",".join(a.languages),
        "reports": len(a.reports), "first_reported_at": a.first_report.reported_at,
        "url": a.first_report.url, "outlet": a.first_report.outlet, "headline": headline(a),
    } for a in built])
    session.execute(insert(AnnouncementFigure), [
        {"announcement_id": a.key, **f.as_dict()} for a in built for f in a.figures])
    session.execute(insert(AnnouncementLink), [
        {"announcement_id": a.key, "article_id": r.article_id, "story_key": r.story_key,
         "url": r.url, "outlet": r.outlet, "language": r.language, "title": r.title,
         "reported_at": r.reported_at, "recalled_only": r.recalled_only}
        for a in built for r in a.reports])


def announcements(session: Session, *, claimant: str | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    """Stored announcements, newest first, each with its figures and links (JSON-ready)."""
    q = select(ClaimantAnnouncement).order_by(ClaimantAnnouncement.announced_on.desc(),
                                              ClaimantAnnouncement.first_reported_at.desc(),
                                              ClaimantAnnouncement.claimant)
    if claimant is not None:
        q = q.where(ClaimantAnnouncement.claimant == claimant)
    if limit:
        q = q.limit(limit)
    heads = list(session.scalars(q))
    ids = [a.id for a in heads]
    figures: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    links: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for f in session.scalars(select(AnnouncementFigure).where(
                AnnouncementFigure.announcement_id.in_(ids)).order_by(AnnouncementFigure.id)):
            figures[f.announcement_id].append({
                k: getattr(f, k) for k in ("subject", "metric", "kind", "value", "low", "high",
                                           "qualifier", "stories", "reports", "recalled_only",
                                           "sentence")})
        for r in session.scalars(select(AnnouncementLink).where(
                AnnouncementLink.announcement_id.in_(ids))
                .order_by(AnnouncementLink.reported_at, AnnouncementLink.id)):
            links[r.announcement_id].append({
                "article_id": r.article_id, "story_key": r.story_key, "url": r.url,
                "outlet": r.outlet, "language": r.language, "title": r.title,
                "reported_at": r.reported_at.isoformat(), "recalled_only": r.recalled_only})
    return [{
        "announcement_id": a.id, "claimant": a.claimant, "announced_on": a.announced_on,
        "dated_by": a.dated_by, "recalled_only": a.recalled_only,
        "independent_stories": a.independent_stories,
        "languages": a.languages.split(",") if a.languages else [], "reports": a.reports,
        "first_reported_at": a.first_reported_at.isoformat(), "url": a.url,
        "outlet": a.outlet, "headline": a.headline, "figures": figures[a.id],
        "links": links[a.id],
    } for a in heads]


def current(session: Session, *, since: date | None = None) -> list[dict[str, Any]]:
    """`announcements()` brought up to date first, in the caller's transaction (the report
    reads them so; it does not commit: what it rebuilt goes with its session)."""
    refresh(session)
    rows = announcements(session)
    if since is not None:
        rows = [r for r in rows if r["announced_on"] >= since.isoformat()]
    return rows
