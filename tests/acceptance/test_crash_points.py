"""A real `worker run --once` polling a local server kills itself (SIGKILL, WORKER_FAULT) at
each named point of the write path, on SQLite and PostgreSQL; a second run, once the dead
worker's leases have expired, finishes the work. Nothing is lost (every item remembered with
its article), nothing doubled (one article per page, one version and one "new" event per
article, no claim twice) and nothing left leased."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEEDS
from tests.helpers.server import LocalServer, rss
from worker.faults import POINTS
from worker.store.db import make_engine, session_factory
from worker.store.models import (
    Article,
    ArticleVersion,
    Feed,
    FeedItem,
    FigureClaim,
    IngestEvent,
    utcnow,
)

PAGES = sorted(p for p in SEEDS.glob("*.html") if "014_" not in p.name)[:6]
LEASE = 2  # seconds: the dead worker's leases expire before the second run
# the second time at each point: one document (or one renewal) got through before the kill
FAULTS = {name: f"{name}:2" for name in POINTS}


def serve(srv: LocalServer, tmp: Path) -> tuple[Path, list[str]]:
    guids: list[str] = []
    for n in range(2):
        items = []
        for i in range(3):
            k = n * 3 + i
            srv.route(f"/p{k}", body=PAGES[k].read_bytes(), delay=0.3)
            items.append({"guid": f"g{k}", "link": srv.url(f"/p{k}"), "title": f"Item {k}",
                          "pubDate": f"Fri, 0{1 + i} May 2025 10:00:00 GMT"})
            guids.append(f"g{k}")
        srv.route(f"/feed{n}", body=rss(items))
    feeds = tmp / "feeds.toml"
    feeds.write_text("".join(f'[[feed]]\nurl = "{srv.url(f"/feed{n}")}"\nname = "F{n}"\n\n'
                             for n in range(2)), encoding="utf-8")
    cfg = tmp / "config" / "worker.toml"
    cfg.parent.mkdir()
    cfg.write_text(f'[pipeline]\nfeeds_file = "{feeds}"\n', encoding="utf-8")
    return cfg, guids


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_killed_at_a_point_then_rerun_loses_doubles_and_leases_nothing(
        point: str, db_url: str, tmp_path: Path) -> None:
    with LocalServer() as srv:
        cfg, guids = serve(srv, tmp_path)
        env = {"WORKER_CONFIG": str(cfg), "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
               "WORKER_FETCH_TIMEOUT": "5", "WORKER_FETCH_HOST_DELAY": "0",
               "WORKER_DAEMON_TICK_SECONDS": "0.2", "WORKER_DAEMON_LEASE_SECONDS": str(LEASE),
               "WORKER_DAEMON_METRICS_PORT": "0", "WORKER_SCHEDULE_JITTER": "0",
               "WORKER_PIPELINE_PROCESSES": "1"}
        killed = run_worker(["run", "--once"], db_url, timeout=120,
                            WORKER_FAULT=FAULTS[point], **env)
        assert killed.returncode == -9, (killed.returncode, killed.stderr[-2000:])
        engine = make_engine(db_url)
        factory = session_factory(engine)
        try:
            with factory() as s:
                remembered = s.scalar(select(func.count()).select_from(FeedItem)) or 0
                leased = s.scalar(select(func.count()).select_from(Feed)
                                  .where(Feed.leased_by.is_not(None)))
            assert remembered < len(guids), "the kill came after the work was done"
            assert leased, "the dead worker held no lease: the kill was not mid-cycle"
            # the second run stands for the next time each feed is due (a feed whose poll
            # failed in the first run, e.g. a fetch timing out on a busy machine, is due later)
            with factory() as s, s.begin():
                state = [(f.url, f.leased_by, f.lease_until, f.next_poll_at,
                          f.consecutive_failures) for f in s.scalars(select(Feed))]
                s.execute(update(Feed).values(next_poll_at=utcnow()))
            time.sleep(LEASE + 0.5)

            done = run_worker(["run", "--once"], db_url, timeout=120, **env)
            assert done.returncode == 0, done.stderr[-2000:]
            with factory() as s:
                items = list(s.execute(select(FeedItem.guid, FeedItem.article_id)))
                articles = s.scalar(select(func.count()).select_from(Article))
                versions = Counter(a for (a,) in s.execute(select(ArticleVersion.article_id)))
                firsts = Counter(a for (a,) in s.execute(
                    select(IngestEvent.article_id).where(IngestEvent.outcome == "new")))
                claims = Counter(s.execute(select(
                    FigureClaim.version_id, FigureClaim.metric, FigureClaim.value,
                    FigureClaim.start)).all())
                leased = s.scalar(select(func.count()).select_from(Feed)
                                  .where(Feed.leased_by.is_not(None)))
        finally:
            engine.dispose()
    assert sorted(g.rsplit("/", 1)[-1] for g, _ in items) == sorted(guids), (  # nothing lost
        state, done.stderr[-3000:])
    assert all(a is not None for _, a in items)
    assert articles == len({a for _, a in items})  # no page stored twice
    assert versions and max(versions.values()) == 1  # no version written twice
    assert set(firsts) == set(versions) and max(firsts.values()) == 1
    assert claims and max(claims.values()) == 1  # no claim written twice
    assert leased == 0
