"""Engines, sessions and migrations. SQLite gets WAL, foreign keys and a busy timeout (so a
second process waits instead of failing with "database is locked"); PostgreSQL is used as is.

A command starts with `upgrade_if_behind`: one query reads the schema's revision and compares it
with the head of the packaged migrations, found by reading their `revision`/`down_revision`
lines; only a database that is behind (or a migration directory it cannot read that way) pays
for loading Alembic, about a second of a short command's start. A new, empty SQLite file is
given the schema from a cached dump of the last one migrated by the same code (see
`_restore_schema`), so `worker replay` into a new file does not pay for the migrations either."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from worker.errors import ConfigError, DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 60_000
MIGRATIONS = "worker:migrations"  # packaged with the code (package:directory form)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own implicit BEGIN is switched off; _sqlite_begin emits ours.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Switching a new file to WAL needs a moment with no other writer; a second process that
    # opens the file while the first creates it waits for that moment instead of failing.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock at BEGIN: a reader that later writes would otherwise fail with
    # "database is locked" instead of waiting for the busy timeout.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False, source: str = "[database] url",
                create_dir: bool = False) -> Engine:
    """Create an engine and check that the database answers; a bad URL is a ConfigError, and
    so is a SQLite file whose directory does not exist (unless `create_dir`: the default
    location)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"{source}: not a database URL: {url!r}") from None
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith(
                "file:"):
            parent = Path(parsed.database).parent
            if create_dir:
                parent.mkdir(parents=True, exist_ok=True)
            elif not parent.is_dir():
                raise ConfigError(f"{source}: no such directory for the SQLite file: {parent}")
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            # keepalives and a TCP user timeout: a connection whose server vanished without
            # a reset (a cut link, a proxy gone quiet) fails within ~30 s instead of hanging
            # a poll thread, or the scheduler's tick, for good
            engine = create_engine(parsed, echo=echo, pool_pre_ping=True,
                                   connect_args={"connect_timeout": 10, "keepalives": 1,
                                                 "keepalives_idle": 10,
                                                 "keepalives_interval": 5,
                                                 "keepalives_count": 3,
                                                 "tcp_user_timeout": 30_000})
        except (ImportError, SQLAlchemyError) as exc:
            raise ConfigError(f"{source}: cannot use {url!r}: {exc}") from None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, SQLAlchemyError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ConfigError(
            f"{source}: database unreachable at {parsed.render_as_string()}: {reason}"
        ) from None
    return engine


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations (idempotent; concurrent workers serialise on a lock)."""
    from alembic import command

    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(727272)"))
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            _fill_lineage(conn)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"migration failed: {exc}") from exc


def _fill_lineage(conn: Connection) -> None:
    """Derive the figure series of the stored claims once the lineage tables exist but are
    empty (a database that the `lineage` migration has just reached)."""
    from sqlalchemy import inspect

    from worker.store import lineage_rebuild

    if inspect(conn).has_table("figure_statements") and lineage_rebuild.needs_rebuild(conn):
        lineage_rebuild.rebuild_all(conn)


_REVISION = re.compile(r"^(down_)?revision\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def packaged_head() -> str | None:
    """The head revision of the packaged migrations, read from their source text; None when
    that is not one clear head (then Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for entry in files("worker.migrations").joinpath("versions").iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("_"):
            continue
        found = {bool(m.group(1)): m.group(2) for m in _REVISION.finditer(entry.read_text())}
        rev, down = found.get(False), found.get(True)
        if rev is None or down is None:
            return None
        literal = re.fullmatch(r"""['"]([^'"]+)['"]""", rev)
        if literal is None:
            return None
        revisions.add(literal.group(1))
        if down != "None":
            parent = re.fullmatch(r"""['"]([^'"]+)['"]""", down)
            if parent is None:
                return None  # a merge revision (a tuple): let Alembic work it out
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision (alembic_version), None for a new database."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def upgrade_if_behind(engine: Engine, *, schema_cache: Path | None = None) -> str:
    """Migrate only when the database is not at the packaged head (the cheap check first).
    A new, empty SQLite file gets the schema the migrations made the last time, when a copy
    for these migrations is cached (see `_restore_schema`). Returns what was done:
    "current", "cached" or "migrated"."""
    head = packaged_head()
    current = current_revision(engine) if head is not None else None
    if head is not None and current == head:
        return "current"
    fresh = head is not None and current is None and _empty_sqlite(engine)
    cache = (schema_cache or _schema_cache_dir()) / f"sqlite-{_schema_key(head)}.sql" \
        if fresh and head is not None else None
    if cache is not None and _restore_schema(engine, cache):
        return "cached"
    upgrade(engine)
    if cache is not None:
        _save_schema(engine, cache)
    return "migrated"


# A new SQLite file's schema from a cache. Running the migrations on an empty file costs about
# 0.2 s of CPU and Alembic's import: a fifth of `worker replay`'s start. What they produce on
# an empty file depends only on the migration scripts, the store's code they use (models,
# views, lineage) and SQLite, so the dump of the result (sqlite3's iterdump: tables, indexes,
# views, triggers and their rows) is kept under a key hashing all of these, in the user's
# cache directory; any change to them is a new key, hence one more real migration run.
# tests/integration/test_schema_cache.py checks that the restored file is the migrated one.


def _empty_sqlite(engine: Engine) -> bool:
    if engine.dialect.name != "sqlite":
        return False
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar() == 0
    except SQLAlchemyError:
        return False


def _schema_cache_dir() -> Path:
    from platformdirs import user_cache_path

    from worker.dblocation import APP_NAME

    return user_cache_path(APP_NAME)


def _schema_sources() -> list[tuple[str, Any]]:
    """(name, file) of every Python source the schema of a new file depends on: the
    migrations (versions/ included) and the whole store, its subpackages (tables, models)
    included."""
    found: list[tuple[str, Any]] = []

    def walk(name: str, folder: Any) -> None:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir() and entry.name != "__pycache__":
                walk(f"{name}/{entry.name}", entry)
            elif entry.name.endswith(".py"):
                found.append((f"{name}/{entry.name}", entry))

    for package in ("worker.migrations", "worker.store"):
        walk(package, files(package))
    return found


def _schema_key(head: str) -> str:
    import hashlib

    digest = hashlib.sha256(f"{head}\0{sqlite3.sqlite_version}\0".encode())
    for name, entry in _schema_sources():
        digest.update(f"{name}\0".encode())
        digest.update(entry.read_bytes())
    return digest.hexdigest()[:32]


def _restore_schema(engine: Engine, cache: Path) -> bool:
    """The cached dump replayed into the empty file, in one transaction; False (and the file
    left empty) when there is no usable dump or the file is no longer empty."""
    try:
        statements = cache.read_text(encoding="utf-8").split("\0")
    except (OSError, UnicodeDecodeError):
        return False
    if len(statements) < 2 or statements[-1] != "-- end" or not _schema_only(statements):
        return False
    try:
        with engine.begin() as conn:  # BEGIN IMMEDIATE: a second writer waits here
            if conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar() != 0:
                raise _NotEmpty
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for statement in statements[:-1]:
                cursor.execute(statement)
            cursor.close()
    except (_NotEmpty, SQLAlchemyError, sqlite3.Error):
        return False
    return True


class _NotEmpty(Exception):
    pass


def _schema_only(statements: list[str]) -> bool:
    """Whether a dump holds the schema and nothing else: the migrations write no rows but the
    Alembic revision, so a row of any other table was written by another connection (a
    daemon's threads, a second process) after the migration and before the dump, and must
    never reach the next new file."""
    return not any(
        st.startswith("INSERT INTO") and not st.startswith('INSERT INTO "alembic_version"')
        for st in statements
    )


def _save_schema(engine: Engine, cache: Path) -> None:
    """The dump of the freshly migrated file, written atomically (a failure only means no
    cache)."""
    try:
        raw = engine.raw_connection()
        try:
            dump = [line for line in raw.driver_connection.iterdump()  # type: ignore[union-attr]
                    if line not in ("BEGIN TRANSACTION;", "COMMIT;")]
        finally:
            raw.close()
        if not _schema_only(dump):
            return  # another connection wrote rows between the migration and the dump
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text("\0".join([*dump, "-- end"]), encoding="utf-8")
        os.replace(partial, cache)
    except (OSError, SQLAlchemyError, sqlite3.Error):
        return


def engine_of(factory: sessionmaker[Session]) -> Engine:
    """The engine a session factory is bound to (the writer works on Core connections)."""
    engine = factory.kw.get("bind")
    if not isinstance(engine, Engine):
        raise TypeError("a sessionmaker bound to an Engine is needed")
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker  # the ORM: not for the short Core-only commands

    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def require_writable(engine: Engine) -> None:
    """Fail with one line, before any work, when the database cannot be written (a read-only
    file or mount, a read-only PostgreSQL transaction or standby): a writer command must not
    report "none due" or half a replay. The probe rewrites one row to itself and rolls back."""
    try:
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
            finally:
                trans.rollback()
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None


def database_failure(exc: SQLAlchemyError) -> DatabaseError:
    """A database error as one line saying what is wrong (exit code 2)."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    low = reason.lower()
    if "readonly" in low or "read-only" in low or "read only" in low:
        return DatabaseError(f"the database is read-only: {reason}")
    if "disk is full" in low or "no space" in low or "disk i/o" in low or "file too large" \
            in low:
        return DatabaseError(f"the database cannot grow (disk full?): {reason}")
    return DatabaseError(f"database error: {reason}")
