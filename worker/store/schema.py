"""What the database holds: its tables and views with their columns, read by SQLAlchemy's
inspector (for `worker datasette-metadata`)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect


def relations(engine: Engine) -> dict[str, tuple[str, list[str]]]:
    """name -> ("table" | "view", column names in order), Alembic's own table left out."""
    insp = inspect(engine)
    out: dict[str, tuple[str, list[str]]] = {}
    for kind, names in (("table", insp.get_table_names()), ("view", insp.get_view_names())):
        for name in names:
            if name != "alembic_version":
                out[name] = (kind, [c["name"] for c in insp.get_columns(name)])
    return out
