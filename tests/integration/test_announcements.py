"""Announcements of the fixture feed (SQLite and PostgreSQL): `worker replay seeds/` builds
them, `worker announcements` lists them, the `announcements` view serves them to SQL, and a
new claim rebuilds its claimant's announcements."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEEDS
from worker.store import announcements
from worker.store.models import Article, ArticleVersion, FigureClaim


def test_the_nis_briefings_of_the_fixture_feed(db_url: str) -> None:
    assert run_worker(["db", "upgrade"], db_url).returncode == 0
    replay = run_worker(["replay", str(SEEDS)], db_url)
    assert replay.returncode == 0, replay.stderr
    got = run_worker(["announcements", "--claimant", "KR-NIS", "--json"], db_url)
    assert got.returncode == 0, got.stderr
    rows = json.loads(got.stdout)
    days = [r["announced_on"] for r in rows]
    assert days == sorted(days, reverse=True)  # newest first
    by_day = {r["announced_on"]: r for r in rows}
    briefings = {"2024-12-19": {("killed", 100), ("wounded", 1000)},
                 "2025-01-13": {("killed", 300), ("wounded", 2700)},
                 "2025-04-30": {("killed", 600), ("casualties", 4700)},
                 "2025-09-04": {("killed", 2000)}}
    for day, figures in briefings.items():
        assert day in by_day, f"no KR-NIS announcement on {day}: {days}"
        stated = {(f["metric"], f["value"]) for f in by_day[day]["figures"]
                  if f["kind"] == "total"}
        assert figures <= stated, (day, stated)
    # the January briefing: the four wire copies are one story, plus The Korea Herald and
    # tagesschau.de; the edited Euronews article stands by 600, not its first 300
    jan = by_day["2025-01-13"]
    assert jan["independent_stories"] >= 3 and {"en", "de"} <= set(jan["languages"])
    assert jan["outlet"] == "France 24" and jan["url"].startswith("https://")
    assert len(jan["links"]) >= 6
    april = by_day["2025-04-30"]
    assert {"ko", "fr", "en"} <= set(april["languages"])
    assert ("killed", 300) not in {(f["metric"], f["value"]) for f in april["figures"]}
    # December: Yonhap, and the later reports recalling its figures
    assert by_day["2024-12-19"]["independent_stories"] >= 2

    # the view, for SQL tools: one row per figure of an announcement
    table = run_worker(["announcements", "--claimant", "KR-NIS"], db_url, COLUMNS="80")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("2025-01-13" in line for line in lines)


def test_the_view_and_a_rebuild_after_new_claims(factory: sessionmaker[Session]) -> None:
    published = datetime(2025, 1, 13, 8, tzinfo=UTC)
    with factory() as s, s.begin():
        a = Article(canonical_url="https://ex.com/1", url="https://ex.com/1", title="T",
                    outlet="Yonhap", language="en", published_at=published, relevant=True,
                    relevance=9.0, fingerprint="fp1")
        s.add(a)
        s.flush()
        v = ArticleVersion(article_id=a.id, number=1, fetched_at=published, text="t",
                           fingerprint="v1")
        s.add(v)
        s.flush()
        s.add(FigureClaim(version_id=v.id, article_id=a.id, metric="killed", subject="KP",
                          value=300, low=300, high=300, qualifier="approx",
                          modality="reported", claimant="KR-NIS", sentence="About 300.",
                          start=0, end=3, claimed_at=published, refers_to="2025-01-13"))
        version_id, article_id = v.id, a.id
    with factory() as s, s.begin():
        assert announcements.refresh(s) == ["KR-NIS"]
        assert announcements.refresh(s) == []  # nothing changed: nothing rebuilt
    with factory() as s:
        rows = s.execute(text("SELECT announcement_id, claimant, announced_on, metric, value, "
                              "independent_stories FROM announcements")).all()
    assert [tuple(r) for r in rows] == [("KR-NIS/2025-01-13", "KR-NIS", "2025-01-13",
                                         "killed", 300, 1)]
    with factory() as s, s.begin():
        s.add(FigureClaim(version_id=version_id, article_id=article_id, metric="wounded",
                          subject="KP", value=2700, low=2700, high=2700, qualifier="approx",
                          modality="reported", claimant="KR-NIS", sentence="2,700 wounded.",
                          start=10, end=15, claimed_at=published))
    with factory() as s, s.begin():
        assert announcements.refresh(s) == ["KR-NIS"]
        [row] = announcements.announcements(s)
    assert row["headline"] == "killed 300 · wounded 2,700"
    assert [(f["metric"], f["value"]) for f in row["figures"]] == [("killed", 300),
                                                                  ("wounded", 2700)]
