"""A new SQLite file gets its schema from the cached dump of a migrated one: the same schema,
the same rows, and a real migration whenever the dump is missing, damaged or not for this code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from worker.config import DedupeSettings
from worker.pipeline import Analysis, Document
from worker.store import db
from worker.store.db import current_revision, make_engine, packaged_head, upgrade_if_behind
from worker.store.writer import Store


def _items(sql: str) -> str:
    """A CREATE statement with the parts of its outermost parentheses in sorted order: the
    migrations themselves write a rebuilt table's constraints in an order that varies from run
    to run (the columns' order is compared apart, through table_info)."""
    start = sql.find("(")
    if start < 0 or not sql.rstrip().endswith(")"):
        return sql
    body, depth = sql[start + 1:sql.rstrip().rfind(")")], 0
    item: list[str] = []
    items: list[str] = []
    for c in body:
        depth += (c == "(") - (c == ")")
        if c == "," and depth == 0:
            items.append("".join(item).strip())
            item = []
        else:
            item.append(c)
    items.append("".join(item).strip())
    return sql[:start + 1] + ", ".join(sorted(items)) + ")"


Schema = tuple[list[tuple[object, ...]], dict[str, list[tuple[object, ...]]], int]


def _schema(path: Path) -> Schema:
    """Every schema object with its SQL (parts sorted, see `_items`) and each table's columns
    in order, every table's rows, and the user_version pragma."""
    with sqlite3.connect(path) as conn:
        master = sorted(conn.execute(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"))
        objects: list[tuple[object, ...]] = []
        for kind, name, table, sql in master:
            columns = (tuple(conn.execute(f'PRAGMA table_info("{name}")'))
                       if kind == "table" else ())
            objects.append((kind, name, table, _items(sql), columns))
        rows = {name: sorted(conn.execute(f'SELECT * FROM "{name}"'), key=repr)
                for kind, name, _t, _s in master if kind == "table"}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    return objects, rows, version


def _fresh(tmp_path: Path, name: str, cache: Path) -> tuple[str, Path]:
    path = tmp_path / name
    engine = make_engine(f"sqlite:///{path}")
    done = upgrade_if_behind(engine, schema_cache=cache)
    assert current_revision(engine) == packaged_head()
    engine.dispose()
    return done, path


def test_a_new_file_from_the_cache_is_the_migrated_file(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, migrated = _fresh(tmp_path, "migrated.db", cache)
    assert first == "migrated"
    assert len(list(cache.glob("sqlite-*.sql"))) == 1
    second, restored = _fresh(tmp_path, "restored.db", cache)
    assert second == "cached"
    objects, rows, version = _schema(restored)
    assert (objects, rows, version) == _schema(migrated)
    assert {str(kind) for kind, *_ in objects} >= {"table", "index", "view"}
    assert rows["alembic_version"] == [(packaged_head(),)]


def test_a_file_from_the_cache_stores_an_article(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _fresh(tmp_path, "first.db", cache)
    done, path = _fresh(tmp_path, "second.db", cache)
    assert done == "cached"
    engine = make_engine(f"sqlite:///{path}")
    store = Store(engine, DedupeSettings())
    doc = Document(url="https://example.test/a", locator="a", text="Some text.")
    analysis = Analysis(text="Some text.", title="A", language="en", published=None,
                        relevant=False, relevance=0.0, fingerprint="f" * 64, signature=None)
    store.save(doc, analysis)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 1
    engine.dispose()


def test_a_damaged_or_partial_dump_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _fresh(tmp_path, "first.db", cache)
    dump = next(cache.glob("sqlite-*.sql"))
    good = dump.read_text(encoding="utf-8")
    assert good.endswith("\0-- end")
    reference = _schema(tmp_path / "first.db")
    for n, damaged in enumerate((good[: len(good) // 2],  # cut short: no end mark
                                 # fails late, after every table is made: all rolled back
                                 "CREATE INDEKS".join(good.rsplit("CREATE INDEX", 1)),
                                 "")):
        dump.write_text(damaged, encoding="utf-8")
        done, path = _fresh(tmp_path, f"damaged-{n}.db", cache)
        assert done == "migrated"
        assert _schema(path) == reference  # migrated for real, and the dump written again
        assert dump.read_text(encoding="utf-8").endswith("\0-- end")
    done, path = _fresh(tmp_path, "after.db", cache)
    assert done == "cached"
    assert _schema(path) == reference


def test_a_dump_holding_rows_is_neither_used_nor_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows written by another connection between the migration and the dump (a daemon's
    threads, a second process) must never reach a new file: such a dump is refused when it is
    read, and not written when it is taken."""
    cache = tmp_path / "cache"
    _fresh(tmp_path, "first.db", cache)
    dump = next(cache.glob("sqlite-*.sql"))
    good = dump.read_text(encoding="utf-8")
    poisoned = good.replace("\0-- end", "\0INSERT INTO \"feeds\" (url) VALUES('x');\0-- end")
    dump.write_text(poisoned, encoding="utf-8")
    done, path = _fresh(tmp_path, "second.db", cache)
    assert done == "migrated"
    assert _schema(path)[1]["feeds"] == []
    assert "INSERT INTO \"feeds\"" not in dump.read_text(encoding="utf-8")  # written clean

    real = db.upgrade

    def upgrade_then_a_writer(engine: Engine) -> None:
        real(engine)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
            conn.execute(text("INSERT INTO scratch VALUES (1)"))

    monkeypatch.setattr(db, "upgrade", upgrade_then_a_writer)
    other = tmp_path / "other-cache"
    done, _path = _fresh(tmp_path, "third.db", other)
    assert done == "migrated"
    assert not list(other.glob("sqlite-*.sql"))


def test_a_file_that_is_not_empty_is_migrated_not_restored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _fresh(tmp_path, "first.db", cache)
    path = tmp_path / "mine.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE my_own (x INTEGER)")
    engine = make_engine(f"sqlite:///{path}")
    assert upgrade_if_behind(engine, schema_cache=cache) == "migrated"
    engine.dispose()
    objects, _rows, _v = _schema(path)
    assert [o[:3] for o in objects if o[1] == "my_own"] == [("table", "my_own", "my_own")]


def test_the_cache_key_covers_every_source_of_the_store_and_the_migrations() -> None:
    """A change to any module the schema comes from (a table in worker/store/tables/, a
    migration) must be a new key, or a new file would get a stale schema."""
    from worker.store.db import _schema_sources

    package = Path(__file__).resolve().parents[2] / "worker"
    expected = {p.relative_to(package.parent).as_posix()
                for folder in ("store", "migrations") for p in (package / folder).rglob("*.py")
                if "__pycache__" not in p.parts}
    named = {name.replace("worker.store", "worker/store").replace(
        "worker.migrations", "worker/migrations") for name, _ in _schema_sources()}
    assert expected <= named
    assert any(n.startswith("worker/store/tables/") for n in named)
