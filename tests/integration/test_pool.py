"""The analysis process pool of the daemon, and concurrent writers on one database: the same
analysis as in-process, a dead pool process replaced, stopping cancels queued work, a pool that
keeps dying is an ingest error (not a crash), and racing workers store a story once."""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.paths import SEEDS
from tests.helpers.server import LocalServer, rss
from tests.helpers.settings import local_settings
from worker.config import Settings, load_settings
from worker.daemon import Daemon
from worker.feedlist import FeedSpec
from worker.pipeline import CoreConfig, Document, analyse
from worker.procs import AnalysisPool, PoolClosed
from worker.store.db import engine_of, make_engine, session_factory, upgrade
from worker.store.feeds import upsert_feeds
from worker.store.models import Article, ArticleVersion, Feed, FeedItem, IngestEvent
from worker.store.writer import Store

PAGES = sorted(p for p in SEEDS.glob("*.html") if "014_" not in p.name)


def doc(n: int = 0, url: str | None = None) -> Document:
    return Document(url=url or f"https://example.org/{n}", locator=str(PAGES[n]),
                    html=PAGES[n].read_text(encoding="utf-8"))


@pytest.fixture
def core() -> CoreConfig:
    return CoreConfig.from_settings(load_settings(env={}))


@pytest.fixture
def pool(core: CoreConfig) -> Iterator[AnalysisPool]:
    p = AnalysisPool(core, processes=2, queue_size=4)
    yield p
    p.close()


def test_the_pool_gives_the_same_analysis_as_the_calling_process(
        pool: AnalysisPool, core: CoreConfig) -> None:
    for n in range(3):
        assert pool.analyse(doc(n)) == analyse(doc(n), core)


def test_processes_1_analyses_in_the_calling_thread_without_a_pool(core: CoreConfig) -> None:
    inline = AnalysisPool(core, processes=1)
    assert inline.analyse(doc(0)) == analyse(doc(0), core)
    assert inline.executor is None


def test_the_loaded_heap_is_frozen_in_pool_processes_and_after_the_first_inline_analysis(
        pool: AnalysisPool, core: CoreConfig) -> None:
    """What lives as long as the process (modules, models, lexicons) is moved out of the
    collector's way once loaded (procs.settle)."""
    pool.analyse(doc(0))
    assert pool.executor is not None
    assert pool.executor.submit(gc.get_freeze_count).result(30) > 10_000
    gc.unfreeze()
    try:
        inline = AnalysisPool(core, processes=1)
        assert gc.get_freeze_count() == 0
        inline.analyse(doc(0))
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        inline.analyse(doc(1))
        assert gc.get_freeze_count() == frozen  # once, not per document
    finally:
        gc.unfreeze()


