"""The daemon survives PostgreSQL going away mid-cycle: a TCP proxy of the test's own between
the worker and the server is cut (every connection dropped, new ones refused) for 10 s and for
60 s while a feed's items are being stored, then restored. The cycle completes by itself,
without a restart, with every item stored once and no lease left behind."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.helpers.server import LocalServer, rss
from tests.helpers.settings import local_settings
from tests.helpers.world import PAGES
from worker.daemon import Daemon
from worker.feedlist import FeedSpec
from worker.store.db import make_engine, session_factory, upgrade
from worker.store.feeds import upsert_feeds
from worker.store.models import Article, Feed, FeedItem, IngestEvent

pytestmark = pytest.mark.postgres


class TcpProxy:
    """127.0.0.1:port -> upstream, one thread pair per connection; `cut()` drops every
    connection and refuses new ones until `restore()`."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = threading.Event()
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.down.set()
        with self.lock:
            conns, self.open = self.open, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        self.down.clear()

    def close(self) -> None:
        self.closing.set()
        self.cut()
        self.listener.close()


@pytest.fixture
def proxy(pg_url: str) -> Iterator[TcpProxy]:
    url = make_url(pg_url)
    p = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield p
    p.close()


def _wait(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("outage", [10, 60])
def test_the_daemon_resumes_by_itself_after_the_database_comes_back(
        pg_url: str, proxy: TcpProxy, tmp_path: Path, outage: int) -> None:
    direct = make_engine(pg_url)
    upgrade(direct)
    direct_factory = session_factory(direct)
    via_proxy = make_url(pg_url).set(port=proxy.port).render_as_string(hide_password=False)
    n = min(10, len(PAGES))
    with LocalServer() as srv:
        for i in range(n):  # one page at a time, a little slowly: the cut falls mid-cycle
            srv.route(f"/p{i}", body=PAGES[i].read_bytes(), delay=0.4)
        srv.route("/feed", body=rss([{"guid": f"g{i}", "link": srv.url(f"/p{i}"),
                                      "title": f"Item {i}"} for i in range(n)]))
        settings = local_settings(
            via_proxy, tmp_path / "none.toml", WORKER_FETCH_PER_HOST_CONNECTIONS="1",
            WORKER_DAEMON_TICK_SECONDS="0.5", WORKER_DAEMON_METRICS_PORT="0",
            WORKER_PIPELINE_PROCESSES="1")
        engine = make_engine(via_proxy)
        factory = session_factory(engine)
        upsert_feeds(factory, [FeedSpec(url=srv.url("/feed"))])

        def remembered() -> int:
            with direct_factory() as s:
                return int(s.scalar(select(func.count()).select_from(FeedItem)) or 0)

        daemon = Daemon(settings, factory)
        runner = threading.Thread(target=daemon.run_forever, daemon=True)
        runner.start()
        try:
            assert _wait(lambda: remembered() >= 2, 60), "the cycle never started"
            proxy.cut()
            cut_at = remembered()
            time.sleep(outage)
            assert remembered() < n or cut_at == n  # nothing can be stored meanwhile
            proxy.restore()
            assert _wait(lambda: remembered() == n, 60 + outage), \
                f"only {remembered()} of {n} items after the database came back"
        finally:
            daemon.stop()
            runner.join(30)
            daemon.close()
            engine.dispose()
    with direct_factory() as s:
        assert s.scalar(select(func.count(func.distinct(FeedItem.guid)))) == n
        stored = [loc for (loc,) in s.execute(
            select(IngestEvent.locator).where(IngestEvent.outcome.in_(
                ("new", "irrelevant", "revised"))))]
        assert len(stored) == len(set(stored))  # no page stored twice
        assert s.scalar(select(func.count()).select_from(Article)) == len(stored)
        assert s.scalar(select(func.count()).select_from(Feed)
                        .where(Feed.leased_by.is_not(None))) == 0
    direct.dispose()
