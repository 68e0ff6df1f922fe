"""Shared fixtures. Database tests run on SQLite (a real file) and on PostgreSQL (a fresh
database per test on 127.0.0.1:5432). Without PostgreSQL those tests skip with the reason,
except under CI=true, where an unreachable PostgreSQL is a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

# Helpers live in tests/helpers; these names stay importable from here for branches written
# before the move (a shim: new code imports tests.helpers).
from tests.helpers.cli import catches, run_worker, wait_catching, worker_env
from tests.helpers.paths import CORPUS, PG_ADMIN_URL, ROOT, SEED, SEEDS
from tests.helpers.reports import three_reports
from tests.helpers.server import LocalServer
from tests.helpers.settings import db_settings
from tests.helpers.world import World
from worker.config import Settings
from worker.store.db import make_engine, session_factory, upgrade

# Property tests check what the code returns, never how fast: Hypothesis's default 200 ms
# deadline per example turned a loaded machine into a failure (a prefilter test drawing from a
# large regex failed once at load 8 and passed on every rerun). Speed lives in benchmarks.
hypothesis_settings.register_profile("worker", deadline=None)
hypothesis_settings.load_profile("worker")

__all__ = ["CORPUS", "PG_ADMIN_URL", "ROOT", "SEED", "SEEDS", "catches", "require_postgres",
           "run_worker", "wait_catching", "worker_env"]


def _pg_unreachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
    return None


_PG_REASON = _pg_unreachable()


def require_postgres() -> None:
    if _PG_REASON is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {_PG_REASON}")
    pytest.skip(_PG_REASON)


@contextmanager
def _fresh_pg_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on exit."""
    require_postgres()
    name = f"worker_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with _fresh_pg_database() as url:
        yield url


@pytest.fixture
def twin_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the same engine as `db_url` (to compare two ways of storing
    the same input)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'twin.db'}"
        return
    with _fresh_pg_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'worker.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def settings(db_url: str) -> Settings:
    return db_settings(db_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings.database.url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    """A local server and a migrated database (SQLite and PostgreSQL) to run daemon cycles
    against (tests.helpers.world)."""
    with LocalServer() as srv:
        w = World(srv, db_url, tmp_path)
        yield w
        w.engine.dispose()


@pytest.fixture
def ids(factory: sessionmaker[Session]) -> dict[str, int]:
    """Three reports of the North Korean toll: KR-NIS 100, then 300 (with a part, 120 of
    them in Kursk), then 5,000 (another war's figure, wrongly read); their claims' ids."""
    return three_reports(factory)
