"""`feeds add` checks what it is given (real CLI, real HTTP server on 127.0.0.1): URLs are
validated, `--check` fetches once and finds the feed an HTML page names, `feeds list` shows
the configured feeds before the first run, `feeds status` shows the URL and the last error
message, and `run` logs the cause of a failed poll."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import run_worker
from tests.helpers.server import LocalServer, rss

PAGE = """<!doctype html><html><head><title>News</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="All news" href="/rss.xml">
</head><body><p>Hello</p></body></html>"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "none.toml").write_text("# no feeds\n", encoding="utf-8")
    return {"WORKER_PIPELINE_FEEDS_FILE": str(tmp_path / "none.toml"),
            "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true", "WORKER_FETCH_TIMEOUT": "3",
            "WORKER_FETCH_HOST_DELAY": "0", "WORKER_DAEMON_METRICS_PORT": "0"}


def stored(sqlite_url: str, env: dict[str, str]) -> list[str]:
    res = run_worker(["feeds", "list", "--json"], sqlite_url, **env)
    assert res.returncode == 0, res.stderr
    return [f["url"] for f in json.loads(res.stdout)]


@pytest.mark.parametrize(("given", "why"), [
    ("not-a-url", "no such file or directory"),
    ("http:///path-only", "no host name"),
    ("ftp://example.org/feed", "unsupported URL scheme"),
    ("DIR", "outside [fetch] fixture_paths"),
])
def test_feeds_add_refuses_what_cannot_be_a_feed(given: str, why: str, tmp_path: Path,
                                                 sqlite_url: str, env: dict[str, str]) -> None:
    target = str(tmp_path) if given == "DIR" else given
    res = run_worker(["feeds", "add", target], sqlite_url, **env)
    assert res.returncode == 2
    assert why in res.stderr and "Traceback" not in res.stderr
    assert stored(sqlite_url, env) == []


def test_check_adds_a_feed_and_the_feed_an_html_page_names(sqlite_url: str,
                                                           env: dict[str, str]) -> None:
    with LocalServer() as srv:
        srv.route("/rss.xml", body=rss([{"guid": "1", "link": srv.url("/a"), "title": "A"}],
                                       title="All news"),
                  headers={"Content-Type": "application/rss+xml"})
        srv.route("/", body=PAGE, headers={"Content-Type": "text/html"})
        srv.route("/bare", body="<html><body>no feed here</body></html>",
                  headers={"Content-Type": "text/html"})
        res = run_worker(["feeds", "add", "--check", srv.url("/rss.xml")], sqlite_url, **env)
        assert res.returncode == 0, res.stderr
        assert "a feed: 'All news', 1 items" in res.stdout
        res = run_worker(["feeds", "remove", srv.url("/rss.xml")], sqlite_url, **env)
        assert res.returncode == 0, res.stderr
        res = run_worker(["feeds", "add", "--check", srv.url("/")], sqlite_url, **env)
        assert res.returncode == 0, res.stderr
        assert f"found on the page {srv.url('/')}" in res.stdout
        assert stored(sqlite_url, env) == [srv.url("/rss.xml")]
        res = run_worker(["feeds", "add", "--check", srv.url("/bare")], sqlite_url, **env)
        assert res.returncode == 1
        assert "names no feed" in res.stderr
        assert stored(sqlite_url, env) == [srv.url("/rss.xml")]
        without = run_worker(["feeds", "add", srv.url("/bare")], sqlite_url, **env)
        assert without.returncode == 0  # not checked: taken as given, as before


def test_list_shows_configured_feeds_before_the_first_run(tmp_path: Path, sqlite_url: str,
                                                          env: dict[str, str]) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nurl = "https://example.org/rss"\nname = "Example"\n',
                     encoding="utf-8")
    env = {**env, "WORKER_PIPELINE_FEEDS_FILE": str(feeds)}
    res = run_worker(["feeds", "list", "--json"], sqlite_url, **env)
    assert res.returncode == 0, res.stderr
    (feed,) = json.loads(res.stdout)
    assert (feed["url"], feed["name"], feed["origin"], feed["loaded"]) == (
        "https://example.org/rss", "Example", "config", False)
    table = run_worker(["feeds", "status"], sqlite_url, **env)
    assert "https://example.org/rss" in table.stdout and "not loaded yet" in table.stdout


def test_status_and_run_say_why_a_poll_failed(sqlite_url: str, env: dict[str, str]) -> None:
    with LocalServer() as srv:
        srv.route("/feed", 503)
        res = run_worker(["feeds", "add", srv.url("/feed")], sqlite_url, **env)
        assert res.returncode == 0, res.stderr
        run = run_worker(["run", "--once", "--json"], sqlite_url, **env)
        assert run.returncode == 0, run.stderr
        logged = [json.loads(ln) for ln in run.stderr.splitlines() if ln.startswith("{")]
        (polled,) = [e for e in logged if str(e.get("msg", e.get("message", ""))).startswith(
            f"polled {srv.url('/feed')}")]
        text = json.dumps(polled)
        assert "HTTP 503" in text and "http_5xx" in text
        status = run_worker(["feeds", "status"], sqlite_url, **env)
        assert status.returncode == 0, status.stderr
        assert srv.url("/feed") in status.stdout and "HTTP 503" in status.stdout
