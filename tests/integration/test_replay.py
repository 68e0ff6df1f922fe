"""Replay of fixture files through the whole pipeline into a real database (SQLite and
PostgreSQL)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.paths import SEED
from worker.config import Settings
from worker.pipeline import CoreConfig
from worker.replay import replay
from worker.store.db import engine_of
from worker.store.models import (
    Article,
    ArticleEvent,
    ArticleVersion,
    ContentFingerprint,
    FigureClaim,
    IngestEvent,
    UrlAlias,
)
from worker.store.writer import Store

TROOPS = ("North Korean troops fighting for Russia in the Kursk region have suffered heavy "
          "losses, South Korea's spy agency said. About {n} North Korean soldiers have been "
          "killed and 2,700 wounded, lawmaker Lee Seong-kweun said after a briefing by the "
          "National Intelligence Service. Pyongyang sent 11,000 troops to Russia last year.")


def run(paths: list[Path], factory: sessionmaker[Session], settings: Settings) -> dict:
    summary = replay(paths, Store(engine_of(factory), settings.dedupe),
                     CoreConfig.from_settings(settings))
    return summary.as_dict()


def table_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Article, ArticleVersion, FigureClaim, ContentFingerprint, UrlAlias)}


def test_seed_is_cleaned_judged_relevant_and_its_figures_stored(
        tmp_path: Path, factory: sessionmaker[Session], settings: Settings) -> None:
    shutil.copy(SEED, tmp_path)
    summary = run([tmp_path], factory, settings)
    assert (summary["files"], summary["new"], summary["errors"]) == (1, 1, 0)
    with factory() as s:
        article = s.scalars(select(Article)).one()
        assert article.relevant
        assert article.published_at is not None
        assert article.published_at.date() == date(2025, 4, 30)
        assert article.language == "fr"
        version = s.scalars(select(ArticleVersion)).one()
        assert version.text.endswith("nouvel axe Moscou-Pyongyang.")
        assert "Que se passe-t-il en Tunisie" not in version.text
        claims = s.scalars(select(FigureClaim)).all()
    found = {(c.metric, c.value) for c in claims}
    assert found == {("killed", 600), ("casualties", 4700), ("wounded", 2000),
                     ("deployed", 18000)}
    assert {c.subject for c in claims} == {"KP"}
    assert {c.modality for c in claims} == {"reported"}
    assert all(c.claimant for c in claims)
    assert all(c.claimed_at.date() == date(2025, 4, 30) for c in claims)
    assert summary["figures"] == len(claims)


def test_replaying_twice_adds_nothing(tmp_path: Path, factory: sessionmaker[Session],
                                      settings: Settings) -> None:
    shutil.copy(SEED, tmp_path)
    run([tmp_path], factory, settings)
    before = table_counts(factory)
    again = run([tmp_path], factory, settings)
    assert again["new"] == 0 and again["duplicates"] == 1
    assert table_counts(factory) == before


def test_an_edited_file_becomes_a_new_version(tmp_path: Path, factory: sessionmaker[Session],
                                              settings: Settings) -> None:
    f = tmp_path / "report.txt"
    f.write_text(TROOPS.format(n=300), encoding="utf-8")
    run([f], factory, settings)
    f.write_text(TROOPS.format(n=600), encoding="utf-8")
    summary = run([f], factory, settings)
    assert summary["revised"] == 1
    # whitespace and punctuation only: not a version
    f.write_text(TROOPS.format(n=600).replace(". ", ".  ") + "\n", encoding="utf-8")
    assert run([f], factory, settings)["duplicates"] == 1
    with factory() as s:
        versions = s.scalars(select(ArticleVersion).order_by(ArticleVersion.number)).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[1].changes is not None
        changed = versions[1].changes["figures"]["changed"]
        assert any(c["metric"] == "killed" and c["from"] == [300] and c["to"] == [600]
                   for c in changed)


def test_same_text_under_another_url_is_one_article(tmp_path: Path,
                                                    factory: sessionmaker[Session],
                                                    settings: Settings) -> None:
    for name, url in (("a", "https://www.example.com/nk?utm_source=x"),
                      ("b", "https://mirror.example.net/copy")):
        (tmp_path / f"{name}.txt").write_text(TROOPS.format(n=300), encoding="utf-8")
        (tmp_path / f"{name}.meta.toml").write_text(f'url = "{url}"\n', encoding="utf-8")
    summary = run([tmp_path], factory, settings)
    assert (summary["new"], summary["duplicates"]) == (1, 1)
    counts = table_counts(factory)
    assert counts["articles"] == 1 and counts["url_aliases"] == 1


def test_irrelevant_article_is_remembered_without_text(tmp_path: Path,
                                                      factory: sessionmaker[Session],
                                                      settings: Settings) -> None:
    (tmp_path / "missile.txt").write_text(
        "North Korea fired a ballistic missile into the East Sea on Monday, Seoul said. "
        "The launch was the third this year.", encoding="utf-8")
    summary = run([tmp_path], factory, settings)
    assert summary["irrelevant"] == 1
    with factory() as s:
        article = s.scalars(select(Article)).one()
        assert not article.relevant and article.fingerprint and article.title
        assert s.scalar(select(func.count()).select_from(ArticleVersion)) == 0
    assert run([tmp_path], factory, settings)["irrelevant"] == 1
    assert table_counts(factory)["articles"] == 1


def test_a_bad_file_is_reported_and_the_others_still_ingested(
        tmp_path: Path, factory: sessionmaker[Session], settings: Settings) -> None:
    shutil.copy(SEED, tmp_path)
    (tmp_path / "broken.txt").write_text(TROOPS.format(n=1), encoding="utf-8")
    (tmp_path / "broken.meta.toml").write_text("url = [unclosed", encoding="utf-8")
    (tmp_path / "feed.xml").write_bytes(b"<rss><channel><item><title>x</ti")
    summary = run([tmp_path], factory, settings)
    assert summary["new"] == 1
    assert summary["errors"] == 2
    failed = " ".join(f["error"] for f in summary["failed"])
    assert "broken.meta.toml" in failed and "feed.xml" in failed


def test_sidecar_metadata_wins(tmp_path: Path, factory: sessionmaker[Session],
                               settings: Settings) -> None:
    (tmp_path / "r.txt").write_text(TROOPS.format(n=300), encoding="utf-8")
    (tmp_path / "r.meta.toml").write_text(
        'url = "https://news.example.com/r"\ntitle = "NK toll"\npublished = 2025-01-13\n'
        'source = "Example News"\nlanguage = "en"\n', encoding="utf-8")
    run([tmp_path], factory, settings)
    with factory() as s:
        a = s.scalars(select(Article)).one()
    assert (a.url, a.title, a.outlet, a.language) == (
        "https://news.example.com/r", "NK toll", "Example News", "en")
    assert a.published_at is not None and a.published_at.date() == date(2025, 1, 13)


def test_xml_feed_items_point_to_files_or_carry_content(
        tmp_path: Path, factory: sessionmaker[Session], settings: Settings) -> None:
    (tmp_path / "one.txt").write_text(TROOPS.format(n=300), encoding="utf-8")
    body = TROOPS.format(n=600).replace("&", "&amp;")
    (tmp_path / "feed.xml").write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Fixture</title><language>en</language>
<item><guid>1</guid><title>One</title><link>one.txt</link></item>
<item><guid>2</guid><title>Two</title><link>https://news.example.com/two</link>
<description>&lt;p&gt;{body}&lt;/p&gt;</description>
<pubDate>Mon, 13 Jan 2025 08:00:00 GMT</pubDate></item>
</channel></rss>""", encoding="utf-8")
    summary = run([tmp_path / "feed.xml"], factory, settings)
    assert summary["new"] == 2, summary
    with factory() as s:
        urls = set(s.scalars(select(Article.url)))
        events = s.scalar(select(func.count()).select_from(IngestEvent))
    assert "https://news.example.com/two" in urls
    assert events == 2


