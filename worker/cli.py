"""The `worker` command: turns domain errors into one-line messages and exit codes, prints rich
tables for people and complete JSON for scripts (`--json` on every query command).

Every option with a setting behind it can also come from the environment (`WORKER_*`, see
worker.config) or `config/worker.toml`; the command line wins.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from worker.config import Settings, load_settings
from worker.errors import InputError, WorkerError


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
    from worker.pipeline import CoreConfig, Store
    from worker.replay import replay
    from worker.store.db import require_writable

    check_data_files(settings)
    engine, factory = open_store(settings)
    require_writable(engine)
    store = Store(factory, settings, worker_id=settings.daemon.worker_id or None)
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


def cmd_figures(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import latest_figures

    _, factory = open_store(settings)
    with factory() as session:
        rows = latest_figures(session, as_of=args.as_of, subject=args.subject)
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        print_json(rows)
        return 0
    title = "Latest figures" + (f" as known on {args.as_of}" if args.as_of else "")
    table(title, ["subject", "metric", "claimant", "value", "range", "qualifier", "claimed",
                  "stories", "outlet"],
          [(r["subject"], r["metric"], r["claimant"], f"{r['value']:,}", _range(r),
            r["qualifier"], str(r["claimed_at"])[:10], r["independent_stories"], r["outlet"])
           for r in rows])
    if not rows:
        err.print("no figures yet: run `worker replay seeds/` or `worker run --once`")
    return 0


def _range(r: dict[str, Any]) -> str:
    low, high = r.get("low"), r.get("high")
    if low == high:
        return ""
    return f"{'' if low is None else f'{low:,}'}–{'' if high is None else f'{high:,}'}"


def cmd_changes(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import CHANGE_COLUMNS, changes

    _, factory = open_store(settings)
    with factory() as session:
        rows = changes(session, subject=args.subject, metric=args.metric,
                       claimant=args.claimant, since=args.since, kind=args.kind,
                       limit=args.limit)
    rows = [{k: r[k] for k in CHANGE_COLUMNS} for r in rows]
    if args.json:
        print_json(rows)
    elif args.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(CHANGE_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        table("Figure changes", ["claimed", "subject", "metric", "claimant", "previous",
                                 "value", "qualifier", "kind", "stories", "outlet", "sentence"],
              [(str(r["claimed_at"])[:10], r["subject"], r["metric"], r["claimant"],
                "" if r["previous_value"] is None else f"{r['previous_value']:,}",
                f"{r['value']:,}", r["qualifier"], r["kind"], r["independent_stories"],
                r["outlet"], r["sentence"]) for r in rows], wrap=["sentence"])
    return 0


def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import article_history, articles

    _, factory = open_store(settings)
    with factory() as session:
        if args.action == "history":
            if not args.url:
                raise WorkerError("articles history needs a URL")
            history = article_history(session, args.url)
            if history is None:
                raise WorkerError(f"no stored article has the URL {args.url}")
            if args.json:
                print_json(history)
            else:
                _print_history(history)
            return 0
        rows = articles(session, limit=args.limit,
                        relevant=None if args.all else True)
    if args.json:
        print_json(rows)
    else:
        table("Articles", ["published", "lang", "outlet", "title", "versions", "figures",
                           "story", "status", "url"],
              [(str(r["published_at"])[:10], r["language"], r["outlet"], r["title"],
                r["versions"], r["figures"], r["story_id"], r["status"], r["url"])
               for r in rows], wrap=["title", "url"])
    return 0


def _print_history(h: dict[str, Any]) -> None:
    out.print(f"[bold]{h['title']}[/bold]\n{h['url']} ({h['outlet'] or 'unknown outlet'}, "
              f"status {h['status']})")
    for v in h["versions"]:
        out.print(f"\n[bold]version {v['number']}[/bold] fetched {v['fetched_at']}, "
                  f"{v['chars']} characters, {len(v['figures'])} figures")
        if v["diff"]:
            for line in v["diff"].splitlines():
                style = "green" if line.startswith("+") else "red" if line.startswith(
                    "-") else "dim"
                out.print(line, style=style, markup=False, highlight=False)
        figs = (v["changes"] or {}).get("figures") if v["changes"] else None
        if figs:
            for c in figs.get("changed", []):
                out.print(f"  figure changed: {c['subject']} {c['metric']} ({c['claimant']}): "
                          f"{c['from']} -> {c['to']}")
            for c in figs.get("added", []):
                out.print(f"  figure added: {c['subject']} {c['metric']} ({c['claimant']}): "
                          f"{c['values']}")
            for c in figs.get("removed", []):
                out.print(f"  figure removed: {c['subject']} {c['metric']} ({c['claimant']}): "
                          f"{c['values']}")
    for e in h["events"]:
        out.print(f"event: {e['kind']} at {e['at']}")


def cmd_stories(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import stories

    _, factory = open_store(settings)
    with factory() as session:
        rows = stories(session, min_copies=args.min_copies)
    if args.json:
        print_json(rows)
    else:
        table("Stories", ["story", "first published", "copies", "outlets", "title"],
              [(r["story_id"], str(r["first_published"])[:10], r["copies"],
                ", ".join(r["outlets"]), r["title"]) for r in rows], wrap=["title", "outlets"])
    return 0


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from worker.datafiles import check_data_files
    from worker.extract import analyse_one

    check_data_files(settings, ("boilerplate_file", "topics_file", "claimants_file"))
    if args.batch:
        for lineno, raw_line in enumerate(sys.stdin.buffer, 1):
            if not raw_line.strip():
                continue
            item: Any = None
            try:
                line = raw_line.decode("utf-8")  # JSON is UTF-8; a bad line is one error line
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise ValueError("not a JSON object")
                result = analyse_one(settings, text=item.get("text"), html=item.get("html"),
                                     language=item.get("lang"), item_id=item.get("id"))
            except (ValueError, WorkerError) as exc:  # the id, when the line had one, is kept
                result = {"id": item.get("id") if isinstance(item, dict) else None,
                          "line": lineno, "error": str(exc)}
            except Exception as exc:  # noqa: BLE001 - one bad input must not end the batch
                logging.getLogger(__name__).exception("extract --batch line %d failed", lineno)
                result = {"id": item.get("id") if isinstance(item, dict) else None,
                          "line": lineno, "error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return 0
    source = args.file
    try:
        data = sys.stdin.buffer.read() if source in (None, "-") else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    raw = _decoded(data)
    is_html = args.html or (source not in (None, "-") and
                            Path(source).suffix.lower() in (".html", ".htm"))
    result = analyse_one(settings, text=None if is_html else raw, html=raw if is_html else None,
                         language=args.lang, item_id=source)
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return 0
    out.print(f"language: {result['language']}   relevant: {result['relevant']} "
              f"(score {result['relevance']})")
    out.print(result["text"], markup=False, highlight=False)
    table("Figures", ["metric", "subject", "value", "range", "qualifier", "modality",
                      "claimant", "scope", "as printed"],
          [(c["metric"], c["subject"], f"{c['value']:,}", _range(c), c["qualifier"],
            c["modality"], c["claimant"], c["scope"], result["text"][c["start"]:c["end"]])
           for c in result["figures"]])
    return 0


def _decoded(data: bytes) -> str:
    """Input bytes as text: UTF-8, else the charset declared or detected (as replay reads
    files), never a traceback."""
    from worker.charset import decode_page

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_page(data)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from worker.export import export_claims

    _, factory = open_store(settings)
    with factory() as session:
        n = export_claims(session, args.format, args.out)
    err.print(f"exported {n} claims" + (f" to {args.out}" if args.out else ""))
    return 0


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

    sp = add("figures", cmd_figures, "the latest value of every figure series",
             "worker figures --as-of 2025-02-01 --json")
    sp.add_argument("--as-of", type=_date, help="as known at the end of this date")
    sp.add_argument("--subject", help="ISO code of the side counted, e.g. KP")
    sp.add_argument("--limit", type=int)
    sp.add_argument("--json", action="store_true")

    sp = add("changes", cmd_changes, "every change of a reported figure over time",
             "worker changes --subject KP --metric killed --json")
    sp.add_argument("--subject")
    sp.add_argument("--metric", choices=["killed", "wounded", "casualties", "captured",
                                         "missing", "deployed"])
    sp.add_argument("--claimant")
    sp.add_argument("--since", type=_date)
    sp.add_argument("--kind", choices=["new_report", "article_revision"])
    sp.add_argument("--limit", type=int)
    fmt = sp.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")

    sp = add("articles", cmd_articles, "stored articles, or one article's version history",
             "worker articles history https://example.org/a --json")
    sp.add_argument("action", nargs="?", choices=["list", "history"], default="list")
    sp.add_argument("url", nargs="?")
    sp.add_argument("--all", action="store_true", help="include irrelevant articles")
    sp.add_argument("--limit", type=int)
    sp.add_argument("--json", action="store_true")

    sp = add("stories", cmd_stories, "stories (syndicated copies grouped) with their outlets",
             "worker stories --json")
    sp.add_argument("--min-copies", type=int, default=1)
    sp.add_argument("--json", action="store_true")

    sp = add("extract", cmd_extract, "clean and analyse one document without storing it",
             "worker extract seeds/000_b80b5a2a3a82875b.txt --json")
    sp.add_argument("file", nargs="?", help="a file, or - for standard input")
    sp.add_argument("--lang", help="language code, skips detection")
    sp.add_argument("--html", action="store_true", help="the input is HTML")
    sp.add_argument("--batch", action="store_true",
                    help='JSON Lines on stdin: {"id", "text" or "html", "lang"?}')
    sp.add_argument("--json", action="store_true")

    sp = add("export", cmd_export, "export claims with their provenance",
             "worker export --format parquet --out claims.parquet")
    sp.add_argument("--format", choices=["csv", "json", "parquet"], default="csv")
    sp.add_argument("--out", type=Path, help="output file (default: standard output; "
                    "required for parquet)")

    from worker import cli_daemon, cli_report  # they import this module's helpers

    cli_daemon.register(sub, add)
    cli_report.register(sub, add)
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
