"""Read-side queries behind the CLI and the report. Each returns plain dicts (JSON-ready).
They are written on the Core tables (worker.store.tables) and take a Session or a Connection;
only `find_article` and `article_history`, which work with mapped objects, load the ORM."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Executable, and_, bindparam, func, or_, select

from worker.store import tables
from worker.store.sqltime import iso_utc

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from worker.store.models import Article

# the Core tables: reading them needs neither the ORM nor the mapped classes, which a short
# command (`worker figures`, `feeds list`) cannot afford to load (see the README, *Start-up*)
_A, _AV, _AE, _S, _LB = (tables.articles, tables.article_versions, tables.article_events,
                         tables.stories, tables.lsh_bands)
_F, _FI, _FE, _FC = tables.feeds, tables.feed_items, tables.fetch_events, tables.figure_claims
_ST, _FS, _FV, _FVS = (tables.figure_statements, tables.figure_series, tables.figure_values,
                       tables.figure_value_stories)
_CH = tables.figure_change_rows

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

_CHANGE_ORDER = (_CH.c.stated_for, _CH.c.reported_on, _CH.c.claim_id)


def _iso(column: Any, name: str) -> Any:
    return iso_utc(column).label(name)


def _series_filters(q: Any, subject: str | None, metric: str | None,
                    claimant: str | None) -> Any:
    for col, value in ((_FS.c.subject, subject), (_FS.c.metric, metric),
                       (_FS.c.claimant, claimant)):
        if value is not None:
            q = q.where(col == value)
    return q


def changes(session: Session | Connection, *, subject: str | None = None,
            metric: str | None = None,
            claimant: str | None = None, since: date | None = None, kind: str | None = None,
            limit: int | None = None) -> list[dict[str, Any]]:
    """The rows of the `figure_changes` view, filtered, in series order (stated for, then
    reported on); `since` keeps the changes reported on or after that day. Read from
    figure_change_rows (the changes with their claims' and articles' fields and their times
    as text, kept with the statements and the articles) and the values' story counts: a
    series' changes are then a few hundred pages in series order, where through
    figure_statements and figure_claims each was a random page of two tables the size of the
    database (see tables.lineage)."""
    conn = session if isinstance(session, Connection) else session.connection()
    names = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(_series_filters(
        select(_FS.c.id, _FS.c.subject, _FS.c.metric, _FS.c.claimant),
        subject, metric, claimant))}
    series = sorted(names) if (subject, metric, claimant) != (None, None, None) else None
    stories = and_(_FV.c.series_id == _CH.c.series_id, _FV.c.value == _CH.c.value)
    if series is not None:  # PostgreSQL then hashes these series' values alone (1,951 of
        stories = and_(stories, _FV.c.series_id.in_(series))  # 15,703 for KP killed at 10M)
    q: Any = (select(*_CHANGE_FIELDS).select_from(_CH).outerjoin(_FV, stories)
              .order_by(*_CHANGE_ORDER))
    if kind is not None:
        q = q.where(_CH.c.kind == kind)
    if series is not None:
        q = q.where(_CH.c.series_id.in_(series))
    if since is not None:
        q = q.where(_CH.c.reported_on >= datetime.combine(since, time.min, tzinfo=UTC))
    if limit:  # the newest `limit` changes, still listed oldest first
        q = q.order_by(None).order_by(*(c.desc() for c in _CHANGE_ORDER)).limit(limit)
    with _no_collection():
        rows = _change_dicts(conn.execute(q).fetchall(), names)
    return rows[::-1] if limit else rows


# what `changes` reads per row, all from figure_change_rows but the value's story count: the
# series' names come from figure_series once per call, the claim id once for both `change_id`
# and `claim_id`, the article's fields and the times as ISO text from the row itself (7,830
# rows at 10M claims: every lookup and every formatting per row is paid 7,830 times)
_CHANGE_FIELDS = (
    _CH.c.series_id, _CH.c.claim_id, _CH.c.value, _CH.c.previous_value, _CH.c.low,
    _CH.c.high, _CH.c.qualifier, _CH.c.modality, _CH.c.claimed_at_iso, _CH.c.kind, _CH.c.url,
    _CH.c.outlet, _CH.c.sentence, _CH.c.claimant_raw, _CH.c.article_id, _CH.c.version_id,
    _CH.c.version_number, func.coalesce(_FV.c.stories, 0).label("independent_stories"),
    _CH.c.stated_for_iso, _CH.c.reported_on_iso, _CH.c.refers_to, _CH.c.through_recall,
    _CH.c.story_id, _CH.c.title, _CH.c.language, _CH.c.published_at_iso, _CH.c.detected_at_iso)


@contextmanager
def _no_collection() -> Iterator[None]:
    """Python's cycle collector paused while a listing's rows are built: the 7,830 fetched
    rows of KP killed at 10M outlive the young generations, so one call in three or four
    (and a `worker changes` process) paid a full collection of every object of the process,
    16-30 ms of a 30 ms build; the rows and dicts make no cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _change_dicts(rows: Any, names: dict[int, tuple[str | None, str, str | None]]
                  ) -> list[dict[str, Any]]:
    """The rows of `changes` as dicts, keys in the view's order: one dict display per row
    (with the four columns fewer, 16 % fewer instructions per call than dict(zip(keys, row))
    over the full rows, callgrind, 740 changes at 1M claims)."""
    out = []
    for (sid, cid, value, previous, low, high, qualifier, modality, claimed_at, kind, url,
         outlet, sentence, claimant_raw, article_id, version_id, version_number, stories,
         stated_for, reported_on, refers_to, through, story_id, title, language, published_at,
         detected_at) in rows:
        subject, metric, claimant = names[sid]
        out.append({
            "change_id": cid, "claim_id": cid, "subject": subject, "metric": metric,
            "claimant": claimant, "value": value, "previous_value": previous, "low": low,
            "high": high, "qualifier": qualifier, "modality": modality,
            "claimed_at": claimed_at, "kind": kind, "url": url, "outlet": outlet,
            "sentence": sentence, "claimant_raw": claimant_raw, "article_id": article_id,
            "version_id": version_id, "version_number": version_number,
            "independent_stories": stories, "stated_for": stated_for,
            "reported_on": reported_on, "refers_to": refers_to,
            "through_recall": bool(through), "story_id": story_id, "title": title,
            "language": language, "published_at": published_at, "detected_at": detected_at})
    return out


