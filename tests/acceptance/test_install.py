"""A regular (non-editable) `pip install` works with no checkout beside it: run from one
directory with its config file in another, it migrates, replays the fixture feed with the
packaged data files and shows the seed's figures; a config naming a missing data file stops
at start with one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT, SEEDS

pytestmark = pytest.mark.slow

# Left out of the copy: at the top, what is not needed to build; anywhere, caches.
TOP_SKIP = {".venv", ".git", "build", "dist", "data", "tests", "benchmarks", "docs",
            "test-artifacts", "dprk_ru_news_worker.egg-info"}
ANY_SKIP = {"__pycache__", ".mypy_cache", ".ruff_cache", ".hypothesis", ".pytest_cache"}


def _skip(directory: str, names: list[str]) -> set[str]:
    """What the copy leaves out: the checkout's own build of the extractor too (its compiled
    modules and their digest), so the wheel's build is the only one."""
    top = Path(directory) == ROOT
    return {n for n in names if n in ANY_SKIP or (top and n in TOP_SKIP)
            or n.endswith(".so") or n == "native.sha256"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `worker` script of a fresh venv holding a wheel built from a copy of the sources
    (a copy, so no build/ left in the checkout can leak stale files into the wheel)."""
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=_skip)
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    res = subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(src)],
                         capture_output=True, text=True, timeout=900, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    yield env_dir / "bin" / "worker"


def _run(worker: Path, args: list[str], cwd: Path, cfg: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WORKER_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(WORKER_CONFIG=str(cfg), WORKER_LOG_FORMAT="json", COLUMNS="200")
    return subprocess.run([str(worker), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_installed_package_replays_the_seeds_from_anywhere(installed: Path,
                                                           tmp_path: Path) -> None:
    where, etc = tmp_path / "elsewhere", tmp_path / "etc"
    where.mkdir()
    etc.mkdir()
    cfg = etc / "worker.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "w.db"}"\n', encoding="utf-8")
    probe = subprocess.run(
        [str(installed.parent / "python"), "-c", "import worker; print(worker.__file__)"],
        cwd=where, capture_output=True, text=True, check=True)
    assert not probe.stdout.startswith(str(ROOT)), probe.stdout  # the installed copy runs
    info = _run(installed, ["info", "--json"], where, cfg)
    # the wheel's build compiled the extractor (worker/figures/native.py), and it is used
    assert json.loads(info.stdout)["figures_extractor"] == "compiled with mypyc", info.stdout

    replay = _run(installed, ["replay", str(SEEDS), "--json"], where, cfg)
    assert replay.returncode == 0, replay.stderr
    summary = json.loads(replay.stdout)
    assert summary["errors"] == 0 and summary["new"] > 0 and summary["figures"] > 0

    figures = _run(installed, ["figures", "--json"], where, cfg)
    assert figures.returncode == 0, figures.stderr
    series = {(r["subject"], r["metric"], r["claimant"]): r["value"]
              for r in json.loads(figures.stdout)}
    # the seed article (000_...): KR-NIS put North Korean casualties at about 4,700
    assert series[("KP", "casualties", "KR-NIS")] == 4700
    assert not (where / "data").exists() and not (etc / "data").exists()


def test_installed_package_stops_on_a_missing_topics_file(installed: Path,
                                                          tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    cfg = tmp_path / "etc" / "worker.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "w.db"}"\n'
                   '[pipeline]\ntopics_file = "rules/topics.toml"\n', encoding="utf-8")
    res = _run(installed, ["replay", str(SEEDS)], tmp_path, cfg)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "[pipeline] topics_file" in lines[0]
    assert str(tmp_path / "etc" / "rules" / "topics.toml") in lines[0]
    assert "file not found" in lines[0]
    assert not (tmp_path / "w.db").exists()  # stopped before touching the database


def test_installed_package_prints_the_datasette_metadata(installed: Path,
                                                         tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    cfg = tmp_path / "etc" / "worker.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "news.db"}"\n', encoding="utf-8")
    res = _run(installed, ["datasette-metadata"], tmp_path, cfg)
    assert res.returncode == 0 and "warning" not in res.stderr, res.stderr
    meta = json.loads(res.stdout)  # the packaged worker/data/datasette.toml, read
    assert meta["title"].startswith("Reported figures")
    assert "north_korean_death_toll" in meta["databases"]["news"]["queries"]
