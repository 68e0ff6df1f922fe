"""The process's C heap (glibc malloc), kept small: what the worker's processes give back.

Two measured causes of resident memory that Python's own allocator does not control:

- An analysis process that has cleaned a large page keeps the memory lxml and trafilatura
  used for it: glibc returns freed memory to the system only from the top of its heap, so
  the peak of the largest page stays resident. `trim()` (``malloc_trim(0)``) hands every
  free page back, wherever it is. Called after each page in a pool process, it kept one at
  53 MB of its own instead of 83 MB after 539 pages (corpus and seeds; about 0.2 ms of CPU
  a call), and the pool's share of the peak of 1,000 feeds fell by about 20 MB.
- A process with many threads (the daemon's fetch threads) gets up to eight malloc arenas
  per core, each holding its own free memory. `limit_arenas(2)` caps them: the daemon's
  PSS at the peak of 1,000 feeds went from 100 to 83 MB (benchmarks/bench_memory.py).

Both do nothing where the C library is not glibc (musl, macOS): the calls are looked up,
and a missing one is skipped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any

M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


@lru_cache(maxsize=1)
def _libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _call(name: str, *args: int) -> bool:
    libc = _libc()
    function = getattr(libc, name, None) if libc is not None else None
    if function is None:
        return False
    function(*args)
    return True


def trim() -> bool:
    """Return the C heap's free pages to the system; False where that is not possible."""
    return _call("malloc_trim", 0)


def limit_arenas(count: int) -> bool:
    """At most `count` malloc arenas for this process (call it before starting threads);
    False where that is not possible."""
    return _call("mallopt", M_ARENA_MAX, count)
