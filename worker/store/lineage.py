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
- `lineage_rebuild.refresh_series(conn, keys)`: recomputes whole series from their claims
  (`lineage_rebuild.rebuild_all`: every series, after the migration that created the tables).
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
)
from sqlalchemy.orm import Session

from worker import series as model
from worker.series import SeriesClaim, Statement
from worker.store.lineage_sql import (
    _ARTICLE_CLAIMS,
    _ARTICLE_COPY,
    _ARTICLE_ROWS,
    _CHANGES_COPY,
    _CHANGES_DROP,
    _CLAIMS,
    _COLUMNS,
    _FROM,
    _INSERT_ST,
    _PREV_POINT,
    _RECALL_CANDIDATES,
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
)
from worker.store.models import (
    Article,
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
    written = set(gone)
    for sid in touched:  # one lock order for concurrent writers
        if _apply(conn, sid, old.get(sid, {}), new.get(sid, []), written):
            changed.add(sid)
    sync_changes(conn, written)
    return changed


def sync_changes(conn: Connection, claim_ids: Iterable[int]) -> None:
    """Copy these statements to figure_change_rows again (with their claims' fields) where
    they are changes, drop them from it where they are not (or are gone): after any write to
    their rows in figure_statements."""
    ids = sorted(claim_ids)
    for i in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        chunk = {"ids": ids[i:i + 500]}
        conn.execute(_CHANGES_DROP, chunk)
        conn.execute(_CHANGES_COPY, chunk)


def sync_article(conn: Connection, article_id: int) -> None:
    """Copy the article's fields (lineage_sql.ARTICLE_COPIES) to its rows of
    figure_change_rows again: after a write that set one of them, in its transaction (a new
    title or story link comes with no change of the statements, so no `sync_changes`)."""
    conn.execute(_ARTICLE_COPY, {"article": article_id})


def _at(key: tuple[datetime, datetime, int]) -> dict[str, Any]:
    return {"sf": key[0], "ro": key[1], "cid": key[2]}


def _apply(conn: Connection, sid: int, old: dict[int, Statement],
           new: Sequence[Statement], written: set[int]) -> bool:
    """Apply one series' part of an article; adds the claim ids of every statement row it
    writes to `written`."""
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
    written.update(s.claim_id for s in touched)
    _rederive(conn, sid, touched, written)
    return True


def _rederive(conn: Connection, sid: int, touched: Sequence[Statement],
              written: set[int]) -> None:
    """Everything that depends on the rest of the series, after `touched` statements (their
    old and new states) changed: recalls of their values, the walk, stories, latest."""
    positions = [s.sort_key for s in touched]
    for value in {s.value for s in touched}:
        positions += _recalls(conn, sid, value, sorted(
            {s.claim_id for s in touched if s.value == value and s.recalled}), written)
    # one walk from each moved position that an earlier walk did not pass: a recall dated in
    # the past and a direct figure at the end (one article) are two short walks, not one
    # walk over everything stated in between
    reached: tuple[datetime, datetime, int] | None = None
    for start in sorted(set(positions)):
        if reached is None or start > reached:
            reached = _walk(conn, sid, start, start, written)
            if reached is _END:
                break
    for value, story in {(s.value, s.story_key) for s in touched}:
        _story(conn, sid, value, story)
    conn.execute(_SET_LATEST, {"sid": sid})


def _recalls(conn: Connection, sid: int, value: int, touched: Sequence[int],
             written: set[int]) -> list[tuple[datetime, datetime, int]]:
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
        written.update(s.claim_id for s in flipped)
    return [s.sort_key for s in flipped]


_END = (datetime.max.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC), 0)
"""Where a walk that ran to the end of its series stopped."""


def _walk(conn: Connection, sid: int, start: tuple[datetime, datetime, int],
          last_moved: tuple[datetime, datetime, int],
          written: set[int]) -> tuple[datetime, datetime, int]:
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
            written.update(u["k_claim"] for u in updates)


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
