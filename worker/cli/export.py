"""`worker export`: the claims with their provenance as CSV, JSON or Parquet (see
worker.export)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from worker.cli.command import add_command, open_store
from worker.cli.output import err
from worker.config import Settings


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from worker.export import export_claims

    _, factory = open_store(settings)
    with factory() as session:
        n = export_claims(session, args.format, args.out)
    err.print(f"exported {n} claims" + (f" to {args.out}" if args.out else ""))
    return 0


def register(sub: Any) -> None:
    sp = add_command(sub, "export", cmd_export, "export claims with their provenance",
                     "worker export --format parquet --out claims.parquet")
    sp.add_argument("--format", choices=["csv", "json", "parquet"], default="csv")
    sp.add_argument("--out", type=Path, help="output file (default: standard output; "
                    "required for parquet)")
