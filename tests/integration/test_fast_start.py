"""Fast start: a database at the packaged head is not migrated again (one query instead of
loading Alembic), one that is behind is; `worker --help` loads neither SQLAlchemy nor rich, and
a query command loads no Alembic, no trafilatura, no MinHash machinery and (`figures`,
`changes`, `feeds list/add/remove`) neither the ORM nor the mapped classes."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory
from sqlalchemy import text

from tests.helpers.cli import worker_env
from worker.store.db import (
    alembic_config,
    current_revision,
    make_engine,
    packaged_head,
    upgrade,
    upgrade_if_behind,
)


def test_packaged_head_is_the_head_alembic_finds(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert packaged_head() == script.get_current_head()
    engine.dispose()


def test_a_database_behind_is_upgraded_one_at_head_is_left_alone(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    upgrade_if_behind(engine)
    assert current_revision(engine) == packaged_head()
    with engine.begin() as conn:  # a marker Alembic would not keep: proves nothing re-ran
        conn.execute(text("CREATE TABLE untouched_marker (x INTEGER)"))
    upgrade_if_behind(engine)
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM untouched_marker"))
    engine.dispose()


PROBE = """
import sys
from worker.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("alembic", "trafilatura", "datasketch", "plotly", "pyarrow",
                           "sqlalchemy", "sqlalchemy.orm", "worker.store.models", "rich")
               if m in sys.modules)
print("LOADED", ",".join(heavy))
"""


def _loaded(args: list[str], db_url: str) -> set[str]:
    res = subprocess.run([sys.executable, "-c", PROBE, *args], env=worker_env(db_url),
                         capture_output=True, text=True, timeout=120, check=False)
    line = [ln for ln in res.stdout.splitlines() if ln.startswith("LOADED")]
    assert line, res.stderr
    return set(filter(None, line[-1].split(" ", 1)[1].split(",")))


def test_query_commands_load_no_heavy_modules(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    engine.dispose()
    for args in (["figures"], ["figures", "--subject", "kp"], ["changes"], ["feeds", "list"],
                 ["feeds", "add", "https://example.org/f.xml"],
                 ["feeds", "remove", "https://example.org/f.xml"]):
        loaded = _loaded(args, sqlite_url)
        assert not loaded & {"alembic", "trafilatura", "datasketch", "plotly", "pyarrow"}, args
        # the Core tables only: neither the ORM nor the mapped classes (worker.store.tables)
        assert not loaded & {"sqlalchemy.orm", "worker.store.models"}, args
        assert "sqlalchemy" in loaded  # the probe sees what a command loads


def test_help_loads_neither_sqlalchemy_nor_rich(sqlite_url: str) -> None:
    res = subprocess.run([sys.executable, "-c", "import sys\nfrom worker.cli import "
                          "build_parser\nbuild_parser()\nprint(sorted(m for m in ('sqlalchemy', "
                          "'rich', 'alembic') if m in sys.modules))"],
                         env=worker_env(sqlite_url), capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


def test_migrated_views_are_the_views_of_their_migrations(sqlite_url: str) -> None:
    """Migrations hold their own SQL: the views in a migrated database are those of the
    latest migration that made each (the figure views: `lineage`; `announcements`:
    `utc_views`)."""
    from importlib import import_module

    lineage = import_module("worker.migrations.versions.0007_lineage")
    utc_views = import_module("worker.migrations.versions.0008_utc_views")
    VIEWS = {**lineage.views_sql("sqlite"), **utc_views.views_sql("sqlite")}  # noqa: N806
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with engine.connect() as conn:
        stored = dict(conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'view'")).all())
    engine.dispose()
    assert set(stored) == set(VIEWS)
    for name, sql in VIEWS.items():
        assert " ".join(stored[name].split()) == " ".join(sql.split()), (
            f"view {name} differs from its migration; add a revision that recreates it")
