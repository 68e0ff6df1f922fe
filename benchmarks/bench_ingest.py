"""Ingest throughput on ../shared/corpus: articles per second through the full pipeline (clean,
dedupe, topic, figures, store into a fresh SQLite file), next to bare `trafilatura.extract`
with the same options, measured in the same run on one core; then the pipeline with the
worker's process pool; then where the time goes (cProfile of the one-core run, by stage).

The pipeline runs as the daemon runs it: `AnalysisPool.analyse` then `Store.save`, called from
the daemon's number of poll threads when there is a pool, in the calling thread when not.

Three workloads:
- "as fetched": the corpus pages as they are. None of them is about the DPRK-Russia story, so
  each is cleaned, identified, scored, fingerprinted and stored as an irrelevant article, as the
  worker does with a page from a general news feed.
- "figures forced": the same, with figure extraction run on every page all the same (the
  worker skips it for irrelevant pages).
- "all kept": the same pages under a topic rule that keeps everything, so every page also gets
  figure extraction, a MinHash signature, LSH bands, a story, a version and its claims: the
  worst case, every stage on every page.

The runs are interleaved chunk by chunk (bare, then each pipeline, on the same 50 pages, then
the next 50), over several rounds with fresh databases, and the times summed: a shared machine
that slows down for a while slows every run alike instead of skewing the ratios."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trafilatura

from benchmarks.common import corpus_pages, emit_json, read_page, show
from worker.clean import TRAFILATURA_OPTIONS
from worker.config import load_settings
from worker.pipeline import CoreConfig, Document, analyse
from worker.procs import AnalysisPool, settle
from worker.store.db import make_engine, upgrade
from worker.store.writer import Store

CHUNK = 50
WORKLOADS = (("as_fetched", "as fetched"), ("figures_forced", "figures forced"),
             ("all_kept", "all kept"))
STAGES = {
    "trafilatura.extract": "extract",
    "boilerplate rules": "strip_boilerplate",
    "language": "detect_language",
    "topic": "relevance",
    "dedupe signature": "text_signature",
    "text normalisation (fingerprint, MinHash)": "normalise_for_fingerprint",
    "figures": "extract_claims",
    "store (SQLite)": "save",
    "  of which story linking": "_link_story",
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


def _extract(html: str | bytes | None) -> int:
    return len(trafilatura.extract(html, **TRAFILATURA_OPTIONS) or "")  # type: ignore[arg-type]


def _settled_bare() -> None:
    """Initializer of the ceiling's processes: trafilatura loaded and the heap frozen, as in
    the analysis pool's processes (worker.procs.settle), so the two are compared like for like."""
    _extract("<html><body><article><p>Warm-up text of a page.</p></article></body></html>")
    settle()


def bare_pool(docs: list[Document], executor: ProcessPoolExecutor) -> float:
    """Bare trafilatura spread over the pool's processes: what the hardware allows."""
    t0 = time.perf_counter()
    for _ in executor.map(_extract, [d.html for d in docs]):
        pass
    return time.perf_counter() - t0


def _store(tmp: str, name: str = "bench") -> Store:
    settings = load_settings(env={"WORKER_DATABASE_URL": f"sqlite:///{tmp}/{name}.db"})
    engine = make_engine(settings.database.url)
    upgrade(engine)
    return Store(engine, settings.dedupe)


def keep_everything(core: CoreConfig, tmp: str) -> CoreConfig:
    """The same configuration with a topic rule under which every text is relevant."""
    rule = Path(tmp) / "keep-everything.toml"
    rule.write_text("threshold = 0.0\n", encoding="utf-8")
    return replace(core, topics=str(rule))


def ingest(docs: list[Document], store: Store, pool: AnalysisPool) -> float:
    """Seconds to analyse and store `docs` the way the daemon does: with a pool, from as many
    threads as the daemon polls with (`[fetch] max_connections`)."""
    t0 = time.perf_counter()
    if pool.processes <= 1:
        for d in docs:
            store.save(d, pool.analyse(d))
    else:
        with ThreadPoolExecutor(store.settings.fetch.max_connections) as threads:
            for _ in threads.map(lambda d: store.save(d, pool.analyse(d)), docs):
                pass
    return time.perf_counter() - t0