def test_a_page_replaced_by_a_correction_note_gets_a_corrected_event(
        tmp_path: Path, factory: sessionmaker[Session], settings: Settings) -> None:
    f = tmp_path / "report.txt"
    f.write_text(("\n\n".join([TROOPS.format(n=300)] * 3)), encoding="utf-8")
    run([f], factory, settings)
    f.write_text("Correction: this article has been withdrawn pending verification of the "
                 "figures about North Korean troops in Russia's Kursk region.", encoding="utf-8")
    assert run([f], factory, settings)["revised"] == 1
    with factory() as s:
        article = s.scalars(select(Article)).one()
        events = s.scalars(select(ArticleEvent.kind)).all()
    assert article.status == "corrected"
    assert events == ["corrected"]


def test_an_irrelevant_page_edited_into_coverage_becomes_a_relevant_article(
        tmp_path: Path, factory: sessionmaker[Session], settings: Settings) -> None:
    f = tmp_path / "live.txt"
    (tmp_path / "live.meta.toml").write_text(
        'url = "https://news.example.com/live"\npublished = 2025-01-13\n', encoding="utf-8")
    f.write_text("Markets were calm on Monday as investors waited for the central bank's "
                 "decision on interest rates.", encoding="utf-8")
    assert run([tmp_path], factory, settings)["irrelevant"] == 1
    with factory() as s:
        first = s.scalars(select(Article)).one()
        first_id, first_fp = first.id, first.fingerprint
    f.write_text(TROOPS.format(n=300), encoding="utf-8")
    assert run([tmp_path], factory, settings)["new"] == 1
    with factory() as s:
        article = s.scalars(select(Article)).one()
        versions = s.scalars(select(ArticleVersion)).all()
        claims = s.scalars(select(FigureClaim.value).where(FigureClaim.metric == "killed")).all()
        fingerprints = set(s.scalars(select(ContentFingerprint.fingerprint)))
    assert article.id == first_id and article.relevant and article.fingerprint != first_fp
    assert article.story_id is not None and article.signature is not None
    assert [v.number for v in versions] == [1] and versions[0].changes is None
    assert claims == [300]
    assert fingerprints == {first_fp, article.fingerprint}  # both texts lead to the article
    # the edited text replayed again is a duplicate of its version, not a third state
    assert run([tmp_path], factory, settings)["duplicates"] == 1


