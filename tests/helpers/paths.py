"""Where things are: the checkout, its seeds, the shared corpus, the test PostgreSQL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_b80b5a2a3a82875b.txt"
# the corpus of real pages (trafilatura's evaluation pages and expected.json): WORKER_CORPUS,
# else ../shared/corpus beside the checkout (a worktree next to /work/shared finds it)
CORPUS = Path(os.environ.get("WORKER_CORPUS") or ROOT.parent / "shared" / "corpus")
PG_ADMIN_URL = os.environ.get(
    "WORKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def corpus_pages() -> list[Path]:
    """The corpus's HTML pages, sorted; exits with a one-line message when there is none (for
    benchmarks: a test checks `CORPUS` and skips)."""
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