@contextmanager
def pools(workloads: dict[str, CoreConfig], processes: int, warm: list[Document]
          ) -> Iterator[dict[str, AnalysisPool]]:
    """One-core and multi-process pools for each workload, started and warmed up."""
    out = {}
    for name, core in workloads.items():
        out[f"{name}_1core"] = AnalysisPool(core, processes=1)
        out[f"{name}_pool"] = AnalysisPool(core, processes=processes)
    try:
        for pool in out.values():
            with ThreadPoolExecutor(2 * pool.processes) as threads:
                list(threads.map(pool.analyse, warm))
        yield out
    finally:
        for pool in out.values():
            pool.close()


def measure(docs: list[Document], workloads: dict[str, CoreConfig], processes: int,
            rounds: int) -> dict[str, float]:
    """Seconds per run, summed over chunks and rounds."""
    totals: dict[str, float] = {}
    with pools(workloads, processes, docs[:2 * processes]) as by_run, ExitStack() as stack:
        executor = stack.enter_context(ProcessPoolExecutor(processes,
                                                           initializer=_settled_bare))
        for _ in executor.map(_extract, [d.html for d in docs[:2 * processes]]):
            pass
        for _ in range(rounds):
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            stores = {run: _store(tmp, run) for run in by_run}
            for i in range(0, len(docs), CHUNK):
                chunk = docs[i:i + CHUNK]
                totals["bare"] = totals.get("bare", 0.0) + bare(chunk)
                totals["bare_pool"] = totals.get("bare_pool", 0.0) + bare_pool(chunk, executor)
                for run, pool in by_run.items():
                    totals[run] = totals.get(run, 0.0) + ingest(chunk, stores[run], pool)
    return totals


def profile(docs: list[Document], core: CoreConfig) -> list[tuple[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        store = _store(tmp)
        prof = cProfile.Profile()
        prof.enable()
        for d in docs:
            store.save(d, analyse(d, core))
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
    ap.add_argument("--rounds", type=int, default=3, help="rounds over the corpus, summed")
    args = ap.parse_args(argv)
    p = args.processes
    settings = load_settings(env={})
    core = CoreConfig.from_settings(settings)
    docs = documents(corpus_pages())
    n = len(docs)
    with tempfile.TemporaryDirectory() as rules_dir:
        workloads = {"as_fetched": core,
                     "figures_forced": replace(core, claims_always=True),
                     "all_kept": keep_everything(core, rules_dir)}
        for c in workloads.values():
            analyse(docs[0], c)  # warm caches (lexicons, rules, models)
        totals = measure(docs, workloads, args.processes, args.rounds)
        result: dict[str, Any] = {"articles": n, "rounds": args.rounds,
                                  "processes": args.processes,
                                  "bare_per_s": n * args.rounds / totals["bare"]}
        for run, seconds in totals.items():
            if run != "bare":
                result[f"{run}_per_s"] = n * args.rounds / seconds
                result[f"{run}_ratio"] = totals["bare"] / seconds
        result["profile"] = profile(docs, workloads["all_kept"])
    if args.json:
        emit_json(result)
        return result
    rows: list[tuple[str, float, float, str]] = [
        ("bare trafilatura.extract, 1 core", result["bare_per_s"], 1.0, ""),
        (f"bare trafilatura.extract, {p} processes (ceiling)", result["bare_pool_per_s"],
         result["bare_pool_ratio"], "")]
    for name, label in WORKLOADS:
        rows.append((f"pipeline, {label}, 1 core", result[f"{name}_1core_per_s"],
                     result[f"{name}_1core_ratio"], "≥ 0.85"))
        rows.append((f"pipeline, {label}, pool of {p}", result[f"{name}_pool_per_s"],
                     result[f"{name}_pool_ratio"], "≥ 1.6"))
    show(f"Ingest throughput on {n} corpus pages ({args.rounds} rounds, interleaved)",
         ["run", "articles/s", "× bare (1 core)", "target"], rows)
    show("Where the time goes (pipeline, all kept, 1 core; share of total)", ["stage", "share"],
         result["profile"])
    return result


if __name__ == "__main__":
    main()
