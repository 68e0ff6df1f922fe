"""Alembic environment: the metadata comes from worker.store.models, the connection from the
worker (worker.store.db.upgrade), so migrations always run against the configured database."""

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
    engine = config.attributes["engine"]
    with engine.begin() as conn:
        _run(conn)