def test_threads_share_the_pool_with_at_most_queue_size_documents_in_flight(
        pool: AnalysisPool) -> None:
    peak = 0
    lock = threading.Lock()
    original = pool._wait

    def counting(fut: Future[Any]) -> Any:
        nonlocal peak
        with lock:
            peak = max(peak, len(pool.inflight) + 1)
        return original(fut)

    pool._wait = counting  # type: ignore[method-assign]
    results: list[Any] = []
    threads = [threading.Thread(target=lambda n=n: results.append(pool.analyse(doc(n % 6))))
               for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 12
    assert 1 <= peak <= 4


def test_a_killed_pool_process_is_replaced_and_the_document_analysed(
        pool: AnalysisPool, core: CoreConfig) -> None:
    pool.analyse(doc(0))
    executor = pool.executor
    assert executor is not None
    victim = next(iter(executor._processes))
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not executor._broken and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.analyse(doc(1)) == analyse(doc(1), core)
    assert pool.restarts == 1
    assert pool.executor is not executor


def test_a_broken_pools_other_processes_end_with_it(pool: AnalysisPool) -> None:
    """Pool processes ignore SIGTERM (the parent shuts them down), so the executor's own
    clean-up of a broken pool cannot end the survivors: its manager thread then spins at 100 %
    CPU for ever and the interpreter never exits. The pool kills them when it replaces it."""
    list(pool.analyse_each([doc(0), doc(1), doc(2)], lambda d: d, 2))
    executor = pool.executor
    assert executor is not None
    processes = list(executor._processes.values())
    assert len(processes) == 2
    # one process busy with a long text whose analysis (over 64 KB pickled) it will try to
    # hand back on a result pipe nobody reads once the pool is broken; the other killed
    text = "Pyongyang sent troops to Kursk, Russia, the agency said. " * 30000
    executor.submit(analyse, Document(url="https://example.org/long", locator="long",
                                        text=text), pool.core)
    time.sleep(0.3)
    os.kill(processes[0].pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not executor._broken and time.monotonic() < deadline:
        time.sleep(0.05)
    pool.analyse(doc(3))  # sees the broken pool and replaces it
    assert pool.executor is not executor
    deadline = time.monotonic() + 10
    while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.is_alive() for p in processes)


def test_a_closed_pool_refuses_and_cancels_work(pool: AnalysisPool) -> None:
    pool.analyse(doc(0))
    pool.close(wait=False)
    with pytest.raises(PoolClosed):
        pool.analyse(doc(1))


class _AlwaysBroken:
    def submit(self, *_args: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        fut.set_exception(BrokenProcessPool("a process died"))
        return fut

    def shutdown(self, **_kwargs: Any) -> None:
        pass


def test_a_pool_that_keeps_dying_raises_after_one_retry(pool: AnalysisPool) -> None:
    tries = []

    def broken() -> Any:
        tries.append(1)
        return _AlwaysBroken()

    pool._executor = broken  # type: ignore[method-assign]
    with pytest.raises(BrokenProcessPool):
        pool.analyse(doc(0))
    assert len(tries) == 2


# -- analyse_each: one caller, a window of documents in flight (replay) ------------------------

@pytest.mark.parametrize("window", [1, 3])
def test_analyse_each_answers_in_input_order_taking_items_as_the_window_frees(
        pool: AnalysisPool, core: CoreConfig, window: int) -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for n in range(6):
            taken.append(n)
            yield n

    got = []
    for n, result in pool.analyse_each(items(), lambda n: None if n == 2 else doc(n), window):
        # never more than `window` items taken and not yet handed back (the None one too)
        assert len(taken) - len(got) <= window
        got.append((n, result))
    assert [n for n, _ in got] == list(range(6))
    assert got[2] == (2, None)
    for n, result in got:
        if n != 2:
            assert result == analyse(doc(n), core)


def test_analyse_each_in_the_calling_thread_hands_back_each_failure_and_goes_on(
        core: CoreConfig, tmp_path: Path) -> None:
    broken = dataclasses.replace(core, topics=str(tmp_path / "missing-topics.toml"))
    inline = AnalysisPool(broken, processes=1)
    results = list(inline.analyse_each([0, 1], doc, 2))
    assert [n for n, _ in results] == [0, 1]
    assert all(isinstance(r, Exception) and "missing-topics.toml" in str(r)
               for _, r in results)


def test_analyse_each_replaces_a_dead_process_and_analyses_every_document(
        pool: AnalysisPool, core: CoreConfig) -> None:
    results = {}
    for n, result in pool.analyse_each(range(8), lambda n: doc(n % 6), 4):
        results[n] = result
        if n == 0:  # three documents are in flight: their pool loses a process
            executor = pool.executor
            assert executor is not None
            os.kill(next(iter(executor._processes)), signal.SIGKILL)
    assert pool.restarts >= 1
    assert all(results[n] == analyse(doc(n % 6), core) for n in range(8))


def test_analyse_each_hands_back_a_document_that_keeps_crashing_as_its_error(
        pool: AnalysisPool) -> None:
    tries = []

    def broken() -> Any:
        tries.append(1)
        return _AlwaysBroken()

    pool._executor = broken  # type: ignore[method-assign]
    results = list(pool.analyse_each(range(3), doc, 2))
    assert [n for n, _ in results] == [0, 1, 2]
    assert all(isinstance(r, BrokenProcessPool) for _, r in results)
    assert len(tries) == 6  # each document: its turn, then once more alone


@pytest.mark.parametrize("processes", [1, 2])
def test_a_pool_for_reanalysis_extracts_figures_whatever_the_topic(
        core: CoreConfig, processes: int) -> None:
    # an off-topic text with a figure: ingest drops its figures, `worker reanalyse` keeps
    # every stored version's figures up to date (claims_always)
    text = Document(url="https://example.org/flood", locator="flood",
                    text="About 600 soldiers were killed in the flood, officials said.")
    plain = AnalysisPool(core, processes=processes, queue_size=2, start="fork")
    always = AnalysisPool(core, processes=processes, queue_size=2, start="fork",
                          claims_always=True)
    try:
        assert not plain.analyse(text).claims
        ((_, result),) = list(always.analyse_each([text], lambda d: d, 1))
        assert not isinstance(result, Exception) and result is not None
        assert [(c.metric, c.value) for c in result.claims] == [("killed", 600)]
        assert result.claims == analyse(text, core, claims_always=True).claims
    finally:
        plain.close()
        always.close()


_PROBE = """
import json, sys
from worker import clean, language
from worker.config import load_settings
from worker.pipeline import CoreConfig
from worker.procs import AnalysisPool

def loaded(boilerplate):
    rules = clean.cached_rules(boilerplate)
    return {"trafilatura": "trafilatura" in sys.modules,
            "langid": language._identifier.cache_info().currsize == 1,
            "tiers": "tiers" in vars(rules.line) and "tiers" in vars(rules.end)}

if __name__ == "__main__":
    core = CoreConfig.from_settings(load_settings(env={}))
    pool = AnalysisPool(core, processes=2, start="fork")
    try:
        child = pool._executor().submit(loaded, core.boilerplate).result()
    finally:
        pool.close()
    print(json.dumps(child))
"""


def test_a_forked_pool_starts_with_the_models_its_parent_loaded_for_it(tmp_path: Path) -> None:
    # a fresh interpreter (this one has loaded everything already): the processes of a pool
    # forked from a command (replay, reanalyse) find trafilatura, the language model and the
    # boilerplate rules' compiled tiers loaded before their first page, shared with the
    # parent instead of loaded by each
    probe = tmp_path / "probe.py"
    probe.write_text(_PROBE, encoding="utf-8")
    done = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True,
                          timeout=120, check=True)
    assert json.loads(done.stdout) == {"trafilatura": True, "langid": True, "tiers": True}


def test_analyse_each_stops_when_the_pool_is_closed(pool: AnalysisPool) -> None:
    each = pool.analyse_each(range(6), doc, 3)
    next(each)
    pool.close(wait=False)
    with pytest.raises(PoolClosed):
        list(each)


# -- the daemon with its pool ---------------------------------------------------------------

def _settings(db_url: str, tmp: Path, **env: str) -> Settings:
    return local_settings(db_url, tmp / "none.toml", WORKER_FETCH_PER_HOST_CONNECTIONS="8",
                          **env)


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def _serve(srv: LocalServer, feeds: int, per_feed: int) -> list[FeedSpec]:
    specs = []
    for f in range(feeds):
        entries = []
        for i in range(per_feed):
            n = f * per_feed + i
            srv.route(f"/p{n}", body=PAGES[n].read_bytes())
            entries.append({"guid": f"g{n}", "link": srv.url(f"/p{n}"), "title": f"Item {n}",
                            "pubDate": f"Fri, 0{1 + i} May 2025 10:00:00 GMT"})
        srv.route(f"/feed{f}", body=rss(entries))
        specs.append(FeedSpec(url=srv.url(f"/feed{f}")))
    return specs


def test_a_daemon_cycle_analyses_in_its_pool_and_shuts_it_down(
        db_url: str, tmp_path: Path, factory: sessionmaker[Session]) -> None:
    with LocalServer() as srv:
        upsert_feeds(factory, _serve(srv, 3, 3))
        daemon = Daemon(_settings(db_url, tmp_path, WORKER_PIPELINE_PROCESSES="2"), factory)
        summary = daemon.run_cycle()
        executor = daemon.analysis.executor
        assert executor is not None
        processes = list(executor._processes.values())
        assert daemon.close()
    assert len(processes) == 2 and not any(p.is_alive() for p in processes)
    assert summary.polls == Counter(ok=3)
    assert sum(summary.items.values()) == 9 and "error" not in summary.items
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(FeedItem)) == 9


