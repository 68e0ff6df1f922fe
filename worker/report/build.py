"""Reading a report's data from the database (`build`): the stated figures as chart points,
the latest figures (the query behind `worker figures`), the changes, the stories by date and
the edited articles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from worker import clock
from worker.figures.model import METRICS
from worker.report.model import UNATTRIBUTED, Point, ReportData, SeriesGroup
from worker.store import announcements, queries


def _as_datetime(value: datetime | str) -> datetime:
    # SQLite returns view columns as text; PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def load_points(session: Session, *, subject: str | None = None,
                since: date | None = None) -> list[Point]:
    """Every stated claim (asserted or reported, see `claim_statements`), in claim order, with
    the earlier value of each figure an article revision changed. Copies of one story stating
    the same figure are one point (the earliest), naming the other outlets."""
    previous = {r["claim_id"]: r["previous_value"]
                for r in queries.changes(session, subject=subject, kind="article_revision")}
    points: dict[tuple[Any, ...], Point] = {}
    for r in queries.statements(session, subject=subject,
                                since=clock.day_start(since) if since else None):
        key = (r.story_key, r.subject, r.metric, r.claimant, r.value, r.version_number > 1)
        first = points.get(key)
        if first is not None:
            if r.outlet and r.outlet != first.outlet and r.outlet not in first.copies:
                points[key] = replace(first, copies=(*first.copies, r.outlet))
            continue
        points[key] = Point(
            claim_id=r.id, subject=r.subject, metric=r.metric,
            claimant=r.claimant or UNATTRIBUTED, value=r.value, low=r.low, high=r.high,
            qualifier=r.qualifier, claimed_at=_as_datetime(r.claimed_at), url=r.url,
            outlet=r.outlet, title=r.title, sentence=r.sentence, version=r.version_number,
            previous_value=previous.get(r.id))
    return list(points.values())


def _group_order(g: SeriesGroup) -> tuple[Any, ...]:
    metric = METRICS.index(g.metric) if g.metric in METRICS else len(METRICS)
    return (g.subject is None, g.subject != "KP", g.subject or "", metric, g.metric)


def group_points(points: Iterable[Point]) -> tuple[SeriesGroup, ...]:
    """Points grouped by (subject, metric): the subject KP first, metrics in METRICS order."""
    grouped: dict[tuple[str | None, str], list[Point]] = {}
    for p in points:
        grouped.setdefault((p.subject, p.metric), []).append(p)
    groups = [SeriesGroup(subject=s, metric=m, points=tuple(ps))
              for (s, m), ps in grouped.items()]
    return tuple(sorted(groups, key=_group_order))


def edited_articles(session: Session, *, since: date | None = None) -> list[dict[str, Any]]:
    """The history (versions, diffs, figure changes) of every article edited after it was
    first stored, the most recently edited last."""
    out = []
    for url in queries.edited_article_urls(session,
                                           since=clock.day_start(since) if since else None):
        history = queries.article_history(session, url)
        if history is not None:
            out.append(history)
    return out


def stories_by_date(stories: Iterable[dict[str, Any]],
                    since: date | None = None) -> list[dict[str, Any]]:
    """The stories first published on or after `since`, the earliest first (undated last)."""
    kept = [s for s in stories
            if since is None or (s["first_published"] or "")[:10] >= since.isoformat()]
    return sorted(kept, key=lambda s: (s["first_published"] is None,
                                       s["first_published"] or "", s["story_id"]))


def build(session: Session, *, database: str, subject: str | None = None,
          since: date | None = None, now: datetime | None = None) -> ReportData:
    """Everything the report shows, read in one session."""
    groups = group_points(load_points(session, subject=subject, since=since))
    shown = {(g.subject, g.metric) for g in groups}
    latest = [r for r in queries.latest_figures(session, subject=subject)
              if (r["subject"], r["metric"]) in shown]
    return ReportData(
        generated_at=now or datetime.now(UTC), database=database, subject=subject, since=since,
        groups=groups, latest=tuple(latest),
        changes=tuple(queries.changes(session, subject=subject, since=since)),
        stories=tuple(stories_by_date(queries.stories(session), since)),
        edited=tuple(edited_articles(session, since=since)),
        counts=queries.counts(session),
        announcements=tuple(announcements.current(session, since=since)),
    )
