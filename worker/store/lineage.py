"""The materialised lineage: the statements of every figure series (worker.series) kept in
tables at write time, in the transaction that changes the claims, so that `figures`,
`changes` and the views read indexed rows.

Tables: `figure_series` (one row per series, with its latest point), `figure_statements`
(each statement: both dates, point or not, previous value, change kind), `figure_value_stories`
and `figure_values` (the independent stories supporting each value of a series).

Two ways in, both exact (a property test holds them to `worker.series.derive_series`):

- `refresh_article(conn, article_id)`: the incremental path. Re-derives the article's own
  statements (every version), applies the difference, re-decides the recalls of the values
  it touched, then re-walks its series from the earliest position that moved until the walk
  meets an unchanged point — a new article at the end of a series costs a few indexed
  statements whatever the size of the database; an older article fetched later re-walks only
  up to the next unchanged point. The writer calls it for every stored version; call it after
  anything that changes an article's claims, story or status (re-analysis, claimant
  inference, unpublishing).
- `refresh_series(conn, keys)`: recomputes whole series from their claims (`rebuild_all`:
  every series, after the migration that created the tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
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
from worker.series import SeriesClaim, Statement
from worker.store.bulk import insert_rows
from worker.store.lineage_sql import (
    _ARTICLE_CLAIMS,
    _ARTICLE_ROWS,
    _CLAIMS,
    _COLUMNS,
    _FROM,
    _INSERT_ST,
    _PREV_POINT,
    _RECALL_CANDIDATES,
    _SELECT_ST,
    _SERIES_BY_KEY,
    _SET_LATEST,
    _STORY_STATE,
    _UPDATE_BASE,
    _UPDATE_DERIVED,
    _UPDATE_POINT,
    _V_ADD,
    _V_DROP_EMPTY,
    _V_INSERT,
    _VS_DELETE,
    _VS_INSERT,
    _VS_UPDATE,
    WALK_BATCH,
    SeriesKey,
    _series,
    _st,
    _values,
    _vs,
    counted,
)
from worker.store.models import (
    Article,
    FigureClaim,
    utcnow,
)


def series_key(subject: str | None, metric: str, claimant: str | None) -> str:
    return f"{subject or ''}|{metric}|{claimant or ''}"


def _conn(db: Session | Connection) -> Connection:
    return db.connection() if isinstance(db, Session) else db


# -- reading claims and statements -----------------------------------------------------------

def _claims(conn: Connection, *where: ColumnElement[bool], article: int | None = None
            ) -> dict[SeriesKey, list[SeriesClaim]]:
    out: dict[SeriesKey, list[SeriesClaim]] = {}
    rows = (conn.execute(_ARTICLE_CLAIMS, {"article": article}) if article is not None
            else conn.execute(_CLAIMS.where(*where)))
    for r in rows:
        out.setdefault((r[0], r[1], r[2]), []).append(SeriesClaim(
            claim_id=r[3], article_id=r[4], version_id=r[5], version_number=r[6], value=r[7],
            recalled=bool(r[8]), refers_to=r[9], claimed_at=r[10], published_at=r[11],
            story_key=r[12], live=r[13] != "unpublished"))
    return out

def _statement(r: Any) -> Statement:
    d = dict(zip(_COLUMNS, r, strict=False))
    for flag in ("recalled", "corrected", "live", "point", "through_recall"):
        d[flag] = bool(d[flag])
    return Statement(**d)


def _row(s: Statement, series_id: int, detected: datetime | None) -> dict[str, Any]:
    d = {k: getattr(s, k) for k in _COLUMNS}
    d.update(series_id=series_id, detected_at=detected if s.kind else None)
    return d


def series_ids(conn: Connection, keys: Iterable[SeriesKey]) -> dict[SeriesKey, int]:
    """The id of each series, created when new."""
    wanted = {series_key(*k): k for k in keys}
    if not wanted:
        return {}
    found = dict(conn.execute(_SERIES_BY_KEY, {"keys": list(wanted)}).all())
    for key, (subject, metric, claimant) in sorted(wanted.items()):
        if key not in found:
            found[key] = _create_series(conn, key, subject, metric, claimant)
    return {k: found[key] for key, k in wanted.items()}


def _create_series(conn: Connection, key: str, subject: str | None, metric: str,
                   claimant: str | None) -> int:
    """A new series' id. Two workers (or two fetch threads) may store the first figure of one
    series at once: the insert yields to the other's row (PostgreSQL waits for the other
    transaction, then does nothing) and the id is read back, instead of one poll failing on
    the unique key and backing its feed off."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(_series).values(key=key, subject=subject, metric=metric,
                                                claimant=claimant)
                 .on_conflict_do_nothing(index_elements=[_series.c.key]))
    sid: int = conn.execute(select(_series.c.id).where(_series.c.key == key)).scalar_one()
    return sid


