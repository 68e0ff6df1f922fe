"""`worker feeds ...` and `worker recheck` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEEDS
from tests.helpers.server import LocalServer, rss


def test_feeds_add_list_status_remove_and_recheck(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "none.toml").write_text("# no feeds\n", encoding="utf-8")
    env = {"WORKER_PIPELINE_FEEDS_FILE": str(tmp_path / "none.toml"),
           "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true", "WORKER_FETCH_TIMEOUT": "2",
           "WORKER_FETCH_HOST_DELAY": "0", "WORKER_DAEMON_METRICS_PORT": "0"}
    page = SEEDS / "014_euronews-edited-report.v1.html"
    with LocalServer() as srv:
        srv.route("/p", body=page.read_bytes())
        srv.route("/feed", body=rss([{"guid": "1", "link": srv.url("/p"), "title": "T"}]))
        r = run_worker(["feeds", "add", srv.url("/feed"), "--interval", "15m", "--name", "L",
                        "--language", "en"], sqlite_url, **env)
        assert r.returncode == 0, r.stderr
        r = run_worker(["feeds", "add", srv.url("/feed")], sqlite_url, **env)
        assert r.returncode == 1 and "already a feed" in r.stderr
        r = run_worker(["feeds", "add", srv.url("/x"), "--interval", "soon"], sqlite_url, **env)
        assert r.returncode == 2 and "not a duration" in r.stderr  # a usage error
        r = run_worker(["run", "--once", "--json"], sqlite_url, **env)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["polls"] == {"ok": 1}
        r = run_worker(["feeds", "list", "--json"], sqlite_url, **env)
        (feed,) = json.loads(r.stdout)
        assert (feed["name"], feed["interval_seconds"], feed["items"]) == ("L", 900, 1)
        r = run_worker(["feeds", "status", "--json"], sqlite_url, **env)
        (status,) = json.loads(r.stdout)
        assert status["last_success_at"] and status["events"][0]["status"] == 200
        r = run_worker(["feeds", "status"], sqlite_url, **env)
        assert r.returncode == 0 and "Feed status" in r.stdout
        srv.route("/p", 410)
        r = run_worker(["recheck", srv.url("/p"), "--json"], sqlite_url, **env)
        assert r.returncode == 0, r.stderr[-3000:]
        assert json.loads(r.stdout) == [{"url": srv.url("/p"), "outcome": "unpublished"}]
        srv.route("/p", 500)
        r = run_worker(["recheck", srv.url("/p"), "--json"], sqlite_url, **env)
        assert r.returncode == 1, r.stderr[-3000:]  # a re-check that failed: partial failure
        assert json.loads(r.stdout) == [{"url": srv.url("/p"), "outcome": "error"}]
        r = run_worker(["recheck"], sqlite_url, **env)
        assert r.returncode == 2 and "recheck needs URLs" in r.stderr
        r = run_worker(["feeds", "remove", srv.url("/feed")], sqlite_url, **env)
        assert r.returncode == 0
        r = run_worker(["feeds", "list", "--json"], sqlite_url, **env)
        assert json.loads(r.stdout) == []
