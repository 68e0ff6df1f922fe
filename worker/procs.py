"""Process-pool helpers. A pool worker whose parent is killed (SIGKILL, OOM killer) must not
live on as an orphan: its siblings hold the task pipe open, so it would never see EOF."""

from __future__ import annotations

import os
import threading
import time


def _watch_parent(parent: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            os._exit(0)


def exit_with_parent(interval: float = 1.0) -> None:
    """Pool initializer: end this worker process soon after its parent has gone."""
    threading.Thread(target=_watch_parent, args=(os.getppid(), interval), daemon=True,
                     name="parent-watch").start()
