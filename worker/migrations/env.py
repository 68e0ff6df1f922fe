"""Alembic environment: the metadata comes from worker.store.models, the connection from the
worker (worker.store.db.upgrade), so migrations always run against the configured database.
Run by the `alembic` command from a checkout (alembic.ini), it opens the database named by
the worker's settings (config file, WORKER_DATABASE_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from worker.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = config.attributes.get("engine")
    if engine is None:
        from worker.config import load_settings
        from worker.store.db import make_engine

        settings = load_settings()
        engine = make_engine(settings.database.url, create_dir=settings.database_is_default)
    with engine.begin() as conn:
        _run(conn)
