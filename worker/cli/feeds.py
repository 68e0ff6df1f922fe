"""`worker feeds ...`: add, list, remove, status, import, export. Every read and write is a
function of `worker.store`; this module parses and formats."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from worker.cli.command import (
    add_command,
    add_group,
    check_output_path,
    configured_feeds,
    open_engine,
)
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

    with open_engine(settings).connect() as conn:  # Core only: no ORM to load
        return queries.feeds(conn, with_events=with_events)


def fixture_roots(settings: Settings) -> list[Path]:
    """The directories of `[fetch] fixture_paths`, as the fetcher resolves them."""
    return [(p if p.is_absolute() else settings.base_dir / p).resolve()
            for p in map(Path, settings.fetch.fixture_paths)]


def checked_url(given: str, settings: Settings) -> str:
    """The feed URL `given` names, or a usage error saying why it cannot be one: an http(s)
    URL needs a host; a local path or file: URL must exist under [fetch] fixture_paths."""
    from urllib.parse import unquote, urlsplit

    from worker.feedlist import feed_url, url_problem

    try:
        url = feed_url(given, settings.base_dir)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    parts = urlsplit(url)
    if parts.scheme != "file":
        problem = url_problem(url)
        if problem:
            raise UsageError(f"{given}: not a feed URL: {problem}")
        return url
    path = Path(unquote(parts.path))
    if not path.exists():
        raise UsageError(f"{given}: not a URL (http:// or https://) and no such file or "
                         f"directory: {path}")
    roots = fixture_roots(settings)
    resolved = path.resolve()
    if not any(resolved == r or r in resolved.parents for r in roots):
        raise UsageError(f"{given}: a local path outside [fetch] fixture_paths "
                         f"({', '.join(map(str, roots)) or 'none'})")
    return url


def check_feed(url: str, settings: Settings) -> tuple[str | None, str]:
    """Fetch `url` once. (the feed URL, what it is) when it is a feed, or an HTML page naming
    one (its first `<link rel="alternate">` that is a feed); (None, why not) otherwise."""
    from worker.discover import feed_links, looks_like_html
    from worker.errors import FetchError
    from worker.feeds import parse_feed
    from worker.fetch import Fetcher

    with Fetcher(settings.fetch, base_dir=settings.base_dir) as fetcher:
        def parsed(target: str) -> tuple[Any, Any]:
            res = fetcher.fetch(target)
            try:
                return res, parse_feed(res.body, res.final_url, res.headers.get("content-type"))
            except FetchError:
                return res, None

        try:
            res, feed = parsed(url)
            if feed is not None:
                return url, _described(feed)
            if not looks_like_html(res.body):
                return None, "not a feed (neither RSS nor Atom) and not an HTML page"
            links = feed_links(res.body, res.final_url)
            if not links:
                return None, "an HTML page that names no feed (no <link rel=\"alternate\">)"
            for link in links:
                _, found = parsed(link)
                if found is not None:
                    return link, f"found on the page {url}: {_described(found)}"
            return None, f"the page names {', '.join(links)}, but none is a feed"
        except FetchError as exc:
            return None, f"cannot fetch it: {exc}"


def _described(feed: Any) -> str:
    title = f"{feed.title!r}, " if feed.title else ""
    return f"a feed: {title}{len(feed.entries)} items"


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from worker import schedule
    from worker.feedlist import FeedSpec
    from worker.store.subscriptions import add_feeds

    if not args.urls:
        raise UsageError("feeds add needs a URL")
    try:
        interval = schedule.parse_duration(args.interval) if args.interval else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    urls = [checked_url(u, settings) for u in args.urls]  # one bad URL: nothing is added
    failed = 0
    if args.check:
        checked = []
        for url in urls:
            feed, what = check_feed(url, settings)
            if feed is None:
                err.line(f"not added: {url}: {what}")
                failed += 1
            else:
                out.line(f"{feed}: {what}")
                checked.append(feed)
        urls = checked
    specs = [FeedSpec(url=u, name=args.name, language=args.language, interval=interval)
             for u in urls]
    added, present = add_feeds(open_engine(settings), specs) if specs else ([], [])
    for url in added:
        out.line(f"added {url}")
    for url in present:
        err.line(f"already a feed: {url}")
    return 1 if present or failed else 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from worker.feedlist import feed_url
    from worker.store.subscriptions import remove_feed

    if not args.urls:
        raise UsageError("feeds remove needs a URL")
    engine = open_engine(settings)
    missing = 0
    for given in args.urls:
        try:
            url = feed_url(given, settings.base_dir)
        except ValueError:
            url = given
        origin = remove_feed(engine, [given, url])
        if origin is None:
            if len(args.urls) == 1:
                raise WorkerError(f"no feed has the URL {given}")
            err.line(f"no feed has the URL {given}")
            missing += 1
            continue
        out.line(f"removed {given}")
        if origin == "config":
            err.print(f"note: it is declared in {settings.data_file('feeds_file')} and comes "
                      "back at the next `worker run` unless removed there")
    return 1 if missing else 0


def with_configured(feeds: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    """The stored feeds (`loaded`), then those of the feeds file that `run` has not loaded
    yet, so that a new setup lists its feeds before the first run."""
    stored = {f["url"] for f in feeds}
    listed = [{**f, "loaded": True} for f in feeds]
    for spec in configured_feeds(settings):
        if spec.url not in stored:
            listed.append({"url": spec.url, "name": spec.name, "language": spec.language,
                           "interval_seconds": spec.interval, "origin": "config",
                           "loaded": False, "items": 0, "next_poll_at": None,
                           "last_success_at": None, "last_error_at": None,
                           "last_error": None, "last_error_class": None,
                           "consecutive_failures": 0, "items_seen": 0, "gone": False,
                           "events": []})
    return listed


def _state(f: dict[str, Any]) -> str:
    if not f["loaded"]:
        return "not loaded yet"
    return "gone" if f["gone"] else ("failing" if f["consecutive_failures"] else "ok")


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    feeds = with_configured(_listing(settings), settings)
    if args.json:
        print_json([_jsonable(f) for f in feeds])
        return 0
    table("Feeds", ["name", "lang", "interval", "origin", "url"],
          [(f["name"], f["language"],
            f["interval_seconds"] or f"{settings.schedule.default_interval} (default)",
            f["origin"] + ("" if f["loaded"] else " (not loaded yet)"), f["url"])
           for f in feeds], wrap=["name"])
    if not feeds:
        err.print("no feeds: `worker feeds add URL` or list them in "
                  f"{settings.data_file('feeds_file')}")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    feeds = with_configured(_listing(settings, with_events=True), settings)
    if args.json:
        print_json([_jsonable(f) for f in feeds])
        return 0
    table("Feed status", ["state", "next poll", "last success", "failures", "items", "url",
                          "last error"],
          [(_state(f), _short(f["next_poll_at"]) if f["loaded"] else "at the next run",
            _short(f["last_success_at"]), f["consecutive_failures"], f["items_seen"], f["url"],
            f"{_short(f['last_error_at'])} {f['last_error'] or f['last_error_class'] or ''}"
            .strip()) for f in feeds], wrap=["last error"])
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from worker.feedlist import parse_feed_list
    from worker.store.subscriptions import add_feeds

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
    added, present = add_feeds(open_engine(settings), specs) if specs else ([], [])
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
    return 1 if rejected else 0  # some lines were not feeds: a partial failure


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
    a.add_argument("--check", action="store_true",
                   help="fetch it once first: add it only if it is a feed, or the feed an "
                   "HTML page names in its <link rel=\"alternate\">")

    r = add_command(fs, "remove", cmd_remove,
                    "remove feeds (their items and fetch events go too)",
                    "worker feeds remove https://example.org/rss.xml")
    r.add_argument("urls", nargs="*", metavar="URL")

    p = add_command(fs, "list", cmd_list, "the feeds", "worker feeds list --json")
    output_options(p, wide=True)
    p = add_command(fs, "status", cmd_status, "each feed's polling state",
                    "worker feeds status")
    output_options(p, wide=True)

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
