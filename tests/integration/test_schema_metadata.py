"""The Core tables (worker.store.tables) are the schema the migrations build: Alembic's
autogenerate finds nothing to change between a database migrated to the head and the metadata,
on SQLite and PostgreSQL, and the ORM classes are mapped onto exactly those tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from worker.store import models, tables
from worker.store.db import make_engine, upgrade


def test_a_migrated_database_matches_the_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, tables.metadata)
    engine.dispose()
    assert diff == []


def test_every_model_is_mapped_onto_its_core_table() -> None:
    assert models.Base.metadata is tables.metadata
    mapped = {cls.__table__.name: cls for cls in models.Base.registry._class_registry.values()
              if isinstance(cls, type) and hasattr(cls, "__table__")}
    assert set(mapped) == set(tables.metadata.tables)
    for name, cls in mapped.items():
        assert cls.__table__ is getattr(tables, name)
        assert cls.__tablename__ == name
        # every column is typed on the class (Mapped[...]) and maps to itself
        assert set(cls.__annotations__) == set(cls.__table__.columns.keys()), name
