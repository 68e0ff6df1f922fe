"""worker.memory on this machine's C library (glibc): a trimmed heap gives its free pages back."""

from __future__ import annotations

import subprocess
import sys

# In a fresh process: 60 MB of 64 KB blocks from malloc's heap, all freed but the last (which
# pins the top of the heap, so a plain free cannot shrink it); resident memory before and after
# worker.memory.trim().
PROBE = """
import sys
from pathlib import Path
from worker import memory

def rss_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

blocks = [bytearray(b"x" * 65536) for _ in range(960)]
del blocks[:-1]
before = rss_kb()
ok = memory.trim()
after = rss_kb()
print(int(ok), int(memory.limit_arenas(2)), before - after)
"""


def test_trim_returns_the_free_pages_of_the_heap() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          check=True)
    trimmed, limited, freed_kb = (int(v) for v in done.stdout.split())
    assert trimmed and limited  # glibc: both calls found
    assert freed_kb > 40_000, done.stdout  # most of the 60 MB freed in the middle of the heap


def test_a_pool_analysis_leaves_trafilaturas_text_caches_empty() -> None:
    """`procs.analyse_in_pool` empties the memoised text helpers that `analyse` fills with
    the page's strings (so they do not accumulate in each pool process), and gives the same
    analysis as `analyse`."""
    from trafilatura import utils

    from tests.helpers.paths import SEEDS
    from worker.config import Settings
    from worker.pipeline import CoreConfig, Document, analyse
    from worker.procs import analyse_in_pool

    core = CoreConfig.from_settings(Settings())
    doc = Document(url="https://example.org/a", locator="a",
                   html=(SEEDS / "004_france24-wire-300-killed.html").read_text(encoding="utf-8"))
    caches = [utils.trim, utils.line_processing, utils.return_printables_and_spaces]
    plain = analyse(doc, core)
    assert all(c.cache_info().currsize > 0 for c in caches)  # analyse alone fills them
    pooled = analyse_in_pool(doc, core)
    assert [c.cache_info().currsize for c in caches] == [0, 0, 0]
    assert pooled == plain
