"""Tables that fit the terminal without hiding what matters.

Three kinds of column:

- fixed: numbers, dates, codes, identifiers, short words: never cut, never wrapped;
- text: long prose (a sentence, a title, a note): cut with an ellipsis to the room left, or,
  with `--wide`, folded over as many lines as it takes, so it is shown whole;
- url: printed whole on one line, so it can be copied into `worker articles history`.

When every fixed and url column fits beside a few characters of each text column, the rows are
a table (columns two spaces apart, no borders). When they do not (a narrow terminal), each row
becomes a short block instead: the fixed values as `name value` pairs wrapped between pairs,
then each text on its own line, then each URL alone on its line.

rich prints them. On a stream that is not a terminal (a pipe, a file: no colours), a table is
only padded and cut, and `plain_table` makes the same text without loading rich's console,
which costs about 40 ms, a tenth of a short command's start; wherever rich would do more
(markup or emoji codes, tabs, line breaks, edge whitespace) it declines and rich prints.
A unit test keeps the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["fixed", "text", "url"]
GAP = 2  # spaces between two columns
TEXT_MIN = 12  # the least room a text column gets in the table layout
_EMOJI_CODE = re.compile(r":[^\s:]+:")  # what rich may replace by an emoji (":smile:")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind = "fixed"


def _cells(rows: Sequence[Sequence[Any]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


def _widths(columns: Sequence[Column], cells: list[list[str]]) -> list[int]:
    from rich.cells import cell_len

    return [max([cell_len(c.name)] + [cell_len(r[i]) for r in cells])
            for i, c in enumerate(columns)]


def layout(columns: Sequence[Column], cells: list[list[str]], width: int) -> list[int] | None:
    """The width of each column in a table of `width` cells, or None when the fixed and URL
    columns do not fit (then the rows are printed as blocks)."""
    natural = _widths(columns, cells)
    room = width - GAP * (len(columns) - 1)
    fixed = sum(w for w, c in zip(natural, columns, strict=True) if c.kind != "text")
    text = [i for i, c in enumerate(columns) if c.kind == "text"]
    minimum = {i: min(natural[i], TEXT_MIN) for i in text}
    left = room - fixed
    if left < sum(minimum.values()):
        return None
    widths = list(natural)
    wanted = sum(natural[i] for i in text)
    if wanted > left:  # share what is left by how much more than the minimum each wants
        spare = left - sum(minimum.values())
        extra = sum(natural[i] - minimum[i] for i in text) or 1
        for i in text:
            widths[i] = minimum[i] + (natural[i] - minimum[i]) * spare // extra
    return widths


def plain_table(title: str | None, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
                width: int) -> str | None:
    """The table as rich prints it, without colour, to a stream of `width` columns that is
    not a terminal: each cell padded to its column's width (a text cut with an ellipsis), the
    columns two spaces apart, the title padded to the table's width. None when rows would be
    blocks, or when rich would do more than pad and cut (see the module docstring)."""
    from rich.cells import cell_len, set_cell_size

    cells = _cells(rows)
    widths = layout(columns, cells, width)
    if widths is None:
        return None
    if any("[" in t or ":" in t for t in [title or "", *(c.name for c in columns)]):
        return None  # rich reads markup and emoji codes in a title and the headers
    for row in cells:
        for value in row:
            if not value.isprintable() or value != value.strip() or _EMOJI_CODE.search(value):
                return None
    total = sum(widths) + GAP * (len(widths) - 1)
    lines: list[str] = []
    if title:
        if cell_len(title) > total:
            return None  # rich would wrap it
        lines.append(title + " " * (total - cell_len(title)))
    for row in [[c.name for c in columns], *cells]:
        parts = []
        for value, col, w in zip(row, columns, widths, strict=True):
            size = cell_len(value)
            if size > w:
                if col.kind != "text":
                    return None  # never happens: a fixed or URL column has its natural width
                value, size = set_cell_size(value, w - 1) + "…", w
            parts.append(value + " " * (w - size))
        lines.append((" " * GAP).join(parts))
    return "".join(line + "\n" for line in lines)


def render(console: Any, title: str | None, columns: Sequence[Column],
           rows: Sequence[Sequence[Any]], *, wide: bool = False) -> None:
    cells = _cells(rows)
    widths = layout(columns, cells, console.width)
    if widths is None:
        _blocks(console, title, columns, cells, wide=wide)
    else:
        _table(console, title, columns, cells, widths, wide=wide)


def _table(console: Any, title: str | None, columns: Sequence[Column], cells: list[list[str]],
           widths: list[int], *, wide: bool) -> None:
    from rich.table import Table

    t = Table(title=title, box=None, padding=(0, GAP // 2), pad_edge=False,
              header_style="bold", title_justify="left", show_edge=False)
    for col, w in zip(columns, widths, strict=True):
        if col.kind == "text":
            t.add_column(col.name, width=w, no_wrap=not wide,
                         overflow="fold" if wide else "ellipsis")
        else:
            t.add_column(col.name, width=w, no_wrap=True, overflow="ignore")
    for row in cells:
        t.add_row(*row)
    console.print(t, markup=False, highlight=False, soft_wrap=False)


def _blocks(console: Any, title: str | None, columns: Sequence[Column],
            cells: list[list[str]], *, wide: bool) -> None:
    from rich.cells import cell_len
    from rich.padding import Padding
    from rich.text import Text

    width = console.width
    if title:
        console.print(Text(title, style="bold"), soft_wrap=True)
    for n, row in enumerate(cells):
        if n:
            console.print()
        lines: list[str] = []
        current = ""
        for col, value in zip(columns, row, strict=True):
            if col.kind != "fixed" or value == "":
                continue
            pair = f"{col.name} {value}"
            if current and cell_len(current) + GAP + cell_len(pair) > width:
                lines.append(current)
                current = "  " + pair
            else:
                current = f"{current}{' ' * GAP}{pair}" if current else pair
        if current:
            lines.append(current)
        for line in lines:
            console.print(Text(line), soft_wrap=True)
        for col, value in zip(columns, row, strict=True):
            if value == "" or col.kind == "fixed":
                continue
            if col.kind == "url":
                console.print(Text(f"  {value}"), soft_wrap=True)  # whole, on one line
            elif wide:
                console.print(Padding(Text(f"{col.name}: {value}", overflow="fold"),
                                      (0, 0, 0, 2)), soft_wrap=False)
            else:
                text = Text(f"  {col.name}: {value}", no_wrap=True, overflow="ellipsis")
                text.truncate(width, overflow="ellipsis")
                console.print(text, soft_wrap=True)
