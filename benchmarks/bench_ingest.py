"""Ingest throughput on ../shared/corpus: articles per second through the full pipeline (clean,
dedupe, topic, figures, store into a fresh SQLite file), next to bare `trafilatura.extract`
with the same options, measured in the same run on one core; then the pipeline with a process
pool; then where the time goes (cProfile of the one-core run, by stage).

Two workloads. "as fetched": the corpus pages as they are (none of them is about the DPRK-Russia
story, so they are stored as irrelevant), with figure extraction forced on every page anyway.
"all kept": the same pages under a topic rule that keeps everything, so every page also gets a
MinHash signature, LSH bands, a story, a version and its claims: the worst case.

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
from dataclasses import replace
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


def _store(tmp: str) -> Store:
    settings = load_settings(env={"WORKER_DATABASE_URL": f"sqlite:///{tmp}/bench.db"})
    engine = make_engine(settings.database.url)
    upgrade(engine)
    return Store(session_factory(engine), settings)


def keep_everything(core: CoreConfig, tmp: str) -> CoreConfig:
    """The same configuration with a topic rule under which every text is relevant."""
    rule = Path(tmp) / "keep-everything.toml"
    rule.write_text("threshold = 0.0\n", encoding="utf-8")
    return replace(core, topics=str(rule))


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
    n = len(docs)
    with tempfile.TemporaryDirectory() as rules_dir:
        workloads = {"as_fetched": core, "all_kept": keep_everything(core, rules_dir)}
        for c in workloads.values():
            analyse(docs[0], c, claims_always=True)  # warm caches (lexicons, rules, models)
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            runs = [("bare", lambda: bare(docs))]
            for name, c in workloads.items():
                runs.append((f"{name}_1core", partial(pipeline, docs, c, 1)))
                runs.append((f"{name}_pool", partial(pipeline, docs, c, args.processes)))
            for key, run in runs:
                best[key] = min(best.get(key, float("inf")), run())
        result: dict[str, Any] = {"articles": n, "rounds": args.rounds,
                                  "processes": args.processes, "bare_per_s": n / best["bare"]}
        for key, seconds in best.items():
            if key != "bare":
                result[f"{key}_per_s"] = n / seconds
                result[f"{key}_ratio"] = best["bare"] / seconds
        result["profile"] = profile(docs, workloads["all_kept"])
    # the headline figures: the worst case
    result["pipeline_1core_per_s"] = result["all_kept_1core_per_s"]
    result["pipeline_pool_per_s"] = result["all_kept_pool_per_s"]
    result["ratio_1core"] = result["all_kept_1core_ratio"]
    result["ratio_pool"] = result["all_kept_pool_ratio"]
    if args.json:
        emit_json(result)
        return result
    p = args.processes
    rows: list[tuple[str, float, float, str]] = [
        ("bare trafilatura.extract, 1 core", result["bare_per_s"], 1.0, "")]
    for name, label in (("as_fetched", "as fetched"), ("all_kept", "all kept")):
        rows.append((f"pipeline, {label}, 1 core", result[f"{name}_1core_per_s"],
                     result[f"{name}_1core_ratio"], "≥ 0.85"))
        rows.append((f"pipeline, {label}, pool of {p}", result[f"{name}_pool_per_s"],
                     result[f"{name}_pool_ratio"], "≥ 1.6"))
    show(f"Ingest throughput on {n} corpus pages (best of {args.rounds} interleaved rounds)",
         ["run", "articles/s", "× bare (1 core)", "target"], rows)
    show("Where the time goes (pipeline, all kept, 1 core; share of total)", ["stage", "share"],
         result["profile"])
    return result


if __name__ == "__main__":
    main()
