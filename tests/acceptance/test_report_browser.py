"""End to end: replay the fixture feed, write the report with the real command, open it in
headless Chromium (Debian's, never a downloaded browser) with the network cut off, and check
that every chart rendered with its series and claimants, that hovering a point shows its
provenance, and that the page logged no error. Saves screenshots to test-artifacts/ (and to
docs/report.png with WORKER_UPDATE_SCREENSHOT=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT, SEEDS, run_worker

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
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the replayed fixture feed, written by `worker report`."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("report")
    db_url = f"sqlite:///{tmp / 'worker.db'}"
    replay = run_worker(["replay", str(SEEDS)], db_url)
    assert replay.returncode == 0, replay.stderr
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
    charts = page.locator(".js-plotly-plot")
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
