"""`worker db upgrade`: bring the database to the packaged schema."""

from __future__ import annotations

import argparse
from typing import Any

from worker.cli.command import add_command, database_source
from worker.cli.output import out
from worker.config import Settings


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.db import make_engine, upgrade

    engine = make_engine(settings.database.url, echo=settings.database.echo,
                         source=database_source(settings),
                         create_dir=settings.database_is_default)
    upgrade(engine)
    out.print(f"database at {engine.url.render_as_string()} is at the latest schema")
    return 0


def register(sub: Any) -> None:
    sp = add_command(sub, "db", cmd_db, "database maintenance", "worker db upgrade")
    sp.add_argument("action", choices=["upgrade"])
