"""`worker figures` (the latest value of every series) and `worker changes` (every change of a
reported figure over time), read through `worker.store.queries`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from worker.cli.command import add_command, iso_date, open_store
from worker.cli.output import err, output_options, print_csv, print_json, table, value_range
from worker.config import Settings
from worker.errors import WorkerError


def cmd_figures(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import latest_figures

    _, factory = open_store(settings)
    with factory() as session:
        rows = latest_figures(session, as_of=args.as_of, subject=args.subject)
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        print_json(rows)
        return 0
    title = "Latest figures" + (f" as known on {args.as_of}" if args.as_of else "")
    table(title, ["subject", "metric", "claimant", "value", "range", "qualifier", "claimed",
                  "stories", "outlet"],
          [(r["subject"], r["metric"], r["claimant"], f"{r['value']:,}", value_range(r),
            r["qualifier"], str(r["claimed_at"])[:10], r["independent_stories"], r["outlet"])
           for r in rows])
    if not rows:
        err.print("no figures yet: run `worker replay seeds/` or `worker run --once`")
    return 0


def cmd_changes(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import CHANGE_COLUMNS, changes

    _, factory = open_store(settings)
    if args.atom:  # the same changes as an Atom feed, newest first (worker.alerts_atom)
        from worker.alerts_publish import changes_atom

        if args.json or args.csv:
            raise WorkerError("--atom cannot be combined with --json or --csv")
        sys.stdout.buffer.write(changes_atom(
            factory, settings, limit=args.limit, subject=args.subject, metric=args.metric,
            claimant=args.claimant, since=args.since, kind=args.kind))
        return 0
    with factory() as session:
        rows = changes(session, subject=args.subject, metric=args.metric,
                       claimant=args.claimant, since=args.since, kind=args.kind,
                       limit=args.limit)
    rows = [{k: r[k] for k in CHANGE_COLUMNS} for r in rows]
    if args.json:
        print_json(rows)
    elif args.csv:
        print_csv(rows, CHANGE_COLUMNS)
    else:
        table("Figure changes", ["claimed", "subject", "metric", "claimant", "previous",
                                 "value", "qualifier", "kind", "stories", "outlet", "sentence"],
              [(str(r["claimed_at"])[:10], r["subject"], r["metric"], r["claimant"],
                "" if r["previous_value"] is None else f"{r['previous_value']:,}",
                f"{r['value']:,}", r["qualifier"], r["kind"], r["independent_stories"],
                r["outlet"], r["sentence"]) for r in rows], wrap=["sentence"])
    return 0


def register(sub: Any) -> None:
    sp = add_command(sub, "figures", cmd_figures, "the latest value of every figure series",
                     "worker figures --as-of 2025-02-01 --json")
    sp.add_argument("--as-of", type=iso_date, help="as known at the end of this date")
    sp.add_argument("--subject", help="ISO code of the side counted, e.g. KP")
    output_options(sp, limit=True)

    sp = add_command(sub, "changes", cmd_changes, "every change of a reported figure over time",
                     "worker changes --subject KP --metric killed --json")
    sp.add_argument("--subject")
    sp.add_argument("--metric", choices=["killed", "wounded", "casualties", "captured",
                                         "missing", "deployed"])
    sp.add_argument("--claimant")
    sp.add_argument("--since", type=iso_date)
    sp.add_argument("--kind", choices=["new_report", "article_revision"])
    output_options(sp, csv=True, limit=True)
    sp.add_argument("--atom", action="store_true",
                    help="print an Atom feed, newest change first (see worker alerts)")
