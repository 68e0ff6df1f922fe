"""Helpers shared by the benchmarks: where the corpus is, timing, peak memory, tables."""

from __future__ import annotations

import json
import os
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("WORKER_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_pages() -> list[Path]:
    pages = CORPUS / "pages"
    if not pages.is_dir():
        sys.exit(f"corpus not found at {pages} (set WORKER_CORPUS)")
    return sorted(pages.glob("*.html"))


def read_page(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def show(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    t = Table(title=title, header_style="bold")
    for c in columns:
        t.add_column(c, justify="right" if c not in (columns[0],) else "left")
    for r in rows:
        t.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in r])
    Console().print(t)


def emit_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
