"""Shared fixtures. Database tests run on SQLite (a real file) and on PostgreSQL (a fresh
database per test on 127.0.0.1:5432). Without PostgreSQL those tests skip with the reason,
except under CI=true, where an unreachable PostgreSQL is a failure."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from worker.config import Settings, load_settings
from worker.store.db import make_engine, session_factory, upgrade

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_b80b5a2a3a82875b.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
PG_ADMIN_URL = os.environ.get(
    "WORKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
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
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'worker.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(env={"WORKER_DATABASE_URL": db_url})


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings.database.url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


def worker_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_")}
    env.update({"WORKER_DATABASE_URL": db_url, "WORKER_LOG_FORMAT": "json",
                "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def run_worker(args: list[str], db_url: str, *, cwd: Path = ROOT, input_: str | None = None,
               timeout: float = 180, **extra: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (python -m worker)."""
    return subprocess.run(
        [sys.executable, "-m", "worker", *args], cwd=cwd, env=worker_env(db_url, **extra),
        input=input_, capture_output=True, text=True, timeout=timeout, check=False,
    )


def catches(pid: int, signum: int) -> bool:
    """Whether process `pid` has a handler installed for `signum` (Linux: SigCgt in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


def wait_catching(proc: subprocess.Popen[bytes] | subprocess.Popen[str], signum: int,
                  timeout: float = 30) -> None:
    """Wait until `proc` has run far enough to handle `signum` itself. Before that point the
    interpreter is still starting and the signal's default action applies, as for any program."""
    deadline = time.monotonic() + timeout
    while not catches(proc.pid, signum):
        if proc.poll() is not None:
            raise AssertionError(f"the process exited with {proc.returncode} before catching "
                                 f"signal {signum}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the process did not catch signal {signum} in {timeout} s")
        time.sleep(0.002)
