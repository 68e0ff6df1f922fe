"""A real `worker run` polling a local server, stopped with SIGTERM mid-cycle and restarted:
nothing lost, nothing duplicated, leases released, exit code 0, /metrics and /healthz served."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from tests.helpers.cli import run_worker, wait_catching, worker_env
from tests.helpers.paths import ROOT, SEEDS
from tests.helpers.server import LocalServer, rss
from worker.store.db import make_engine, session_factory
from worker.store.models import Article, Feed, FeedItem, IngestEvent

PAGES = sorted(p for p in SEEDS.glob("*.html") if "014_" not in p.name)[:12]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(tmp: Path, srv: LocalServer) -> Path:
    feeds = tmp / "feeds.toml"
    feeds.write_text("".join(f'[[feed]]\nurl = "{srv.url(f"/feed{n}")}"\nname = "F{n}"\n\n'
                             for n in range(3)), encoding="utf-8")
    cfg = tmp / "config" / "worker.toml"
    cfg.parent.mkdir()
    cfg.write_text(
        "[pipeline]\n"
        f'feeds_file = "{feeds}"\n',
        encoding="utf-8")
    return cfg


def serve(srv: LocalServer) -> list[str]:
    guids = []
    for n in range(3):
        items = []
        for i in range(4):
            k = n * 4 + i
            srv.route(f"/p{k}", body=PAGES[k].read_bytes(), delay=0.4)
            items.append({"guid": f"g{k}", "link": srv.url(f"/p{k}"), "title": f"Item {k}",
                          "pubDate": f"Fri, 0{1 + i} May 2025 10:00:00 GMT"})
            guids.append(f"g{k}")
        srv.route(f"/feed{n}", body=rss(items), headers={"ETag": f'"f{n}"'}, conditional=True)
    return guids


def test_sigterm_mid_cycle_then_restart_loses_and_duplicates_nothing(
        db_url: str, tmp_path: Path) -> None:
    port = free_port()
    with LocalServer() as srv:
        guids = serve(srv)
        env = {"WORKER_CONFIG": str(write_config(tmp_path, srv)),
               "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true", "WORKER_FETCH_TIMEOUT": "3",
               "WORKER_FETCH_HOST_DELAY": "0", "WORKER_DAEMON_TICK_SECONDS": "0.2",
               "WORKER_DAEMON_SHUTDOWN_GRACE": "10", "WORKER_DAEMON_METRICS_PORT": str(port),
               "WORKER_SCHEDULE_JITTER": "0"}
        proc = subprocess.Popen([sys.executable, "-m", "worker", "run"], cwd=ROOT,
                                env=worker_env(db_url, **env), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        engine = make_engine(db_url)
        factory = session_factory(engine)
        try:
            deadline = time.monotonic() + 60
            stored = 0
            while time.monotonic() < deadline and stored < 2:
                time.sleep(0.1)
                try:
                    with factory() as s:
                        stored = s.scalar(select(func.count()).select_from(FeedItem)) or 0
                except Exception:  # noqa: BLE001 - tables not migrated yet
                    stored = 0
            assert stored >= 2, "the worker stored nothing within 60 s"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                assert b"worker_fetch_duration_seconds" in r.read()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                assert r.status == 200
            proc.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err[-2000:]
            assert time.monotonic() - stopped < 15
            with factory() as s:
                assert s.scalar(select(func.count()).select_from(FeedItem)) < len(guids), \
                    "SIGTERM came too late to be mid-cycle"
                assert s.scalar(select(func.count()).select_from(Feed)
                                .where(Feed.leased_by.is_not(None))) == 0

            done = run_worker(["run", "--once", "--json"], db_url, timeout=120, **env)
            assert done.returncode == 0, done.stderr[-2000:]
            with factory() as s:
                items = list(s.execute(select(FeedItem.guid, FeedItem.article_id)))
                articles = s.scalar(select(func.count()).select_from(Article))
                firsts = Counter(a for (a,) in s.execute(
                    select(IngestEvent.article_id).where(
                        IngestEvent.outcome.in_(["new", "irrelevant"]))))
            assert sorted(g.rsplit("/", 1)[-1] for g, _ in items) == sorted(guids)
            assert all(a is not None for _, a in items)
            assert articles == len({a for _, a in items})
            assert max(firsts.values()) == 1
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            engine.dispose()


def stopped_while_starting(db_url: str, tmp_path: Path, srv: LocalServer,
                           *args: str) -> tuple[int, str, str]:
    """`worker run ARGS`, sent SIGTERM as soon as it can handle one (it is then still starting):
    its exit code, stdout and stderr."""
    env = {"WORKER_CONFIG": str(write_config(tmp_path, srv)),
           "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true", "WORKER_DAEMON_METRICS_PORT": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "worker", "run", *args], cwd=ROOT,
                            env=worker_env(db_url, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_catching(proc, signal.SIGTERM)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def test_sigterm_while_starting_stops_cleanly_without_polling(
        db_url: str, tmp_path: Path) -> None:
    """A supervisor may stop a worker it has only just started. The signal arrives during the
    imports and migrations, before the daemon's handlers exist; it must still mean a clean
    stop (exit 0, a log line, nothing leased) rather than the default action's silent -15."""
    with LocalServer() as srv:
        serve(srv)
        code, _, err = stopped_while_starting(db_url, tmp_path, srv)
        assert code == 0, err[-2000:]
        assert "received SIGTERM while starting" in err, err[-2000:]
        assert "Traceback" not in err
        assert srv.requests == []  # it stopped before taking any work
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as s:
            assert s.scalar(select(func.count()).select_from(Feed)) == 3  # start-up done
            assert s.scalar(select(func.count()).select_from(Feed)
                            .where(Feed.leased_by.is_not(None))) == 0
    finally:
        engine.dispose()


def test_sigterm_while_starting_once_prints_an_empty_summary(sqlite_url: str,
                                                             tmp_path: Path) -> None:
    with LocalServer() as srv:
        serve(srv)
        code, out, err = stopped_while_starting(sqlite_url, tmp_path, srv, "--once", "--json")
        assert code == 0, err[-2000:]
        assert "received SIGTERM while starting" in err
        summary = json.loads(out)
        assert summary["polls"] == {} and summary["items"] == {}
        assert srv.requests == []