def test_a_revision_keeps_the_story_and_records_the_changed_figure(
        tmp_path: Path, factory: sessionmaker[Session], settings: Settings) -> None:
    f = tmp_path / "report.txt"
    (tmp_path / "report.meta.toml").write_text(
        'url = "https://news.example.com/report"\npublished = 2025-01-13\n', encoding="utf-8")
    f.write_text(TROOPS.format(n=300), encoding="utf-8")
    run([tmp_path], factory, settings)
    with factory() as s:
        story = s.scalars(select(Article.story_id)).one()
    f.write_text(TROOPS.format(n=600), encoding="utf-8")
    assert run([tmp_path], factory, settings)["revised"] == 1
    with factory() as s:
        article = s.scalars(select(Article)).one()
        versions = s.scalars(select(ArticleVersion).order_by(ArticleVersion.number)).all()
        killed = s.execute(select(FigureClaim.value, FigureClaim.version_id)
                           .where(FigureClaim.metric == "killed")
                           .order_by(FigureClaim.version_id)).all()
    assert article.story_id == story and article.status == "active"
    assert [v.number for v in versions] == [1, 2]
    changed = versions[1].changes["figures"]["changed"]
    assert any(c["metric"] == "killed" for c in changed), changed
    assert [v for v, _ in killed] == [300, 600]
    assert killed[1][1] == versions[1].id
