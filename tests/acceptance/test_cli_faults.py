"""Faults at the command line: one line and the documented exit code, never a traceback; a
replay that hits a full disk stops after what it stored and a rerun finishes the job."""

from __future__ import annotations

import json
import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from tests.helpers.cli import run_worker, worker_env
from tests.helpers.paths import ROOT, SEEDS
from worker.store.db import make_engine, upgrade
from worker.store.models import Article, ArticleVersion

NO_DB = "sqlite:////nonexistent-dir/never-created.db"


def one_line_error(res: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("worker: error:")]
    assert len(lines) == 1, res.stderr
    return lines[0]


def read_only(db_url: str) -> str:
    """The same database, migrated, then opened so that it cannot be written: SQLite's
    read-only mode, or PostgreSQL's default_transaction_read_only for the database."""
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    name = db_url.rsplit("/", 1)[1]
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    return db_url


def test_extract_of_invalid_utf8_reads_the_text(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    text = ("Près de 600 soldats nord-coréens ont été tués, selon Séoul. Le service de "
            "renseignement a précisé que les pertes s'étaient accrues en décembre. Des "
            "centaines d'autres auraient été blessés, a-t-il ajouté, sans préciser où. ")
    bad.write_bytes((text * 3).encode("latin-1"))
    res = run_worker(["extract", str(bad), "--json"], NO_DB)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert json.loads(res.stdout)["text"].startswith("Près de 600 soldats nord-coréens")


def test_extract_batch_answers_an_invalid_utf8_line_with_an_error_line() -> None:
    stdin = b'{"id": "a", "text": "caf\xe9"}\n{"id": "b", "text": "600 killed."}\n'
    proc = subprocess.run([sys.executable, "-m", "worker", "extract", "--batch"], cwd=ROOT,
                          env=worker_env(NO_DB), input=stdin, capture_output=True,
                          timeout=120, check=False)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr  # one line failed
    first, second = (json.loads(line) for line in proc.stdout.splitlines())
    assert first["line"] == 1 and "utf-8" in first["error"]
    assert second["id"] == "b" and "error" not in second


def test_replay_into_a_read_only_database_is_one_line_and_exit_2(db_url: str) -> None:
    res = run_worker(["replay", str(SEEDS)], read_only(db_url))
    assert res.returncode == 2
    assert "read-only" in one_line_error(res)


def test_run_once_on_a_read_only_database_fails(db_url: str) -> None:
    res = run_worker(["run", "--once"], read_only(db_url))
    assert res.returncode == 2
    assert "read-only" in one_line_error(res)


def _file_size_limit(limit: int) -> None:  # runs in the child before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _counts(db_url: str) -> tuple[int, int]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        n = (conn.scalar(select(func.count()).select_from(Article)) or 0,
             conn.scalar(select(func.count()).select_from(ArticleVersion)) or 0)
    engine.dispose()
    return n


def test_replay_onto_a_disk_that_fills_stops_cleanly_and_a_rerun_finishes(
        sqlite_url: str, tmp_path: Path) -> None:
    """The file-size limit stands in for a disk that fills: SQLite's writes past it fail as
    they would on a full disk. Each document is one transaction, so what was stored before
    stays, and replaying again stores the rest once."""
    full = run_worker(["replay", str(SEEDS)], sqlite_url)
    assert full.returncode == 0, full.stderr
    expected = _counts(sqlite_url)
    Path(sqlite_url.removeprefix("sqlite:///")).unlink()
    fresh = make_engine(sqlite_url)
    upgrade(fresh)
    fresh.dispose()
    size = Path(sqlite_url.removeprefix("sqlite:///")).stat().st_size
    proc = subprocess.run(
        [sys.executable, "-m", "worker", "replay", str(SEEDS), "--json"], cwd=ROOT,
        env=worker_env(sqlite_url, WORKER_PIPELINE_PROCESSES="1"), capture_output=True,
        text=True, timeout=300, check=False,
        preexec_fn=lambda: _file_size_limit(size + 60_000))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["stopped"] and "run the replay again" in summary["stopped"]
    stored_articles, _ = _counts(sqlite_url)
    assert 0 < stored_articles < expected[0]
    done = sum(summary[k] for k in ("new", "duplicates", "revised", "irrelevant",
                                    "unreadable", "errors"))
    assert re.search(rf"after {done} of \d+ documents were stored", summary["stopped"])
    again = run_worker(["replay", str(SEEDS)], sqlite_url)
    assert again.returncode == 0, again.stderr
    assert _counts(sqlite_url) == expected  # everything once, nothing doubled


def test_a_nul_byte_is_stripped_before_storing(db_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "nul.txt"
    doc.write_text("North Korean troops\x00 in Kursk\n\nAbout 600 North Korean soldiers were "
                   "killed in Kursk, South Korea's spy agency said.\x00", encoding="utf-8")
    res = run_worker(["replay", str(doc)], db_url)
    assert res.returncode == 0, res.stderr
    engine = make_engine(db_url)
    with engine.connect() as conn:
        texts = conn.execute(select(ArticleVersion.text)).scalars().all()
        titles = conn.execute(select(Article.title)).scalars().all()
    engine.dispose()
    assert texts and all("\x00" not in t for t in texts)
    assert titles and all(t is None or "\x00" not in t for t in titles)
