"""The data behind `worker report`, read from hand-built rows (SQLite and PostgreSQL), and the
command itself in a subprocess: the path it prints, the file it writes, the empty state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.cli import run_worker
from worker import report
from worker.store import lineage, queries
from worker.store.models import Article, ArticleVersion, FigureClaim, Story

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class C:
    """A claim to insert: the value, optionally a range, qualifier, modality."""

    metric: str
    subject: str | None
    claimant: str | None
    value: int
    low: int | None = None
    high: int | None = None
    qualifier: str = "approx"
    modality: str = "reported"


class Builder:
    """Inserts articles, their versions and claims as the pipeline would store them."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self.n = 0

    def article(self, when: str, claims: list[C], *, outlet: str = "Outlet",
                story: int | None = None, title: str | None = None,
                revised: list[tuple[str, list[C], dict]] | None = None) -> str:
        self.n += 1
        url = f"https://news.example/{self.n}"
        published = datetime.fromisoformat(when).replace(tzinfo=UTC)
        with self.factory() as s, s.begin():
            if story is not None and s.get(Story, story) is None:
                s.add(Story(id=story))
                s.flush()
            a = Article(canonical_url=url, url=url, title=title or f"Article {self.n}",
                        outlet=outlet, language="en", published_at=published, relevant=True,
                        relevance=9.0, fingerprint=f"fp{self.n}", story_id=story)
            s.add(a)
            s.flush()
            versions = [(published, claims, None)] + [
                (datetime.fromisoformat(d).replace(tzinfo=UTC), c, ch)
                for d, c, ch in (revised or [])]
            for number, (fetched, vclaims, changes) in enumerate(versions, 1):
                text = " ".join(f"Officials say {c.value} were {c.metric}." for c in vclaims)
                v = ArticleVersion(article_id=a.id, number=number, fetched_at=fetched,
                                   text=text, fingerprint=f"{self.n}-{number}", changes=changes)
                s.add(v)
                s.flush()
                for i, c in enumerate(vclaims):
                    s.add(FigureClaim(
                        version_id=v.id, article_id=a.id, metric=c.metric, subject=c.subject,
                        value=c.value, low=c.value if c.low is None and c.high is None else c.low,
                        high=c.value if c.low is None and c.high is None else c.high,
                        qualifier=c.qualifier, modality=c.modality, claimant=c.claimant,
                        claimant_raw=c.claimant, scope=None,
                        sentence=f"Officials say {c.value} were {c.metric}.", start=i * 10,
                        end=i * 10 + 3, claimed_at=fetched))
            s.flush()
            lineage.refresh_article(s, a.id)  # as the writer does
        return url


REVISION_CHANGES = {"sentences_edited": 1, "figures": {"added": [], "removed": [], "changed": [
    {"metric": "killed", "subject": "KP", "claimant": "KR-NIS", "from": [300], "to": [600]}]}}


@pytest.fixture
def built(factory: sessionmaker[Session]) -> Builder:
    b = Builder(factory)
    b.article("2024-12-19", [C("casualties", "KP", "US-DOD", 500, 200, 900, "range")],
              outlet="Pentagon")
    b.article("2025-01-12", [C("casualties", "KP", "UA-PRESIDENT", 3000, 3000, None,
                               "more_than"),
                             C("deployed", "KP", "UA-PRESIDENT", 50000, modality="possible")],
              outlet="Pravda")
    # a wire story run by three outlets: one point, naming the copies
    for outlet, day in (("France 24", "2025-01-13T06:00"), ("Barron's", "2025-01-13T07:00"),
                        ("Straits Times", "2025-01-14")):
        b.article(day, [C("killed", "KP", "KR-NIS", 300), C("wounded", "KP", "KR-NIS", 2700)],
                  outlet=outlet, story=100, title="Around 300 North Korean soldiers killed")
    b.article("2025-03-01", [C("killed", "RU", "UA-GENSTAFF", 1000),
                             C("captured", "KP", None, 2, qualifier="exact")], outlet="Kyiv")
    b.article("2025-05-02T09:00", [C("killed", "KP", "KR-NIS", 300)], outlet="Euronews",
              revised=[("2025-05-02T15:00", [C("killed", "KP", "KR-NIS", 600)],
                        REVISION_CHANGES)])
    b.article("2025-09-13", [C("killed", "KP", "KR-NIS", 2000)], outlet="Yonhap")
    return b


def build(factory: sessionmaker[Session], **kw: Any) -> report.ReportData:
    with factory() as s:
        return report.build(s, database="sqlite:///test.db", now=NOW, **kw)


def test_groups_are_series_with_the_subject_kp_first_in_metric_order(
        built: Builder, factory: sessionmaker[Session]) -> None:
    data = build(factory)
    assert [g.key for g in data.groups] == ["KP-killed", "KP-wounded", "KP-casualties",
                                            "KP-captured", "RU-killed"]
    assert [g.title for g in data.groups][:1] == ["North Korean killed"]
    # "possible" figures are not statements: no deployed chart
    assert "KP-deployed" not in {g.key for g in data.groups}


def test_points_are_statements_in_claim_order_with_copies_merged(
        built: Builder, factory: sessionmaker[Session]) -> None:
    killed = build(factory).groups[0]
    assert [(p.claimed_at.date().isoformat(), p.value, p.outlet) for p in killed.points] == [
        ("2025-01-13", 300, "France 24"),
        # Euronews' first 300 is no point: the article corrected it in place to 600
        ("2025-05-02", 600, "Euronews"),
        ("2025-09-13", 2000, "Yonhap"),
    ]
    assert killed.points[0].copies == ("Barron's", "Straits Times")
    assert killed.points[0].url == "https://news.example/3"
    assert killed.points[0].sentence == "Officials say 300 were killed."


