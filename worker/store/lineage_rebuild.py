"""The lineage tables derived from scratch: a series re-derived from all its claims (reviews,
re-analysis, story changes that touch a whole series), every series at once (`rebuild_all`,
what the `lineage` migration does on an existing database, and the property test's
definition), and the stored series read back for comparison. The incremental path of the
writer is in lineage.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    delete,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from worker import series as model
from worker.series import SeriesClaim
from worker.store.bulk import insert_rows
from worker.store.lineage import (
    _claims,
    _conn,
    _lock,
    _row,
    _statement,
    series_ids,
    series_key,
)
from worker.store.lineage_sql import (
    _SELECT_ST,
    _SERIES_CHANGES_COPY,
    SeriesKey,
    _changes,
    _series,
    _st,
    _values,
    _vs,
    counted,
)
from worker.store.models import (
    FigureClaim,
    utcnow,
)


def _key_where(key: SeriesKey) -> list[ColumnElement[bool]]:
    subject, metric, claimant = key
    return [FigureClaim.metric == metric,
            FigureClaim.subject.is_(None) if subject is None else FigureClaim.subject == subject,
            FigureClaim.claimant.is_(None) if claimant is None
            else FigureClaim.claimant == claimant]


def refresh_series(db: Session | Connection, keys: Iterable[SeriesKey]) -> None:
    """Recompute the given series (subject, metric, claimant) from their claims, in the
    caller's transaction: for whoever changed claims of these series wholesale."""
    conn = _conn(db)
    keys = list(dict.fromkeys(keys))
    ids = series_ids(conn, keys)
    now = utcnow()
    sids = sorted(ids.values())
    _lock(conn, sids)
    # a change found before keeps the time it was found (alerts read new changes by it)
    known = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
        select(_st.c.claim_id, _st.c.kind, _st.c.previous_value, _st.c.detected_at)
        .where(_st.c.series_id.in_(sids), _st.c.kind.is_not(None)))}
    for table in (_st, _vs, _values, _changes):  # all first: a claim may move between series
        conn.execute(delete(table).where(table.c.series_id.in_(sids)))
    for key in keys:
        sid = ids[key]
        derived = model.derive_series(_claims(conn, *_key_where(key)).get(key, []))
        _store(conn, sid, derived, now, known)


def _store(conn: Connection, sid: int, derived: model.Series, now: datetime,
           known: dict[int, tuple[Any, Any, Any]]) -> None:
    rows = []
    for s in derived.statements:
        before = known.get(s.claim_id)
        same = before is not None and before[:2] == (s.kind, s.previous_value)
        rows.append(_row(s, sid, before[2] if same and before is not None else now))
    insert_rows(conn, _st, rows)  # COPY on PostgreSQL: a series may have 10^5 statements
    conn.execute(_SERIES_CHANGES_COPY, {"sid": sid})  # its changes, with their claims' fields
    insert_rows(conn, _vs, ({"series_id": sid, "value": v, "story_key": k,
                             "first_reported_on": t} for (v, k), t in derived.stories.items()))
    insert_rows(conn, _values, ({"series_id": sid, "value": v, "stories": n}
                                for v, n in derived.story_counts().items()))
    conn.execute(update(_series).where(_series.c.id == sid)
                 .values(latest_claim_id=derived.latest))


def series_claims(db: Session | Connection) -> dict[SeriesKey, list[SeriesClaim]]:
    """Every counted claim, by series: the input of `worker.series.derive_series`."""
    return _claims(_conn(db))


def stored_series(db: Session | Connection, key: SeriesKey) -> model.Series | None:
    """A series as the tables hold it (None when it has no row): to compare with
    `worker.series.derive_series`."""
    conn = _conn(db)
    sid = conn.scalar(select(_series.c.id).where(_series.c.key == series_key(*key)))
    if sid is None:
        return None
    statements = [_statement(r) for r in conn.execute(
        _SELECT_ST.where(_st.c.series_id == sid)
        .order_by(_st.c.stated_for, _st.c.reported_on, _st.c.claim_id))]
    stories = {(r[0], r[1]): r[2] for r in conn.execute(
        select(_vs.c.value, _vs.c.story_key, _vs.c.first_reported_on)
        .where(_vs.c.series_id == sid))}
    latest = conn.scalar(select(_series.c.latest_claim_id).where(_series.c.id == sid))
    return model.Series(statements, stories, latest)


def stored_story_counts(db: Session | Connection, key: SeriesKey) -> dict[int, int]:
    conn = _conn(db)
    return {r[0]: r[1] for r in conn.execute(
        select(_values.c.value, _values.c.stories).join(_series, _series.c.id ==
                                                       _values.c.series_id)
        .where(_series.c.key == series_key(*key)))}


def all_series_keys(db: Session | Connection) -> list[SeriesKey]:
    """Every (subject, metric, claimant) that has a counted claim."""
    conn = _conn(db)
    return [(r[0], r[1], r[2]) for r in conn.execute(
        select(FigureClaim.subject, FigureClaim.metric, FigureClaim.claimant)
        .where(counted()).distinct())]


def rebuild_all(db: Session | Connection) -> int:
    """Recompute every series from scratch (after the migration that made the tables, or to
    repair); returns the number of series."""
    conn = _conn(db)
    keys = all_series_keys(conn)
    for table in (_st, _vs, _values, _changes):
        conn.execute(delete(table))
    conn.execute(update(_series).values(latest_claim_id=None))
    refresh_series(conn, keys)
    return len(keys)


def needs_rebuild(db: Session | Connection) -> bool:
    """Claims stored but no statement derived from them: a database the lineage migration
    has just reached."""
    conn = _conn(db)
    has_claims = conn.scalar(select(true()).where(counted()).select_from(FigureClaim).limit(1))
    has_rows = conn.scalar(select(true()).select_from(_st).limit(1))
    return bool(has_claims) and not has_rows

