"""`worker.store.bulk.insert_rows` (COPY on PostgreSQL, prepared tuples on SQLite) stores
exactly what an `insert()` stores: the same text of every timestamp (aware, naive, other zone,
NULL), the same booleans and NULLs, and the columns' defaults for the columns left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

from sqlalchemy import String, Table, insert, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Engine

from worker.store.bulk import insert_rows
from worker.store.models import FigureSeries, FigureStatement, Story

_st = cast(Table, FigureStatement.__table__)


def _statement(claim_id: int, when: datetime, detected: datetime | None) -> dict[str, Any]:
    return {"claim_id": claim_id, "series_id": 1, "article_id": 7, "version_id": 9,
            "version_number": 2, "story_key": -7, "value": 2_000, "recalled": claim_id % 2 == 0,
            "refers_to": "2025-01" if claim_id % 3 else None, "stated_for": when,
            "reported_on": when + timedelta(microseconds=claim_id), "version_value": None,
            "corrected": True, "live": False, "point": claim_id % 2 == 1,
            "through_recall": False, "previous_value": 600, "kind": "article_revision",
            "detected_at": detected}


def _raw(engine: Engine, claim_id: int) -> tuple[Any, ...]:
    cols = [sql_cast(c, String) if c.name.endswith(("_for", "_on", "_at")) else c
            for c in _st.columns if c.name != "claim_id"]
    with engine.connect() as conn:
        return tuple(conn.execute(select(*cols).where(_st.c.claim_id == claim_id)).one())


def test_bulk_rows_are_stored_as_insert_stores_them(engine: Engine) -> None:
    times = [datetime(2025, 5, 2, 15, 0, tzinfo=UTC),
             datetime(2025, 5, 2, 17, 30, 12, 345678, tzinfo=timezone(timedelta(hours=2))),
             datetime(2024, 12, 31, 23, 59, 59, 999999),  # naive: taken as UTC
             datetime(2025, 1, 13, 6, 20, tzinfo=UTC)]
    with engine.begin() as conn:
        conn.execute(insert(FigureSeries), [{"id": 1, "key": "KP|killed|KR-NIS", "subject": "KP",
                                             "metric": "killed", "claimant": "KR-NIS"}])
        by_insert = [_statement(i, t, t if i % 2 else None) for i, t in enumerate(times, 1)]
        by_bulk = [_statement(i + 300, t, t if i % 2 else None)
                   for i, t in enumerate(times, 1)]
        conn.execute(insert(_st), by_insert)
        # batches of 2: the last one full (SQLite executed an empty batch without parameters)
        assert insert_rows(conn, _st, by_bulk, batch_size=2) == len(times)
        assert insert_rows(conn, _st, []) == 0
    for i in range(1, len(times) + 1):
        a, b = _raw(engine, i), _raw(engine, i + 300)
        # the same text but for the microsecond that tells them apart in reported_on
        names = [c.name for c in _st.columns if c.name != "claim_id"]
        differ = [n for n, x, y in zip(names, a, b, strict=True) if x != y]
        assert differ in ([], ["reported_on"]), (differ, a, b)
    with engine.connect() as conn:
        got = conn.execute(select(_st.c.claim_id, _st.c.reported_on, _st.c.recalled,
                                  _st.c.detected_at).order_by(_st.c.claim_id)).all()
    first, bulk = got[:len(times)], got[len(times):]
    assert [r[1:] for r in bulk] == [(r[1] + timedelta(microseconds=300), r[2], r[3])
                                     for r in first]


def test_columns_left_out_take_their_defaults(engine: Engine) -> None:
    with engine.begin() as conn:
        insert_rows(conn, cast(Table, Story.__table__), [{"id": 1}, {"id": 2}])
    with engine.connect() as conn:
        rows = conn.execute(select(Story.id, Story.created_at, Story.first_article_id)
                            .order_by(Story.id)).all()
    assert [r[0] for r in rows] == [1, 2]
    assert all(r[1] is not None and r[1].tzinfo is not None and r[2] is None for r in rows)
    assert abs(rows[0][1] - datetime.now(UTC)) < timedelta(minutes=5)
