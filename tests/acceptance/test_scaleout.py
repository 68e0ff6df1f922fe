"""Scale-out: several real `worker run` processes share one database.

- three workers on one PostgreSQL and 300 local feeds of 5 items: every item stored once,
  every feed polled once, no lease left after SIGTERM;
- a worker killed with `kill -9` five times at random moments (seeded, the seed is printed):
  every item stored once, the database consistent, the dead worker's leases taken over after
  they expire;
- two workers on one SQLite file: both finish, neither sees "database is locked".
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.cli import wait_catching, worker_env
from tests.helpers.paths import ROOT
from tests.helpers.server import LocalServer, rss
from worker.store.db import make_engine, session_factory
from worker.store.models import (
    Article,
    ArticleVersion,
    Feed,
    FeedItem,
    FigureClaim,
    IngestEvent,
    LshBand,
)

pytestmark = pytest.mark.slow

SYLLABLES = ("ba", "de", "fi", "go", "hu", "ka", "le", "mi", "no", "pu", "ra", "se", "ti",
             "vo", "wa", "xe", "yo", "zu", "bri", "clo", "dra", "fle", "gro", "pla", "sto")


def _words(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
                    for _ in range(n))


def page(rng: random.Random, feed: int, item: int) -> bytes:
    """A small relevant article with a text (and a figure) of its own."""
    killed = 100 + feed * 10 + item
    paras = [
        f"North Korean troops deployed to Russia's Kursk region, report {feed}-{item}.",
        _words(rng, 40) + ".",
        f"About {killed} North Korean soldiers were killed in the war against Ukraine, "
        "South Korea's spy agency said.",
        _words(rng, 40) + ".",
        _words(rng, 30) + ".",
    ]
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html><head><title>Report {feed}-{item}</title></head><body><article>"
            f"<h1>Report {feed}-{item}</h1>{body}</article></body></html>").encode()


def serve(srv: LocalServer, feeds: int, items: int, *, delay: float = 0.0,
          seed: int = 1) -> list[str]:
    """`feeds` feeds of `items` pages each; returns the page URLs."""
    rng = random.Random(seed)
    urls = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            path = f"/p/{f}/{i}"
            srv.route(path, body=page(rng, f, i), headers={"Content-Type": "text/html"},
                      delay=delay)
            entries.append({"guid": f"g{f}-{i}", "link": srv.url(path),
                            "title": f"Report {f}-{i}",
                            "pubDate": f"Thu, 0{1 + i} May 2025 10:00:00 GMT"})
            urls.append(srv.url(path))
        srv.route(f"/feed/{f}", body=rss(entries, title=f"Feed {f}"),
                  headers={"ETag": f'"f{f}"'}, conditional=True)
    return urls


def write_config(tmp: Path, srv: LocalServer, feeds: int) -> Path:
    listing = tmp / "feeds.toml"
    listing.write_text("".join(f'[[feed]]\nurl = "{srv.url(f"/feed/{n}")}"\nname = "F{n}"\n'
                               'language = "en"\n\n' for n in range(feeds)), encoding="utf-8")
    cfg = tmp / "config" / "worker.toml"
    cfg.parent.mkdir(exist_ok=True)
    cfg.write_text(
        "[pipeline]\n"
        f'feeds_file = "{listing}"\n',
        encoding="utf-8")
    return cfg


def settings_env(cfg: Path, **extra: str) -> dict[str, str]:
    """One poll per feed: a day-long interval that nothing (TTL, item gaps) shortens."""
    env = {"WORKER_CONFIG": str(cfg), "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
           "WORKER_FETCH_TIMEOUT": "20", "WORKER_FETCH_HOST_DELAY": "0",
           "WORKER_FETCH_PER_HOST_CONNECTIONS": "16", "WORKER_DAEMON_TICK_SECONDS": "0.2",
           "WORKER_DAEMON_METRICS_PORT": "0", "WORKER_DAEMON_SHUTDOWN_GRACE": "20",
           "WORKER_SCHEDULE_JITTER": "0", "WORKER_SCHEDULE_DEFAULT_INTERVAL": "86400",
           "WORKER_SCHEDULE_MIN_INTERVAL": "86400", "WORKER_SCHEDULE_MAX_INTERVAL": "86400"}
    env.update(extra)
    return env


class Workers:
    """`worker run` subprocesses, each logging to its own file."""

    def __init__(self, db_url: str, tmp: Path, env: dict[str, str]) -> None:
        self.db_url, self.tmp, self.env = db_url, tmp, env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}

    def start(self, worker_id: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.tmp / f"{worker_id}.log"
        with log.open("wb") as fh:
            proc = subprocess.Popen(
                [sys.executable, "-m", "worker", "run", *args], cwd=ROOT, stdout=fh,
                stderr=subprocess.STDOUT,
                env=worker_env(self.db_url, WORKER_DAEMON_WORKER_ID=worker_id, **self.env))
        self.procs[worker_id], self.logs[worker_id] = proc, log
        return proc

    def log(self, worker_id: str) -> str:
        return self.logs[worker_id].read_text(encoding="utf-8", errors="replace")

    def check_alive(self) -> None:
        for wid, proc in self.procs.items():
            if proc.returncode is None and proc.poll() is not None:
                pytest.fail(f"worker {wid} exited with {proc.returncode}:\n"
                            f"{self.log(wid)[-3000:]}")

    def running(self) -> list[str]:
        return [w for w, p in self.procs.items() if p.poll() is None]

    def terminate(self, timeout: float = 40) -> dict[str, int]:
        live = self.running()
        for wid in live:  # a worker started a moment ago may still be in the interpreter's
            wait_catching(self.procs[wid], signal.SIGTERM)  # start-up, before any of our code
            self.procs[wid].send_signal(signal.SIGTERM)
        return {wid: self.procs[wid].wait(timeout) for wid in live}

    def kill_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@contextmanager
def database(url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def count(factory: sessionmaker[Session], model: type, *where: object) -> int:
    try:
        with factory() as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    except Exception:  # noqa: BLE001 - not migrated yet
        return 0


def wait_until(cond: object, workers: Workers, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(cond) and cond():
            return
        workers.check_alive()
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def integrity_problems(factory: sessionmaker[Session], bands: int = 64) -> list[str]:
    """What a kill at the wrong moment could leave half done; an empty list when nothing."""
    checks = {
        "feed item without an article":
            select(func.count()).select_from(FeedItem).where(FeedItem.article_id.is_(None)),
        "relevant article without a version":
            select(func.count()).select_from(Article).where(
                Article.relevant.is_(True),
                ~select(ArticleVersion.id).where(ArticleVersion.article_id == Article.id)
                .exists()),
        "relevant article without its story or signature":
            select(func.count()).select_from(Article).where(
                Article.relevant.is_(True),
                (Article.story_id.is_(None)) | (Article.signature.is_(None))),
        "claim of a missing version or of another article":
            select(func.count()).select_from(FigureClaim)
            .outerjoin(ArticleVersion, ArticleVersion.id == FigureClaim.version_id)
            .where((ArticleVersion.id.is_(None))
                   | (ArticleVersion.article_id != FigureClaim.article_id)),
        "version of a missing article":
            select(func.count()).select_from(ArticleVersion)
            .outerjoin(Article, Article.id == ArticleVersion.article_id)
            .where(Article.id.is_(None)),
    }
    problems = []
    with factory() as s:
        for what, query in checks.items():
            n = s.scalar(query)
            if n:
                problems.append(f"{n} x {what}")
        for aid, n, lo, hi in s.execute(
                select(ArticleVersion.article_id, func.count(), func.min(ArticleVersion.number),
                       func.max(ArticleVersion.number)).group_by(ArticleVersion.article_id)):
            if (lo, hi) != (1, n):
                problems.append(f"article {aid}: versions numbered {lo}..{hi}, {n} stored")
        band_counts = Counter(a for (a,) in s.execute(select(LshBand.article_id)))
        for (aid,) in s.execute(select(Article.id).where(Article.signature.is_not(None))):
            if band_counts[aid] != bands:
                problems.append(f"article {aid}: {band_counts[aid]} LSH bands, not {bands}")
        firsts = Counter(a for (a,) in s.execute(
            select(IngestEvent.article_id).where(IngestEvent.outcome == "new")))
        problems += [f"article {a}: stored as new {n} times" for a, n in firsts.items() if n > 1]
    return problems


def survivors(worker_ids: set[str]) -> list[tuple[int, str]]:
    """Processes still running with one of these WORKER_DAEMON_WORKER_IDs (Linux)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        for wid in worker_ids:
            if f"WORKER_DAEMON_WORKER_ID={wid}".encode() in env:
                found.append((int(proc.name), wid))
    return found


