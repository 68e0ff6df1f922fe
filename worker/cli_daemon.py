"""Commands of the polling daemon: `run`, `feeds` and `recheck` (registered by worker.cli)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import Any

from worker.cli import err, open_store, out, print_json, table
from worker.config import Settings
from worker.errors import ConfigError, WorkerError

log = logging.getLogger(__name__)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _short(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _config_feeds(settings: Settings) -> Any:
    from worker.feedlist import load_feed_specs

    return load_feed_specs(settings.data_file("feeds_file"), settings.feeds_base())


# -- run ---------------------------------------------------------------------------------

class EarlyStop:
    """Remembers a SIGTERM/SIGINT that arrives while `worker run` is still starting (imports,
    migrations, feed upserts, setting up the daemon), before the daemon's own handlers are in
    place. Without it such a signal kills the process with the default action: exit -15, no log
    line, which a supervisor stopping a freshly restarted worker reads as a crash."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.received: int | None = None
        self._old = {sig: signal.signal(sig, self._record) for sig in self.SIGNALS}

    def _record(self, signum: int, _frame: FrameType | None) -> None:
        self.received = signum

    def describe(self) -> str:
        return signal.Signals(self.received).name if self.received else ""

    def restore(self) -> None:
        for sig, previous in self._old.items():
            signal.signal(sig, previous)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    early = EarlyStop()
    try:
        return _run(args, settings, early)
    finally:
        early.restore()


def _run(args: argparse.Namespace, settings: Settings, early: EarlyStop) -> int:
    from worker.daemon import Daemon
    from worker.datafiles import check_data_files
    from worker.metrics import MetricsServer, healthy_since
    from worker.procs import settle
    from worker.store.db import require_writable
    from worker.store.feeds import upsert_feeds

    check_data_files(settings)
    engine, factory = open_store(settings)
    require_writable(engine)  # a read-only database is an error, not "none due"
    added = upsert_feeds(factory, _config_feeds(settings))
    if added:
        log.info("%d feeds added from %s", added, settings.data_file("feeds_file"))
    if early.received and not args.once:
        # nothing is leased or started yet; `--once` goes on to print its (empty) summary
        log.info("received %s while starting, stopped cleanly", early.describe())
        return 0
    daemon = Daemon(settings, factory)
    settle()  # what start-up loaded stays; the collector need not walk it again (worker.procs)
    restore = daemon.install_signals()
    if early.received:  # it came while the daemon was being set up
        log.info("received %s while starting, stopping", early.describe())
        daemon.stop()
    server = None
    clean = True
    try:
        if args.once:
            summary = daemon.run_cycle()
            clean = daemon.close()
            if args.json:
                print_json(summary.as_dict())
            else:
                d = summary.as_dict()
                out.print("polls: " + (", ".join(f"{k} {v}" for k, v in d["polls"].items())
                                       or "none due") +
                          "; items: " + (", ".join(f"{k} {v}" for k, v in d["items"].items())
                                         or "none new") +
                          (f"; re-checks: {sum(d['rechecks'].values())}" if d["rechecks"]
                           else "") + f" ({d['seconds']:.1f}s)")
            return 0
        dm = settings.daemon
        if dm.metrics_port:
            try:
                server = MetricsServer(daemon.metrics, dm.metrics_host, dm.metrics_port,
                                       healthy_since(lambda: daemon.last_tick,
                                                     max(30.0, dm.tick_seconds * 6)))
            except OSError as exc:
                raise ConfigError(f"[daemon] metrics_port: cannot listen on "
                                  f"{dm.metrics_host}:{dm.metrics_port}: {exc.strerror or exc}"
                                  " (set WORKER_DAEMON_METRICS_PORT=0 to disable)") from None
            log.info("metrics on http://%s:%d/metrics", dm.metrics_host, server.port)
        daemon.run_forever()
        clean = daemon.close()
        log.info("stopped cleanly" if clean else "stopped with work still running")
        return 0
    finally:
        daemon.close()
        if server is not None:
            server.close()
        restore()
        if not clean:  # threads still stuck in I/O after the grace period: do not wait
            logging.shutdown()
            sys.stdout.flush()
            os._exit(0)


# -- feeds -------------------------------------------------------------------------------

