"""Commands of the polling daemon: `run` and `recheck` (the feed commands are in
worker.cli.feeds)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from types import FrameType
from typing import Any

from worker.cli.command import add_command, configured_feeds, open_store
from worker.cli.output import out, output_options, print_json, table
from worker.config import Settings
from worker.errors import ConfigError, UsageError, WorkerError

log = logging.getLogger(__name__)


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
    from worker import memory
    from worker.daemon import Daemon
    from worker.datafiles import check_data_files
    from worker.metrics import MetricsServer, healthy_since
    from worker.procs import settle
    from worker.store.db import require_writable
    from worker.store.feeds import upsert_feeds

    memory.limit_arenas(2)  # before the fetch threads start (worker.memory says why)
    check_data_files(settings)
    engine, factory = open_store(settings)
    require_writable(engine)  # a read-only database is an error, not "none due"
    added = upsert_feeds(factory, configured_feeds(settings))
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


# -- recheck -----------------------------------------------------------------------------

def cmd_recheck(args: argparse.Namespace, settings: Settings) -> int:
    from worker.daemon import Daemon
    from worker.store.queries import article_urls, find_article, recheck_candidates
    from worker.store.rechecks import claim_rechecks

    if not (args.urls or args.due or args.all):
        raise UsageError("recheck needs URLs, --due or --all")
    _, factory = open_store(settings)
    with factory() as s:
        ids: list[int] = []
        for url in args.urls:
            article = find_article(s, url)
            if article is None:
                raise WorkerError(f"no stored article has the URL {url}")
            ids.append(article.id)
        if args.all:
            ids.extend(recheck_candidates(s))
    if args.due:
        while batch := claim_rechecks(factory, 100, settings.daemon.lease_seconds):
            ids.extend(batch)
    daemon = Daemon(settings, factory)
    restore = daemon.install_signals()
    results: list[dict[str, Any]] = []
    try:
        with factory() as s:
            urls = article_urls(s, ids)
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
    return 1 if any(r["outcome"] == "error" for r in results) else 0  # some re-checks failed


# -- registration ------------------------------------------------------------------------

def register(sub: Any) -> None:
    sp = add_command(sub, "run", cmd_run,
                     "poll the feeds until stopped (SIGTERM/SIGINT stop cleanly)",
                     "worker run --once --json")
    sp.add_argument("--once", action="store_true",
                    help="one full cycle (due feeds, then due re-checks), then exit")
    output_options(sp, json_help="with --once: a JSON summary")

    sp = add_command(sub, "recheck", cmd_recheck,
                     "re-fetch articles now to catch revisions and removals",
                     "worker recheck --due --json")
    sp.add_argument("urls", nargs="*", metavar="URL")
    sp.add_argument("--due", action="store_true", help="every article whose re-check is due")
    sp.add_argument("--all", action="store_true",
                    help="every relevant article and every one awaiting a retry")
    output_options(sp, wide=True)