def _lock(conn: Connection, sids: Sequence[int]) -> None:
    """Hold the series rows (PostgreSQL: `FOR UPDATE`, in id order, so two writers never wait
    for each other in a cycle) until the transaction ends: a series is re-walked from what
    the previous writer committed, never from a view that misses a concurrent writer's
    statements. SQLite needs nothing: one writer at a time holds the whole file."""
    if sids and conn.dialect.name == "postgresql":
        conn.execute(select(_series.c.id).where(_series.c.id.in_(list(sids)))
                     .order_by(_series.c.id).with_for_update())


# -- the incremental path --------------------------------------------------------------------


def refresh_article(db: Session | Connection, article_id: int) -> set[int]:
    """Bring the lineage up to date with one article's claims, story and status (see the
    module docstring); returns the ids of the series that changed."""
    conn = _conn(db)
    claims = _claims(conn, article=article_id)
    ids = series_ids(conn, claims)
    new: dict[int, list[Statement]] = {
        ids[k]: model.article_statements(cs) for k, cs in claims.items()}
    old: dict[int, dict[int, Statement]] = {}
    for r in conn.execute(_ARTICLE_ROWS, {"article": article_id}):
        old.setdefault(r.series_id, {})[r.claim_id] = _statement(r)
    fresh = {(sid, s.claim_id) for sid, ss in new.items() for s in ss}
    gone = [cid for sid, rows in old.items() for cid in rows if (sid, cid) not in fresh]
    if gone:  # first: a claim that changed series is inserted into its new one below
        conn.execute(delete(_st).where(_st.c.claim_id.in_(gone)))
    changed = set()
    touched = sorted(set(new) | set(old))
    _lock(conn, touched)
    for sid in touched:  # one lock order for concurrent writers
        if _apply(conn, sid, old.get(sid, {}), new.get(sid, [])):
            changed.add(sid)
    return changed


def _at(key: tuple[datetime, datetime, int]) -> dict[str, Any]:
    return {"sf": key[0], "ro": key[1], "cid": key[2]}


def _apply(conn: Connection, sid: int, old: dict[int, Statement],
           new: Sequence[Statement]) -> bool:
    fresh = {s.claim_id: s for s in new}
    gone = [s for cid, s in old.items() if cid not in fresh]
    added = [s for cid, s in fresh.items() if cid not in old]
    moved = [(old[cid], s) for cid, s in fresh.items()
             if cid in old and old[cid].base() != s.base()]
    if not (gone or added or moved):
        return False
    for s in added:
        s.point = model.is_direct_point(s)
    if added:
        conn.execute(_INSERT_ST, [_row(s, sid, None) for s in added])
    for before, s in moved:
        s.point = model.is_direct_point(s) if not s.recalled else before.point
    if moved:
        conn.execute(_UPDATE_BASE, [{"k_claim": s.claim_id,
                                     **{f"b_{k}": getattr(s, k) for k in _COLUMNS[1:14]}}
                                    for _, s in moved])
    touched = [*gone, *added, *(b for b, _ in moved), *(s for _, s in moved)]
    _rederive(conn, sid, touched)
    return True


def _rederive(conn: Connection, sid: int, touched: Sequence[Statement]) -> None:
    """Everything that depends on the rest of the series, after `touched` statements (their
    old and new states) changed: recalls of their values, the walk, stories, latest."""
    positions = [s.sort_key for s in touched]
    for value in {s.value for s in touched}:
        positions += _recalls(conn, sid, value, sorted(
            {s.claim_id for s in touched if s.value == value and s.recalled}))
    # one walk from each moved position that an earlier walk did not pass: a recall dated in
    # the past and a direct figure at the end (one article) are two short walks, not one
    # walk over everything stated in between
    reached: tuple[datetime, datetime, int] | None = None
    for start in sorted(set(positions)):
        if reached is None or start > reached:
            reached = _walk(conn, sid, start, start)
            if reached is _END:
                break
    for value, story in {(s.value, s.story_key) for s in touched}:
        _story(conn, sid, value, story)
    conn.execute(_SET_LATEST, {"sid": sid})