def _feed_dict(f: Any, events: list[Any] | None = None) -> dict[str, Any]:
    d = {
        "id": f.id, "url": f.url, "name": f.name, "language": f.language, "origin": f.origin,
        "interval_seconds": f.interval_seconds, "effective_interval": f.effective_interval,
        "options": f.options, "next_poll_at": _iso(f.next_poll_at),
        "last_polled_at": _iso(f.last_polled_at), "last_success_at": _iso(f.last_success_at),
        "last_new_item_at": _iso(f.last_new_item_at), "last_error_at": _iso(f.last_error_at),
        "last_error": f.last_error, "last_error_class": f.last_error_class,
        "consecutive_failures": f.consecutive_failures, "items_seen": f.items_seen,
        "gone": f.gone, "etag": f.etag, "last_modified": f.last_modified,
        "leased_by": f.leased_by, "lease_until": _iso(f.lease_until),
    }
    if events is not None:
        d["events"] = [{"at": _iso(e.at), "url": e.url, "status": e.status,
                        "duration_ms": e.duration_ms, "bytes": e.bytes,
                        "new_items": e.new_items, "error_class": e.error_class,
                        "error": e.error} for e in events]
    return d


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import func, or_, select

    from worker import schedule
    from worker.feedlist import feed_url
    from worker.store.models import Feed, FeedItem, FetchEvent, utcnow

    _, factory = open_store(settings)
    if args.action in ("add", "remove") and not args.url:
        raise WorkerError(f"feeds {args.action} needs a URL")
    if args.action == "add":
        try:
            url = feed_url(args.url, settings.base_dir)
            interval = schedule.parse_duration(args.interval) if args.interval else None
        except ValueError as exc:
            raise WorkerError(str(exc)) from None
        with factory() as s, s.begin():
            if s.scalar(select(Feed.id).where(Feed.url == url)) is not None:
                raise WorkerError(f"already a feed: {url}")
            s.add(Feed(url=url, name=args.name, language=args.language, origin="cli",
                       interval_seconds=interval, options={}, next_poll_at=utcnow()))
        out.print(f"added {url}")
        return 0
    if args.action == "remove":
        with factory() as s, s.begin():
            try:
                url = feed_url(args.url, settings.base_dir)
            except ValueError:
                url = args.url
            feed = s.scalar(select(Feed).where(or_(Feed.url == args.url, Feed.url == url)))
            if feed is None:
                raise WorkerError(f"no feed has the URL {args.url}")
            origin = feed.origin
            s.delete(feed)
        out.print(f"removed {args.url}")
        if origin == "config":
            err.print(f"note: it is declared in {settings.data_file('feeds_file')} and comes back "
                      "at the next `worker run` unless removed there")
        return 0
    with factory() as s:
        feeds = list(s.scalars(select(Feed).order_by(Feed.name, Feed.url)))
        items = dict(s.execute(select(FeedItem.feed_id, func.count())
                               .group_by(FeedItem.feed_id)).all())
        events: dict[int, list[Any]] = {}
        if args.action == "status":
            for e in s.scalars(select(FetchEvent).order_by(FetchEvent.id.desc())):
                events.setdefault(e.feed_id, []).append(e)
    if args.action == "list":
        if args.json:
            print_json([_feed_dict(f) | {"items": items.get(f.id, 0)} for f in feeds])
        else:
            table("Feeds", ["name", "lang", "interval", "origin", "url"],
                  [(f.name, f.language,
                    f.interval_seconds or f"{settings.schedule.default_interval} (default)",
                    f.origin, f.url) for f in feeds])
        return 0
    if args.json:
        print_json([_feed_dict(f, events.get(f.id, [])) | {"items": items.get(f.id, 0)}
                    for f in feeds])
        return 0
    table("Feed status", ["feed", "last success", "last error", "next poll", "failures",
                          "items", "state"],
          [(f.name or f.url, _short(f.last_success_at),
            f"{_short(f.last_error_at)} {f.last_error_class or ''}".strip(),
            _short(f.next_poll_at), f.consecutive_failures, f.items_seen,
            "gone" if f.gone else ("failing" if f.consecutive_failures else "ok"))
           for f in feeds], wrap=["feed", "last error"])
    return 0


# -- recheck -----------------------------------------------------------------------------

def cmd_recheck(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import or_, select

    from worker.daemon import Daemon
    from worker.store.feeds import claim_rechecks
    from worker.store.models import Article
    from worker.store.queries import find_article

    if not (args.urls or args.due or args.all):
        raise WorkerError("recheck needs URLs, --due or --all")
    _, factory = open_store(settings)
    with factory() as s:
        ids: list[int] = []
        for url in args.urls:
            article = find_article(s, url)
            if article is None:
                raise WorkerError(f"no stored article has the URL {url}")
            ids.append(article.id)
        if args.all:
            ids.extend(s.scalars(select(Article.id).where(
                or_(Article.relevant.is_(True), Article.needs_retry.is_(True)))
                .order_by(Article.id)))
    if args.due:
        while batch := claim_rechecks(factory, 100, settings.daemon.lease_seconds):
            ids.extend(batch)
    daemon = Daemon(settings, factory)
    restore = daemon.install_signals()
    results: list[dict[str, Any]] = []
    try:
        with factory() as s:
            urls = {i: u for i, u in s.execute(
                select(Article.id, Article.url).where(Article.id.in_(ids)))}
        for article_id, url in urls.items():
            if daemon.stopping.is_set():
                break
            results.append({"url": url, "outcome": daemon.poller.recheck(article_id)})
    finally:
        daemon.close()
        restore()
    if args.json:
        print_json(results)
    else:
        table("Re-checks", ["outcome", "url"], [(r["outcome"], r["url"]) for r in results])
    return 0


# -- registration ------------------------------------------------------------------------

def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    sp = add("run", cmd_run, "poll the feeds until stopped (SIGTERM/SIGINT stop cleanly)",
             "worker run --once --json")
    sp.add_argument("--once", action="store_true",
                    help="one full cycle (due feeds, then due re-checks), then exit")
    sp.add_argument("--json", action="store_true", help="with --once: a JSON summary")

    sp = add("feeds", cmd_feeds, "add, list, remove feeds, or show their polling status",
             "worker feeds add https://example.org/rss.xml --interval 15m")
    sp.add_argument("action", choices=["add", "list", "remove", "status"])
    sp.add_argument("url", nargs="?", help="feed URL (or a local fixture directory/file)")
    sp.add_argument("--name", help="feed name (with add)")
    sp.add_argument("--interval", help="polling interval, e.g. 900, 15m, 2h (with add; "
                    "default [schedule] default_interval)")
    sp.add_argument("--language", help="language hint, e.g. ko (with add)")
    sp.add_argument("--json", action="store_true")

    sp = add("recheck", cmd_recheck, "re-fetch articles now to catch revisions and removals",
             "worker recheck --due --json")
    sp.add_argument("urls", nargs="*", metavar="URL")
    sp.add_argument("--due", action="store_true", help="every article whose re-check is due")
    sp.add_argument("--all", action="store_true",
                    help="every relevant article and every one awaiting a retry")
    sp.add_argument("--json", action="store_true")
