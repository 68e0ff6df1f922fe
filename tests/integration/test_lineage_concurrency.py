"""Two writers storing the first figure of one series at once (two fetch threads, or two
workers on one PostgreSQL): the second waits for the first and gets the same series, instead
of failing on the unique key (which failed the whole poll and backed its feed off)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from worker.store.db import make_engine, upgrade
from worker.store.lineage import series_ids
from worker.store.models import FigureSeries

KEY = ("KP", "casualties", "KR-NIS")


@pytest.mark.postgres
def test_a_new_series_created_by_two_writers_at_once(pg_url: str) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    first_has_it = threading.Event()
    may_commit = threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with engine.begin() as conn:
                ids["first"] = series_ids(conn, [KEY])[KEY]
                first_has_it.set()
                may_commit.wait(10)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            first_has_it.set()

    def second() -> None:
        try:
            with engine.begin() as conn:  # blocks on the first's uncommitted row
                ids["second"] = series_ids(conn, [KEY])[KEY]
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t1 = threading.Thread(target=first)
    t1.start()
    assert first_has_it.wait(10)
    t2 = threading.Thread(target=second)
    t2.start()
    t2.join(0.5)
    assert t2.is_alive(), "the second writer should wait for the first one's row"
    may_commit.set()
    t1.join(10)
    t2.join(10)
    assert not errors, errors
    assert ids["first"] == ids["second"]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(FigureSeries)) == 1
    engine.dispose()
