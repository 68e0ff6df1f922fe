"""`worker datasette-metadata`: Datasette's metadata.json for the database in use (see
worker.datasette), on standard output."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from worker.cli.command import add_command, open_store
from worker.cli.output import err, print_json
from worker.config import Settings


def cmd_datasette_metadata(args: argparse.Namespace, settings: Settings) -> int:
    from worker import datasette
    from worker.store.schema import relations

    engine, _ = open_store(settings)
    found = relations(engine)
    name = args.name
    if name is None:  # Datasette names a database after its file's stem
        path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        name = Path(path).stem if path and path != ":memory:" else "worker"
    spec = datasette.load()
    for relation, columns in datasette.undescribed(spec, found).items():
        err.print(f"worker: warning: {relation}: no description for {', '.join(columns)}",
                  markup=False, highlight=False)
    print_json(datasette.metadata(spec, found, database=name))
    return 0


def register(sub: Any) -> None:
    sp = add_command(sub, "datasette-metadata", cmd_datasette_metadata,
                     "print Datasette metadata (title, source, every view and column "
                     "described, canned queries) for the database in use",
                     "worker datasette-metadata > metadata.json && "
                     "datasette data/worker.db -m metadata.json")
    sp.add_argument("--name", help="the database's name in Datasette (default: the SQLite "
                    "file's name without .db)")