def _flags(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        if "through_recall" in r:
            r["through_recall"] = bool(r["through_recall"])
    return rows


def latest_figures(session: Session | Connection, *, as_of: date | None = None,
                   subject: str | None = None, metric: str | None = None,
                   claimant: str | None = None) -> list[dict[str, Any]]:
    """The latest point of every series; with `as_of`, among the points reported by the end
    of that day (what was known then), with the stories known then."""
    if as_of is None:
        latest: Any = _FS.c.latest_claim_id
        stories: Any = func.coalesce(_FV.c.stories, 0)
    else:
        end = _end_of(as_of)
        x = _ST.alias()
        latest = (select(x.c.claim_id)
                  .where(x.c.series_id == _FS.c.id, x.c.point.is_(True), x.c.stated_for <= end,
                         x.c.reported_on <= end)
                  .order_by(x.c.stated_for.desc(), x.c.reported_on.desc(), x.c.claim_id.desc())
                  .limit(1).correlate(_FS).scalar_subquery())
        vs = _FVS.alias()
        stories = (select(func.count()).select_from(vs)
                   .where(vs.c.series_id == _ST.c.series_id, vs.c.value == _ST.c.value,
                          vs.c.first_reported_on <= end)
                   .correlate(_ST).scalar_subquery())
    q: Any = (select(_ST.c.claim_id, _FS.c.subject, _FS.c.metric, _FS.c.claimant, _ST.c.value,
                _FC.c.low, _FC.c.high, _FC.c.qualifier, _FC.c.modality,
                _iso(_FC.c.claimed_at, "claimed_at"), _A.c.url, _A.c.outlet,
                _FC.c.sentence, stories.label("independent_stories"),
                _iso(_ST.c.stated_for, "stated_for"), _iso(_ST.c.reported_on, "reported_on"),
                _ST.c.refers_to, _ST.c.through_recall, _ST.c.article_id, _ST.c.version_id,
                _A.c.story_id, _A.c.title, _A.c.language,
                _iso(_A.c.published_at, "published_at"))
         .select_from(_FS).join(_ST, _ST.c.claim_id == latest)
         .join(_FC, _FC.c.id == _ST.c.claim_id)
         .join(_A, _A.c.id == _ST.c.article_id)
         .order_by(_FS.c.subject, _FS.c.metric, _FS.c.claimant))
    if as_of is None:
        q = q.outerjoin(_FV, and_(_FV.c.series_id == _ST.c.series_id, _FV.c.value == _ST.c.value))
    q = _series_filters(q, subject, metric, claimant)
    return _flags(_rows(session.execute(q)))


def articles(session: Session | Connection, *, limit: int | None = None,
             relevant: bool | None = True) -> list[dict[str, Any]]:
    versions = (select(_AV.c.article_id, func.count().label("versions"))
                .group_by(_AV.c.article_id).subquery())
    claims = (select(_FC.c.article_id, func.count().label("figures"))
              .group_by(_FC.c.article_id).subquery())
    q = (select(_A.c.id, _A.c.url, _A.c.title, _A.c.outlet, _A.c.language,
                _A.c.published_at, _A.c.relevant, _A.c.relevance, _A.c.status,
                _A.c.story_id, func.coalesce(versions.c.versions, 0).label("versions"),
                func.coalesce(claims.c.figures, 0).label("figures"))
         .outerjoin(versions, versions.c.article_id == _A.c.id)
         .outerjoin(claims, claims.c.article_id == _A.c.id)
         .order_by(_A.c.published_at.desc().nulls_last(), _A.c.id))
    if relevant is not None:
        q = q.where(_A.c.relevant.is_(relevant))
    if limit:
        q = q.limit(limit)
    return _rows(session.execute(q))


def find_article(session: Session, url: str) -> Article | None:
    from worker import dedupe  # numpy, datasketch: only for the commands that look URLs up
    from worker.store.models import Article

    canonical = dedupe.canonical_url(url)
    return session.scalar(select(Article).where(
        (Article.canonical_url == canonical) | (Article.url == url)))


def article_history(session: Session, url: str) -> dict[str, Any] | None:
    """Every version of one article with a readable diff and the figure changes."""
    from worker import revisions
    from worker.store.models import ArticleEvent, ArticleVersion, FigureClaim

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


def stories(session: Session | Connection, *, min_copies: int = 1) -> list[dict[str, Any]]:
    rows = session.execute(
        select(_S.c.id, _A.c.url, _A.c.outlet, _A.c.title, _A.c.published_at)
        .join(_A, _A.c.story_id == _S.c.id)
        .order_by(_S.c.id, _A.c.published_at.is_(None), _A.c.published_at,
                  _A.c.first_seen_at, _A.c.id)).all()
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
    return (select(_A.c.signature, _A.c.shingles, _A.c.story_id)
            .join(_LB, _LB.c.article_id == _A.c.id)
            .where(or_(*[and_(_LB.c.band == bindparam(f"b{i}"),
                              _LB.c.bucket == bindparam(f"k{i}"))
                         for i in range(n_buckets)]),
                   _A.c.story_id.is_not(None), _A.c.signature.is_not(None),
                   _A.c.id != bindparam("exclude"))
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


def counts(session: Session | Connection) -> dict[str, int]:
    return {
        "articles": session.scalar(select(func.count()).select_from(_A)
                                   .where(_A.c.relevant.is_(True))) or 0,
        "irrelevant": session.scalar(select(func.count()).select_from(_A)
                                     .where(_A.c.relevant.is_(False))) or 0,
        "versions": session.scalar(select(func.count()).select_from(_AV)) or 0,
        "claims": session.scalar(select(func.count()).select_from(_FC)) or 0,
        "stories": session.scalar(select(func.count()).select_from(_S)) or 0,
    }


def feeds(session: Session | Connection, *,
          with_events: bool = False) -> list[dict[str, Any]]:
    """Every feed with its polling state and item count (`feeds list`, `feeds status`,
    `feeds export`); with `with_events`, each feed's kept fetch events, newest first."""
    shown = [c for c in _F.columns if c.key not in ("body_hash", "polls_since_full",
                                                     "created_at")]
    rows = session.execute(select(*shown).order_by(_F.c.name, _F.c.url)).mappings().all()
    items: dict[int, int] = dict(session.execute(select(_FI.c.feed_id, func.count())
                                 .group_by(_FI.c.feed_id)).tuples().all())
    events: dict[int, list[dict[str, Any]]] = {}
    if with_events:
        event_columns = ("at", "url", "status", "duration_ms", "bytes", "new_items",
                         "error_class", "error")
        q = select(_FE.c.feed_id, *(_FE.c[k] for k in event_columns)).order_by(_FE.c.id.desc())
        for e in session.execute(q).mappings():
            events.setdefault(e["feed_id"], []).append({k: e[k] for k in event_columns})
    out = []
    for f in rows:
        d = dict(f)
        d["items"] = items.get(f["id"], 0)
        if with_events:
            d["events"] = events.get(f["id"], [])
        out.append(d)
    return out


def statements(session: Session | Connection, *, subject: str | None = None,
               since: datetime | None = None) -> list[Any]:
    """The points of every series (the rows of `claim_statements`), in claim order, for the
    report."""
    q = (select(_ST.c.claim_id.label("id"), _FS.c.subject, _FS.c.metric, _FS.c.claimant,
                _ST.c.value, _FC.c.low, _FC.c.high, _FC.c.qualifier,
                _iso(_FC.c.claimed_at, "claimed_at"), _A.c.url, _A.c.outlet,
                _A.c.title, _FC.c.sentence, _ST.c.version_number, _ST.c.story_key,
                _iso(_ST.c.stated_for, "stated_for"), _iso(_ST.c.reported_on, "reported_on"),
                _ST.c.refers_to, _ST.c.through_recall)
         .select_from(_ST).join(_FS, _FS.c.id == _ST.c.series_id)
         .join(_FC, _FC.c.id == _ST.c.claim_id)
         .join(_A, _A.c.id == _ST.c.article_id)
         .where(_ST.c.point.is_(True)).order_by(_FC.c.claimed_at, _ST.c.claim_id))
    if subject is not None:
        q = q.where(_FS.c.subject == subject)
    if since is not None:
        q = q.where(_FC.c.claimed_at >= since)
    return list(session.execute(q))


def edited_article_urls(session: Session | Connection, *,
                        since: datetime | None = None) -> list[str]:
    """URLs of the articles edited after they were first stored, the first edited first."""
    first_edit = func.min(_AV.c.fetched_at)
    q = (select(_A.c.url).join(_AV, _AV.c.article_id == _A.c.id)
         .where(_AV.c.number > 1).group_by(_A.c.id, _A.c.url)
         .order_by(first_edit, _A.c.id))
    if since is not None:
        q = q.where(_AV.c.fetched_at >= since)
    return list(session.scalars(q))


def recheck_candidates(session: Session | Connection) -> list[int]:
    """Every relevant article and every one awaiting a retry (`worker recheck --all`)."""
    return list(session.scalars(select(_A.c.id).where(
        or_(_A.c.relevant.is_(True), _A.c.needs_retry.is_(True))).order_by(_A.c.id)))


def article_urls(session: Session | Connection, ids: list[int]) -> dict[int, str]:
    """id -> URL of the articles `ids` that exist."""
    return dict(session.execute(select(_A.c.id, _A.c.url).where(_A.c.id.in_(ids)))
                .tuples().all())
