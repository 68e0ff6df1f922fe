"""`worker figures` (the latest value of every series) and `worker changes` (every change of a
reported figure over time), read through `worker.store.queries`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from worker.cli.command import add_command, iso_date, open_engine, open_store
from worker.cli.filters import resolve_series, series_filters
from worker.cli.output import err, output_options, print_csv, print_json, table, value_range
from worker.config import Settings
from worker.errors import UsageError

FIGURE_COLUMNS = (
    "claim_id", "subject", "metric", "claimant", "value", "low", "high", "qualifier",
    "modality", "claimed_at", "url", "outlet", "sentence", "independent_stories",
)


def newest(rows: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """The `limit` rows claimed last, in their original order."""
    if not limit or len(rows) <= limit:
        return rows
    keep = {id(r) for r in sorted(rows, key=lambda r: (str(r["claimed_at"]), r["claim_id"]),
                                  reverse=True)[:limit]}
    return [r for r in rows if id(r) in keep]


def cmd_figures(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import latest_figures

    with open_engine(settings).connect() as conn:  # Core only: no ORM to load
        resolve_series(args, settings, conn)
        rows = latest_figures(conn, as_of=args.as_of, subject=args.subject,
                              metric=args.metric, claimant=args.claimant)
    rows = newest(rows, args.limit)
    if args.json:
        print_json(rows)
        return 0
    if args.csv:
        print_csv(rows, FIGURE_COLUMNS)
        return 0
    title = "Latest figures" + (f" as known on {args.as_of}" if args.as_of else "")
    table(title, ["subject", "metric", "claimant", "value", "range", "qualifier", "claimed",
                  "stories", "outlet"],
          [(r["subject"], r["metric"], r["claimant"], f"{r['value']:,}", value_range(r),
            r["qualifier"], str(r["claimed_at"])[:10], r["independent_stories"], r["outlet"])
           for r in rows])
    if not rows:
        filtered = args.subject or args.metric or args.claimant or args.as_of
        err.print("no figures match these filters" if filtered else
                  "no figures yet: run `worker replay seeds/` or `worker run --once`")
    return 0


def cmd_changes(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import CHANGE_COLUMNS, changes

    if args.atom:  # the same changes as an Atom feed, newest first (worker.alerts_atom)
        from worker.alerts_publish import changes_atom

        if args.json or args.csv:
            raise UsageError("--atom cannot be combined with --json or --csv")
        _, factory = open_store(settings)
        with factory() as session:
            resolve_series(args, settings, session)
        sys.stdout.buffer.write(changes_atom(
            factory, settings, limit=args.limit, subject=args.subject, metric=args.metric,
            claimant=args.claimant, since=args.since, kind=args.kind))
        return 0
    with open_engine(settings).connect() as conn:
        resolve_series(args, settings, conn)
        rows = changes(conn, subject=args.subject, metric=args.metric,
                       claimant=args.claimant, since=args.since, kind=args.kind,
                       limit=args.limit)
    rows = [{k: r[k] for k in CHANGE_COLUMNS} for r in rows]
    if args.json:
        print_json(rows)
    elif args.csv:
        print_csv(rows, CHANGE_COLUMNS)
    else:
        table("Figure changes", ["stated for", "reported on", "subject", "metric",
                                 "claimant", "previous", "value", "qualifier", "kind",
                                 "stories", "outlet", "sentence"],
              [(str(r["stated_for"])[:10], str(r["reported_on"])[:10], r["subject"],
                r["metric"], r["claimant"],
                "" if r["previous_value"] is None else f"{r['previous_value']:,}",
                f"{r['value']:,}", r["qualifier"],
                r["kind"] + (" (recall)" if r["through_recall"] else ""),
                r["independent_stories"], r["outlet"], r["sentence"]) for r in rows],
              wrap=["sentence"])
    return 0


def register(sub: Any) -> None:
    sp = add_command(sub, "figures", cmd_figures, "the latest value of every figure series",
                     "worker figures --subject kp --metric killed --as-of 2025-02-01 --json")
    sp.add_argument("--as-of", type=iso_date, help="as known at the end of this date")
    series_filters(sp)
    output_options(sp, csv=True, limit=True, wide=True)

    sp = add_command(sub, "changes", cmd_changes, "every change of a reported figure over time",
                     "worker changes --subject KP --metric killed --json")
    series_filters(sp, what="changes")
    sp.add_argument("--since", type=iso_date, help="only changes claimed on or after this date")
    sp.add_argument("--kind", choices=["new_report", "article_revision"])
    output_options(sp, csv=True, limit=True, wide=True)
    sp.add_argument("--atom", action="store_true",
                    help="print an Atom feed, newest change first (see worker alerts)")