def stored_once(factory: sessionmaker[Session], urls: list[str]) -> None:
    with factory() as s:
        articles = Counter(u for (u,) in s.execute(select(Article.url)))
        items = list(s.execute(select(FeedItem.url, FeedItem.article_id)))
        errors = list(s.execute(select(IngestEvent.locator, IngestEvent.detail)
                                .where(IngestEvent.outcome == "error")))
    assert not errors, errors[:5]
    assert sorted(articles) == sorted(urls)
    assert max(articles.values()) == 1
    assert sorted(u for u, _ in items) == sorted(urls)
    assert len({a for _, a in items}) == len(urls)


# -- three workers, one PostgreSQL -------------------------------------------------------

def test_three_workers_share_300_feeds_each_item_stored_and_each_feed_polled_once(
        pg_url: str, tmp_path: Path) -> None:
    feeds, items = 300, 5
    with LocalServer() as srv, database(pg_url) as factory:
        urls = serve(srv, feeds, items)
        workers = Workers(pg_url, tmp_path, settings_env(write_config(tmp_path, srv, feeds),
                                                         WORKER_PIPELINE_PROCESSES="2"))
        try:
            for n in range(3):
                workers.start(f"w{n}")
            wait_until(lambda: count(factory, Feed, Feed.last_success_at.is_not(None))
                       == feeds, workers, 200, "every feed to be polled")
            time.sleep(1.0)  # a second poll of some feed would show up now
            codes = workers.terminate()
        finally:
            workers.kill_all()
        assert codes == {"w0": 0, "w1": 0, "w2": 0}, {w: workers.log(w)[-2000:]
                                                      for w in codes}
        requests = Counter(r.path for r in srv.requests)
        assert [p for p in requests if requests[p] != 1] == []
        assert len(requests) == feeds * (items + 1)
        stored_once(factory, urls)
        assert count(factory, Feed, Feed.leased_by.is_not(None)) == 0
        assert integrity_problems(factory) == []
        with factory() as s:  # the work was shared, not done by one worker
            by_worker = Counter(w for (w,) in s.execute(
                select(IngestEvent.worker_id).where(IngestEvent.outcome == "new")))
        assert len(by_worker) == 3, by_worker
        for wid in codes:
            assert "Traceback" not in workers.log(wid), workers.log(wid)[-3000:]


