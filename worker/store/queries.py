"""Read-side queries behind the CLI and the report. Each returns plain dicts (JSON-ready)."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Executable, and_, bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from worker.store.models import (
    Article,
    ArticleEvent,
    ArticleVersion,
    Feed,
    FeedItem,
    FetchEvent,
    FigureClaim,
    LshBand,
    Story,
    UTCDateTime,
)
from worker.store.views import SERIES_COLUMNS, changes_select, latest_select

CHANGE_COLUMNS = (
    "subject", "metric", "claimant", "value", "previous_value", "low", "high", "qualifier",
    "claimed_at", "kind", "url", "outlet", "sentence", "independent_stories",
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
    return datetime.combine(day, time.max)


def changes(session: Session, *, subject: str | None = None, metric: str | None = None,
            claimant: str | None = None, since: date | None = None, kind: str | None = None,
            limit: int | None = None) -> list[dict[str, Any]]:
    """The rows of the `figure_changes` view, filtered; series filters are pushed down."""
    params: dict[str, Any] = {k: v for k, v in (("subject", subject), ("metric", metric),
                                                ("claimant", claimant)) if v is not None}
    clauses = []
    if kind is not None:
        clauses.append("kind = :kind")
        params["kind"] = kind
    if since is not None:
        clauses.append("claimed_at >= :since")
        params["since"] = datetime.combine(since, time.min)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    inner = changes_select(tuple(k for k in SERIES_COLUMNS if k in params))
    sql = f"SELECT * FROM ({inner}) fc {where}"
    if limit:  # the newest `limit` rows, still listed oldest first
        sql = (f"SELECT * FROM ({sql} ORDER BY claimed_at DESC, claim_id DESC "
               f"LIMIT {int(limit)}) newest")
    sql += " ORDER BY claimed_at, claim_id"
    return _normalise_times(_rows(session.execute(text(sql), params)))


def _normalise_times(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQLite returns raw-SQL timestamps as naive text ("2025-01-13 08:30:00.000000"),
    PostgreSQL as aware datetimes: present both as ISO 8601 UTC."""
    for row in rows:
        value = row.get("claimed_at")
        if isinstance(value, str) and not value.endswith("+00:00"):
            row["claimed_at"] = datetime.fromisoformat(value).isoformat() + "+00:00"
    return rows


def latest_figures(session: Session, *, as_of: date | None = None,
                   subject: str | None = None, metric: str | None = None,
                   claimant: str | None = None) -> list[dict[str, Any]]:
    """The latest value of every series, as known at the end of `as_of` (default: now);
    the series filters are pushed down."""
    params: dict[str, Any] = {k: v for k, v in (("subject", subject), ("metric", metric),
                                                ("claimant", claimant)) if v is not None}
    series = tuple(k for k in SERIES_COLUMNS if k in params)
    if as_of is not None:
        params["as_of"] = _end_of(as_of)
    sql = f"SELECT * FROM ({latest_select(series, as_of_filter=as_of is not None)}) lf"
    sql += " ORDER BY subject, metric, claimant"
    return _normalise_times(_rows(session.execute(text(sql), params)))


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
    """The rows of `claim_statements` (stated claims), in claim order, for the report."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if subject is not None:
        where.append("subject = :subject")
        params["subject"] = subject
    if since is not None:
        where.append("claimed_at >= :since")
        params["since"] = since
    sql = text(f"""SELECT id, subject, metric, claimant, value, low, high, qualifier,
                          claimed_at, url, outlet, title, sentence, version_number, story_key
                   FROM claim_statements {'WHERE ' + ' AND '.join(where) if where else ''}
                   ORDER BY claimed_at, id""")
    if since is not None:
        sql = sql.bindparams(bindparam("since", type_=UTCDateTime()))
    return list(session.execute(sql, params))


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
