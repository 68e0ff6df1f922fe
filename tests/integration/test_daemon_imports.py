"""What the daemon's own process loads: `worker run` with its analysis pool leaves the
analysis (trafilatura, langid, numpy, datasketch with scipy) to the pool's processes, which
share it from the fork server. Its own process compares the signatures of syndicated copies
(the story of a new relevant article) without numpy; loading it there cost 16 MB of PSS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tests.helpers.cli import worker_env
from tests.helpers.paths import ROOT, SEEDS
from tests.helpers.server import LocalServer, rss
from worker.store.db import make_engine

PROBE = """
import sys
from worker.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("numpy", "datasketch", "scipy", "trafilatura", "py3langid", "lxml")
               if m in sys.modules)
print("LOADED", ",".join(heavy))
sys.exit(code)
"""

# three copies of one wire report: the second and third join the first one's story, which
# compares their signatures in the daemon's process
WIRE = ["004_france24-wire-300-killed.html", "005_straitstimes-wire-300-killed.html",
        "006_barrons-wire-300-killed.html"]


def test_run_with_a_pool_loads_no_analysis_modules_in_its_own_process(
        db_url: str, tmp_path: Path) -> None:
    db = db_url
    with LocalServer() as srv:
        items = []
        for n, name in enumerate(WIRE):
            srv.route(f"/p/{n}", body=(SEEDS / name).read_bytes(),
                      headers={"Content-Type": "text/html; charset=utf-8"})
            items.append({"guid": str(n), "link": srv.url(f"/p/{n}"), "title": f"Wire {n}"})
        srv.route("/feed", body=rss(items))
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[feed]]\nurl = "{srv.url("/feed")}"\nname = "Wire"\n',
                         encoding="utf-8")
        env = worker_env(db, WORKER_PIPELINE_FEEDS_FILE=str(feeds),
                         WORKER_FETCH_ALLOW_PRIVATE_NETWORKS="true", WORKER_FETCH_HOST_DELAY="0",
                         WORKER_PIPELINE_PROCESSES="2", WORKER_DAEMON_METRICS_PORT="0")
        subprocess.run([sys.executable, "-m", "worker", "db", "upgrade"], env=env, cwd=ROOT,
                       check=True, capture_output=True)
        res = subprocess.run([sys.executable, "-c", PROBE, "run", "--once", "--json"], env=env,
                             cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads(res.stdout[:res.stdout.rindex("LOADED")])
    assert report["polls"] == {"ok": 1}
    engine = make_engine(db)
    with engine.connect() as conn:
        articles, stories = conn.execute(text(
            "SELECT count(*), count(DISTINCT story_id) FROM articles")).one()
    engine.dispose()
    assert (articles, stories) == (3, 1)  # the copies were compared and joined one story
    loaded = res.stdout.rsplit("LOADED", 1)[1].strip()
    assert loaded == "", loaded
