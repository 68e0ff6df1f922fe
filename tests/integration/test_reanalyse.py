"""Re-analysis of stored versions on SQLite and PostgreSQL: claims made by an "older extractor"
(tampered rows marked as analysed with another version) come back as the current code makes
them, with their ids, and the series that changed are reported; a second run does nothing;
review overrides survive; a dry run writes nothing; raw pages are kept with their SHA-256, and
without them the stored text is analysed again."""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.paths import SEEDS
from worker.config import Settings
from worker.figures.version import EXTRACTOR_VERSION
from worker.pipeline import CoreConfig
from worker.reanalyse import reanalyse
from worker.replay import replay
from worker.series import derive_series
from worker.store import lineage_rebuild, reviews
from worker.store.db import engine_of
from worker.store.models import Article, ArticleVersion, FigureClaim, RawPage
from worker.store.writer import Store

FIELDS = ("id", "version_id", "metric", "subject", "value", "low", "high", "qualifier",
          "modality", "claimant", "scope", "start", "end", "refers_to", "recalled", "partial",
          "claimant_inferred", "excluded", "claimed_at")


def _replay(factory: sessionmaker[Session], settings: Settings, *, keep_raw: bool = True
            ) -> None:
    summary = replay([SEEDS], Store(engine_of(factory), settings.dedupe, keep_raw=keep_raw),
                     CoreConfig.from_settings(settings))
    assert summary.errors == 0, summary.failed


