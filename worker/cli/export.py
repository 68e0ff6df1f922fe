"""`worker export`: the claims with their provenance as CSV, JSON or Parquet (see
worker.export)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from worker.cli.command import add_command, check_output_path, iso_date, open_store
from worker.cli.filters import resolve_series, series_filters
from worker.cli.output import err
from worker.config import Settings
from worker.errors import UsageError


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from worker.export import export_claims

    check_output_path(args.out)
    _, factory = open_store(settings)
    try:
        with factory() as session:
            resolve_series(args, settings, session)
            n = export_claims(session, args.format, args.out, subject=args.subject,
                              metric=args.metric, claimant=args.claimant, since=args.since,
                              include_excluded=args.include_excluded)
    except OSError as exc:  # the disk filled, the file vanished: one line, not a traceback
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    err.print(f"exported {n} claims" + (f" to {args.out}" if args.out else ""))
    return 0


def register(sub: Any) -> None:
    sp = add_command(sub, "export", cmd_export, "export claims with their provenance",
                     "worker export --format parquet --out claims.parquet")
    sp.add_argument("--format", choices=["csv", "json", "parquet"], default="csv")
    sp.add_argument("--out", type=Path, help="output file (default: standard output; "
                    "required for parquet)")
    series_filters(sp, what="claims")
    sp.add_argument("--since", type=iso_date, help="only claims made on or after this date")
    sp.add_argument("--include-excluded", action="store_true",
                    help="also the claims a reviewer marked wrong (column excluded)")
