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


# -- the plain table: rich's text, without rich's console, on a stream that is not a terminal --

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from worker.cli.tables import plain_table  # noqa: E402


def rich_text(title: str | None, columns: list[Column], rows: list[list[str]],
              width: int) -> str:
    """What `worker` prints through rich to a pipe: the console output.LazyConsole makes."""
    buf = io.StringIO()
    render(Console(file=buf, soft_wrap=True, width=width, legacy_windows=False), title,
           columns, rows)
    return buf.getvalue()


def test_plain_table_is_rich_text_for_a_table_of_figures() -> None:
    cols = [Column("subject"), Column("metric"), Column("value"), Column("outlet"),
            Column("sentence", "text"), Column("url", "url")]
    rows = [["KP", "killed", "2,000", "연합뉴스", ("About 2,000 soldiers " * 6).strip(), URL],
            ["KP", "wounded", "", None, "Около 600 военных", URL], ["UA", "", "1", "x", "", ""]]
    for width in (130, 160, 240):
        text = plain_table("Latest figures", cols, rows, width)
        assert text is not None  # the fast path is taken for ordinary rows
        assert text == rich_text("Latest figures", cols, rows, width)


def test_plain_table_declines_what_rich_would_interpret() -> None:
    cols = [Column("a"), Column("b", "text")]
    for cell in ("a\tb", "two\nlines", " edge", "see :smile:", "\x1b[1m"):
        assert plain_table("T", cols, [["1", cell]], 100) is None
    assert plain_table("[bold]T[/bold]", cols, [["1", "x"]], 100) is None
    assert plain_table("T", [Column("u", "url")], [["https://example.org/" + "x" * 90]],
                       40) is None  # blocks


CELL = st.text(alphabet=st.sampled_from(list("ab Z09,.-:/[]…é") + ["한", "국", "д", "ы",
                                                                     "\u0301", "😀", "\t"]),
               max_size=40)


@settings(max_examples=150, deadline=None)
@given(kinds=st.lists(st.sampled_from(["fixed", "text", "url"]), min_size=1, max_size=6),
       data=st.data(), width=st.integers(min_value=20, max_value=200),
       title=st.one_of(st.none(), st.sampled_from(["Feeds", "Latest figures as known on "
                                                            "2025-02-01", "T" * 90])))
def test_plain_table_equals_rich_whenever_it_answers(kinds: list[str], data: st.DataObject,
                                                     width: int, title: str | None) -> None:
    cols = [Column(f"col{i}", kind) for i, kind in enumerate(kinds)]  # type: ignore[arg-type]
    rows = data.draw(st.lists(st.lists(CELL, min_size=len(cols), max_size=len(cols)),
                              max_size=5))
    text = plain_table(title, cols, rows, width)
    if text is not None:
        assert text == rich_text(title, cols, rows, width)
