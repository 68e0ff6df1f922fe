"""Ingest throughput on ../shared/corpus: articles per second through the full pipeline (clean,
dedupe, topic, figures, store into a fresh SQLite file), next to bare `trafilatura.extract`
with the same options, measured in the same run on one core; then the pipeline with a process
pool; then where the time goes (cProfile of the one-core run, by stage).

The three runs are interleaved in rounds (bare, pipeline, pool; bare, pipeline, pool; ...) and
each keeps its best round, so a shared machine that slows down for a while slows all three
alike instead of skewing the ratios."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import trafilatura

from benchmarks.common import corpus_pages, emit_json, read_page, show
from worker.clean import TRAFILATURA_OPTIONS
from worker.config import load_settings
from worker.pipeline import CoreConfig, Document, Store, analyse
from worker.store.db import make_engine, session_factory, upgrade

STAGES = {
    "trafilatura.extract": "extract",
    "boilerplate rules": "strip_boilerplate",
    "language": "detect_language",
    "topic": "relevance",
    "dedupe signature": "text_signature",
    "fingerprint": "fingerprint",
    "figures": "extract_claims",
    "store (SQLite)": "save",
}


def documents(pages: list[Path]) -> list[Document]:
    published = datetime(2025, 4, 30, tzinfo=UTC)
    return [Document(url=f"https://bench.example.org/{p.stem}", locator=str(p),
                     origin="bench", html=read_page(p), published=published)
            for p in pages]


def bare(docs: list[Document]) -> float:
    t0 = time.perf_counter()
    for d in docs:
        trafilatura.extract(d.html, **TRAFILATURA_OPTIONS)  # type: ignore[arg-type]
    return time.perf_counter() - t0


def _store(tmp: str) -> Store:
    settings = load_settings(env={"WORKER_DATABASE_URL": f"sqlite:///{tmp}/bench.db"})
    engine = make_engine(settings.database.url)
    upgrade(engine)
    return Store(session_factory(engine), settings)


def pipeline(docs: list[Document], core: CoreConfig, processes: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = _store(tmp)
        t0 = time.perf_counter()
        if processes <= 1:
            for d in docs:
                store.save(d, analyse(d, core, claims_always=True))
        else:
            with ProcessPoolExecutor(processes) as pool:
                fn = partial(analyse, core=core, claims_always=True)
                for d, a in zip(docs, pool.map(fn, docs, chunksize=4), strict=True):
                    store.save(d, a)
        return time.perf_counter() - t0


def profile(docs: list[Document], core: CoreConfig) -> list[tuple[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        store = _store(tmp)
        prof = cProfile.Profile()
        prof.enable()
        for d in docs:
            store.save(d, analyse(d, core, claims_always=True))
        prof.disable()
    stats = pstats.Stats(prof)
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "analyse") or 1.0  # type: ignore[attr-defined]
    total += sum(v[3] for k, v in stats.stats.items() if k[2] == "save")  # type: ignore[attr-defined]
    rows = []
    for label, func in STAGES.items():
        cum = sum(v[3] for k, v in stats.stats.items() if k[2] == func)  # type: ignore[attr-defined]
        rows.append((label, cum / total))
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; best kept")
    args = ap.parse_args(argv)
    settings = load_settings(env={})
    core = CoreConfig.from_settings(settings)
    docs = documents(corpus_pages())
    analyse(docs[0], core, claims_always=True)  # warm caches (lexicons, rules, models)
    t_bare = t_one = t_pool = float("inf")
    for _ in range(args.rounds):
        t_bare = min(t_bare, bare(docs))
        t_one = min(t_one, pipeline(docs, core, 1))
        t_pool = min(t_pool, pipeline(docs, core, args.processes))
    n = len(docs)
    result = {
        "articles": n,
        "rounds": args.rounds,
        "bare_per_s": n / t_bare,
        "pipeline_1core_per_s": n / t_one,
        "pipeline_pool_per_s": n / t_pool,
        "processes": args.processes,
        "ratio_1core": t_bare / t_one,
        "ratio_pool": t_bare / t_pool,
        "profile": profile(docs, core),
    }
    if args.json:
        emit_json(result)
        return result
    show(f"Ingest throughput on {n} corpus pages (best of {args.rounds} interleaved rounds)",
         ["run", "articles/s", "× bare (1 core)", "target"],
         [("bare trafilatura.extract, 1 core", result["bare_per_s"], 1.0, ""),
          ("pipeline, 1 core", result["pipeline_1core_per_s"], result["ratio_1core"],
           "≥ 0.85"),
          (f"pipeline, pool of {args.processes}", result["pipeline_pool_per_s"],
           result["ratio_pool"], "≥ 1.6")])
    show("Where the time goes (pipeline, 1 core; share of total)", ["stage", "share"],
         result["profile"])
    return result


if __name__ == "__main__":
    main()