def _recalls(conn: Connection, sid: int, value: int,
             touched: Sequence[int]) -> list[tuple[datetime, datetime, int]]:
    """Re-decide which recalls of `value` are points (`touched`: the ids of the recalls whose
    own facts changed); returns the positions that flipped."""
    rows = list(conn.execute(_RECALL_CANDIDATES, {"sid": sid, "value": value,
                                                  "ids": list(touched)}))
    if not rows:
        return []
    first = rows[0].first_direct
    flipped = [s for s in map(_statement, rows) if model.recall_is_point(s, first) != s.point]
    if flipped:
        conn.execute(_UPDATE_POINT, [{"k_claim": s.claim_id, "b_point": not s.point}
                                     for s in flipped])
    return [s.sort_key for s in flipped]


_END = (datetime.max.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC), 0)
"""Where a walk that ran to the end of its series stopped."""


def _walk(conn: Connection, sid: int, start: tuple[datetime, datetime, int],
          last_moved: tuple[datetime, datetime, int]) -> tuple[datetime, datetime, int]:
    """Recompute previous value and kind from `start` on, until past `last_moved` a point
    comes out unchanged (from there on every row sees the same previous point as before);
    returns the position of that point (`_END` when the walk ran to the series' end)."""
    prev = conn.scalar(_PREV_POINT, {"sid": sid, **_at(start)})
    now = utcnow()
    cursor, inclusive = start, True
    updates: list[dict[str, Any]] = []
    try:
        while True:
            batch = [_statement(r) for r in conn.execute(_FROM[inclusive],
                                                         {"sid": sid, **_at(cursor)})]
            for s in batch:
                before = (s.through_recall, s.previous_value, s.kind)
                s.previous_value, s.kind = model.step(s, prev)
                s.through_recall = s.point and s.recalled
                unchanged = before == (s.through_recall, s.previous_value, s.kind)
                if not unchanged:
                    if s.kind is None:
                        detected = None
                    elif (before[2], before[1]) != (s.kind, s.previous_value):
                        detected = now
                    else:
                        detected = conn.scalar(select(_st.c.detected_at).where(
                            _st.c.claim_id == s.claim_id))
                    updates.append({"k_claim": s.claim_id, "b_through": s.through_recall,
                                    "b_previous": s.previous_value, "b_kind": s.kind,
                                    "b_detected": detected})
                if s.point:
                    prev = s.value
                    if unchanged and s.sort_key > last_moved:
                        return s.sort_key
            if len(batch) < WALK_BATCH:
                return _END
            cursor, inclusive = batch[-1].sort_key, False
    finally:
        if updates:
            conn.execute(_UPDATE_DERIVED, updates)


def _story(conn: Connection, sid: int, value: int, story: int) -> None:
    key = {"k_sid": sid, "k_value": value, "k_story": story}
    first, stored = conn.execute(_STORY_STATE, key).one()
    if first is None and stored is None:
        return
    if first is not None and stored is not None:
        if stored != first:
            conn.execute(_VS_UPDATE, {**key, "k_first": first})
        return
    if first is None:
        conn.execute(_VS_DELETE, key)
        conn.execute(_V_ADD, {**key, "k_n": -1})
        conn.execute(_V_DROP_EMPTY, key)
    else:
        conn.execute(_VS_INSERT, {**key, "k_first": first})
        if conn.execute(_V_ADD, {**key, "k_n": 1}).rowcount == 0:
            conn.execute(_V_INSERT, {**key, "k_n": 1})


def refresh_story(db: Session | Connection, story_id: int) -> set[int]:
    """`refresh_article` for every article of a story (after claimants were lent or withdrawn
    across its copies)."""
    conn = _conn(db)
    changed: set[int] = set()
    for article_id in conn.scalars(select(Article.id).where(Article.story_id == story_id)):
        changed |= refresh_article(conn, article_id)
    return changed


# -- from scratch ----------------------------------------------------------------------------


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
    for table in (_st, _vs, _values):  # all first: a claim may move between these series
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
    for table in (_st, _vs, _values):
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

