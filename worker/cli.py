"""The `worker` command: turns domain errors into one-line messages and exit codes, prints rich
tables for people and complete JSON for scripts (`--json` on every query command).

Every option with a setting behind it can also come from the environment (`WORKER_*`, see
worker.config) or `config/worker.toml`; the command line wins.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from worker.config import Settings, load_settings
from worker.errors import WorkerError


def _width() -> int | None:
    """Full terminal width on a terminal; otherwise $COLUMNS or a wide default, so piped
    tables are not squeezed to 80 columns."""
    if sys.stdout.isatty():
        return None
    try:
        return int(os.environ.get("COLUMNS", "160"))
    except ValueError:
        return 160


class LazyConsole:
    """A rich Console made on first use: `worker --help` and commands that print little do
    not pay for importing rich. Colours follow rich's rules: none when the stream is not a
    terminal, none with NO_COLOR set."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = (Console(stderr=True) if self._stderr
                             else Console(soft_wrap=False, width=_width()))
        return getattr(self._console, name)


out: Any = LazyConsole(stderr=False)
err: Any = LazyConsole(stderr=True)

Handler = Callable[[argparse.Namespace, Settings], int]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


class _Version(argparse.Action):
    """`worker --version`: the installed distribution's version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("dprk-ru-news-worker")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown"
        sys.stdout.write(f"worker {number}\n")
        parser.exit()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          *, wrap: Sequence[str] = ()) -> None:
    from rich.table import Table

    t = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        t.add_column(col, overflow="fold" if col in wrap else "ellipsis",
                     no_wrap=col not in wrap, max_width=60 if col in wrap else None)
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    out.print(t)


# -- database access ---------------------------------------------------------------------

def open_store(settings: Settings) -> Any:
    """Engine + migrated schema + session factory for a command that needs the database."""
    from worker.store.db import make_engine, session_factory, upgrade_if_behind

    source = "WORKER_DATABASE_URL" if os.environ.get("WORKER_DATABASE_URL") else (
        f"{settings.source}: [database] url")
    engine = make_engine(settings.database.url, echo=settings.database.echo, source=source)
    upgrade_if_behind(engine)
    return engine, session_factory(engine)


# -- commands ----------------------------------------------------------------------------

def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.db import make_engine, upgrade

    source = "WORKER_DATABASE_URL" if os.environ.get("WORKER_DATABASE_URL") else (
        f"{settings.source}: [database] url")
    engine = make_engine(settings.database.url, echo=settings.database.echo, source=source)
    upgrade(engine)
    out.print(f"database at {engine.url.render_as_string()} is at the latest schema")
    return 0


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from worker.datafiles import check_data_files
    from worker.pipeline import CoreConfig
    from worker.replay import replay
    from worker.store.db import require_writable
    from worker.store.writer import Store

    check_data_files(settings)
    engine, factory = open_store(settings)
    require_writable(engine)
    store = Store(engine, settings.dedupe, worker_id=settings.daemon.worker_id or None)
    core = CoreConfig.from_settings(settings)
    processes = settings.pipeline.processes or os.cpu_count() or 1
    missing = [p for p in args.paths if not p.exists()]
    for p in missing:
        err.print(f"[red]error[/red]: {p}: no such file or directory")
    paths = [p for p in args.paths if p.exists()]
    show = not args.json and err.is_terminal
    with Progress(TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=not show, transient=True) as bar:
        task = bar.add_task("replay", total=None)
        summary = replay(paths, store, core, processes=processes,
                         window=settings.pipeline.queue_size,
                         progress=lambda done, total: bar.update(task, completed=done,
                                                                 total=total))
    from worker.alerts import after_ingest

    after_ingest(factory, settings)
    summary.errors += len(missing)
    summary.failed.extend({"file": str(p), "error": "no such file or directory"}
                          for p in missing)
    if args.json:
        print_json(summary.as_dict())
    else:
        for f in summary.failed:
            err.print(f"[red]error[/red]: {f['error']}")
        d = summary.as_dict()
        out.print(", ".join(f"{k} {d[k]}" for k in ("files", "new", "duplicates", "revised",
                                                       "irrelevant", "unreadable", "figures",
                                                       "errors")))
    if summary.stopped:
        err.print(f"worker: error: {summary.stopped}", markup=False, highlight=False)
        return 2
    return 1 if summary.errors and summary.errors == summary.files else 0


# -- argument parsing --------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="worker",
        description="Ingest news on North Korean troops in Russia's war and track the figures.",
        epilog="Every setting can also come from config/worker.toml or WORKER_SECTION_KEY "
               "environment variables; see README.md.",
    )
    p.add_argument("--config", help="settings file (env WORKER_CONFIG; default "
                   "config/worker.toml)")
    p.add_argument("--database-url", help="database URL (env WORKER_DATABASE_URL)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_: str, example: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_,
                            epilog=f"example: {example}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.set_defaults(handler=handler)
        return sp

    db = add("db", cmd_db_upgrade, "database maintenance", "worker db upgrade")
    db.add_argument("action", choices=["upgrade"])

    sp = add("replay", cmd_replay, "ingest fixture files and directories as if from a feed",
             "worker replay seeds/ --json")
    sp.add_argument("paths", nargs="+", type=Path)
    sp.add_argument("--json", action="store_true", help="print a JSON summary")

    from worker import (  # they use helpers here
        cli_alerts,
        cli_daemon,
        cli_feeds,
        cli_query,
        cli_report,
    )

    cli_query.register(sub, add)
    cli_daemon.register(sub, add)
    cli_feeds.register(sub, add)
    cli_report.register(sub, add)
    cli_alerts.register(sub, add)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        overrides = {"database.url": args.database_url}
        settings = load_settings(args.config, overrides=overrides)
        from worker import logs

        logs.setup(settings.log, verbose=args.verbose)
        handler: Handler = args.handler
        return handler(args, settings)
    except WorkerError as exc:
        err.print(f"worker: error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return exc.exit_code
    except Exception as exc:  # the database failed mid-command: one line, exit 2
        if "sqlalchemy" not in sys.modules:  # loaded only by commands that use a database
            raise
        from sqlalchemy.exc import SQLAlchemyError

        from worker.store.db import database_failure

        if not isinstance(exc, SQLAlchemyError):
            raise
        failure = database_failure(exc)
        err.print(f"worker: error: {failure}", markup=False, highlight=False)
        return failure.exit_code
    except KeyboardInterrupt:
        err.print("worker: interrupted")
        return 130
    except BrokenPipeError:
        return 0
