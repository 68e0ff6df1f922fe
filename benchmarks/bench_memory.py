"""Peak memory of `worker run` over many feeds, as a user runs it: a separate process (the
daemon, its analysis pool of 2 and anything else it starts), sampled every 50 ms.

Serves N feeds from a local server on 127.0.0.1 (in this process, not measured), each with one
new item whose page is a real page of `../shared/corpus` (off-topic, mostly) or, for one feed
in 20, a relevant page of `seeds/`, so the pool's processes really clean, screen and analyse.
Runs `worker run --once` on a fresh SQLite file and reports, for the whole process tree:

- RSS summed over the processes (what `ps` shows; counts the pages a forked child shares with
  its parent once per process, so it overstates what the tree takes), and
- PSS summed (`/proc/PID/smaps_rollup`: each shared page divided among the processes sharing
  it; the sum is what the tree costs the machine).

    python -m benchmarks.bench_memory --feeds 1000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import ROOT, TreeSampler, corpus_pages, emit_json, show  # noqa: E402
from tests.helpers.server import LocalServer, rss  # noqa: E402


def _feeds_file(path: Path, urls: list[str]) -> None:
    lines = [f'[[feed]]\nurl = "{u}"\nname = "Feed {n}"\n' for n, u in enumerate(urls)]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    corpus = corpus_pages()
    seeds = [s for s in sorted((ROOT / "seeds").glob("*.html")) if ".v2." not in s.name]
    with tempfile.TemporaryDirectory() as tmp, LocalServer() as srv:
        urls = []
        for n in range(args.feeds):
            page = seeds[n // 20 % len(seeds)] if n % 20 == 0 else corpus[n % len(corpus)]
            srv.route(f"/page/{n}", body=page.read_bytes(),
                      headers={"Content-Type": "text/html; charset=utf-8"})
            item = {"guid": f"item-{n}", "link": srv.url(f"/page/{n}"),
                    "title": f"Item {n}", "description": "A page."}
            srv.route(f"/feed/{n}", body=rss([item], title=f"Feed {n}"))
            urls.append(srv.url(f"/feed/{n}"))
        feeds = Path(tmp) / "feeds.toml"
        _feeds_file(feeds, urls)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_")}
        env.update({
            "WORKER_DATABASE_URL": f"sqlite:///{Path(tmp) / 'memory.db'}",
            "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true", "WORKER_FETCH_HOST_DELAY": "0",
            "WORKER_FETCH_MAX_CONNECTIONS": "16", "WORKER_FETCH_PER_HOST_CONNECTIONS": "16",
            "WORKER_PIPELINE_FEEDS_FILE": str(feeds), "WORKER_PIPELINE_PROCESSES": "2",
            "WORKER_DAEMON_BATCH_SIZE": "100", "WORKER_LOG_LEVEL": "WARNING"})
        subprocess.run([sys.executable, "-m", "worker", "db", "upgrade"], env=env, check=True,
                       stdout=subprocess.DEVNULL, cwd=tmp)
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "worker", "run", "--once"], env=env,
                                stdout=subprocess.DEVNULL, cwd=tmp)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        proc.wait()
        seconds = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        pages = sum(srv.count(f"/page/{n}") for n in range(args.feeds))
    result = {"feeds": args.feeds, "pages_fetched": pages, "seconds": round(seconds, 1),
              "exit": proc.returncode, "processes": sampler.processes,
              "peak_tree_rss_mb": round(sampler.rss_mb, 1),
              "peak_tree_pss_mb": round(sampler.pss_mb, 1),
              "pss_mb_at_peak": [f"{role}: {mb}" for role, mb in sampler.at_peak]}
    if args.json:
        emit_json(result)
    else:
        show(f"`worker run --once` over {args.feeds} local feeds (pool of 2)",
             ["measure", "value"],
             [("pages fetched", pages), ("seconds", result["seconds"]),
              ("processes", sampler.processes),
              ("peak RSS of the tree, MB (shared pages counted per process)",
               result["peak_tree_rss_mb"]),
              ("peak PSS of the tree, MB (shared pages divided)", result["peak_tree_pss_mb"]),
              ("PSS at the peak, MB, per process", ", ".join(result["pss_mb_at_peak"])),
              ("target", "< 400 MB")])
    return result


if __name__ == "__main__":
    main()
