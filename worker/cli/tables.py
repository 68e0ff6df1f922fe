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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["fixed", "text", "url"]
GAP = 2  # spaces between two columns
TEXT_MIN = 12  # the least room a text column gets in the table layout


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
