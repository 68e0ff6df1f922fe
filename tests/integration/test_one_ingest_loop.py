"""`worker replay seeds/` and the daemon polling seeds/ as a fixture directory feed go through
the one ingest loop (worker.ingest): the same articles, versions, claims, stories and ingest
outcomes from both, and the daemon remembers each document as a feed item with its article
(SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.paths import SEEDS
from tests.helpers.settings import local_settings
from worker.daemon import Daemon
from worker.feedlist import FeedSpec
from worker.pipeline import CoreConfig
from worker.replay import replay
from worker.store.db import engine_of, make_engine, session_factory, upgrade
from worker.store.feeds import upsert_feeds
from worker.store.models import (
    Article,
    ArticleVersion,
    Feed,
    FeedItem,
    FigureClaim,
    IngestEvent,
)
from worker.store.writer import Store


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def _factory(url: str, engines: list[Engine]) -> sessionmaker[Session]:
    engine = make_engine(url)
    engines.append(engine)
    upgrade(engine)
    return session_factory(engine)


def _rows(factory: sessionmaker[Session]) -> dict[str, Any]:
    with factory() as s:
        url = {i: u for i, u in s.execute(select(Article.id, Article.canonical_url))}
        first_of_story: dict[int, str] = {}
        for a in s.scalars(select(Article).order_by(Article.id)):
            if a.story_id is not None:
                first_of_story.setdefault(a.story_id, a.canonical_url)
        articles = sorted((a.canonical_url, a.relevant, a.title, a.outlet, a.language,
                           a.published_at, a.fingerprint, a.status,
                           first_of_story.get(a.story_id) if a.story_id else None)
                          for a in s.scalars(select(Article)))
        versions = sorted((url[v.article_id], v.number, v.text, v.fingerprint)
                          for v in s.scalars(select(ArticleVersion)))
        claims = sorted((url[c.article_id], c.metric, c.subject or "", c.value,
                         c.claimant or "", c.sentence) for c in s.scalars(select(FigureClaim)))
        events = sorted((e.locator, e.outcome, e.detail or "",
                         url.get(e.article_id) if e.article_id else "")
                        for e in s.scalars(select(IngestEvent)))
    return {"articles": articles, "versions": versions, "claims": claims, "events": events}


def test_replay_and_the_daemons_directory_feed_store_the_same_rows(
        db_url: str, twin_url: str, tmp_path: Path, engines: list[Engine]) -> None:
    settings = local_settings(db_url, tmp_path / "none.toml",
                              WORKER_FETCH_FIXTURE_PATHS=f'["{SEEDS}"]')
    replayed = _factory(db_url, engines)
    summary = replay([SEEDS], Store(engine_of(replayed), settings.dedupe),
                     CoreConfig.from_settings(settings), processes=2)
    assert (summary.files, summary.new, summary.revised, summary.irrelevant,
            summary.errors) == (19, 16, 1, 2, 0)

    polled = _factory(twin_url, engines)
    upsert_feeds(polled, [FeedSpec(url=SEEDS.as_uri(), name="seeds")])
    daemon = Daemon(local_settings(twin_url, tmp_path / "none.toml",
                                   WORKER_FETCH_FIXTURE_PATHS=f'["{SEEDS}"]',
                                   WORKER_PIPELINE_PROCESSES="2"), polled)
    try:
        cycle = daemon.run_cycle()
    finally:
        assert daemon.close()
    assert dict(cycle.polls) == {"ok": 1}
    assert dict(cycle.items) == {"new": 16, "revised": 1, "irrelevant": 2}

    want, got = _rows(replayed), _rows(polled)
    assert len(want["claims"]) == summary.figures == 91
    for table in ("articles", "versions", "claims", "events"):
        assert got[table] == want[table], table

    # every document of the directory is one remembered item, with the article it made
    with polled() as s:
        url = {i: u for i, u in s.execute(select(Article.id, Article.canonical_url))}
        items = {i.guid: url.get(i.article_id) if i.article_id else None
                 for i in s.scalars(select(FeedItem))}
    stored = {e[0]: e[3] for e in want["events"]}
    assert items == {str(Path(locator).relative_to(SEEDS)): article
                     for locator, article in stored.items()}
    assert None not in items.values()

    again = Daemon(local_settings(twin_url, tmp_path / "none.toml",
                                  WORKER_FETCH_FIXTURE_PATHS=f'["{SEEDS}"]'), polled)
    try:  # due now, and the directory's listing forgotten: every file is looked at again
        with polled() as s, s.begin():
            s.execute(update(Feed).values(next_poll_at=datetime(2000, 1, 1), body_hash=None))
        second = again.run_cycle()
    finally:
        assert again.close()
    # nothing new: every item is known, so nothing is analysed or stored again
    assert dict(second.polls) == {"ok": 1} and sum(second.items.values()) == 0
    assert _rows(polled) == got
