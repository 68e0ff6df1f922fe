"""The table layout (pure): fixed columns keep their width, text columns share what is left,
a table that cannot fit becomes blocks; rendered on rich consoles of 60, 80 and 200 columns."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from worker.cli.tables import GAP, TEXT_MIN, Column, layout, render

COLUMNS = [Column("date"), Column("value"), Column("claimant"), Column("sentence", "text"),
           Column("url", "url")]
URL = "https://example.org/2025/01/13/a-rather-long-path/to-an-article-about-kursk.html"
ROWS = [["2025-01-13", "12,000", "UA-GENSTAFF", "word " * 40, URL],
        ["2024-12-19", "100", "KR-NIS", "short", URL.replace("kursk", "seoul")]]


def rendered(width: int, *, wide: bool = False) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, legacy_windows=False)
    render(console, "T", COLUMNS, ROWS, wide=wide)
    return buf.getvalue()


def test_layout_keeps_fixed_widths_and_shares_the_rest() -> None:
    cells = [[str(v) for v in r] for r in ROWS]
    widths = layout(COLUMNS, cells, 200)
    assert widths is not None
    assert widths[:3] == [10, 6, 11] and widths[4] == len(URL)
    assert sum(widths) + GAP * 4 <= 200 and widths[3] >= TEXT_MIN
    assert layout(COLUMNS, cells, 80) is None  # the URL alone needs more: blocks


@pytest.mark.parametrize("width", [60, 80, 200])
def test_every_width_shows_fixed_values_and_urls_whole(width: int) -> None:
    text = rendered(width)
    for row in ROWS:
        assert {row[0], row[1], row[2]} <= set(text.split())
        assert any(row[4] in line for line in text.splitlines())
    for line in text.splitlines():
        assert len(line.rstrip()) <= width or "https://" in line
    assert "…" in text  # the long sentence is cut
    wide = rendered(width, wide=True)
    assert "…" not in wide and wide.count("word") == 40
