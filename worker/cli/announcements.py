"""`worker announcements`: a claimant's figures stated for one day (worker.announce), newest
first."""

from __future__ import annotations

import argparse
from typing import Any

from worker.cli.command import add_command, open_store
from worker.cli.output import err, output_options, print_json, table
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
    """Newest first, one line per figure of each announcement (the announcement's date,
    claimant, story count and languages on its first line), with the shared renderer
    (worker.cli.tables): figures, dates and codes are never cut; the first report's outlet is
    text (cut with an ellipsis, whole with --wide)."""
    from urllib.parse import urlsplit

    columns = ["date", *(["claimant"] if with_claimant else []), "figure", "stories",
               "languages", "first report"]
    cells: list[list[Any]] = []
    for r in rows:
        day = r["announced_on"] + ("" if r["dated_by"] == "refers_to" else "~")
        first = r["outlet"] or urlsplit(r["url"]).hostname or "-"
        figures = r["headline"].split(" · ") or [""]
        if r["recalled_only"]:
            figures[-1] += " (recalled only)"
        cells.append([day, *([r["claimant"]] if with_claimant else []), figures[0],
                      r["independent_stories"], " ".join(r["languages"]), first])
        cells.extend(["", *([""] if with_claimant else []), figure, "", "", ""]
                     for figure in figures[1:])
    table(title, columns, cells, wrap=("first report",), urls=())


def register(sub: Any) -> None:
    sp = add_command(sub, "announcements", cmd_announcements,
                     "announcements: a claimant's figures stated for one day, with the "
                     "independent stories and languages carrying them, newest first",
                     "worker announcements --claimant KR-NIS --json")
    sp.add_argument("--claimant", help="claimant code, e.g. KR-NIS")
    output_options(sp, limit=True, wide=True)
