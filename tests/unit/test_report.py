"""The report's pure parts on hand-made points: how a figure is worded, its range bars and
marker, the hover label (escaped), one colour per claimant, the charts, and the page (one
inlined Plotly, every web text escaped, an empty state, the footer)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from worker import report
from worker.errors import WorkerError
from worker.report import Point, ReportData, SeriesGroup

NOW = datetime(2025, 10, 1, 12, 30, tzinfo=UTC)


def point(value: int = 300, *, claimant: str = "KR-NIS", metric: str = "killed",
          subject: str | None = "KP", day: str = "2025-01-13", **kw: Any) -> Point:
    fields: dict[str, Any] = {
        "claim_id": value, "subject": subject, "metric": metric, "claimant": claimant,
        "value": value, "low": value, "high": value, "qualifier": "approx",
        "claimed_at": datetime.fromisoformat(day).replace(tzinfo=UTC),
        "url": f"https://news.example/{value}", "outlet": "Yonhap", "title": "Title",
        "sentence": f"About {value} soldiers were {metric}.", "version": 1}
    fields.update(kw)
    return Point(**fields)


def data(*points: Point, **kw: Any) -> ReportData:
    return ReportData(generated_at=NOW, database="sqlite:///data/worker.db",
                      groups=report.group_points(points),
                      counts={"articles": 12, "irrelevant": 3, "versions": 14, "claims": 40,
                              "stories": 9}, **kw)


@pytest.mark.parametrize(("qualifier", "low", "high", "worded", "bars", "marker"), [
    ("exact", 300, 300, "300", (None, None), "circle"),
    ("approx", 300, 300, "about 300", (None, None), "circle"),
    ("range", 200, 900, "200–900", (600, 100), "circle"),
    ("at_least", 300, None, "at least 300", (None, None), "triangle-up"),
    ("more_than", 300, None, "more than 300", (None, None), "triangle-up"),
    ("less_than", None, 300, "fewer than 300", (None, None), "triangle-down"),
    ("vague", 100, 900, "some 300", (600, 200), "circle"),
])
def test_figure_wording_range_bars_and_marker(qualifier: str, low: int | None,
                                              high: int | None, worded: str,
                                              bars: tuple[int | None, int | None],
                                              marker: str) -> None:
    p = point(300, qualifier=qualifier, low=low, high=high)
    assert (report.amount(p), report.error_bars(p), report.symbol(p)) == (worded, bars, marker)


def test_hover_label_names_value_claimant_outlet_date_and_sentence() -> None:
    label = report.hover_text(point(2000, outlet="Yonhap", day="2025-09-13T08:00",
                                    copies=("Korea Herald",)))
    assert label.startswith("<b>about 2,000</b> killed<br>KR-NIS · Yonhap<br>13 Sep 2025 08:00")
    assert "<i>About 2000 soldiers were killed.</i>" in label
    assert "same story also in: Korea Herald" in label
    assert "edited" not in label


def test_hover_label_of_a_revision_says_what_the_article_said_before() -> None:
    label = report.hover_text(point(600, version=2, previous_value=300))
    assert "<b>edited</b> in version 2: was 300" in label


def test_hover_label_escapes_text_from_the_web() -> None:
    p = point(sentence='<img src=x onerror="alert(1)"> 300 killed & more', outlet="<b>X</b>")
    label = report.hover_text(p)
    assert "<img" not in label and "&lt;img src=x" in label and "&amp; more" in label
    assert "&lt;b&gt;X&lt;/b&gt;" in label


def test_groups_put_kp_first_then_metrics_in_their_order() -> None:
    groups = report.group_points([point(1, subject="RU"), point(2, metric="deployed"),
                                  point(3, subject=None), point(4, metric="wounded"),
                                  point(5)])
    assert [g.key for g in groups] == ["KP-killed", "KP-wounded", "KP-deployed", "RU-killed",
                                       "any-killed"]
    assert [g.title for g in groups] == ["North Korean killed", "North Korean wounded",
                                         "North Korean deployed", "Russian killed",
                                         "Unspecified side killed"]
    assert [p.value for p in groups[0].points] == [5]


def test_one_colour_per_claimant_in_every_chart_and_grey_for_unattributed() -> None:
    groups = report.group_points([point(1, claimant="US-DOD"), point(2, metric="wounded"),
                                  point(3, claimant=report.UNATTRIBUTED)])
    colours = report.claimant_colours(groups)
    assert set(colours) == {"KR-NIS", "US-DOD", report.UNATTRIBUTED}
    assert len({colours["KR-NIS"], colours["US-DOD"]}) == 2
    assert colours[report.UNATTRIBUTED] == "#8c8c8c"
    assert report.claimant_colours(list(reversed(groups))) == colours


def latest(*points: Point) -> tuple[dict[str, Any], ...]:
    """Rows as `queries.latest_figures` gives them: the last point of each series."""
    last: dict[tuple[Any, ...], Point] = {}
    for p in points:
        last[(p.subject, p.metric, p.claimant)] = p
    return tuple({"claim_id": p.claim_id, "subject": p.subject, "metric": p.metric,
                  "claimant": None if p.claimant == report.UNATTRIBUTED else p.claimant,
                  "value": p.value, "low": p.low, "high": p.high, "qualifier": p.qualifier,
                  "modality": "reported", "claimed_at": p.claimed_at.isoformat(), "url": p.url,
                  "outlet": p.outlet, "sentence": p.sentence, "independent_stories": 1}
                 for p in last.values())


def test_latest_value_per_claimant_and_disagreement() -> None:
    points = (point(200, claimant="US-DOD", metric="casualties", day="2024-12-19"),
              point(3000, claimant="UA-PRESIDENT", metric="casualties", day="2025-01-12"),
              point(1000, claimant="US-DOD", metric="casualties", day="2025-02-01"))
    d = data(*points, latest=latest(*points))
    rows = d.latest_of(d.groups[0])
    assert [(r["claimant"], r["value"]) for r in rows] == [("UA-PRESIDENT", 3000),
                                                           ("US-DOD", 1000)]
    assert report.disagree(rows)
    agree = (point(300), point(300, claimant="US-DOD"), point(5, claimant=report.UNATTRIBUTED))
    d = data(*agree, latest=latest(*agree))
    assert not report.disagree(d.latest_of(d.groups[0]))  # unattributed figures do not count
    page = report.render(data(*points, latest=latest(*points)))
    assert "claimants disagree" in page


def test_the_latest_line_shows_the_latest_figures_rows_one_per_claimant() -> None:
    """The figures `worker figures` prints (one query behind both), not every figure of the
    latest report: the row of 18,000 troops, not 18,000 / 11,000 / 3,000."""
    points = (point(11000, metric="deployed", day="2025-01-13"),
              point(11000, metric="deployed", day="2025-09-04"),
              point(3000, metric="deployed", day="2025-09-04"),
              point(18000, metric="deployed", day="2025-09-04", outlet=None,
                    url="https://www.yna.co.kr/view/1"))
    rows = latest(*points)
    page = report.render(data(*points, latest=rows))
    assert ('<b>KR-NIS</b> about 18,000 (2025-09-04, <a href="https://www.yna.co.kr/view/1"'
            in page)
    assert ">yna.co.kr</a>" in page and "about 11,000 /" not in page
    assert page.count('id="latest"') == 1 and 'id="csv-latest"' in page


def test_outlet_is_the_source_name_else_the_host() -> None:
    assert report.outlet_name("Yonhap", "https://en.yna.co.kr/x") == "Yonhap"
    assert report.outlet_name(None, "https://www.euronews.com/2025/05/02/x") == "euronews.com"
    assert report.outlet_name("  ", "https://m.example.org/a") == "m.example.org"
    assert report.outlet_name(None, "seeds/000.txt") == "unknown outlet"
    assert report.outlet_name(None, "fixture://seeds/000.txt") == "unknown outlet"


def test_chart_height_follows_the_content() -> None:
    lone = SeriesGroup(subject="KP", metric="captured", points=(point(2, metric="captured"),))
    busy = SeriesGroup(subject="KP", metric="killed", points=tuple(
        point(v, claimant=c, day=f"2025-0{i % 9 + 1}-10") for i, (v, c) in enumerate(
            [(100, "KR-NIS"), (300, "KR-NIS"), (600, "KR-NIS"), (2000, "KR-NIS"),
             (1000, "UA-HUR"), (3000, "UA-PRESIDENT"), (500, "US-DOD"), (700, "ISW"),
             (800, "UK-MOD"), (900, "NATO")])))
    assert report.chart_height(lone) == 280
    assert 400 <= report.chart_height(busy) <= 460
    fig = report.figure(lone, report.claimant_colours([lone]))
    assert fig.layout.height == 280


def test_tables_carry_their_rows_as_csv() -> None:
    import csv
    import io
    from urllib.parse import unquote

    changes = ({"claim_id": 7, "claimed_at": "2025-01-13T00:00:00+00:00", "subject": "KP",
                "metric": "killed", "claimant": None, "previous_value": None, "value": 300,
                "qualifier": "approx", "kind": "new_report", "independent_stories": 1,
                "url": "https://a.example/x", "outlet": None, "sentence": 'He said "300", too.'},)
    page = report.render(data(point(300), changes=changes))
    href = re.search(r'id="csv-changes" download="changes.csv" href="([^"]+)"', page)
    assert href is not None and href.group(1).startswith("data:text/csv;charset=utf-8,")
    text = unquote(href.group(1).split(",", 1)[1]).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == [{k: "" if v is None else str(v) for k, v in changes[0].items()}]
    assert '<td class="d">2025-01-13</td>' in page and ">a.example</a>" in page


def test_chart_has_a_step_line_per_claimant_ranges_and_revisions() -> None:
    g = SeriesGroup(subject="KP", metric="killed", points=(
        point(300, day="2025-01-13", low=200, high=400, qualifier="range"),
        point(300, claimant="US-DOD", day="2025-01-14"),
        point(600, day="2025-05-02T15:00", version=2, previous_value=300),
    ))
    fig = report.figure(g, report.claimant_colours([g]))
    assert [(t.name, t.showlegend is not False) for t in fig.data] == [
        ("KR-NIS", True), ("KR-NIS", False), ("US-DOD", True), ("US-DOD", False),
        (report.REVISION_NAME, True)]
    traces = {t.name: t for t in fig.data if t.x != (None,)}
    nis = traces["KR-NIS"]
    assert nis.line.shape == "hv" and nis.mode == "lines+markers"
    assert list(nis.x) == ["2025-01-13 00:00:00", "2025-05-02 15:00:00"]
    assert list(nis.y) == [300, 600]
    assert list(nis.error_y.array) == [100, None] and list(nis.error_y.arrayminus) == [100, None]
    assert list(nis.customdata) == ["https://news.example/300", "https://news.example/600"]
    assert list(traces[report.REVISION_NAME].y) == [600]
    assert [a.text for a in fig.layout.annotations] == ["edited: 300 → 600"]
    assert fig.layout.showlegend is True  # a lone claimant is named too


def test_charts_share_one_padded_time_axis_and_small_counts_get_whole_ticks() -> None:
    groups = report.group_points([point(300, day="2025-01-13"), point(2, metric="captured",
                                                                      day="2025-01-12"),
                                  point(2000, day="2025-09-04")])
    assert report.date_range(groups) == ("2024-12-31", "2025-09-15")
    captured = report.figure(groups[1], report.claimant_colours(groups))
    assert captured.layout.yaxis.dtick == 1


def test_page_inlines_plotly_once_and_loads_nothing_from_the_network() -> None:
    points = (point(300), point(2700, metric="wounded"),
              point(3000, metric="casualties", claimant="UA-PRESIDENT"))
    page = report.render(data(*points, latest=latest(*points)))
    assert page.count('<div id="chart-') == 3
    assert len(re.findall(r"plotly\.js v\d", page)) == 1
    # outside the bundle (whose map code names tile servers), nothing refers to the network
    own = re.sub(r"<script[^>]*>(?:(?!</script>).)*plotly\.js v\d.*?</script>", "", page,
                 count=1, flags=re.S)
    assert len(own) < 100_000
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import|cdn\.", own)
    assert set(re.findall(r"https?://[\w.-]+", own)) == {"https://news.example"}
    assert "Plotly.newPlot" in page and "plotly_click" in page


def test_page_escapes_titles_outlets_sentences_and_links_only_web_urls() -> None:
    evil = "<script>alert(1)</script>"
    changes = ({"claimed_at": "2025-01-13T00:00:00+00:00", "subject": "KP", "metric": "killed",
                "claimant": "KR-NIS", "previous_value": None, "value": 300, "qualifier": "approx",
                "kind": "new_report", "independent_stories": 1, "url": "javascript:alert(1)",
                "outlet": evil, "sentence": evil},)
    stories = ({"story_id": 1, "first_published": "2025-01-13T06:00:00+00:00", "copies": 2,
                "outlets": [evil, "AFP"], "earliest_url": "https://a.example/?q=\"x\"",
                "title": evil, "urls": []},)
    page = report.render(data(point(300, sentence=evil, outlet=evil, title=evil),
                              changes=changes, stories=stories))
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert 'href="https://a.example/?q=&quot;x&quot;"' in page


def test_page_shows_the_changes_stories_and_edited_articles() -> None:
    edited = ({"url": "https://www.euronews.com/x", "title": "Seoul says toll rising",
               "outlet": "Euronews", "published_at": "2025-05-02T07:45:00+00:00", "versions": [
                   {"number": 1, "fetched_at": "2025-05-02T09:00:00+00:00", "diff": None,
                    "changes": None},
                   {"number": 2, "fetched_at": "2025-05-02T15:00:00+00:00",
                    "diff": "--- version 1\n+++ version 2\n-300 killed.\n+600 killed.",
                    "changes": {"figures": {"added": [], "removed": [], "changed": [
                        {"metric": "killed", "subject": "KP", "claimant": "KR-NIS",
                         "from": [300], "to": [600]}]}}}]},)
    page = report.render(data(point(600, version=2, previous_value=300), edited=edited))
    assert "killed (KP, KR-NIS): 300 → <b>600</b>" in page
    assert '<span class="add">+600 killed.</span>' in page
    assert '<span class="del">-300 killed.</span>' in page
    assert "version 2, fetched 2025-05-02T15:00" in page


def test_empty_report_says_how_to_get_data_and_loads_no_chart_code() -> None:
    page = report.render(data())
    assert 'id="empty"' in page and "No figures yet." in page
    assert "worker replay seeds/" in page and "worker run --once" in page
    assert "Plotly" not in page
    filtered = report.render(data(subject="UA", since=date(2025, 6, 1)))
    assert "No figures match this report's filter (subject UA, claims since 2025-06-01)" in (
        filtered)


def test_footer_names_the_database_the_time_and_the_counts() -> None:
    page = report.render(data(point(300), point(600, day="2025-04-30")))
    footer = page[page.index("<footer>"):page.index("</footer>")]
    assert "sqlite:///data/worker.db" in footer and "2025-10-01 12:30 UTC" in footer
    assert "12 relevant articles" in footer and "40 figure claims" in footer
    assert "2 statements in 1 series" in footer


def test_write_is_atomic_and_returns_the_absolute_path(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = report.write(data(point(300)), Path("sub/report.html"))
    assert path == tmp_path / "sub" / "report.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_write_failure_is_a_worker_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(WorkerError, match="cannot write the report"):
        report.write(data(), tmp_path / "file" / "report.html")