def _claims(factory: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    with factory() as s:
        return [tuple(getattr(c, f) for f in FIELDS)
                for c in s.scalars(select(FigureClaim).order_by(FigureClaim.id))]


def _lineage_is_exact(factory: sessionmaker[Session]) -> None:
    """The materialised lineage holds what the series definition computes from the claims."""
    with factory() as s:
        conn = s.connection()
        by_series = lineage_rebuild.series_claims(conn)
        assert by_series
        for key, claims in by_series.items():
            stored = lineage_rebuild.stored_series(conn, key)
            derived = derive_series(claims)
            assert stored is not None, key
            assert [(x.claim_id, x.base(), x.derived()) for x in stored.statements] == [
                (x.claim_id, x.base(), x.derived()) for x in derived.statements], key
            assert stored.latest == derived.latest, key


def _yonhap_2000(s: Session) -> FigureClaim:
    return s.scalars(select(FigureClaim).where(FigureClaim.metric == "killed",
                                               FigureClaim.value == 2000,
                                               FigureClaim.subject == "KP")).one()


def _age(factory: sessionmaker[Session]) -> tuple[int, int]:
    """What an older extractor might have stored: the 2,000 killed read as 1,500, and the
    first Yonhap wounded figure missed; every version marked as analysed by it."""
    with factory() as s, s.begin():
        claim = _yonhap_2000(s)
        claim.value = claim.low = claim.high = 1500
        claim.extractor_version = "fig-old"
        wounded = s.scalars(select(FigureClaim).where(FigureClaim.metric == "wounded",
                                                      FigureClaim.value == 1000)).first()
        assert wounded is not None
        gone = wounded.id
        s.delete(wounded)
        s.execute(update(ArticleVersion).values(analysed_with="fig-old/rules"))
        return claim.id, gone


@pytest.fixture
def replayed(factory: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    _replay(factory, settings)
    return factory


def test_reanalysis_restores_the_claims_and_names_the_series_that_changed(
        replayed: sessionmaker[Session], settings: Settings) -> None:
    reference = _claims(replayed)
    changed_id, gone_id = _age(replayed)
    with replayed() as s, s.begin():  # what the older extractor's lineage said
        lineage_rebuild.refresh_series(s, list(lineage_rebuild.series_claims(s.connection())))
    summary = reanalyse(replayed, settings)
    _lineage_is_exact(replayed)  # refreshed in the re-analysis' own transactions
    assert summary.selected == summary.analysed == 17 and summary.errors == 0
    assert summary.from_raw == 13 and summary.from_text == 4  # the .txt seeds have no page
    series = {(r["subject"], r["metric"], r["claimant"]): r for r in summary.series_changed()}
    assert series[("KP", "killed", "KR-NIS")]["changed"] == 1
    assert series[("KP", "wounded", "KR-NIS")]["added"] == 1
    assert len(series) == 2
    after = _claims(replayed)
    # the same claims; the changed one kept its id, the missed one is back under a new id
    assert Counter(c[1:] for c in after) == Counter(c[1:] for c in reference)
    assert [c for c in after if c[0] == changed_id] == [c for c in reference
                                                       if c[0] == changed_id]
    assert gone_id not in {c[0] for c in after}
    assert {c[0] for c in after} - {c[0] for c in reference} != set()
    with replayed() as s:
        versions = s.scalars(select(ArticleVersion.analysed_with).distinct()).all()
        extractors = s.scalars(select(FigureClaim.extractor_version).distinct()).all()
    assert versions == [summary.target] and extractors == [EXTRACTOR_VERSION]
    again = reanalyse(replayed, settings)  # idempotent: nothing is due
    assert (again.selected, again.analysed, again.series_changed()) == (0, 0, [])
    forced = reanalyse(replayed, settings, force=True)  # same code: the same claims
    assert forced.analysed == 17 and forced.series_changed() == []
    assert _claims(replayed) == after


def test_a_pool_of_two_processes_reanalyses_as_one_process_does(
        replayed: sessionmaker[Session], settings: Settings) -> None:
    # the analysis pool of replay and the daemon (forked, retrying a crashed document)
    reference = _claims(replayed)
    _age(replayed)
    summary = reanalyse(replayed, settings, processes=2, window=4)
    assert summary.selected == summary.analysed == 17 and summary.errors == 0
    assert {(r["subject"], r["metric"], r["claimant"]) for r in summary.series_changed()} == {
        ("KP", "killed", "KR-NIS"), ("KP", "wounded", "KR-NIS")}
    assert Counter(c[1:] for c in _claims(replayed)) == Counter(c[1:] for c in reference)
    _lineage_is_exact(replayed)


def test_a_dry_run_reports_and_writes_nothing(replayed: sessionmaker[Session],
                                              settings: Settings) -> None:
    _age(replayed)
    aged = _claims(replayed)
    summary = reanalyse(replayed, settings, dry_run=True)
    assert summary.dry_run and summary.analysed == 17
    assert {(r["metric"], r["claimant"]) for r in summary.series_changed()} == {
        ("killed", "KR-NIS"), ("wounded", "KR-NIS")}
    assert _claims(replayed) == aged
    with replayed() as s:
        assert s.scalars(select(ArticleVersion.analysed_with).distinct()).all() == [
            "fig-old/rules"]


def test_one_article_only(replayed: sessionmaker[Session], settings: Settings) -> None:
    _age(replayed)
    with replayed() as s:
        url = s.scalars(select(Article.url).where(Article.outlet == "Euronews")).one()
    summary = reanalyse(replayed, settings, article_url=url)
    assert summary.selected == 2 and summary.series_changed() == []  # its two versions


def test_a_review_override_survives_a_reanalysis(replayed: sessionmaker[Session],
                                                 settings: Settings) -> None:
    with replayed() as s, s.begin():
        claim_id = _yonhap_2000(s).id
        reviews.mark(s, claim_id, "wrong", reviewer="desk", note="misread in a test")
    summary = reanalyse(replayed, settings, force=True)
    assert summary.analysed == 17
    with replayed() as s:
        claim = s.get(FigureClaim, claim_id)
        assert claim is not None and claim.excluded and claim.value == 2000


def test_raw_pages_are_kept_compressed_with_their_sha256(
        replayed: sessionmaker[Session]) -> None:
    with replayed() as s:
        rows = s.execute(select(RawPage, Article.raw_sha256, ArticleVersion.number)
                         .join(ArticleVersion, ArticleVersion.id == RawPage.version_id)
                         .join(Article, Article.id == ArticleVersion.article_id)).all()
    assert len(rows) == 13  # every version that came from an HTML page
    for page, _sha, _number in rows:
        data = zlib.decompress(page.data)
        assert hashlib.sha256(data).hexdigest() == page.sha256 and len(data) == page.size
        assert len(page.data) < page.size
    # the article remembers its last page: that of its latest version
    latest = {sha for page, sha, number in rows if page.sha256 == sha}
    assert len(latest) == len({sha for _, sha, _ in rows})


def test_without_raw_pages_the_stored_text_is_analysed_again(
        factory: sessionmaker[Session], settings: Settings) -> None:
    _replay(factory, settings, keep_raw=False)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(RawPage)) == 0
    before = _claims(factory)
    summary = reanalyse(factory, settings, force=True)
    assert (summary.from_raw, summary.from_text, summary.text_changed) == (0, 17, 0)
    assert summary.series_changed() == [] and _claims(factory) == before
