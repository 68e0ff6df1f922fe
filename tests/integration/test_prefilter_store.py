"""With the topic pre-filter on, a replay stores exactly the rows of relevant articles that it
stores with the pre-filter off, and remembers the same pages as irrelevant (SQLite and
PostgreSQL)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.paths import CORPUS, SEEDS
from worker.config import Settings
from worker.pipeline import CoreConfig
from worker.replay import replay
from worker.store.db import engine_of, make_engine, session_factory, upgrade
from worker.store.models import Article, ArticleVersion, FigureClaim, IngestEvent
from worker.store.writer import Store


def _rows(factory: sessionmaker[Session]) -> dict[str, Any]:
    with factory() as s:
        url = {i: u for i, u in s.execute(select(Article.id, Article.canonical_url))}
        articles = {a.canonical_url: (a.relevant, a.title, a.language, a.published_at,
                                      a.fingerprint if a.relevant else None, a.signature)
                    for a in s.scalars(select(Article))}
        versions = sorted((url[v.article_id], v.number, v.text, v.fingerprint)
                          for v in s.scalars(select(ArticleVersion)))
        claims = sorted((url[c.article_id], c.metric, c.subject or "", c.value,
                         c.claimant or "", c.sentence) for c in s.scalars(select(FigureClaim)))
        details = [e.detail for e in s.scalars(select(IngestEvent))
                   if e.outcome == "irrelevant"]
    return {"articles": articles, "versions": versions, "claims": claims, "details": details}


def _replay(url: str, settings: Settings, paths: list[Path], *, prefilter: bool,
            processes: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    core = dataclasses.replace(CoreConfig.from_settings(settings), prefilter=prefilter)
    summary = replay(paths, Store(engine_of(factory), settings.dedupe), core, processes=processes)
    rows = _rows(factory)
    engine.dispose()
    return summary.as_dict(), rows


def test_replay_with_the_prefilter_stores_the_same_rows(
        tmp_path: Path, settings: Settings, db_url: str, twin_url: str) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(SEEDS, pages)
    corpus = sorted((CORPUS / "pages").glob("*.html"))[:40]
    for path in corpus:
        shutil.copy(path, pages / path.name)
    # screened in the replaying process, the rest analysed by a pool of 2
    fast_summary, got = _replay(db_url, settings, [pages], prefilter=True, processes=2)
    full_summary, want = _replay(twin_url, settings, [pages], prefilter=False)
    assert fast_summary == full_summary
    assert got["versions"] == want["versions"] and got["versions"]
    assert got["claims"] == want["claims"] and got["claims"]
    assert {u: r[0] for u, r in got["articles"].items()} == {
        u: r[0] for u, r in want["articles"].items()}
    relevant = {u: r for u, r in got["articles"].items() if r[0]}
    assert relevant == {u: r for u, r in want["articles"].items() if r[0]}
    skipped = [d for d in got["details"] if d and d.startswith("pre-filter")]
    assert len(skipped) >= (len(corpus) * 3) // 4 if corpus else len(skipped) >= 1
    assert not any(want["details"])
