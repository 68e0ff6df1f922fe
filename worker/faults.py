"""Fault injection for the crash tests: the process kills itself (SIGKILL, no clean-up, no
`finally`, no rollback) when it reaches a named point.

    WORKER_FAULT=after_version        # the first time a version row is written
    WORKER_FAULT=before_remember:3    # the third time an item is stored and not yet remembered

Points (one line each where they stand):

    after_article     worker/store/writer.py  article row inserted, transaction open
    after_version     worker/store/writer.py  version row inserted, claims not yet
    before_commit     worker/store/writer.py  the document's transaction complete, not committed
    before_remember   worker/poll.py          article committed, feed item not yet remembered
    renew_lease       worker/store/feeds.py   lease renewal written, not committed

Test-only: with WORKER_FAULT unset (as in production) `point` is a function that returns at
once. The variable is read when this module is first imported (the process start).
"""

from __future__ import annotations

import os
import signal
from collections import Counter

POINTS = ("after_article", "after_version", "before_commit", "before_remember", "renew_lease")
ENV = "WORKER_FAULT"


def _parse(spec: str) -> dict[str, int]:
    """``name[:n]`` items, comma-separated: kill at the n-th time (default 1) at `name`."""
    armed: dict[str, int] = {}
    for item in spec.split(","):
        name, _, nth = item.strip().partition(":")
        if not name:
            continue
        if name not in POINTS:
            raise ValueError(f"{ENV}: unknown fault point {name!r} (known: {', '.join(POINTS)})")
        armed[name] = int(nth) if nth else 1
    return armed


_ARMED = _parse(os.environ.get(ENV, ""))
_SEEN: Counter[str] = Counter()


def point(name: str) -> None:
    """Kill this process here if WORKER_FAULT names this point (and this is its n-th time)."""
    if not _ARMED or name not in _ARMED:
        return
    _SEEN[name] += 1
    if _SEEN[name] >= _ARMED[name]:
        os.kill(os.getpid(), signal.SIGKILL)
