"""`worker reanalyse` killed with SIGKILL in the middle of a run, on SQLite and PostgreSQL (a
real subprocess): every version is either re-analysed or left as it was, no claim is written
twice, and a rerun does exactly the versions left and ends where an uninterrupted run ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.cli import run_worker, worker_env
from tests.helpers.paths import ROOT, SEEDS
from worker.config import Settings
from worker.figures.version import analysis_version
from worker.pipeline import CoreConfig, Document, analyse
from worker.replay import documents_from_file, iter_files
from worker.store.db import engine_of
from worker.store.models import ArticleVersion, FigureClaim
from worker.store.writer import Store

COPIES = 8  # of each relevant seed text, each under its own URL with a line of its own


def _fill(factory: sessionmaker[Session], settings: Settings) -> int:
    """The seed texts, each stored as COPIES desks' articles: enough versions for a run of
    several seconds."""
    core = CoreConfig.from_settings(settings)
    store = Store(engine_of(factory), settings.dedupe)
    texts = []
    for path in iter_files([SEEDS]):
        for doc in documents_from_file(path):
            a = analyse(doc, core)
            if a.relevant:
                texts.append((doc, a.text))
    for i in range(COPIES):
        for doc, text in texts:
            copy = Document(url=f"https://desk{i}.example/{abs(hash(doc.url))}",
                            locator=f"desk{i}", text=f"{text}\n\nFiled by desk {i}.",
                            title=doc.title, published=doc.published, source=f"desk {i}",
                            language=doc.language)
            # the edited Euronews article: two versions under one URL
            assert store.save(copy, analyse(copy, core)).outcome in ("new", "revised")
    with factory() as s:
        return s.scalar(select(func.count()).select_from(ArticleVersion)) or 0


def _claims(factory: sessionmaker[Session], *, claimants: bool = True
            ) -> Counter[tuple[Any, ...]]:
    """The claims as (version, metric, offset, value, subject[, claimant]). Mid-run, the
    claimants inferred within a story depend on its copies not yet re-analysed."""
    cols = [FigureClaim.version_id, FigureClaim.metric, FigureClaim.start, FigureClaim.value,
            FigureClaim.subject, *([FigureClaim.claimant] if claimants else [])]
    with factory() as s:
        return Counter(tuple(r) for r in s.execute(select(*cols)).all())


def _claims_of(claims: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for key, n in claims.items():
        out[key[:-1]] += n
    return out


def _current(factory: sessionmaker[Session], target: str) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(ArticleVersion).where(
            ArticleVersion.analysed_with == target)) or 0


def test_a_reanalysis_killed_mid_run_resumes_and_ends_as_one_run(
        factory: sessionmaker[Session], settings: Settings, db_url: str) -> None:
    total = _fill(factory, settings)
    reference = _claims(factory)
    core = CoreConfig.from_settings(settings)
    target = analysis_version(core.claimants, core.boilerplate, core.topics)
    # an older extractor read every figure one too high
    with factory() as s, s.begin():
        s.execute(update(FigureClaim).values(value=FigureClaim.value + 1))
        s.execute(update(ArticleVersion).values(analysed_with="fig-old/rules"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker", "reanalyse", "--processes", "1", "--json"],
        cwd=ROOT, env=worker_env(db_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while _current(factory, target) < 10:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    done = _current(factory, target)
    assert 10 <= done < total, (done, total)  # killed mid-run
    # consistent: each version has either all its claims fixed or none
    with factory() as s:
        fixed = set(s.scalars(select(ArticleVersion.id).where(
            ArticleVersion.analysed_with == target)))
    now, ref = _claims(factory, claimants=False), _claims_of(reference)
    assert Counter({k: n for k, n in now.items() if k[0] in fixed}) == Counter(
        {k: n for k, n in ref.items() if k[0] in fixed})
    assert not any(k in ref for k in now if k[0] not in fixed)  # still the old ones

    rerun = run_worker(["reanalyse", "--json", "--processes", "1"], db_url, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["selected"] == summary["analysed"] == total - done
    assert summary["errors"] == 0
    assert _claims(factory) == reference  # as if it had never been interrupted
    assert _current(factory, target) == total
    last = json.loads(run_worker(["reanalyse", "--json"], db_url).stdout)
    assert (last["selected"], last["series_changed"]) == (0, [])
