"""`worker announcements`: a claimant's figures stated for one day (worker.announce), newest
first."""

from __future__ import annotations

import argparse
from typing import Any

from worker.cli.command import add_command, open_store
from worker.cli.output import err, out, output_options, print_json
from worker.config import Settings


def cmd_announcements(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store import announcements as store

    _, factory = open_store(settings)
    with factory() as session:
        store.refresh(session)
        session.commit()
        rows = store.announcements(session, claimant=args.claimant, limit=args.limit)
    if args.json:
        print_json(rows)
        return 0
    _table(rows, with_claimant=args.claimant is None,
           title="Announcements" + (f" of {args.claimant}" if args.claimant else ""))
    if rows:
        err.print("~ dated by its first report (no report names the day); "
                  "--json gives every figure and link")
    else:
        err.print("no announcements yet: run `worker replay seeds/` or `worker run --once`")
    return 0


def _table(rows: list[dict[str, Any]], *, with_claimant: bool, title: str) -> None:
    """Newest first, one row per announcement, narrow enough for 80 columns: the figures
    column (led by the claimant when several are listed) takes what the others leave."""
    from urllib.parse import urlsplit

    from rich import box
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=title, box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    t.add_column("date", no_wrap=True)
    t.add_column("figures", overflow="fold", ratio=1, min_width=24)
    t.add_column("stories", justify="right", no_wrap=True)
    t.add_column("langs", overflow="fold", max_width=11)
    t.add_column("first report", overflow="fold", max_width=14)
    for r in rows:
        day = r["announced_on"] + ("" if r["dated_by"] == "refers_to" else "~")
        figures = escape(r["headline"]) + (" (recalled only)" if r["recalled_only"] else "")
        if with_claimant:
            figures = f"[bold]{escape(r['claimant'])}[/bold] {figures}"
        first = r["outlet"] or urlsplit(r["url"]).hostname or "-"
        t.add_row(day, figures, str(r["independent_stories"]), " ".join(r["languages"]),
                  escape(first))
    out.print(t)


def register(sub: Any) -> None:
    sp = add_command(sub, "announcements", cmd_announcements,
                     "announcements: a claimant's figures stated for one day, with the "
                     "independent stories and languages carrying them, newest first",
                     "worker announcements --claimant KR-NIS --json")
    sp.add_argument("--claimant", help="claimant code, e.g. KR-NIS")
    output_options(sp, limit=True)