def test_a_pool_that_keeps_dying_is_an_ingest_error_not_a_crash(
        db_url: str, tmp_path: Path, factory: sessionmaker[Session]) -> None:
    with LocalServer() as srv:
        upsert_feeds(factory, _serve(srv, 1, 2))
        daemon = Daemon(_settings(db_url, tmp_path, WORKER_PIPELINE_PROCESSES="2"), factory)
        daemon.analysis._executor = lambda: _AlwaysBroken()  # type: ignore[method-assign]
        summary = daemon.run_cycle()
        assert daemon.close()
    assert summary.polls == Counter(ok=1)
    assert summary.items == Counter(error=2)
    with factory() as s:
        details = list(s.scalars(select(IngestEvent.detail)
                                 .where(IngestEvent.outcome == "error")))
    assert len(details) == 2 and all("BrokenProcessPool" in (d or "") for d in details)


# -- racing writers ----------------------------------------------------------------------------

def test_workers_racing_on_one_story_store_it_once(
        db_url: str, core: CoreConfig, factory: sessionmaker[Session],
        caplog: pytest.LogCaptureFixture) -> None:
    """On PostgreSQL every racer first sees no article (a barrier after the lookup), so all
    but one insert hits the unique constraint, and the retry in a new transaction finds it."""
    racers = 4
    settings = load_settings(env={"WORKER_DATABASE_URL": db_url})
    d = doc(0)
    analysis = analyse(d, core)
    postgres = db_url.startswith("postgresql")
    barrier = threading.Barrier(racers, timeout=20)
    local = threading.local()

    class RacingStore(Store):
        def _lookup(self, conn: Connection, canonical: str, fingerprint: str
                    ) -> tuple[int | None, int | None]:
            found = super()._lookup(conn, canonical, fingerprint)
            if postgres and not getattr(local, "waited", False):
                local.waited = True
                barrier.wait()
            return found

    outcomes: list[str] = []
    errors: list[BaseException] = []

    def race(n: int) -> None:
        try:
            store = RacingStore(engine_of(factory), settings.dedupe, worker_id=f"w{n}")
            outcomes.append(store.save(d, analysis).outcome)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    caplog.set_level(logging.INFO, logger="worker.store.writer")
    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert Counter(outcomes) == Counter(new=1, duplicate=racers - 1)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 1
        assert s.scalar(select(func.count()).select_from(ArticleVersion)) == 1
    if postgres:
        retried = [r for r in caplog.records if "concurrent insert" in r.getMessage()]
        assert len(retried) == racers - 1


