"""`worker reanalyse` throughput next to `worker replay` on the same pages.

The seed pages (HTML with their sidecars, and plain texts), each copied N times under its own
URL with a line of its own (so each copy is a new article with its own version), are replayed
into a fresh SQLite file with the raw pages kept; then every stored version is re-analysed
(`--force`: the same code, so nothing changes and the cost is the work itself). Both with the
same number of analysis processes. Versions per second, wall and CPU (this process and its
children), and the load average beside them.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, emit_json, show

SEEDS = ROOT / "seeds"


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def make_pages(out: Path, copies: int) -> int:
    """`copies` copies of every seed content file, each with its own URL and one line of its
    own; returns the number of files written."""
    written = 0
    for path in sorted(SEEDS.iterdir()):
        if path.suffix not in (".html", ".txt"):
            continue
        side = path.with_name(path.stem + ".meta.toml")
        meta = side.read_text(encoding="utf-8") if side.exists() else ""
        body = path.read_text(encoding="utf-8")
        for i in range(copies):
            note = f"Filed for the benchmark by desk number {i} of {copies}."
            if path.suffix == ".html":
                # a paragraph of its own at the top of the article's text
                text = re.sub(r"(<article[^>]*>.*?)(<p[ >])", rf"\1<p>{note}</p>\2", body,
                              count=1, flags=re.DOTALL)
            else:
                text = f"{body}\n\n{note}\n"
            stem = f"{path.stem}.c{i}"
            (out / f"{stem}{path.suffix}").write_text(text, encoding="utf-8")
            url = re.search(r'^url\s*=\s*"([^"]+)"', meta, re.MULTILINE)
            if url:  # without a sidecar the file's own path is its URL
                copy_meta = meta.replace(url.group(1), f"{url.group(1)}?copy={i}")
                (out / f"{stem}.meta.toml").write_text(copy_meta, encoding="utf-8")
            written += 1
    return written


def run(copies: int, processes: int) -> dict[str, Any]:
    from worker.config import load_settings
    from worker.pipeline import CoreConfig
    from worker.reanalyse import reanalyse
    from worker.replay import replay
    from worker.store.db import make_engine, session_factory, upgrade
    from worker.store.writer import Store

    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        files = make_pages(pages, copies)
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = load_settings(env={"WORKER_DATABASE_URL": url})
        engine = make_engine(url)
        upgrade(engine)
        factory = session_factory(engine)
        core = CoreConfig.from_settings(settings)
        store = Store(engine, settings.dedupe, keep_raw=True)
        cpu0, t0 = _cpu(), time.perf_counter()
        summary = replay([pages], store, core, processes=processes)
        replay_wall, replay_cpu = time.perf_counter() - t0, _cpu() - cpu0
        versions = summary.new + summary.revised
        cpu0, t0 = _cpu(), time.perf_counter()
        again = reanalyse(factory, settings, force=True, processes=processes)
        re_wall, re_cpu = time.perf_counter() - t0, _cpu() - cpu0
        engine.dispose()
    return {
        "files": files, "versions": versions, "processes": processes,
        "load_average": os.getloadavg(),
        "replay": {"seconds": replay_wall, "cpu_seconds": replay_cpu,
                   "versions_per_s": versions / replay_wall},
        "reanalyse": {"seconds": re_wall, "cpu_seconds": re_cpu, "versions": again.analysed,
                      "from_raw": again.from_raw, "from_text": again.from_text,
                      "series_changed": len(again.series_changed()),
                      "versions_per_s": again.analysed / re_wall},
        "ratio": (again.analysed / re_wall) / (versions / replay_wall),
        "cpu_ratio": (re_cpu / max(again.analysed, 1)) / (replay_cpu / max(versions, 1)),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--copies", type=int, default=10, help="copies of each seed page")
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    r = run(args.copies, args.processes)
    if args.json:
        emit_json(r)
        return r
    show(f"`worker reanalyse` next to `worker replay`: {r['versions']} versions from "
         f"{r['files']} pages, {r['processes']} processes, load "
         f"{r['load_average'][0]:.1f}", ["command", "versions/s", "wall s", "CPU s"],
         [("replay", r["replay"]["versions_per_s"], r["replay"]["seconds"],
           r["replay"]["cpu_seconds"]),
          ("reanalyse --force", r["reanalyse"]["versions_per_s"], r["reanalyse"]["seconds"],
           r["reanalyse"]["cpu_seconds"]),
          ("reanalyse / replay", r["ratio"], "", r["cpu_ratio"])])
    return r


if __name__ == "__main__":
    main()
