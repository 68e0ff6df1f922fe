"""End to end: replay the fixture feed, write the report with the real command, open it in
headless Chromium (Debian's, never a downloaded browser) with the network cut off, and check
that every chart rendered with its series and claimants, that hovering a point shows its
provenance, and that the page logged no error. Saves screenshots to test-artifacts/ (and to
docs/report.png with WORKER_UPDATE_SCREENSHOT=1)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.helpers.cli import run_worker
from tests.helpers.paths import ROOT, SEEDS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not found: install Debian's chromium package (.ci/run does)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(directory, database URL) of the replayed fixture feed."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("report")
    db_url = f"sqlite:///{tmp / 'worker.db'}"
    replay = run_worker(["replay", str(SEEDS)], db_url)
    assert replay.returncode == 0, replay.stderr
    return tmp, db_url


def _cli_json(db_url: str, *args: str) -> Any:
    res = run_worker([*args, "--json"], db_url)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def report_file(replayed: tuple[Path, str]) -> Path:
    """The report of the replayed fixture feed, written by `worker report`."""
    tmp, db_url = replayed
    res = run_worker(["report", "--out", "report.html"], db_url, cwd=tmp)
    assert res.returncode == 0, res.stderr
    path = Path(res.stdout.strip())
    assert path == tmp / "report.html" and path.stat().st_size > 1_000_000
    return path


@dataclass
class Opened:
    page: Any
    problems: list[str] = field(default_factory=list)
    """Console errors, uncaught exceptions and refused network requests."""


@pytest.fixture(scope="module")
def opened(report_file: Path) -> Iterator[Opened]:
    """The report open in Chromium; every request but the file itself is refused."""
    from playwright.sync_api import Route, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        o = Opened(pg)
        pg.on("console", lambda m: o.problems.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: o.problems.append(f"page error: {e}"))

        def only_the_file(route: Route) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                o.problems.append(f"network request: {route.request.url}")
                route.abort()

        pg.route("**/*", only_the_file)
        pg.goto(report_file.as_uri())
        pg.wait_for_selector(".js-plotly-plot .main-svg")
        yield o
        browser.close()


@pytest.fixture
def page(opened: Opened) -> Any:
    return opened.page


def _hover_the_edited_figure(page: Any) -> str:
    ring = page.locator("#chart-KP-killed .scatterlayer .trace").last.locator(".point").first
    ring.scroll_into_view_if_needed()
    box = ring.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = page.locator("#chart-KP-killed .hoverlayer .hovertext")
    label.wait_for()
    return str(label.text_content() or "")


def _legend(pg: Any, chart_id: str) -> set[str]:
    return set(pg.locator(f"#{chart_id} .legendtext").all_text_contents())


def test_every_chart_rendered_with_its_points(page: Any) -> None:
    titles = page.locator("section.series h3").all_text_contents()
    assert {"North Korean killed", "North Korean wounded", "North Korean casualties",
            "North Korean deployed"} <= set(titles)
    charts = page.locator("section.series .js-plotly-plot")
    assert charts.count() == len(titles)
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator(".main-svg").count() >= 1, titles[i]
        assert chart.locator(".scatterlayer .point").count() >= 1, titles[i]


def test_legends_name_the_claimants_and_the_revision_marker(page: Any) -> None:
    assert {"KR-NIS", "edited after publication"} <= _legend(page, "chart-KP-killed")
    assert {"KR-NIS", "UA-PRESIDENT", "US-DOD"} <= _legend(page, "chart-KP-casualties")
    assert "edited: 300 → 600" in page.locator(
        "#chart-KP-killed .annotation-text").all_text_contents()


def test_hovering_the_edited_figure_shows_its_provenance(page: Any) -> None:
    text = _hover_the_edited_figure(page)
    assert "600" in text and "KR-NIS" in text and "Euronews" in text
    assert "edited in version 2: was 300" in text and "2025" in text


def test_tables_below_the_charts(page: Any) -> None:
    assert page.locator("#changes tr.revision").count() == 1
    assert "syndicated" in (page.locator("#stories").text_content() or "")
    edited = page.locator("article.edited")
    assert edited.count() == 1 and "Euronews" in (edited.text_content() or "")
    assert "figure claims" in (page.locator("footer").text_content() or "")


def test_dates_and_kinds_in_the_tables_are_on_one_line(page: Any) -> None:
    lines = page.evaluate("""() => Array.from(document.querySelectorAll('table td.d'))
        .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                     return [td.textContent, r.getClientRects().length]; })""")
    assert len(lines) > 20
    assert [t for t, n in lines if n != 1] == []
    dates = page.locator("#changes td.d").all_text_contents()
    assert all(len(d) == 10 for d in dates[::2]), dates[:6]


def test_stories_are_in_date_order(page: Any) -> None:
    dates = [d for d in page.locator("#stories tr td:first-child").all_text_contents()]
    assert len(dates) > 3 and dates == sorted(dates)


def test_outlets_are_the_source_name_or_the_host(page: Any, replayed: tuple[Path, str]) -> None:
    _, db_url = replayed
    changes = _cli_json(db_url, "changes")
    cells = page.locator("#changes tr td:nth-child(10)").all_text_contents()
    assert len(cells) == len(changes)
    for row, cell in zip(changes, cells, strict=True):
        web = row["url"].startswith(("http://", "https://"))
        host = row["url"].split("/")[2].removeprefix("www.") if web else "unknown outlet"
        assert cell == (row["outlet"] or host), row["url"]
    # the seed article names no outlet and is a replayed file: no host either
    assert "unknown outlet" in [c for r, c in zip(changes, cells, strict=True)
                                if r["url"].startswith("fixture://")]
    text = page.locator("body").text_content() or ""
    assert "(article)" not in text and ">article<" not in page.content()


def test_chart_height_follows_the_content(page: Any) -> None:
    heights = {}
    for chart in page.locator("section.series .js-plotly-plot").all():
        box = chart.bounding_box()
        assert box is not None
        points = chart.locator(".scatterlayer .point").count()
        heights[chart.get_attribute("id")] = (box["height"], points)
    fewest = min(heights.values(), key=lambda hp: hp[1])
    assert fewest[0] < heights["chart-KP-killed"][0]
    assert max(h for h, _ in heights.values()) <= 460 and min(h for h, _ in heights.values()) >= 250


def _csv_of(page: Any, name: str) -> list[dict[str, str]]:
    href = page.locator(f"#csv-{name}").get_attribute("href")
    assert href.startswith("data:text/csv;charset=utf-8,")
    return list(csv.DictReader(io.StringIO(unquote(href.split(",", 1)[1]).lstrip("\ufeff"))))


def test_each_table_downloads_as_csv_with_its_rows(page: Any) -> None:
    for name in ("latest", "changes", "stories"):
        rows = _csv_of(page, name)
        shown = page.locator(f"#{name} tr").count() - 1
        assert len(rows) == shown > 0, name
        with page.expect_download() as info:
            page.locator(f"#csv-{name}").click()
        download = info.value
        assert download.suggested_filename == f"{name}.csv"
        saved = Path(download.path()).read_text(encoding="utf-8-sig")
        assert list(csv.DictReader(io.StringIO(saved))) == rows, name
    changes = _csv_of(page, "changes")
    assert {"claim_id", "claimed_at", "previous_value", "value", "kind", "url"} <= set(changes[0])
    revision = [r for r in changes if r["kind"] == "article_revision"]
    assert [(r["previous_value"], r["value"]) for r in revision] == [("300", "600")]


def test_latest_figures_are_those_of_worker_figures(page: Any,
                                                    replayed: tuple[Path, str]) -> None:
    _, db_url = replayed
    figures = _cli_json(db_url, "figures")
    table = [(r["subject"], r["metric"], r["claimant"] or "unattributed", r["value"])
             for r in _csv_of(page, "latest")]
    assert table == [(r["subject"], r["metric"], r["claimant"] or "unattributed",
                      str(r["value"])) for r in figures]
    values = page.locator("#latest td.value").all_text_contents()
    assert values == [f"{r['value']:,}" for r in figures]
    nis = next(r for r in figures if (r["subject"], r["metric"], r["claimant"]) == (
        "KP", "deployed", "KR-NIS"))
    line = page.locator("#series-KP-deployed .latest").text_content() or ""
    assert f"KR-NIS about {nis['value']:,} (" in line or f"KR-NIS {nis['value']:,} (" in line
    assert " / " not in line


def test_no_console_errors_and_no_network_then_screenshot(opened: Opened) -> None:
    # last in the file, so it also covers what the tests above did to the page
    assert opened.problems == []
    page = opened.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-full.png"), full_page=True)
    # the README picture: the top of the page down to the casualties chart, with a hover label
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    section = page.locator("#series-KP-casualties").bounding_box()
    assert section is not None
    height = int(section["y"] + section["height"] + 16)
    page.set_viewport_size({"width": 1280, "height": height})
    page.wait_for_timeout(300)  # Plotly redraws responsive charts after a resize
    _hover_the_edited_figure(page)
    shot = ARTIFACTS / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    if os.environ.get("WORKER_UPDATE_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "report.png")
