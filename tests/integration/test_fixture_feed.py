"""The fixture feed in seeds/ (see seeds/README.md, the answer key) replayed end to end on
SQLite and PostgreSQL: stories, the edited article, the figure series and its changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.paths import SEEDS
from worker.config import Settings
from worker.pipeline import CoreConfig
from worker.replay import replay
from worker.store import queries
from worker.store.db import engine_of
from worker.store.models import Article, ArticleVersion, FigureClaim
from worker.store.writer import Store

WIRE = {"France 24", "The Straits Times", "Barron's", "Digital Journal"}


@pytest.fixture
def replayed(factory: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    summary = replay([SEEDS], Store(engine_of(factory), settings.dedupe),
                     CoreConfig.from_settings(settings))
    assert summary.errors == 0, summary.failed
    assert (summary.files, summary.new, summary.revised, summary.irrelevant) == (19, 16, 1, 2)
    return factory


def test_wire_reprints_form_one_story_and_the_hard_negative_another(
        replayed: sessionmaker[Session]) -> None:
    with replayed() as s:
        stories = queries.stories(s)
    by_outlets = {frozenset(st["outlets"]): st for st in stories}
    wire = by_outlets[frozenset(WIRE)]
    assert wire["copies"] == 4
    assert wire["earliest_url"].startswith("https://www.france24.com/")
    assert all(st["copies"] == 1 for st in stories if st is not wire)
    assert len(stories) == 13  # 16 relevant articles, 4 of them one story


def test_the_edited_article_is_one_article_with_two_versions_and_one_revision(
        replayed: sessionmaker[Session]) -> None:
    with replayed() as s:
        euronews = s.scalars(select(Article).where(Article.outlet == "Euronews")).one()
        n_versions = s.scalar(select(func.count()).select_from(ArticleVersion).where(
            ArticleVersion.article_id == euronews.id))
        revisions = queries.changes(s, kind="article_revision")
        history = queries.article_history(s, euronews.url)
    assert n_versions == 2
    assert [(r["subject"], r["metric"], r["claimant"], r["previous_value"], r["value"],
             r["outlet"]) for r in revisions] == [("KP", "killed", "KR-NIS", 300, 600,
                                                    "Euronews")]
    # stated for the article's publication, reported when the correction was fetched
    assert (revisions[0]["stated_for"], revisions[0]["reported_on"]) == (
        "2025-05-02T07:45:00+00:00", "2025-05-02T15:00:00+00:00")
    assert history is not None
    changed = history["versions"][1]["changes"]["figures"]["changed"]
    assert [(c["metric"], c["from"], c["to"]) for c in changed] == [("killed", [300], [600])]
    assert "Around 600" in history["versions"][1]["diff"]


def test_the_north_korean_death_toll_moves_as_the_reports_say(
        replayed: sessionmaker[Session]) -> None:
    with replayed() as s:
        rows = queries.changes(s, subject="KP", metric="killed", claimant="KR-NIS")
        latest = {(r["metric"], r["claimant"]): r for r in queries.latest_figures(
            s, subject="KP")}
        feb = {(r["metric"], r["claimant"]): r["value"] for r in queries.latest_figures(
            s, as_of=date(2025, 2, 1), subject="KP")}
    values = [r["value"] for r in rows]
    # 100 (Dec) -> 300 (Jan) -> 600 (Apr) -> 2,000 (Sep), in that order
    positions = [values.index(v) for v in (100, 300, 600, 2000)]
    assert positions == sorted(positions)
    assert latest[("killed", "KR-NIS")]["value"] == 2000
    assert feb[("killed", "KR-NIS")] == 300
    first_300 = next(r for r in rows if r["value"] == 300)
    # the wire story counts once: wire + tagesschau (Euronews v1 was corrected to 600)
    assert first_300["independent_stories"] >= 2
    assert first_300["kind"] == "new_report"
    # 100 -> 300 -> 600 -> 2,000 with no change backwards
    new_reports = [(r["previous_value"], r["value"]) for r in rows if r["kind"] == "new_report"]
    assert new_reports == [(None, 100), (100, 300), (300, 600), (600, 2000)]


def test_the_seed_figures_are_stored_with_their_date(replayed: sessionmaker[Session]) -> None:
    with replayed() as s:
        seed = s.scalars(select(Article).where(
            Article.canonical_url == "fixture://seeds/000_b80b5a2a3a82875b.txt")).one()
        assert seed.published_at is not None
        assert seed.published_at.date() == date(2025, 4, 30)
        history = queries.article_history(s, seed.url)
    assert history is not None
    figures = {(f["metric"], f["value"]) for f in history["versions"][0]["figures"]}
    assert figures == {("killed", 600), ("casualties", 4700), ("wounded", 2000),
                       ("deployed", 18000)}


def test_no_change_is_taken_from_a_recalled_figure(replayed: sessionmaker[Session]) -> None:
    """The Korea Herald recalls the agency's December assessment ("at least 100 ... had
    died") on the day of the 300 briefing: stored as recalled, it never makes a change."""
    with replayed() as s:
        rows = queries.changes(s, subject="KP", metric="killed", claimant="KR-NIS")
        recalled = s.scalars(select(FigureClaim).where(
            FigureClaim.recalled.is_(True), FigureClaim.metric == "killed")).all()
    assert any(c.value == 100 and c.refers_to == "2024-12-19" for c in recalled)
    new_reports = [(r["previous_value"], r["value"]) for r in rows if r["kind"] == "new_report"]
    assert (300, 100) not in new_reports
    assert [v for _, v in new_reports] == [100, 300, 600, 2000]
    # the recalls are evidence for the December point: its stories count them
    assert rows[0]["value"] == 100 and rows[0]["independent_stories"] >= 2
    assert not rows[0]["through_recall"]


def test_parts_and_increments_stay_out_of_the_deployment_series(
        replayed: sessionmaker[Session]) -> None:
    """KR-NIS deployments: 3,000 'additional' troops are an increment, "including some 11,000
    ... and about 3,000 reinforcements" are parts of 18,000; the series only rises."""
    with replayed() as s:
        rows = queries.changes(s, subject="KP", metric="deployed", claimant="KR-NIS")
        latest = {(r["metric"], r["claimant"]): r["value"] for r in queries.latest_figures(
            s, subject="KP")}
        parts = s.scalars(select(FigureClaim).where(FigureClaim.partial.is_(True),
                                                    FigureClaim.metric == "deployed")).all()
    assert [r["value"] for r in rows] == [11000, 18000]
    assert latest[("deployed", "KR-NIS")] == 18000
    assert latest[("wounded", "KR-NIS")] == 2700  # 2,000 flown home is a sub-population
    assert {c.value for c in parts} >= {11000, 3000}
    assert all(c.part_of is not None for c in parts)
