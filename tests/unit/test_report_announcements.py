"""The report's announcements section on hand-made rows: a timeline chart with one row per
claimant, each claimant's announcements with their links, every web text escaped."""

from __future__ import annotations

from typing import Any

from worker.report.announcements import section, timeline


def row(day: str, claimant: str = "KR-NIS", **kw: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "announcement_id": f"{claimant}/{day}", "claimant": claimant, "announced_on": day,
        "dated_by": "refers_to", "recalled_only": False, "independent_stories": 3,
        "languages": ["en", "ko"], "headline": "killed 300 · wounded 2,700",
        "url": "https://news.example/1", "outlet": "Yonhap",
        "links": [{"url": "https://news.example/1", "outlet": "Yonhap", "language": "en"},
                  {"url": "fixture://seeds/x.txt", "outlet": None, "language": "ko"}]}
    r.update(kw)
    return r


def test_timeline_has_one_row_per_claimant_and_opens_the_first_report() -> None:
    fig = timeline([row("2025-01-13"), row("2024-12-19"), row("2025-01-12", "UA-HUR")])
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"KR-NIS", "UA-HUR"}
    assert list(traces["KR-NIS"].x) == ["2025-01-13", "2024-12-19"]
    assert list(traces["KR-NIS"].customdata) == ["https://news.example/1"] * 2


def test_section_lists_each_claimants_announcements_with_links_escaped() -> None:
    html = section([row("2025-01-13", headline="killed <b>300</b>"),
                    row("2024-12-15", "UA-HUR", recalled_only=True, dated_by="report")],
                   include_plotlyjs=False)
    assert 'id="announcements-timeline"' in html and "<b>300</b>" not in html
    assert "killed &lt;b&gt;300&lt;/b&gt;" in html
    assert html.index('id="announcements-KR-NIS"') < html.index('id="announcements-UA-HUR"')
    assert '<a href="https://news.example/1"' in html and 'href="fixture:' not in html
    assert "2024-12-15~" in html and "recalled only" in html
    assert section([], include_plotlyjs=False) == "<p>No announcements.</p>"
