"""The same types and names in every client: every view gives its timestamps as ISO 8601 text
with the zone (+00:00) on SQLite and PostgreSQL alike, as `--json` and the exports do, and
names the claim, the story and the version as the exports do."""

from __future__ import annotations

import json
import re
from datetime import datetime

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEEDS
from worker.export import COLUMNS

LOOKS_LIKE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$")


def test_views_give_iso_8601_utc_times_and_the_export_names(db_url: str,
                                                             engine: Engine) -> None:
    res = run_worker(["replay", str(SEEDS)], db_url)
    assert res.returncode == 0, res.stderr
    views = inspect(engine).get_view_names()
    assert {"claim_statements", "figure_changes", "latest_figures", "announcements"} <= set(
        views)
    times = 0
    with engine.connect() as conn:
        for view in views:
            result = conn.execute(text(f"SELECT * FROM {view}"))
            columns = list(result.keys())
            rows = result.all()
            assert rows, view
            for row in rows:
                for name, value in zip(columns, row, strict=True):
                    assert not isinstance(value, datetime), (view, name, value)
                    if isinstance(value, str) and LOOKS_LIKE_TIME.match(value):
                        assert ISO_UTC.match(value), (view, name, value)
                        times += 1
            assert "version" not in columns, view
            if {"id", "version_id"} & set(columns) and view != "announcements":
                assert "claim_id" in columns, view
            if "story_key" in columns:
                assert "story_id" in columns, view
            shared = set(columns) & set(COLUMNS)
            assert {"claimed_at", "url"} <= shared or view == "announcements", view
    assert times > 100
    # the CLI's JSON gives the same text as the view
    figures = json.loads(run_worker(["figures", "--json"], db_url).stdout)
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT claim_id, claimed_at FROM latest_figures")).all())
    assert {r["claim_id"]: r["claimed_at"] for r in figures} == stored
