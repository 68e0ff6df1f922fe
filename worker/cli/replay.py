"""`worker replay`: ingest fixture files and directories as if they came from a feed."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from worker.cli.command import add_command, open_store
from worker.cli.output import err, out, output_options, print_json
from worker.config import Settings


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from worker.datafiles import check_data_files
    from worker.pipeline import CoreConfig
    from worker.replay import replay
    from worker.store.db import require_writable
    from worker.store.writer import Store

    check_data_files(settings)
    engine, factory = open_store(settings)
    require_writable(engine)
    store = Store(engine, settings.dedupe, worker_id=settings.daemon.worker_id or None,
                  keep_raw=settings.store.keep_raw)
    core = CoreConfig.from_settings(settings)
    processes = settings.pipeline.processes or os.cpu_count() or 1
    missing = [p for p in args.paths if not p.exists()]
    paths = [p for p in args.paths if p.exists()]
    show = not args.json and err.is_terminal
    with Progress(TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err.real(), disable=not show, transient=True) as bar:
        task = bar.add_task("replay", total=None)
        summary = replay(paths, store, core, processes=processes,
                         window=settings.pipeline.queue_size,
                         progress=lambda done, total: bar.update(task, completed=done,
                                                                 total=total))
    from worker.alerts_publish import after_ingest

    after_ingest(factory, settings)
    summary.errors += len(missing)
    summary.failed[:0] = [{"file": str(p), "error": f"{p}: no such file or directory"}
                          for p in missing]
    if args.json:
        print_json(summary.as_dict())
    else:
        for f in summary.failed:
            err.print(f"[red]error[/red]: {escape(f['error'])}", highlight=False,
                      soft_wrap=True)
        d = summary.as_dict()
        out.print(", ".join(f"{k} {d[k]}" for k in ("files", "new", "duplicates", "revised",
                                                       "irrelevant", "unreadable", "figures",
                                                       "errors")))
    if summary.stopped:
        err.print(f"worker: error: {summary.stopped}", markup=False, highlight=False)
        return 2
    return 1 if summary.errors else 0  # some inputs failed (see the exit-code table)


def register(sub: Any) -> None:
    sp = add_command(sub, "replay", cmd_replay,
                     "ingest fixture files and directories as if from a feed",
                     "worker replay seeds/ --json")
    sp.add_argument("paths", nargs="+", type=Path)
    output_options(sp, json_help="print a JSON summary")
