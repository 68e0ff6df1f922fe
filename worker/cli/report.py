"""`worker report`: write the HTML report (see worker.report) and print its absolute path."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from worker.cli.command import add_command, iso_date, open_store
from worker.cli.filters import resolve_series, series_filters
from worker.cli.output import err, output_options, print_json
from worker.config import Settings


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from worker import report  # plotly: loaded only when a report is written

    engine, factory = open_store(settings)
    with factory() as session:
        resolve_series(args, settings, session)
        data = report.build(session, database=engine.url.render_as_string(hide_password=True),
                            subject=args.subject, since=args.since)
    path = report.write(data, args.out)
    if args.json:
        print_json({"path": str(path), "series": [g.key for g in data.groups],
                    "statements": data.statements, "changes": len(data.changes),
                    "edited_articles": len(data.edited)})
        return 0
    if data.empty:
        err.print("no figures yet: run `worker replay seeds/` or `worker run --once` first")
    # The path alone on standard output, so `xdg-open "$(worker report)"` works.
    sys.stdout.write(f"{path}\n")
    return 0


def register(sub: Any) -> None:
    sp = add_command(
        sub, "report", cmd_report,
        "write a self-contained HTML report: a timeline per figure series, the changes, "
        "the stories and the edited articles",
        "worker report --out report.html --subject KP --since 2025-01-01")
    sp.add_argument("--out", type=Path, default=Path("report.html"),
                    help="the HTML file to write (default: report.html here)")
    series_filters(sp, metric=False, claimant=False)
    sp.add_argument("--since", type=iso_date, help="only claims made on or after this date")
    output_options(sp, json_help="print the path and what the report holds as JSON")
