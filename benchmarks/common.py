"""Helpers shared by the benchmarks: where the corpus is, timing, peak memory, tables."""

from __future__ import annotations

import json
import resource
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# where the checkout and the corpus are: one home, tests/helpers/paths (WORKER_CORPUS, else
# ../shared/corpus beside the checkout)
from tests.helpers.paths import CORPUS, ROOT, corpus_pages, read_page

__all__ = ["CORPUS", "ROOT", "corpus_pages", "emit_json", "peak_rss_mb",
           "read_page", "show"]


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


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _cmdline(pid: int) -> list[str]:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []
    return [a.decode(errors="replace") for a in argv if a]


def _role(pid: int) -> str:
    """A short name for a process of the tree: its command line's last two words, or what
    multiprocessing started it as (a pool process is a fork of the fork server)."""
    words = _cmdline(pid)
    text = " ".join(words)
    if "forkserver" in text:
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            ppid = 0
        return "pool process" if "forkserver" in " ".join(_cmdline(ppid)) else "fork server"
    if "resource_tracker" in text:
        return "resource tracker"
    if "spawn_main" in text or "--multiprocessing-fork" in text:
        return "pool process"
    return " ".join(words[-2:]) if words else "?"


class TreeSampler(threading.Thread):
    """Peak summed RSS and PSS of a process tree, and the most processes seen at once;
    `at_peak` is each process's (role, PSS MB) in the sample with the highest summed PSS."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.rss_mb = self.pss_mb = 0.0
        self.processes = 0
        self.at_peak: list[tuple[str, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            pids = _tree(self.pid)
            rss_kb = sum(_status_kb(p, "VmRSS:") for p in pids)
            pss = {p: _pss_kb(p) for p in pids}
            pss_kb = sum(pss.values())
            self.rss_mb = max(self.rss_mb, rss_kb / 1024)
            if pss_kb / 1024 > self.pss_mb:
                self.pss_mb = pss_kb / 1024
                self.at_peak = [(_role(p), round(kb / 1024, 1)) for p, kb in pss.items()]
            self.processes = max(self.processes, len(pids))
            self.stop.wait(self.interval)


