"""The real `worker` command in a subprocess: exit codes, JSON output, and a replay killed with
SIGKILL at a random moment then rerun, leaving exactly the rows of an uninterrupted replay."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.helpers.cli import run_worker, worker_env
from tests.helpers.paths import ROOT, SEED, SEEDS

CONTENT_TABLES = ("articles", "article_versions", "figure_claims", "content_fingerprints",
                  "url_aliases", "stories", "lsh_bands")


def snapshot(db_url: str) -> dict[str, list[tuple]]:
    """The content of every table a replay writes (ids aside), comparable across runs."""
    engine = create_engine(db_url)
    queries = {
        "articles": "SELECT canonical_url, relevant, fingerprint, title FROM articles",
        "article_versions": "SELECT a.canonical_url, v.number, v.fingerprint FROM "
                            "article_versions v JOIN articles a ON a.id = v.article_id",
        "figure_claims": "SELECT a.canonical_url, c.metric, c.value, c.start FROM "
                         "figure_claims c JOIN articles a ON a.id = c.article_id",
        "content_fingerprints": "SELECT fingerprint FROM content_fingerprints",
        "url_aliases": "SELECT url FROM url_aliases",
    }
    with engine.connect() as conn:
        out = {k: sorted(tuple(r) for r in conn.execute(text(q))) for k, q in queries.items()}
    engine.dispose()
    return out


def processes_with_env(needle: str) -> list[int]:
    """PIDs of live processes whose environment contains `needle` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if needle.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def test_replay_json_summary_and_figures_table(db_url: str) -> None:
    res = run_worker(["replay", str(SEED), "--json"], db_url)
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert {k: summary[k] for k in ("files", "new", "errors")} == {"files": 1, "new": 1,
                                                                   "errors": 0}
    assert summary["figures"] >= 4
    figures = run_worker(["figures", "--json"], db_url)
    assert figures.returncode == 0, figures.stderr
    series = {(r["subject"], r["metric"]): r["value"] for r in json.loads(figures.stdout)}
    assert series[("KP", "killed")] == 600
    assert series[("KP", "casualties")] == 4700
    # "Environ 2000 blessés auraient été rapatriés" counts the repatriated wounded, a
    # sub-population: stored (partial), never the latest value of the wounded series
    assert ("KP", "wounded") not in series
    assert series[("KP", "deployed")] == 18000
    table = run_worker(["figures"], db_url)
    assert "casualties" in table.stdout and "4,700" in table.stdout


def test_bad_setting_stops_with_one_line_and_exit_code_2(tmp_path: Path) -> None:
    cfg = tmp_path / "config" / "worker.toml"
    cfg.parent.mkdir()
    cfg.write_text("[fetch]\ntimeout = 'soon'\n", encoding="utf-8")
    res = run_worker(["figures"], "sqlite:///unused.db", WORKER_CONFIG=str(cfg))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "[fetch] timeout" in lines[0] and str(cfg) in lines[0]


def test_unreachable_database_stops_with_exit_code_2() -> None:
    res = run_worker(["figures"], "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert res.returncode == 2
    assert "WORKER_DATABASE_URL" in res.stderr and "unreachable" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_unknown_key_in_the_environment_file_name(tmp_path: Path) -> None:
    res = run_worker(["figures"], "sqlite:///x.db", WORKER_FETCH_TIMEOUT="ten")
    assert res.returncode == 2 and "WORKER_FETCH_TIMEOUT" in res.stderr


def test_python_dash_m_and_console_script_agree() -> None:
    script = Path(sys.executable).parent / "worker"
    a = subprocess.run([sys.executable, "-m", "worker", "--help"], capture_output=True,
                       text=True, check=True)
    b = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert a.stdout == b.stdout and "replay" in a.stdout


@pytest.mark.slow
def test_replay_killed_at_random_moments_then_rerun_leaves_the_same_rows(
        db_url: str, tmp_path: Path, sqlite_url: str) -> None:
    reference_url = sqlite_url.replace("worker.db", "reference.db")
    ref = run_worker(["replay", str(SEEDS), "--json"], reference_url)
    assert ref.returncode == 0, ref.stderr
    expected = snapshot(reference_url)
    assert expected["articles"], "the seeds produced no articles"

    rng = random.Random(int(os.environ.get("WORKER_TEST_SEED", "7")))
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-m", "worker", "replay", str(SEEDS)],
                                cwd=ROOT, env=worker_env(db_url), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # the killed replays' pool processes must not live on as orphans
    deadline = time.monotonic() + 10
    while processes_with_env(db_url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with_env(db_url) == []
    final = run_worker(["replay", str(SEEDS), "--json"], db_url)
    assert final.returncode == 0, final.stderr
    assert snapshot(db_url) == expected
    again = json.loads(run_worker(["replay", str(SEEDS), "--json"], db_url).stdout)
    assert again["new"] == 0 and again["revised"] == 0
    assert snapshot(db_url) == expected


def test_version_names_the_installed_distribution(sqlite_url: str) -> None:
    from importlib.metadata import version

    res = run_worker(["--version"], sqlite_url)
    assert res.returncode == 0
    assert res.stdout.strip() == f"worker {version('dprk-ru-news-worker')}"


def test_no_colours_when_piped_or_with_no_color(sqlite_url: str, tmp_path: Path) -> None:
    args = ["replay", str(SEED), str(tmp_path / "missing.txt")]  # the error line is red
    piped = run_worker(args, sqlite_url)
    assert "missing.txt" in piped.stderr and "\x1b[" not in piped.stdout + piped.stderr
    forced = run_worker(args, sqlite_url, FORCE_COLOR="1")
    assert "\x1b[31m" in forced.stderr  # what the other checks look for does appear
    no_color = run_worker(args, sqlite_url, FORCE_COLOR="1", NO_COLOR="1")
    assert "missing.txt" in no_color.stderr and "\x1b[31m" not in no_color.stderr
