"""One polling cycle over many local feeds: wall time and the daemon's peak memory.

Serves N feeds from a local server on 127.0.0.1, runs a first cycle (every feed is new: 200s,
validators stored), then a second cycle in which most feeds answer 304 and a few changed
(`--changed`). Per-host limits are raised for the run (all feeds share one host here), and
feed items are not fetched as pages (`fetch_articles = false`), so the figure is polling cost.

    python -m benchmarks.bench_polling --feeds 1000 --json
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import emit_json, peak_rss_mb, show  # noqa: E402
from tests.helpers.server import LocalServer, Reply, rss  # noqa: E402
from tests.helpers.settings import local_settings  # noqa: E402
from worker.daemon import Daemon  # noqa: E402
from worker.feedlist import FeedSpec  # noqa: E402
from worker.store.db import make_engine, session_factory, upgrade  # noqa: E402
from worker.store.feeds import upsert_feeds  # noqa: E402
from worker.store.models import Feed, utcnow  # noqa: E402


def _feed_body(n: int, version: int) -> bytes:
    items = [{"guid": f"f{n}-v{version}", "link": f"http://127.0.0.1/item/{n}/{version}",
              "title": f"Feed {n} item {version}",
              "description": f"Short summary number {version} of feed {n}."}]
    return rss(items if version else [], title=f"Feed {n}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--changed", type=float, default=0.02,
                   help="fraction of feeds with a new item in the second cycle")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--database-url", help="default: a temporary SQLite file")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    rng = random.Random(7)
    changed = set(rng.sample(range(args.feeds), int(args.feeds * args.changed)))
    with tempfile.TemporaryDirectory() as tmp, LocalServer() as srv:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        for n in range(args.feeds):
            first = Reply(200, _feed_body(n, 0), {"ETag": f'"{n}-0"'}, conditional=True)
            if n in changed:
                srv.route(f"/feed/{n}", responses=[
                    first, Reply(200, _feed_body(n, 1), {"ETag": f'"{n}-1"'})])
            else:
                srv.route(f"/feed/{n}", responses=[first])
        settings = local_settings(
            url, WORKER_FETCH_TIMEOUT="10", WORKER_FETCH_MAX_CONNECTIONS=str(args.connections),
            WORKER_FETCH_PER_HOST_CONNECTIONS=str(args.connections),
            WORKER_DAEMON_BATCH_SIZE="100", WORKER_PIPELINE_PROCESSES="2")
        engine = make_engine(url)
        upgrade(engine)
        factory = session_factory(engine)
        upsert_feeds(factory, [FeedSpec(url=srv.url(f"/feed/{n}"),
                                        options={"fetch_articles": False})
                               for n in range(args.feeds)])
        cycles = []
        for _ in range(2):
            with factory() as s, s.begin():
                s.execute(update(Feed).values(next_poll_at=utcnow() - timedelta(seconds=1)))
            daemon = Daemon(settings, factory)
            started = time.perf_counter()
            summary = daemon.run_cycle()
            seconds = time.perf_counter() - started
            daemon.close()
            cycles.append({"seconds": round(seconds, 3), "polls": dict(summary.polls),
                           "items": dict(summary.items),
                           "feeds_per_second": round(args.feeds / seconds, 1)})
        engine.dispose()
    result = {"feeds": args.feeds, "connections": args.connections, "database": url.split(":")[0],
              "first_cycle": cycles[0], "second_cycle": cycles[1],
              "peak_rss_mb": round(peak_rss_mb(), 1)}
    if args.json:
        emit_json(result)
    else:
        show(f"Polling {args.feeds} local feeds", ["cycle", "seconds", "feeds/s", "polls"],
             [(name, c["seconds"], c["feeds_per_second"],
               ", ".join(f"{k} {v}" for k, v in c["polls"].items()))
              for name, c in (("first (all 200)", cycles[0]),
                              ("second (mostly 304)", cycles[1]))])
        print(f"peak RSS: {result['peak_rss_mb']} MB (this process: the daemon and the local "
              "server; `benchmarks/bench_memory.py` measures `worker run` on its own)")
    return result


if __name__ == "__main__":
    main()
