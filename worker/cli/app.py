"""The `worker` command: the parser, built from the command modules listed in `GROUPS`, and
`main`, which turns domain errors into one-line messages and exit codes.

Every option with a setting behind it can also come from the environment (`WORKER_*`, see
worker.config) or `config/worker.toml`; the command line wins.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from worker.cli import (
    alerts,
    announcements,
    articles,
    claims,
    daemon,
    datasette,
    db,
    export,
    extract,
    feeds,
    figures,
    info,
    output,
    reanalyse,
    replay,
    report,
)
from worker.cli.command import Handler, global_options
from worker.cli.output import err
from worker.config import load_settings
from worker.errors import WorkerError

# Every command module, in the order of `worker --help`; each has `register(sub)`.
GROUPS = (info, db, replay, reanalyse, figures, articles, extract, export, claims, daemon,
          feeds, report, datasette, announcements, alerts)


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="worker",
        description="Ingest news on North Korean troops in Russia's war and track the figures.",
        epilog="Every setting can also come from config/worker.toml or WORKER_SECTION_KEY "
               "environment variables; see README.md.",
    )
    global_options(p)
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return p


def _tolerant_streams() -> None:
    """An output encoding that cannot spell every character (PYTHONIOENCODING=ascii, a C
    locale) replaces what it cannot write instead of ending the command with a traceback;
    JSON is then written with ASCII escapes (see output.print_json)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        overrides = {"database.url": args.database_url}
        settings = load_settings(args.config, overrides=overrides)
        from worker import logs

        logs.setup(settings.log, verbose=args.verbose)
        output.options.wide = bool(getattr(args, "wide", False))
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