def test_a_figure_changed_by_a_revision_is_marked_with_its_earlier_value(
        built: Builder, factory: sessionmaker[Session]) -> None:
    killed = build(factory).groups[0]
    marked = [(p.value, p.version, p.previous_value) for p in killed.points if p.revision]
    assert marked == [(600, 2, 300)]


def test_claimants_latest_values_and_disagreement(
        built: Builder, factory: sessionmaker[Session]) -> None:
    groups = {g.key: g for g in build(factory).groups}
    casualties = groups["KP-casualties"]
    assert casualties.claimants == ("UA-PRESIDENT", "US-DOD")
    data = build(factory)
    assert {r["claimant"]: r["value"] for r in data.latest_of(casualties)} == {
        "UA-PRESIDENT": 3000, "US-DOD": 500}
    assert report.disagree(data.latest_of(casualties))
    assert not report.disagree(data.latest_of(groups["KP-killed"]))
    with factory() as s:  # the rows `worker figures` prints
        assert list(data.latest) == [r for r in queries.latest_figures(s)
                                     if r["subject"] == "KP" or r["metric"] == "killed"]
    assert groups["KP-captured"].claimants == (report.UNATTRIBUTED,)


def test_ranges_and_open_ended_figures_survive_the_round_trip(
        built: Builder, factory: sessionmaker[Session]) -> None:
    casualties = {g.key: g for g in build(factory).groups}["KP-casualties"]
    dod, zelensky = casualties.points
    assert (dod.low, dod.value, dod.high, report.error_bars(dod)) == (200, 500, 900, (400, 300))
    assert (zelensky.high, report.symbol(zelensky)) == (None, "triangle-up")


def test_tables_changes_stories_and_edited_articles(
        built: Builder, factory: sessionmaker[Session]) -> None:
    data = build(factory)
    assert [(c["metric"], c["previous_value"], c["value"], c["kind"]) for c in data.changes
            if c["metric"] == "killed" and c["subject"] == "KP"] == [
        ("killed", None, 300, "new_report"), ("killed", 300, 600, "article_revision"),
        ("killed", 600, 2000, "new_report")]
    wire = [s for s in data.stories if s["copies"] > 1]
    assert [(s["copies"], sorted(s["outlets"])) for s in wire] == [
        (3, ["Barron's", "France 24", "Straits Times"])]
    assert [h["outlet"] for h in data.edited] == ["Euronews"]
    edited = data.edited[0]["versions"][1]
    assert edited["changes"]["figures"]["changed"][0]["to"] == [600]
    assert "+Officials say 600 were killed." in edited["diff"]
    assert data.counts["claims"] == 14 and data.counts["stories"] == 1


def test_subject_and_since_narrow_the_charts_and_the_changes(
        built: Builder, factory: sessionmaker[Session]) -> None:
    data = build(factory, subject="RU")
    assert [g.key for g in data.groups] == ["RU-killed"]
    assert {c["subject"] for c in data.changes} == {"RU"}
    later = build(factory, since=date(2025, 5, 1))
    assert {(g.key, len(g.points)) for g in later.groups} == {("KP-killed", 2)}
    assert all(c["claimed_at"] >= "2025-05-01" for c in later.changes)
    assert later.stories == () and len(later.edited) == 1
    assert build(factory, since=date(2025, 6, 1)).edited == ()


def test_an_empty_database_gives_an_empty_report(factory: sessionmaker[Session]) -> None:
    data = build(factory)
    assert data.empty and data.changes == () and data.edited == ()
    assert data.counts["claims"] == 0
    assert "worker replay seeds/" in report.render(data)


# -- the command ---------------------------------------------------------------------------

def test_report_command_writes_the_file_and_prints_its_absolute_path(
        built: Builder, db_url: str, tmp_path: Path) -> None:
    res = run_worker(["report", "--out", "out/r.html", "--subject", "KP"], db_url, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    path = Path(res.stdout.strip())
    assert path.is_absolute() and path == tmp_path / "out" / "r.html"
    page = path.read_text(encoding="utf-8")
    assert 'id="chart-KP-killed"' in page and "RU-killed" not in page
    assert "KR-NIS" in page and "UA-PRESIDENT" in page


def test_report_command_defaults_to_report_html_here_and_json_summary(
        built: Builder, db_url: str, tmp_path: Path) -> None:
    res = run_worker(["report", "--json", "--since", "2025-05-01"], db_url, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["path"] == str(tmp_path / "report.html")
    assert summary["series"] == ["KP-killed"]
    assert summary["edited_articles"] == 1


def test_report_command_on_an_empty_database_says_how_to_get_data(
        db_url: str, tmp_path: Path) -> None:
    res = run_worker(["report"], db_url, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "worker replay seeds/" in res.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="empty"' in page and "js-plotly-plot" not in page


def test_report_command_cannot_write_is_one_line_and_exit_code_2(
        db_url: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    res = run_worker(["report", "--out", str(tmp_path / "file" / "r.html")], db_url)
    assert res.returncode == 2  # an output path that cannot be written: a usage error
    assert res.stderr.strip().splitlines()[-1].startswith("worker: error: cannot write")