def test_workers_starting_together_declare_their_feeds_once(
        factory: sessionmaker[Session]) -> None:
    specs = [FeedSpec(url=f"https://example.org/feed{n}.xml") for n in range(50)]
    errors: list[BaseException] = []

    def start() -> None:
        try:
            upsert_feeds(factory, specs)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Feed)) == 50


def test_threads_sharing_one_store_all_write_and_none_sees_a_lock_error(
        db_url: str, core: CoreConfig, factory: sessionmaker[Session]) -> None:
    """The daemon's poll threads share one Store: on SQLite they take turns on its write lock,
    on PostgreSQL they write side by side; either way every document is stored once."""
    settings = load_settings(env={"WORKER_DATABASE_URL": db_url})
    store = Store(engine_of(factory), settings.dedupe, worker_id="threads")
    texts = [f"Report {n}: markets moved {n} points on Monday in quiet trading." for n in range(40)]
    docs = [Document(url=f"https://example.org/t{n}", locator=f"t{n}", text=t)
            for n, t in enumerate(texts)]
    analyses = [analyse(d, core) for d in docs]
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def write(batch: range) -> None:
        for i in batch:
            try:
                outcomes.append(store.save(docs[i], analyses[i]).outcome)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=write, args=(range(k, 40, 8),)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert Counter(outcomes) == Counter(irrelevant=40)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 40
        assert s.scalar(select(func.count()).select_from(IngestEvent)
                        .where(IngestEvent.worker_id == "threads")) == 40
