"""A local server, a migrated database and a daemon to run cycles against them: what the
daemon's integration tests share (the `world` fixture in tests/conftest.py builds one)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.paths import SEEDS
from tests.helpers.server import LocalServer
from tests.helpers.settings import local_env
from worker.config import Settings, load_settings
from worker.daemon import Daemon
from worker.feedlist import FeedSpec
from worker.store.db import make_engine, session_factory, upgrade
from worker.store.feeds import upsert_feeds
from worker.store.models import Article, Feed, utcnow

PAGES = sorted(p for p in SEEDS.glob("*.html") if "014_" not in p.name)
EDITED = (SEEDS / "014_euronews-edited-report.v1.html",
          SEEDS / "014_euronews-edited-report.v2.html")


def page(n: int) -> bytes:
    return PAGES[n].read_bytes()


class World:
    """A server, a database and a way to run daemon cycles against them."""

    def __init__(self, srv: LocalServer, db_url: str, tmp: Path) -> None:
        self.srv = srv
        (tmp / "none.toml").write_text("# no feeds\n", encoding="utf-8")
        self.env = local_env(db_url, tmp / "none.toml", WORKER_FETCH_TIMEOUT="1",
                             WORKER_DAEMON_SHUTDOWN_GRACE="5")
        self.engine = make_engine(db_url)
        upgrade(self.engine)
        self.factory: sessionmaker[Session] = session_factory(self.engine)

    def settings(self, **env: str) -> Settings:
        return load_settings(env=self.env | env)

    def add(self, path: str, **spec: Any) -> str:
        url = self.srv.url(path)
        upsert_feeds(self.factory, [FeedSpec(url=url, **spec)])
        return url

    def cycle(self, *, due: bool = True, **env: str) -> dict[str, Any]:
        if due:
            self.make_due()
        daemon = Daemon(self.settings(**env), self.factory)
        try:
            return daemon.run_cycle().as_dict()
        finally:
            assert daemon.close()

    def make_due(self) -> None:
        with self.factory() as s, s.begin():
            s.execute(update(Feed).values(next_poll_at=utcnow() - timedelta(seconds=1)))

    def feed(self, url: str | None = None) -> Feed:
        with self.factory() as s:
            q = select(Feed) if url is None else select(Feed).where(Feed.url == url)
            return s.scalars(q).one()

    def count(self, model: Any, *where: Any) -> int:
        with self.factory() as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def rows(self, query: Any) -> list[Any]:
        with self.factory() as s:
            return list(s.execute(query))


def items(srv: LocalServer, n: int, *, start: int = 0, prefix: str = "a") -> list[dict[str, str]]:
    out = []
    for i in range(start, start + n):
        srv.route(f"/{prefix}{i}", body=page(i))
        out.append({"guid": f"g-{prefix}{i}", "link": srv.url(f"/{prefix}{i}"),
                    "title": f"Item {i}", "description": f"Summary {i}",
                    "pubDate": f"Fri, 0{1 + i % 9} May 2025 10:00:00 GMT"})
    return out


def now_rfc() -> str:
    return utcnow().strftime("%a, %d %b %Y %H:%M:%S GMT")


def recheck_now(world: World) -> None:
    with world.factory() as s, s.begin():
        s.execute(update(Article).values(next_recheck_at=utcnow() - timedelta(seconds=1)))
    world.cycle(due=False)


def atom(item: dict[str, str], updated: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>A</title><id>urn:a</id><updated>{updated}</updated>"
            f"<entry><id>{item['guid']}</id><title>{item['title']}</title>"
            f'<link href="{item["link"]}"/><updated>{updated}</updated>'
            f"<published>{utcnow().isoformat()}</published></entry></feed>").encode()

