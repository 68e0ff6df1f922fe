"""`worker info`: which settings file, which database and which schema a command would use,
so that "where did my data go?" has one answer."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from worker.cli.command import add_command, database_source
from worker.cli.output import out, output_options, print_json
from worker.config import Settings
from worker.dblocation import sqlite_path


def describe(settings: Settings) -> dict[str, Any]:
    """The settings file, the database (URL, where it was set, file) and its schema state.
    A SQLite file that does not exist yet is reported, not created."""
    from sqlalchemy.engine import make_url

    from worker.figures import native
    from worker.store.db import current_revision, make_engine, packaged_head

    url = make_url(settings.database.url).render_as_string(hide_password=True)
    path = sqlite_path(settings.database.url)
    head = packaged_head()
    info: dict[str, Any] = {
        "settings_file": (str(Path(settings.source).resolve())
                          if settings.source != "defaults" else None),
        "database_url": url,
        "database_set_by": settings.origins.get("database.url", "default"),
        "database_file": path,
        "schema_version": None,
        "packaged_schema_version": head,
        "schema": "",
        "figures_extractor": _extractor(*native.status()),
    }
    if path is not None and not settings.database_is_default and not Path(path).parent.is_dir():
        info["schema"] = f"error: no such directory for the SQLite file: {Path(path).parent}"
        return info
    if path is not None and not Path(path).exists():
        info["schema"] = "no database yet: the first command that needs it creates it"
        return info
    engine = make_engine(settings.database.url, source=database_source(settings),
                         create_dir=settings.database_is_default)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    info["schema_version"] = current
    info["schema"] = ("empty: migrated by the next command" if current is None else
                      "up to date" if current == head else
                      f"behind the package ({head}): migrated by the next command")
    return info


def _extractor(compiled: bool, why: str) -> str:
    return why if compiled else f"Python source: {why}"


def cmd_info(args: argparse.Namespace, settings: Settings) -> int:
    info = describe(settings)
    if args.json:
        print_json(info)
        return 2 if info["schema"].startswith("error") else 0
    lines = [
        ("settings file", info["settings_file"] or "none (built-in defaults)"),
        ("database", info["database_url"]),
        ("  set by", info["database_set_by"]),
        ("schema", (f"{info['schema_version']} ({info['schema']})" if info["schema_version"]
                    else info["schema"])),
        ("extractor", info["figures_extractor"]),
    ]
    for label, value in lines:
        out.print(f"{label:<14}{value}", markup=False, highlight=False, soft_wrap=True)
    return 2 if info["schema"].startswith("error") else 0


def register(sub: Any) -> None:
    sp = add_command(sub, "info", cmd_info,
                     "the settings file, the database URL and the schema version in use",
                     "worker info --json")
    output_options(sp)
