"""`worker reanalyse`: clean and extract the stored versions again with the current code
(see worker.reanalyse); prints the series whose claims changed."""

from __future__ import annotations

import argparse
import os
from typing import Any

from worker.cli.command import add_command, iso_date, open_store
from worker.cli.output import err, out, output_options, positive_int, print_json, table
from worker.config import Settings


def cmd_reanalyse(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from worker import alerts_publish
    from worker.datafiles import check_data_files
    from worker.reanalyse import reanalyse
    from worker.store.db import require_writable

    check_data_files(settings)
    engine, factory = open_store(settings)
    if not args.dry_run:
        require_writable(engine)
    processes = args.processes or settings.pipeline.processes or os.cpu_count() or 1
    show = not args.json and err.is_terminal
    with Progress(TextColumn("reanalyse"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err,
                  disable=not show, transient=True) as bar:
        task = bar.add_task("reanalyse", total=None)
        summary = reanalyse(factory, settings, since=args.since, article_url=args.article,
                            dry_run=args.dry_run, force=args.force, processes=processes,
                            progress=lambda done, total: bar.update(task, completed=done,
                                                                    total=total))
    if summary.analysed and not args.dry_run:
        alerts_publish.after_ingest(factory, settings)  # announcements and alerts follow
    data = summary.as_dict()
    if args.json:
        print_json(data)
    else:
        for f in summary.failed:
            err.print(f"[red]error[/red]: version {f['version_id']} ({f['url']}): "
                      f"{f['error']}", highlight=False)
        verb = "would change" if args.dry_run else "changed"
        out.print(f"{'dry run: ' if args.dry_run else ''}versions due {data['selected']}, "
                  f"analysed {data['analysed']} ({data['from_raw']} from the raw page, "
                  f"{data['from_text']} from the stored text), texts {verb} "
                  f"{data['text_changed']}, claims {data['claims_before']} → "
                  f"{data['claims_after']}, errors {data['errors']}", highlight=False)
        rows = data["series_changed"]
        if rows:
            table(f"Series whose claims {verb}", ["subject", "metric", "claimant", "added",
                                                 "removed", "changed"],
                  [(r["subject"], r["metric"], r["claimant"], r["added"], r["removed"],
                    r["changed"]) for r in rows])
        else:
            out.print(f"no series {verb}")
    return 1 if summary.errors else 0  # some versions failed: a partial failure (exit codes)


def register(sub: Any) -> None:
    sp = add_command(sub, "reanalyse", cmd_reanalyse,
                     "clean and extract the stored versions again with the current code",
                     "worker reanalyse --since 2025-01-01 --dry-run")
    sp.add_argument("--since", type=iso_date, metavar="DATE",
                    help="only versions fetched on or after DATE (YYYY-MM-DD)")
    sp.add_argument("--article", metavar="URL", help="only the versions of this article")
    sp.add_argument("--dry-run", action="store_true",
                    help="report what would change, write nothing")
    sp.add_argument("--force", action="store_true",
                    help="also the versions already analysed with the current code")
    sp.add_argument("--processes", type=positive_int, metavar="N",
                    help="analysis processes (default [pipeline] processes, else the CPUs)")
    output_options(sp, wide=True, json_help="print a JSON summary with the series changed")
