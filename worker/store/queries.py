"""Read-side queries behind the CLI and the report. Each returns plain dicts (JSON-ready)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Executable, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from worker.store.models import (
    Article,
    ArticleEvent,
    ArticleVersion,
    Feed,
    FeedItem,
    FetchEvent,
    FigureClaim,
    FigureSeries,
    FigureStatement,
    FigureValue,
    FigureValueStory,
    LshBand,
    Story,
)
from worker.store.sqltime import iso_utc

CHANGE_COLUMNS = (
    "subject", "metric", "claimant", "value", "previous_value", "low", "high",
    "qualifier", "stated_for", "reported_on", "claimed_at", "kind", "through_recall", "url",
    "outlet", "sentence", "independent_stories",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(result: Any) -> list[dict[str, Any]]:
    keys = list(result.keys())
    return [{k: (v.isoformat() if isinstance(v, datetime | date) else v)
             for k, v in zip(keys, row, strict=True)} for row in result]


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


# -- the figure series: read from the lineage tables (worker.store.lineage) -----------------

_ST, _FS, _FV = FigureStatement, FigureSeries, FigureValue
_SERIES_ORDER = (_ST.stated_for, _ST.reported_on, _ST.claim_id)


def _iso(column: Any, name: str) -> Any:
    return iso_utc(column).label(name)


def _series_filters(q: Any, subject: str | None, metric: str | None,
                    claimant: str | None) -> Any:
    for col, value in ((_FS.subject, subject), (_FS.metric, metric),
                       (_FS.claimant, claimant)):
        if value is not None:
            q = q.where(col == value)
    return q


def _series_ids(subject: str | None, metric: str | None, claimant: str | None) -> Any:
    """The ids of the series matching the filters, as a subquery: the statements are then
    read by their `series_id` index (SQLite otherwise walks every change in series order and
    drops the other series' rows one by one)."""
    return _series_filters(select(_FS.id), subject, metric, claimant)


def _fast_rows(session: Session, q: Any) -> list[dict[str, Any]]:
    """The rows of `q` as dicts, run on the session's Core connection (no ORM result
    machinery); for statements whose times are all formatted by the database (`iso_utc`),
    so no value needs converting in Python."""
    result = session.connection().execute(q)
    keys = tuple(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def changes(session: Session, *, subject: str | None = None, metric: str | None = None,
            claimant: str | None = None, since: date | None = None, kind: str | None = None,
            limit: int | None = None) -> list[dict[str, Any]]:
    """The rows of the `figure_changes` view, filtered, in series order (stated for, then
    reported on); `since` keeps the changes reported on or after that day."""
    q: Any = (select(_ST.claim_id.label("change_id"), _ST.claim_id, _FS.subject, _FS.metric,
                _FS.claimant, _ST.value, _ST.previous_value, FigureClaim.low,
                FigureClaim.high, FigureClaim.qualifier, FigureClaim.modality,
                _iso(FigureClaim.claimed_at, "claimed_at"), _ST.kind, Article.url,
                Article.outlet, FigureClaim.sentence, FigureClaim.claimant_raw, _ST.article_id,
                _ST.version_id, _ST.version_number,
                func.coalesce(_FV.stories, 0).label("independent_stories"),
                _iso(_ST.stated_for, "stated_for"), _iso(_ST.reported_on, "reported_on"),
                _ST.refers_to, _ST.through_recall, Article.story_id, Article.title,
                Article.language, _iso(Article.published_at, "published_at"),
                _iso(_ST.detected_at, "detected_at"))
         .select_from(_ST).join(_FS, _FS.id == _ST.series_id)
         .join(FigureClaim, FigureClaim.id == _ST.claim_id)
         .join(Article, Article.id == _ST.article_id)
         .outerjoin(_FV, and_(_FV.series_id == _ST.series_id, _FV.value == _ST.value))
         .order_by(*_SERIES_ORDER))
    # `kind = x` alone when a kind is asked for: both databases take it as implying the
    # partial indexes' `kind IS NOT NULL`, and PostgreSQL, multiplying the two predicates'
    # selectivities, would expect 12 rows of 1,767 and sort them all instead of reading the
    # kind index backwards
    q = q.where(_ST.kind.is_not(None) if kind is None else _ST.kind == kind)
    if (subject, metric, claimant) != (None, None, None):
        q = q.where(_ST.series_id.in_(_series_ids(subject, metric, claimant)))
    if since is not None:
        q = q.where(_ST.reported_on >= datetime.combine(since, time.min, tzinfo=UTC))
    if limit:  # the newest `limit` changes, still listed oldest first
        q = q.order_by(None).order_by(*(c.desc() for c in _SERIES_ORDER)).limit(limit)
        return _flags(_fast_rows(session, q))[::-1]
    return _flags(_fast_rows(session, q))


def _flags(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        if "through_recall" in r:
            r["through_recall"] = bool(r["through_recall"])
    return rows


def latest_figures(session: Session, *, as_of: date | None = None,
                   subject: str | None = None, metric: str | None = None,
                   claimant: str | None = None) -> list[dict[str, Any]]:
    """The latest point of every series; with `as_of`, among the points reported by the end
    of that day (what was known then), with the stories known then."""
    if as_of is None:
        latest: Any = _FS.latest_claim_id
        stories: Any = func.coalesce(_FV.stories, 0)
    else:
        end = _end_of(as_of)
        x = aliased(FigureStatement)
        latest = (select(x.claim_id)
                  .where(x.series_id == _FS.id, x.point.is_(True), x.stated_for <= end,
                         x.reported_on <= end)
                  .order_by(x.stated_for.desc(), x.reported_on.desc(), x.claim_id.desc())
                  .limit(1).correlate(_FS).scalar_subquery())
        vs = aliased(FigureValueStory)
        stories = (select(func.count()).select_from(vs)
                   .where(vs.series_id == _ST.series_id, vs.value == _ST.value,
                          vs.first_reported_on <= end)
                   .correlate(_ST).scalar_subquery())
    q: Any = (select(_ST.claim_id, _FS.subject, _FS.metric, _FS.claimant, _ST.value,
                FigureClaim.low, FigureClaim.high, FigureClaim.qualifier, FigureClaim.modality,
                _iso(FigureClaim.claimed_at, "claimed_at"), Article.url, Article.outlet,
                FigureClaim.sentence, stories.label("independent_stories"),
                _iso(_ST.stated_for, "stated_for"), _iso(_ST.reported_on, "reported_on"),
                _ST.refers_to, _ST.through_recall, _ST.article_id, _ST.version_id,
                Article.story_id, Article.title, Article.language,
                _iso(Article.published_at, "published_at"))
         .select_from(_FS).join(_ST, _ST.claim_id == latest)
         .join(FigureClaim, FigureClaim.id == _ST.claim_id)
         .join(Article, Article.id == _ST.article_id)
         .order_by(_FS.subject, _FS.metric, _FS.claimant))
    if as_of is None:
        q = q.outerjoin(_FV, and_(_FV.series_id == _ST.series_id, _FV.value == _ST.value))
    q = _series_filters(q, subject, metric, claimant)
    return _flags(_rows(session.execute(q)))


def articles(session: Session, *, limit: int | None = None,
             relevant: bool | None = True) -> list[dict[str, Any]]:
    versions = (select(ArticleVersion.article_id, func.count().label("versions"))
                .group_by(ArticleVersion.article_id).subquery())
    claims = (select(FigureClaim.article_id, func.count().label("figures"))
              .group_by(FigureClaim.article_id).subquery())
    q = (select(Article.id, Article.url, Article.title, Article.outlet, Article.language,
                Article.published_at, Article.relevant, Article.relevance, Article.status,
                Article.story_id, func.coalesce(versions.c.versions, 0).label("versions"),
                func.coalesce(claims.c.figures, 0).label("figures"))
         .outerjoin(versions, versions.c.article_id == Article.id)
         .outerjoin(claims, claims.c.article_id == Article.id)
         .order_by(Article.published_at.desc().nulls_last(), Article.id))
    if relevant is not None:
        q = q.where(Article.relevant.is_(relevant))
    if limit:
        q = q.limit(limit)
    return _rows(session.execute(q))


def find_article(session: Session, url: str) -> Article | None:
    from worker import dedupe  # numpy, datasketch: only for the commands that look URLs up

    canonical = dedupe.canonical_url(url)
    return session.scalar(select(Article).where(
        (Article.canonical_url == canonical) | (Article.url == url)))


def article_history(session: Session, url: str) -> dict[str, Any] | None:
    """Every version of one article with a readable diff and the figure changes."""
    from worker import revisions

    article = find_article(session, url)
    if article is None:
        return None
    versions = session.scalars(select(ArticleVersion).where(
        ArticleVersion.article_id == article.id).order_by(ArticleVersion.number)).all()
    out_versions = []
    previous: ArticleVersion | None = None
    for v in versions:
        claims = session.scalars(select(FigureClaim).where(FigureClaim.version_id == v.id)
                                 .order_by(FigureClaim.start)).all()
        entry: dict[str, Any] = {
            "number": v.number, "fetched_at": v.fetched_at.isoformat(), "title": v.title,
            "chars": len(v.text), "changes": v.changes,
            "figures": [{"metric": c.metric, "subject": c.subject, "value": c.value,
                         "qualifier": c.qualifier, "claimant": c.claimant} for c in claims],
            "diff": None,
        }
        if previous is not None:
            entry["diff"] = revisions.unified_diff(
                previous.text, v.text, old_label=f"version {previous.number}",
                new_label=f"version {v.number}")
        out_versions.append(entry)
        previous = v
    events = session.scalars(select(ArticleEvent).where(
        ArticleEvent.article_id == article.id).order_by(ArticleEvent.at)).all()
    return {
        "url": article.url, "canonical_url": article.canonical_url, "title": article.title,
        "outlet": article.outlet, "status": article.status,
        "published_at": _jsonable(article.published_at),
        "versions": out_versions,
        "events": [{"kind": e.kind, "at": e.at.isoformat(), "detail": e.detail}
                   for e in events],
    }


def stories(session: Session, *, min_copies: int = 1) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Story.id, Article.url, Article.outlet, Article.title, Article.published_at)
        .join(Article, Article.story_id == Story.id)
        .order_by(Story.id, Article.published_at.is_(None), Article.published_at,
                  Article.first_seen_at, Article.id)).all()
    grouped: dict[int, dict[str, Any]] = {}
    for row in rows:
        story_id, url, outlet, title, published = row[0], row[1], row[2], row[3], row[4]
        s = grouped.setdefault(story_id, {"story_id": story_id, "earliest_url": url,
                                          "title": title, "first_published":
                                          _jsonable(published), "outlets": [], "urls": [],
                                          "copies": 0})
        s["copies"] += 1
        s["urls"].append(url)
        if outlet and outlet not in s["outlets"]:
            s["outlets"].append(outlet)
    return [s for s in grouped.values() if s["copies"] >= min_copies]


@lru_cache(maxsize=8)
def _candidates_statement(n_buckets: int) -> Executable:
    """The candidate lookup for `n_buckets` (band, bucket) pairs, built once with bound
    parameters: building a 64-band expression costs more than running it."""
    return (select(Article.signature, Article.shingles, Article.story_id)
            .join(LshBand, LshBand.article_id == Article.id)
            .where(or_(*[and_(LshBand.band == bindparam(f"b{i}"),
                              LshBand.bucket == bindparam(f"k{i}"))
                         for i in range(n_buckets)]),
                   Article.story_id.is_not(None), Article.signature.is_not(None),
                   Article.id != bindparam("exclude"))
            .distinct())


def story_candidates(session: Session | Connection, buckets: list[tuple[int, int]],
                     exclude_article: int | None = None) -> list[tuple[bytes, int | None, int]]:
    """(signature, shingles, story_id) of the stored articles sharing an LSH bucket: a lookup
    by the (band, bucket) primary key, whatever the number of articles stored. An OR of
    equalities rather than a row-value IN, which SQLite answers with a full scan."""
    if not buckets:
        return []
    params: dict[str, int] = {"exclude": -1 if exclude_article is None else exclude_article}
    for i, (band, bucket) in enumerate(buckets):
        params[f"b{i}"], params[f"k{i}"] = band, bucket
    out: list[tuple[bytes, int | None, int]] = []
    for row in session.execute(_candidates_statement(len(buckets)), params):
        signature, shingles, story_id = row[0], row[1], row[2]
        if signature is not None and story_id is not None:  # excluded by the query already
            out.append((signature, shingles, story_id))
    return out


def counts(session: Session) -> dict[str, int]:
    return {
        "articles": session.scalar(select(func.count()).select_from(Article)
                                   .where(Article.relevant.is_(True))) or 0,
        "irrelevant": session.scalar(select(func.count()).select_from(Article)
                                     .where(Article.relevant.is_(False))) or 0,
        "versions": session.scalar(select(func.count()).select_from(ArticleVersion)) or 0,
        "claims": session.scalar(select(func.count()).select_from(FigureClaim)) or 0,
        "stories": session.scalar(select(func.count()).select_from(Story)) or 0,
    }


def feeds(session: Session, *, with_events: bool = False) -> list[dict[str, Any]]:
    """Every feed with its polling state and item count (`feeds list`, `feeds status`,
    `feeds export`); with `with_events`, each feed's kept fetch events, newest first."""
    rows = list(session.scalars(select(Feed).order_by(Feed.name, Feed.url)))
    items = dict(session.execute(select(FeedItem.feed_id, func.count())
                                 .group_by(FeedItem.feed_id)).all())
    events: dict[int, list[FetchEvent]] = {}
    if with_events:
        for e in session.scalars(select(FetchEvent).order_by(FetchEvent.id.desc())):
            events.setdefault(e.feed_id, []).append(e)
    out = []
    for f in rows:
        d = {c.key: getattr(f, c.key) for c in Feed.__table__.columns
             if c.key not in ("body_hash", "polls_since_full", "created_at")}
        d["items"] = items.get(f.id, 0)
        if with_events:
            d["events"] = [{"at": e.at, "url": e.url, "status": e.status,
                            "duration_ms": e.duration_ms, "bytes": e.bytes,
                            "new_items": e.new_items, "error_class": e.error_class,
                            "error": e.error} for e in events.get(f.id, [])]
        out.append(d)
    return out


def statements(session: Session, *, subject: str | None = None,
               since: datetime | None = None) -> list[Any]:
    """The points of every series (the rows of `claim_statements`), in claim order, for the
    report."""
    q = (select(_ST.claim_id.label("id"), _FS.subject, _FS.metric, _FS.claimant, _ST.value,
                FigureClaim.low, FigureClaim.high, FigureClaim.qualifier,
                _iso(FigureClaim.claimed_at, "claimed_at"), Article.url, Article.outlet,
                Article.title, FigureClaim.sentence, _ST.version_number, _ST.story_key,
                _iso(_ST.stated_for, "stated_for"), _iso(_ST.reported_on, "reported_on"),
                _ST.refers_to, _ST.through_recall)
         .select_from(_ST).join(_FS, _FS.id == _ST.series_id)
         .join(FigureClaim, FigureClaim.id == _ST.claim_id)
         .join(Article, Article.id == _ST.article_id)
         .where(_ST.point.is_(True)).order_by(FigureClaim.claimed_at, _ST.claim_id))
    if subject is not None:
        q = q.where(_FS.subject == subject)
    if since is not None:
        q = q.where(FigureClaim.claimed_at >= since)
    return list(session.execute(q))


def edited_article_urls(session: Session, *, since: datetime | None = None) -> list[str]:
    """URLs of the articles edited after they were first stored, the first edited first."""
    first_edit = func.min(ArticleVersion.fetched_at)
    q = (select(Article.url).join(ArticleVersion, ArticleVersion.article_id == Article.id)
         .where(ArticleVersion.number > 1).group_by(Article.id, Article.url)
         .order_by(first_edit, Article.id))
    if since is not None:
        q = q.where(ArticleVersion.fetched_at >= since)
    return list(session.scalars(q))


def recheck_candidates(session: Session) -> list[int]:
    """Every relevant article and every one awaiting a retry (`worker recheck --all`)."""
    return list(session.scalars(select(Article.id).where(
        or_(Article.relevant.is_(True), Article.needs_retry.is_(True))).order_by(Article.id)))


def article_urls(session: Session, ids: list[int]) -> dict[int, str]:
    """id -> URL of the articles `ids` that exist."""
    return dict(session.execute(select(Article.id, Article.url).where(Article.id.in_(ids)))
                .tuples().all())
