"""`worker export`: the claims with their provenance as CSV, JSON or Parquet (see
worker.export)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from worker.cli.command import add_command, check_output_path, open_store
from worker.cli.output import err
from worker.config import Settings
from worker.errors import UsageError


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from worker.export import export_claims

    check_output_path(args.out)
    _, factory = open_store(settings)
    try:
        with factory() as session:
            n = export_claims(session, args.format, args.out)
    except OSError as exc:  # the disk filled, the file vanished: one line, not a traceback
        raise UsageError(f"--out {args.out}: cannot write: {exc.strerror or exc}") from None
    err.print(f"exported {n} claims" + (f" to {args.out}" if args.out else ""))
    return 0


def register(sub: Any) -> None:
    sp = add_command(sub, "export", cmd_export, "export claims with their provenance",
                     "worker export --format parquet --out claims.parquet")
    sp.add_argument("--format", choices=["csv", "json", "parquet"], default="csv")
    sp.add_argument("--out", type=Path, help="output file (default: standard output; "
                    "required for parquet)")
