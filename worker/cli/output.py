"""What every command prints through: the two lazy consoles, JSON and CSV writers, the table
renderer, and the shared output options (`--json`, `--csv`, `--limit`) defined once.

Nothing here imports rich or the database at module level: `worker --help` stays fast.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def terminal_width() -> int | None:
    """Full terminal width on a terminal; otherwise $COLUMNS or a wide default, so piped
    tables are not squeezed to 80 columns."""
    if sys.stdout.isatty():
        return None
    try:
        return int(os.environ.get("COLUMNS", "160"))
    except ValueError:
        return 160


class LazyConsole:
    """A rich Console made on first use: `worker --help` and commands that print little do
    not pay for importing rich. Colours follow rich's rules: none when the stream is not a
    terminal, none with NO_COLOR set. A line printed on standard output is never wrapped by
    rich (a summary or a URL stays one line); tables lay themselves out (worker.cli.tables)."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Any = None

    def real(self) -> Any:
        """The rich Console itself (made now if need be), for rich objects that take one."""
        if self._console is None:
            from rich.console import Console

            self._console = (Console(stderr=True) if self._stderr
                             else Console(soft_wrap=True, width=terminal_width()))
        return self._console

    def line(self, text: str) -> None:
        """One line as it is (no markup, no highlighting, never wrapped): written straight to
        the stream when that is not a terminal, so a short command that only reports
        (`feeds add`) does not load rich; through rich on a terminal."""
        stream = sys.stderr if self._stderr else sys.stdout
        if self._console is None and not _terminal_like(stream):
            stream.write(text + "\n")
        else:
            self.real().print(text, markup=False, highlight=False, soft_wrap=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


out: Any = LazyConsole(stderr=False)
err: Any = LazyConsole(stderr=True)


def stdout_is_unicode() -> bool:
    return "utf" in (getattr(sys.stdout, "encoding", None) or "").lower()


def print_json_line(data: Any) -> None:
    """One compact JSON line (JSON Lines), flushed: for streams such as `extract --batch`."""
    sys.stdout.write(json.dumps(data, ensure_ascii=not stdout_is_unicode(), default=str)
                     + "\n")
    sys.stdout.flush()


def print_json(data: Any) -> None:
    """JSON on standard output: UTF-8 as is, or ASCII escapes when the output encoding
    cannot carry every character (the JSON stays exact either way)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=not stdout_is_unicode(), indent=2,
                                default=str) + "\n")


def print_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    sys.stdout.write(buf.getvalue())


class _Options:
    wide = False  # --wide: long text shown whole (set by worker.cli.app.main)


options = _Options()


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          *, wrap: Sequence[str] = (), urls: Sequence[str] = ("url",)) -> None:
    """A table that fits the terminal (see worker.cli.tables): the `wrap` columns are long
    text (cut with an ellipsis, whole with --wide), the `urls` columns are printed whole on
    one line, every other column (numbers, dates, codes) is never cut."""
    from worker.cli.tables import Column, plain_table, render

    cols = [Column(c, "url" if c in urls else "text" if c in wrap else "fixed")
            for c in columns]
    if not options.wide and not _terminal_like(sys.stdout):  # the text rich makes, without it
        text = plain_table(title, cols, rows, terminal_width() or 160)
        if text is not None:
            sys.stdout.write(text)
            return
    render(out.real(), title, cols, rows, wide=options.wide)


def _terminal_like(stream: Any) -> bool:
    """Whether rich would treat `stream` as a terminal (colours, styles): a tty, or told so
    by FORCE_COLOR / TTY_COMPATIBLE."""
    if os.environ.get("TTY_COMPATIBLE") in ("0", "1"):
        return os.environ["TTY_COMPATIBLE"] == "1"
    if os.environ.get("FORCE_COLOR") is not None:
        return os.environ["FORCE_COLOR"] != ""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# -- the shared output options -----------------------------------------------------------

def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {value}")
    return number


def output_options(parser: argparse.ArgumentParser, *, csv: bool = False,
                   limit: bool = False, wide: bool = False,
                   json_help: str = "print JSON for scripts") -> None:
    """`--json` (and, where a command offers them, `--csv`, `--limit N` and `--wide`), the
    same on every command: `args.json`, `args.csv`, `args.limit` (None when not given),
    `args.wide`."""
    group = parser.add_mutually_exclusive_group() if csv else parser
    group.add_argument("--json", action="store_true", help=json_help)
    if csv:
        group.add_argument("--csv", action="store_true", help="print CSV for spreadsheets")
    if limit:
        parser.add_argument("--limit", type=positive_int, metavar="N",
                            help="only the newest N rows")
    if wide:
        parser.add_argument("--wide", action="store_true",
                            help="show long text (sentences, titles) whole, folded over lines")


def value_range(r: Mapping[str, Any]) -> str:
    """A claim's `low`–`high` range, empty when it is a single value."""
    low, high = r.get("low"), r.get("high")
    if low == high:
        return ""
    return f"{'' if low is None else f'{low:,}'}–{'' if high is None else f'{high:,}'}"
