"""Exit codes and errors of the real command (subprocesses): 0 success, 1 some inputs failed,
2 usage or configuration error, 130 interrupted; one line and no traceback for a user's
mistake; the database found the same way from any directory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.cli import run_worker
from tests.helpers.paths import ROOT, SEED, SEEDS


def plain_env(**extra: str) -> dict[str, str]:
    """The environment of a user who configured nothing (no WORKER_* variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_")}
    env.update({"WORKER_LOG_FORMAT": "json", "COLUMNS": "200"}, **extra)
    return env


def worker(args: list[str], *, cwd: Path, env: dict[str, str],
           timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "worker", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def one_error_line(res: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('replayed') / 'worker.db'}"
    res = run_worker(["replay", str(SEEDS)], url)
    assert res.returncode == 0, res.stderr
    return url


# -- exit codes --------------------------------------------------------------------------

def test_replay_of_a_missing_file_exits_1_with_the_error_once(sqlite_url: str) -> None:
    res = run_worker(["replay", "nope.txt"], sqlite_url)
    assert res.returncode == 1
    assert one_error_line(res) == "error: nope.txt: no such file or directory"


def test_replay_of_one_good_and_one_missing_file_exits_1(sqlite_url: str) -> None:
    res = run_worker(["replay", str(SEED), "nope.txt", "--json"], sqlite_url)
    assert res.returncode == 1, res.stderr
    summary = json.loads(res.stdout)
    assert (summary["new"], summary["errors"]) == (1, 1)
    ok = run_worker(["replay", str(SEED)], sqlite_url)
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize("what", ["missing", "directory", "binary", "unreadable"])
def test_extract_of_a_bad_file_is_one_line_exit_1(what: str, tmp_path: Path,
                                                  sqlite_url: str) -> None:
    target = {"missing": tmp_path / "nope.txt", "directory": tmp_path,
              "binary": tmp_path / "blob.txt", "unreadable": tmp_path / "secret.txt"}[what]
    if what == "binary":
        target.write_bytes(bytes(range(256)) * 64)
    if what == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads every file")
        target.write_text("text", encoding="utf-8")
        target.chmod(0)
    res = run_worker(["extract", str(target)], sqlite_url)
    assert res.returncode == 1
    line = one_error_line(res)
    assert line.startswith("worker: error: ") and str(target) in line


def test_extract_batch_with_a_bad_line_exits_1_and_keeps_the_good_lines(
        sqlite_url: str) -> None:
    lines = '{"id": "a", "text": "Seoul said 100 North Korean soldiers were killed."}\nnope\n'
    res = run_worker(["extract", "--batch"], sqlite_url, input_=lines)
    assert res.returncode == 1, res.stderr
    results = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert results[0]["id"] == "a" and "error" not in results[0]
    assert results[1]["line"] == 2 and "error" in results[1]


@pytest.mark.parametrize("out", ["/nonexistent/dir/x.csv", "DIR"])
def test_export_to_a_bad_path_is_a_usage_error(out: str, tmp_path: Path,
                                               sqlite_url: str) -> None:
    target = str(tmp_path) if out == "DIR" else out
    res = run_worker(["export", "--out", target], sqlite_url)
    assert res.returncode == 2
    assert target in one_error_line(res)


def test_an_ascii_output_encoding_is_no_traceback(replayed: str) -> None:
    utf8 = run_worker(["changes", "--json"], replayed)
    ascii_ = run_worker(["changes", "--json"], replayed, PYTHONIOENCODING="ascii")
    assert ascii_.returncode == 0, ascii_.stderr
    assert json.loads(ascii_.stdout) == json.loads(utf8.stdout)  # escapes, same data
    assert any(ord(ch) > 127 for ch in utf8.stdout)  # the case is real: non-ASCII text
    for args in (["figures"], ["changes"], ["articles"], ["stories"]):
        res = run_worker(args, replayed, PYTHONIOENCODING="ascii")
        assert res.returncode == 0 and "Traceback" not in res.stderr, (args, res.stderr)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_ctrl_c_during_replay_stops_the_children_quietly(tmp_path: Path,
                                                         sqlite_url: str) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(150):  # enough work that the pool is still busy when Ctrl-C comes: each
        # copy a new article (a line of its own), so none is cut short as a duplicate
        for seed in SEEDS.glob("*.txt"):
            text = seed.read_text(encoding="utf-8") + f"\n\nReader copy {n} of this report.\n"
            (pages / f"{n:03d}_{seed.name}").write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_")}
    env.update(WORKER_DATABASE_URL=sqlite_url, WORKER_PIPELINE_PROCESSES="2",
               WORKER_LOG_FORMAT="json")
    proc = subprocess.Popen([sys.executable, "-m", "worker", "replay", str(pages)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(_children(proc.pid)) < 2 and proc.poll() is None:
        assert time.monotonic() < deadline, "the pool never started"
        time.sleep(0.1)
    time.sleep(1.0)
    assert proc.poll() is None, "the replay ended before Ctrl-C: give it more work"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole process group
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "worker: interrupted"


# -- global options and the database -----------------------------------------------------

def test_global_options_after_the_command(replayed: str, tmp_path: Path) -> None:
    env = plain_env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    before = worker(["--database-url", replayed, "figures", "--json"], cwd=tmp_path, env=env)
    after = worker(["figures", "--json", "--database-url", replayed, "-v"], cwd=tmp_path,
                   env=env)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout) != []
    feeds = worker(["feeds", "list", "--database-url", replayed], cwd=tmp_path, env=env)
    assert feeds.returncode == 0, feeds.stderr


def test_a_bad_database_url_is_blamed_on_the_option() -> None:
    res = run_worker(["figures", "--database-url", "nosuchdb://x"], "sqlite:///unused.db")
    assert res.returncode == 2
    line = one_error_line(res)
    assert "--database-url" in line and "worker.toml" not in line


def test_a_sqlite_file_in_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    res = run_worker(["figures"], f"sqlite:///{missing / 'x.db'}")
    assert res.returncode == 2
    assert str(missing) in one_error_line(res)
    assert not missing.exists()


def test_the_default_database_is_the_same_from_every_directory(tmp_path: Path) -> None:
    env = plain_env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    res = worker(["replay", str(SEED)], cwd=a, env=env)
    assert res.returncode == 0, res.stderr
    expected = tmp_path / "xdg" / "dprk-ru-news-worker" / "worker.db"
    assert expected.exists() and not (a / "data").exists()
    figures = worker(["figures", "--json"], cwd=b, env=env)
    assert figures.returncode == 0 and json.loads(figures.stdout), figures.stderr
    info = worker(["info", "--json"], cwd=b, env=env)
    described = json.loads(info.stdout)
    assert described["database_file"] == str(expected)
    assert described["settings_file"] is None
    assert described["schema"] == "up to date" and described["schema_version"]


def test_a_config_file_given_puts_the_database_beside_it(tmp_path: Path) -> None:
    cfg = tmp_path / "etc" / "worker.toml"
    cfg.parent.mkdir()
    cfg.write_text("[log]\nlevel = 'WARNING'\n", encoding="utf-8")
    env = plain_env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    res = worker(["--config", str(cfg), "replay", str(SEED)], cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stderr
    assert (cfg.parent / "worker.db").exists()
    assert not (tmp_path / "xdg").exists()
    info = worker(["info", "--config", str(cfg)], cwd=ROOT, env=env)
    assert info.returncode == 0, info.stderr
    assert f"settings file {cfg}" in " ".join(info.stdout.split())
    assert f"sqlite:///{cfg.parent / 'worker.db'}" in info.stdout


def test_info_names_settings_database_and_schema(replayed: str) -> None:
    res = run_worker(["info"], replayed)
    assert res.returncode == 0, res.stderr
    text = res.stdout
    assert "settings file" in text and str(ROOT / "config" / "worker.toml") in text
    assert replayed in text and "WORKER_DATABASE_URL" in text
    assert "up to date" in text


def test_history_of_an_article_whose_title_looks_like_markup(tmp_path: Path,
                                                             sqlite_url: str) -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    page = tmp_path / "bracket.txt"
    page.write_text("\n".join(["Kursk [/update] toll [Video]", *lines[1:]]), encoding="utf-8")
    assert run_worker(["replay", str(page)], sqlite_url).returncode == 0
    listed = json.loads(run_worker(["articles", "--all", "--json"], sqlite_url).stdout)
    (article,) = [a for a in listed if "bracket" in a["url"]]
    res = run_worker(["articles", "history", article["url"]], sqlite_url, COLUMNS="60")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert "Kursk [/update] toll [Video]" in res.stdout
    assert any(line.startswith(article["url"]) for line in res.stdout.splitlines())