# -- kill -9 ------------------------------------------------------------------------------

def test_kill_9_five_times_then_every_item_stored_once_and_leases_taken_over(
        pg_url: str, tmp_path: Path) -> None:
    seed = int(os.environ.get("WORKER_TEST_SEED") or random.SystemRandom().randrange(10**6))
    print(f"kill -9 schedule seed: {seed} (rerun with WORKER_TEST_SEED={seed})")
    rng = random.Random(seed)
    feeds, items, lease = 120, 4, 5
    total = feeds * items
    # five kills at random points of progress, so each lands in the middle of the cycle
    marks = sorted(rng.sample(range(total // 20, total * 17 // 20), 5))
    with LocalServer() as srv, database(pg_url) as factory:
        urls = serve(srv, feeds, items, delay=0.05, seed=seed)
        workers = Workers(pg_url, tmp_path, settings_env(
            write_config(tmp_path, srv, feeds), WORKER_DAEMON_LEASE_SECONDS=str(lease),
            WORKER_FETCH_MAX_CONNECTIONS="4", WORKER_PIPELINE_PROCESSES="2"))
        orphaned: dict[str, dict[int, datetime]] = {}
        try:
            live = [f"w{n}-{seed}" for n in range(3)]
            for wid in live:
                workers.start(wid)
            for k, mark in enumerate(marks):
                wait_until(lambda m=mark: count(factory, FeedItem) >= m, workers, 120,
                           f"{mark} items stored")
                victim = rng.choice(live)
                workers.procs[victim].kill()
                workers.procs[victim].wait()
                with factory() as s:
                    orphaned[victim] = dict(s.execute(select(Feed.id, Feed.lease_until)
                                                      .where(Feed.leased_by == victim)).all())
                assert count(factory, FeedItem) < total, "the kill came after the cycle"
                live.remove(victim)
                live.append(f"r{k}-{seed}")
                workers.start(live[-1])
            wait_until(lambda: count(factory, Feed, Feed.last_success_at.is_not(None))
                       == feeds and count(factory, FeedItem) == total, workers, 180,
                       "every feed to be polled after the kills")
            codes = workers.terminate()
        finally:
            workers.kill_all()
        assert set(codes.values()) == {0}, {w: workers.log(w)[-2000:] for w in codes}
        stored_once(factory, urls)
        assert integrity_problems(factory) == []
        assert count(factory, Feed, Feed.leased_by.is_not(None)) == 0
        assert sum(map(len, orphaned.values())) > 0, "no kill caught a lease"
        with factory() as s:
            for victim, held in orphaned.items():
                for feed in s.scalars(select(Feed).where(Feed.id.in_(held))):
                    # polled to the end by another worker, once the dead one's lease expired
                    assert feed.last_success_at is not None
                    assert feed.last_success_at >= held[feed.id], (victim, feed.url)
            assert s.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE "
                                 "datname = current_database() AND state = 'idle in "
                                 "transaction'")) == 0
        if Path("/proc").is_dir():  # the dead workers' analysis processes followed them
            deadline = time.monotonic() + 10
            while (left := survivors(set(orphaned))) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert left == [], left


# -- SQLite: a second process waits, it does not fail ---------------------------------------

def test_two_workers_on_one_sqlite_file_both_finish_without_database_is_locked(
        tmp_path: Path) -> None:
    feeds, items = 30, 3
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with LocalServer() as srv:
        urls = serve(srv, feeds, items)
        env = settings_env(write_config(tmp_path, srv, feeds), WORKER_PIPELINE_PROCESSES="1")
        procs = [subprocess.Popen([sys.executable, "-m", "worker", "run", "--once", "--json"],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env=worker_env(url, **env,
                                                            WORKER_DAEMON_WORKER_ID=f"s{n}"))
                 for n in range(2)]
        results = [p.communicate(timeout=150) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err[-3000:]
        assert "database is locked" not in err
        assert "Traceback" not in err, err[-3000:]
    with database(url) as factory:
        stored_once(factory, urls)
        assert integrity_problems(factory) == []
        assert count(factory, Feed, Feed.leased_by.is_not(None)) == 0
        with factory() as s:
            assert s.scalar(text("PRAGMA integrity_check")) == "ok"
            assert list(s.execute(text("PRAGMA foreign_key_check"))) == []
    requests = Counter(r.path for r in srv.requests if r.path.startswith("/feed/"))
    assert sorted(requests.values()) == [1] * feeds
