"""What a command module needs to declare its commands: the handler type, `add_command`
(a sub-command with its help, example and the global options), argument types, and
`open_store` (the database a command reads or writes; `open_engine` for the short commands
that stay on the Core tables).

Each module of `worker.cli` has a `register(sub)` that calls `add_command` for its commands;
`worker.cli.app` lists the modules explicitly.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from worker.config import Settings
from worker.errors import UsageError

Handler = Callable[[argparse.Namespace, Settings], int]


def global_options(parser: argparse.ArgumentParser, *, after_command: bool = False) -> None:
    """The options every command accepts, before or after its name (`worker figures
    --database-url X`). After the command their default is "not given", so a value given
    before the command is not reset."""
    extra: dict[str, Any] = {"default": argparse.SUPPRESS} if after_command else {}
    parser.add_argument("--config", help="settings file (env WORKER_CONFIG; default "
                        "config/worker.toml)", **extra)
    parser.add_argument("--database-url", help="database URL (env WORKER_DATABASE_URL)",
                        **extra)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging",
                        **extra)


def _common_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    global_options(parent, after_command=True)
    return parent


COMMON = _common_parent()


def add_command(sub: Any, name: str, handler: Handler, help_: str, example: str,
                ) -> argparse.ArgumentParser:
    """A sub-command of `worker` (or of a command group such as `feeds`)."""
    sp: argparse.ArgumentParser = sub.add_parser(
        name, help=help_, description=help_, epilog=f"example: {example}" if example else None,
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=[COMMON])
    sp.set_defaults(handler=handler)
    return sp


def add_group(sub: Any, name: str, help_: str, example: str) -> Any:
    """A command group such as `feeds`: its actions are added to the returned object with
    `add_command`."""
    sp: argparse.ArgumentParser = sub.add_parser(
        name, help=help_, description=help_, epilog=f"example: {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=[COMMON])
    return sp.add_subparsers(dest="action", required=True, metavar="ACTION")


def check_output_path(path: Path | None, option: str = "--out") -> None:
    """Refuse, before any work, an output file that cannot be written: its directory missing,
    or the path a directory (a usage error, exit 2)."""
    if path is None or str(path) == "-":
        return
    if path.is_dir():
        raise UsageError(f"cannot write {path} ({option}): it is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path} ({option}): no such directory: {parent}")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write {path} ({option}): the directory is not writable")


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def database_source(settings: Settings) -> str:
    """Where the database URL came from, for an error message about it."""
    origin = settings.origins.get("database.url")
    if origin == "command line":
        return "--database-url"
    if origin is None or origin.startswith("default"):
        return f"the default database ({origin or 'built in'})"
    if origin.endswith("(environment)"):
        return origin.split(" ", 1)[0]
    return f"{origin}: [database] url"


def configured_feeds(settings: Settings) -> Any:
    """The FeedSpecs of the feeds file in use (`run` loads them into the database)."""
    from worker.feedlist import load_feed_specs

    return load_feed_specs(settings.data_file("feeds_file"), settings.feeds_base())


def open_engine(settings: Settings) -> Any:
    """The migrated database's engine, for a command that works on the Core tables
    (worker.store.tables) and must not pay for loading the ORM: `figures`, `changes`,
    `feeds add`, `list`, `import`, `remove`."""
    from worker.store.db import make_engine, upgrade_if_behind

    engine = make_engine(settings.database.url, echo=settings.database.echo,
                         source=database_source(settings),
                         create_dir=settings.database_is_default)
    upgrade_if_behind(engine)
    return engine


def open_store(settings: Settings) -> Any:
    """Engine + migrated schema + session factory for a command that needs the database."""
    from worker.store.db import session_factory

    engine = open_engine(settings)
    return engine, session_factory(engine)
