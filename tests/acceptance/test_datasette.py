"""The Datasette metadata, read back from a real `datasette` serving a replayed database: the
title and source, a description of every view and of each of its columns, and the canned
queries answering the analysts' questions."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEEDS
from worker import datasette
from worker.store.schema import relations

pytestmark = pytest.mark.slow


def _datasette() -> str:
    found = shutil.which("datasette", path=str(Path(sys.executable).parent)) or shutil.which(
        "datasette")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true and datasette is not installed (pip install -e '.[dev]')")
        pytest.skip("datasette is not installed (pip install -e '.[dev]')")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, database file): the replayed fixture feed, served by datasette with the
    metadata `worker datasette-metadata` printed."""
    exe = _datasette()
    tmp = tmp_path_factory.mktemp("datasette")
    db = tmp / "news.db"
    url = f"sqlite:///{db}"
    res = run_worker(["replay", str(SEEDS)], url)
    assert res.returncode == 0, res.stderr
    res = run_worker(["datasette-metadata"], url)
    assert res.returncode == 0, res.stderr
    assert "warning" not in res.stderr, res.stderr
    (tmp / "metadata.json").write_text(res.stdout, encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen([exe, "serve", str(db), "-m", str(tmp / "metadata.json"),
                             "-h", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"datasette did not start: {proc.stderr.read()!r}"
                                     if proc.stderr else "datasette did not start")
            time.sleep(0.2)
        yield base, db
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


def _get(url: str) -> Any:
    res = httpx.get(url, timeout=30)
    assert res.status_code == 200, (url, res.text[:500])
    return res.json()


def test_metadata_has_title_source_and_every_view_and_column_described(
        served: tuple[str, Path]) -> None:
    base, db = served
    meta = _get(f"{base}/-/metadata.json")
    assert meta["title"].startswith("Reported figures") and "feed" in meta["source"]
    tables = meta["databases"]["news"]["tables"]
    with sqlite3.connect(db) as conn:
        views = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")]
        assert {"claim_statements", "figure_changes", "latest_figures"} <= set(views)
        for name in [*views, "figure_claims", "articles", "article_versions", "claim_reviews"]:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
            assert len(tables[name]["description"]) > 40, name
            described = tables[name]["columns"]
            assert [c for c in columns if not described.get(c)] == [], name
    # datasette shows them on the view's own page
    view = _get(f"{base}/news/latest_figures.json")
    assert view["is_view"] and view["rows"]


def test_canned_query_the_north_korean_death_toll_by_claimant(
        served: tuple[str, Path]) -> None:
    base, _ = served
    rows = _get(f"{base}/news/north_korean_death_toll.json?_shape=array")
    nis = [r["value"] for r in rows if r["claimant"] == "KR-NIS"]
    assert nis[0] == 100 and 600 in nis and nis[-1] == 2000
    claimants = [r["claimant"] for r in rows]
    assert claimants == sorted(claimants, key=lambda c: (c == "unattributed", c))
    meta = _get(f"{base}/-/metadata.json")["databases"]["news"]["queries"]
    assert meta["north_korean_death_toll"]["title"] == "The North Korean death toll by claimant"
    assert meta["changed_after_publication"]["title"] == (
        "Which article changed a number after publication?")


def test_canned_query_which_article_changed_a_number_after_publication(
        served: tuple[str, Path]) -> None:
    base, _ = served
    rows = _get(f"{base}/news/changed_after_publication.json?_shape=array")
    assert [(r["outlet"], r["previous_value"], r["value"]) for r in rows] == [
        ("Euronews", 300, 600)]
    assert "euronews.com" in rows[0]["url"]


def test_every_view_column_is_described_on_both_databases(engine: Engine) -> None:
    """The packaged file covers the schema the migrations make (SQLite and PostgreSQL)."""
    found = relations(engine)
    assert datasette.undescribed(datasette.load(), found) == {}
    meta = datasette.metadata(datasette.load(), found, database="worker")
    assert set(meta["databases"]["worker"]["queries"]) == {"changed_after_publication",
                                                           "north_korean_death_toll"}
