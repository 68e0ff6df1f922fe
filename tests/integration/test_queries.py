"""The analyst's queries on hand-built rows (SQLite and PostgreSQL): the SQL views
`figure_changes` and `latest_figures`, as-of figures, stories, article history, export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from worker.export import export_claims
from worker.store import codes, lineage, queries, rechecks
from worker.store.models import Article, ArticleVersion, FigureClaim, Story


class Builder:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self.n = 0

    def article(self, day: str, claims: list[tuple], *, story: int | None = None,
                outlet: str = "Outlet", version_texts: list[str] | None = None,
                revised: list[tuple[str, list[tuple]]] | None = None) -> int:
        """claims: (metric, subject, claimant, value[, modality])."""
        self.n += 1
        published = datetime.fromisoformat(day).replace(tzinfo=UTC)
        with self.factory() as s, s.begin():
            if story is not None and s.get(Story, story) is None:
                s.add(Story(id=story))
                s.flush()
            a = Article(canonical_url=f"https://ex.com/{self.n}", url=f"https://ex.com/{self.n}",
                        title=f"Article {self.n}", outlet=outlet, language="en",
                        published_at=published, relevant=True, relevance=9.0,
                        fingerprint=f"fp{self.n}", story_id=story)
            s.add(a)
            s.flush()
            versions = [(published, claims)] + [
                (datetime.fromisoformat(d).replace(tzinfo=UTC), c) for d, c in (revised or [])]
            for number, (fetched, vclaims) in enumerate(versions, 1):
                v = ArticleVersion(article_id=a.id, number=number, fetched_at=fetched,
                                   text=f"text {self.n} v{number}",
                                   fingerprint=f"{self.n}-{number}")
                s.add(v)
                s.flush()
                for i, c in enumerate(vclaims):
                    metric, subject, claimant, value = c[:4]
                    modality = c[4] if len(c) > 4 else "reported"
                    s.add(FigureClaim(
                        version_id=v.id, article_id=a.id, metric=metric, subject=subject,
                        value=value, low=value, high=value, qualifier="approx",
                        modality=modality, claimant=claimant, claimant_raw=claimant,
                        scope=None, sentence=f"{value} {metric}", start=i * 10,
                        end=i * 10 + 3, claimed_at=fetched))
            s.flush()
            lineage.refresh_article(s, a.id)  # as the writer does
            return a.id


@pytest.fixture
def built(factory: sessionmaker[Session]) -> Builder:
    b = Builder(factory)
    # December: several hundred (NIS); January: 300 killed (NIS) as a wire story copied by
    # three outlets, plus an independent report; Zelensky says 3000 casualties.
    b.article("2024-12-19", [("casualties", "KP", "KR-NIS", 200)])
    b.article("2025-01-13", [("killed", "KP", "KR-NIS", 300), ("wounded", "KP", "KR-NIS", 2700)],
              story=100, outlet="AFP")
    b.article("2025-01-13", [("killed", "KP", "KR-NIS", 300)], story=100, outlet="Barron's")
    b.article("2025-01-14", [("killed", "KP", "KR-NIS", 300)], story=100, outlet="Straits")
    b.article("2025-01-14", [("killed", "KP", "KR-NIS", 300)], story=200, outlet="Herald")
    b.article("2025-01-12", [("casualties", "KP", "UA-PRESIDENT", 3000),
                             ("deployed", "KP", "UA-PRESIDENT", 50000, "possible")])
    # April: 600 killed, then an article edited in place 300 -> 600 (killed) on 2 May.
    b.article("2025-04-30", [("killed", "KP", "KR-NIS", 600), ("killed", "KP", "KR-NIS", 600)])
    b.article("2025-05-02T09:00:00", [("killed", "KP", "KR-NIS", 300),
                                      ("wounded", "KP", "KR-NIS", 2700)],
              revised=[("2025-05-02T15:00:00", [("killed", "KP", "KR-NIS", 600),
                                                ("wounded", "KP", "KR-NIS", 2700)])])
    b.article("2025-09-13", [("killed", "KP", "KR-NIS", 2000)])
    return b


def test_each_change_once_with_kind_and_independent_stories(
        built: Builder, factory: sessionmaker[Session]) -> None:
    with factory() as s:
        rows = queries.changes(s, subject="KP", metric="killed", claimant="KR-NIS")
    seen = [(r["previous_value"], r["value"], r["kind"], r["claimed_at"][:10]) for r in rows]
    assert seen == [
        (None, 300, "new_report", "2025-01-13"),
        (300, 600, "new_report", "2025-04-30"),
        # the edited article's first 300 was corrected in place: no point, no 600 -> 300;
        # the correction is the article's revision
        (300, 600, "article_revision", "2025-05-02"),
        (600, 2000, "new_report", "2025-09-13"),
    ]
    # 300 killed: the wire story (3 copies) + the Herald's own report; the corrected 300
    # of the edited article no longer counts
    assert rows[0]["independent_stories"] == 2
    assert all(r["stated_for"][:10] == r["claimed_at"][:10] for r in rows[:2])
    assert rows[-1]["independent_stories"] == 1


def test_the_stored_subjects_are_those_of_every_claim(
        factory: sessionmaker[Session]) -> None:
    """`--subject` matches the subjects of all stored claims (counted or not): the index's
    skip scan finds each distinct one, none with no claim, and none while nothing is
    stored."""
    with factory() as s:
        assert codes.stored_subjects(s) == []
    b = Builder(factory)
    b.article("2025-01-13", [("killed", "UA", "UA-GENSTAFF", 10), ("killed", None, None, 5)])
    b.article("2025-01-14", [("deployed", "KP", "UA-PRESIDENT", 50000, "possible"),
                             ("killed", "RU", None, 7), ("wounded", "UA", None, 3)])
    with factory() as s:
        every = s.execute(text("SELECT DISTINCT subject FROM figure_claims")).scalars()
        assert codes.stored_subjects(s) == sorted(v for v in every if v is not None) == [
            "KP", "RU", "UA"]
        assert codes.stored_claimants(s) == ["UA-GENSTAFF", "UA-PRESIDENT"]


def test_kind_filter_and_possible_claims_are_not_changes(
        built: Builder, factory: sessionmaker[Session]) -> None:
    with factory() as s:
        revisions = queries.changes(s, kind="article_revision")
        deployed = queries.changes(s, metric="deployed")
    assert [(r["metric"], r["previous_value"], r["value"]) for r in revisions] == [
        ("killed", 300, 600)]
    assert deployed == []


def test_latest_figures_now_and_as_of_a_date(built: Builder,
                                             factory: sessionmaker[Session]) -> None:
    with factory() as s:
        now = {(r["metric"], r["claimant"]): r["value"] for r in queries.latest_figures(s)}
        feb = {(r["metric"], r["claimant"]): r["value"]
               for r in queries.latest_figures(s, as_of=date(2025, 2, 1))}
    assert now[("killed", "KR-NIS")] == 2000
    assert now[("casualties", "UA-PRESIDENT")] == 3000
    assert feb[("killed", "KR-NIS")] == 300
    assert feb[("casualties", "KR-NIS")] == 200
    assert ("deployed", "UA-PRESIDENT") not in now


def test_views_answer_plain_sql(built: Builder, factory: sessionmaker[Session]) -> None:
    with factory() as s:
        n = s.execute(text("SELECT COUNT(*) FROM figure_changes WHERE kind = "
                           "'article_revision'")).scalar()
        latest = s.execute(text("SELECT value FROM latest_figures WHERE subject = 'KP' AND "
                                "metric = 'killed' AND claimant = 'KR-NIS'")).scalar()
    assert (n, latest) == (1, 2000)


def test_the_views_give_the_rows_of_the_queries_with_iso_times(
        built: Builder, factory: sessionmaker[Session]) -> None:
    """The views read the same lineage tables as the CLI's queries; their timestamps are
    ISO 8601 text with the zone on SQLite and PostgreSQL alike."""
    with factory() as s:
        view = [dict(r._mapping) for r in s.execute(text(
            "SELECT * FROM figure_changes ORDER BY stated_for, reported_on, claim_id"))]
        latest = [dict(r._mapping) for r in s.execute(text(
            "SELECT * FROM latest_figures ORDER BY claim_id"))]
        points = [dict(r._mapping) for r in s.execute(text(
            "SELECT * FROM claim_statements ORDER BY claimed_at, id"))]
        rows = queries.changes(s)
        now = sorted(queries.latest_figures(s), key=lambda r: r["claim_id"])
        stated = queries.statements(s)
    columns = ("change_id", "claim_id", "subject", "metric", "claimant", "value",
               "previous_value", "kind", "independent_stories", "stated_for", "reported_on",
               "claimed_at", "published_at", "url", "outlet")
    assert [tuple(r[c] for c in columns) for r in view] == [
        tuple(r[c] for c in columns) for r in rows]
    assert [(r["claim_id"], r["value"], r["independent_stories"], r["stated_for"])
            for r in latest] == [(r["claim_id"], r["value"], r["independent_stories"],
                                  r["stated_for"]) for r in now]
    assert [r["id"] for r in points] == [r.id for r in stated]
    assert all(r["claim_id"] == r["id"] for r in points)
    for r in (*view, *latest, *points):
        for col in ("claimed_at", "stated_for", "reported_on", "published_at"):
            assert datetime.fromisoformat(r[col]).utcoffset() is not None, (col, r[col])


def test_an_unpublished_article_leaves_its_series_until_restored(
        built: Builder, factory: sessionmaker[Session]) -> None:
    """A re-check that finds the page gone (404) takes the article's figures out of their
    series in the same transaction; a later re-check that finds it again puts them back."""
    at = datetime(2025, 10, 1, tzinfo=UTC)

    def latest_killed() -> int:
        with factory() as s:
            return next(r["value"] for r in queries.latest_figures(s)
                        if (r["metric"], r["claimant"]) == ("killed", "KR-NIS"))

    with factory() as s:
        september = s.execute(text("SELECT article_id FROM figure_changes WHERE value = 2000"
                                   )).scalar_one()
    rechecks.recheck_failed(factory, september, unpublished=True, detail="404", at=at,
                         next_recheck_at=None)
    assert latest_killed() == 600
    with factory() as s:
        assert 2000 not in [r["value"] for r in queries.changes(s, metric="killed")]
    rechecks.recheck_done(factory, september, at=at, next_recheck_at=None, full=True)
    assert latest_killed() == 2000


def test_stories_group_copies_with_outlets(built: Builder,
                                           factory: sessionmaker[Session]) -> None:
    with factory() as s:
        rows = queries.stories(s, min_copies=2)
    assert len(rows) == 1
    assert rows[0]["copies"] == 3
    assert sorted(rows[0]["outlets"]) == ["AFP", "Barron's", "Straits"]
    assert rows[0]["first_published"].startswith("2025-01-13")


def test_article_history_shows_versions_and_diff(built: Builder,
                                                 factory: sessionmaker[Session]) -> None:
    with factory() as s:
        url = s.execute(text("SELECT a.url FROM articles a JOIN article_versions v ON "
                             "v.article_id = a.id WHERE v.number = 2")).scalar()
        h = queries.article_history(s, url)
    assert h is not None
    assert [v["number"] for v in h["versions"]] == [1, 2]
    assert h["versions"][1]["diff"].startswith("--- version 1")


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_export_carries_provenance(built: Builder, factory: sessionmaker[Session],
                                   tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"claims.{fmt}"
    with factory() as s:
        n = export_claims(s, fmt, out)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    elif fmt == "json":
        rows = json.loads(out.read_text(encoding="utf-8"))
    else:
        rows = pq.read_table(out).to_pylist()
    assert len(rows) == n == 15
    assert {"url", "outlet", "sentence", "claimant", "version_number", "fetched_at"} <= set(rows[0])
