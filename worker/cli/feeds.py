"""`worker feeds ...`: add, list, remove, status, import, export. Every read and write is a
function of `worker.store`; this module parses and formats."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from worker.cli.command import add_command, add_group, check_output_path, open_store
from worker.cli.output import err, out, output_options, print_json, table
from worker.config import Settings
from worker.errors import UsageError, WorkerError


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _short(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _jsonable(feed: dict[str, Any]) -> dict[str, Any]:
    d = {k: _iso(v) for k, v in feed.items()}
    if "events" in d:
        d["events"] = [{k: _iso(v) for k, v in e.items()} for e in d["events"]]
    return d


def _listing(settings: Settings, *, with_events: bool = False) -> list[dict[str, Any]]:
    from worker.store import queries

    _, factory = open_store(settings)
    with factory() as s:
        return queries.feeds(s, with_events=with_events)


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from worker import schedule
    from worker.feedlist import FeedSpec, feed_url
    from worker.store.feeds import add_feeds

    if not args.urls:
        raise UsageError("feeds add needs a URL")
    try:
        specs = [FeedSpec(url=feed_url(u, settings.base_dir), name=args.name,
                          language=args.language,
                          interval=schedule.parse_duration(args.interval) if args.interval
                          else None) for u in args.urls]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _, factory = open_store(settings)
    added, present = add_feeds(factory, specs)
    for url in added:
        out.print(f"added {url}", markup=False, highlight=False)
    for url in present:
        err.print(f"already a feed: {url}", markup=False, highlight=False)
    return 1 if present else 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from worker.feedlist import feed_url
    from worker.store.feeds import remove_feed

    if not args.urls:
        raise UsageError("feeds remove needs a URL")
    _, factory = open_store(settings)
    missing = 0
    for given in args.urls:
        try:
            url = feed_url(given, settings.base_dir)
        except ValueError:
            url = given
        origin = remove_feed(factory, [given, url])
        if origin is None:
            if len(args.urls) == 1:
                raise WorkerError(f"no feed has the URL {given}")
            err.print(f"no feed has the URL {given}", markup=False, highlight=False)
            missing += 1
            continue
        out.print(f"removed {given}", markup=False, highlight=False)
        if origin == "config":
            err.print(f"note: it is declared in {settings.data_file('feeds_file')} and comes "
                      "back at the next `worker run` unless removed there")
    return 1 if missing else 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    feeds = _listing(settings)
    if args.json:
        print_json([_jsonable(f) for f in feeds])
        return 0
    table("Feeds", ["name", "lang", "interval", "origin", "url"],
          [(f["name"], f["language"],
            f["interval_seconds"] or f"{settings.schedule.default_interval} (default)",
            f["origin"], f["url"]) for f in feeds])
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    feeds = _listing(settings, with_events=True)
    if args.json:
        print_json([_jsonable(f) for f in feeds])
        return 0
    table("Feed status", ["feed", "last success", "last error", "next poll", "failures",
                          "items", "state"],
          [(f["name"] or f["url"], _short(f["last_success_at"]),
            f"{_short(f['last_error_at'])} {f['last_error_class'] or ''}".strip(),
            _short(f["next_poll_at"]), f["consecutive_failures"], f["items_seen"],
            "gone" if f["gone"] else ("failing" if f["consecutive_failures"] else "ok"))
           for f in feeds], wrap=["feed", "last error"])
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from worker.feedlist import parse_feed_list
    from worker.store.feeds import add_feeds

    source: Path = args.file
    try:
        data = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    except OSError as exc:
        raise WorkerError(f"{source}: {exc.strerror or exc}") from None
    try:
        entries = parse_feed_list(data)
    except ValueError as exc:
        raise WorkerError(f"{source}: {exc}") from None
    specs = [e.spec for e in entries if e.spec is not None]
    _, factory = open_store(settings)
    added, present = add_feeds(factory, specs) if specs else ([], [])
    rejected = [{"where": e.where, "url": e.url, "reason": e.reason}
                for e in entries if e.spec is None]
    if args.json:
        print_json({"added": added, "already_present": present, "rejected": rejected})
    else:
        for r in rejected:
            err.print(f"rejected {r['where']}: {r['url'] or '(empty)'}: {r['reason']}",
                      markup=False, highlight=False)
        out.print(f"added {len(added)}, already present {len(present)}, "
                  f"rejected {len(rejected)}")
    return 1 if entries and not specs else 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from worker.feedlist import opml

    check_output_path(args.out)
    feeds = sorted(_listing(settings), key=lambda f: f["url"])  # the same on every database
    document = opml(feeds)
    if args.out:
        args.out.write_text(document, encoding="utf-8")
        err.print(f"exported {len(feeds)} feeds to {args.out}")
    else:
        sys.stdout.write(document)
    return 0


def register(sub: Any) -> None:
    fs = add_group(sub, "feeds", "add, list, remove, import or export feeds, or show their "
                   "polling status",
                   "worker feeds add https://example.org/rss.xml --interval 15m\n"
                   "         worker feeds import subscriptions.opml\n"
                   "         worker feeds export --opml --out feeds.opml")

    a = add_command(fs, "add", cmd_add, "add one or more feeds (already present ones: exit 1)",
                    "worker feeds add https://example.org/rss.xml --interval 15m")
    a.add_argument("urls", nargs="*", metavar="URL",
                   help="feed URL (or a local fixture directory/file)")
    a.add_argument("--name", help="feed name")
    a.add_argument("--interval", help="polling interval, e.g. 900, 15m, 2h (default "
                   "[schedule] default_interval)")
    a.add_argument("--language", help="language hint, e.g. ko")

    r = add_command(fs, "remove", cmd_remove,
                    "remove feeds (their items and fetch events go too)",
                    "worker feeds remove https://example.org/rss.xml")
    r.add_argument("urls", nargs="*", metavar="URL")

    p = add_command(fs, "list", cmd_list, "the feeds", "worker feeds list --json")
    output_options(p)
    p = add_command(fs, "status", cmd_status, "each feed's polling state",
                    "worker feeds status")
    output_options(p)

    i = add_command(fs, "import", cmd_import,
                    "add the feeds of an OPML 1/2 list or of a text file with one URL a line; "
                    "reports added / already present / rejected",
                    "worker feeds import subscriptions.opml")
    i.add_argument("file", type=Path, help="the list, or - for standard input")
    output_options(i)

    e = add_command(fs, "export", cmd_export, "every feed as an OPML 2.0 subscription list",
                    "worker feeds export --opml --out feeds.opml")
    e.add_argument("--opml", action="store_true", help="OPML 2.0 (the only format; default)")
    e.add_argument("--out", type=Path, help="output file (default: standard output)")
