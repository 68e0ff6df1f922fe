"""Near-duplicate detection: quality on a planted set and cost at scale.

Quality: texts of ../shared/corpus pages, each with planted copies (edited lede, trimmed tail,
reordered paragraphs, all three plus outlet boilerplate, and a wire story re-edited by another
desk: a word swapped, dropped or added in every sentence, an abbreviation added after a name, a
new headline and lede) and hard negatives (a different text that opens with the same two
sentences — two reports quoting one statement — and unrelated texts). Precision and recall of
"joins the story" over all planted pairs, through the real path: MinHash signatures, LSH band
candidates, then the containment and Jaccard thresholds (dedupe.story_match); beside them the
former scheme (word 5-shingles, containment 0.8) on the same pairs.

Scale: lookup + insert time of one article in the database-backed LSH index when 10k and 100k
articles are already stored (it must stay roughly flat: the lookup reads band buckets, never all
articles).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import emit_json, show
from tests.helpers.dedupe_eval import corpus_texts, evaluate, planted_pairs
from worker.dedupe import (
    band_buckets,
    containment,
    minhash,
    signature_bytes,
)


def scale(sizes: list[int], probes: int = 200) -> list[dict[str, Any]]:
    """Lookup + insert time per article with N articles already in the SQLite LSH index (the
    stored signatures are random: the cost of a lookup does not depend on their content)."""
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from worker.config import load_settings
    from worker.store.db import make_engine, upgrade
    from worker.store.models import Article, LshBand, Story
    from worker.store.queries import story_candidates

    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'scale.db'}")
            upgrade(engine)
            bands = load_settings(env={}).dedupe.bands
            rng = random.Random(n)
            nprng = np.random.default_rng(n)
            vocab = [f"w{i}" for i in range(5000)]
            t0 = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(insert(Story), [{"id": 1}])
                batch_a, batch_b = [], []
                for i in range(1, n + 1):
                    sig = nprng.integers(0, 2**63, size=128, dtype=np.uint64).tobytes()
                    batch_a.append({"id": i, "canonical_url": f"https://x/{i}", "url": f"u{i}",
                                    "relevant": True, "relevance": 1.0, "signature": sig,
                                    "status": "active", "needs_retry": False,
                                    "story_id": 1})
                    batch_b.extend({"band": b, "bucket": k, "article_id": i}
                                   for b, k in band_buckets(sig, bands))
                    if len(batch_a) >= 2000:
                        conn.execute(insert(Article), batch_a)
                        conn.execute(insert(LshBand), batch_b)
                        batch_a, batch_b = [], []
                if batch_a:
                    conn.execute(insert(Article), batch_a)
                    conn.execute(insert(LshBand), batch_b)
            fill = time.perf_counter() - t0
            timings = []
            for j in range(probes):
                text = " ".join(rng.choices(vocab, k=60))
                sig = signature_bytes(minhash(text))
                start = time.perf_counter()
                with Session(engine) as session, session.begin():
                    buckets = band_buckets(sig, bands)
                    cands = story_candidates(session, buckets)
                    assert all(containment(sig, 60, s, 60) < 1.0 for s, _, _ in cands)
                    aid = n + 1 + j
                    session.execute(insert(Article), [{
                        "id": aid, "canonical_url": f"https://x/{aid}", "url": "u",
                        "relevant": True, "relevance": 1.0, "signature": sig,
                        "status": "active", "needs_retry": False, "story_id": 1}])
                    session.execute(insert(LshBand), [
                        {"band": b, "bucket": k, "article_id": aid} for b, k in buckets])
                timings.append(time.perf_counter() - start)
            engine.dispose()
        rows.append({"stored": n, "fill_seconds": fill,
                     "median_ms": statistics.median(timings) * 1000,
                     "p95_ms": sorted(timings)[int(0.95 * len(timings))] * 1000})
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args(argv)
    from worker.config import load_settings

    threshold = args.threshold or load_settings(env={}).dedupe.threshold
    settings = load_settings(env={}).dedupe
    texts = corpus_texts()
    pairs = planted_pairs(texts)
    quality = evaluate(pairs, threshold, bands=settings.bands, num_perm=settings.num_perm,
                       shingle=settings.shingle, min_jaccard=settings.min_jaccard)
    # the scheme before edited wire copies were planted: word 5-shingles, containment 0.8
    before = evaluate(pairs, 0.8, bands=64, num_perm=128, shingle=5)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    scaled = scale(sizes) if sizes else []
    result = {"texts": len(texts), "quality": quality, "before": before, "scale": scaled}
    if args.json:
        emit_json(result)
        return result
    show(f"Near-duplicate detection on {len(texts)} corpus texts",
         ["measure", f"{settings.shingle}-shingles, containment {threshold}, "
                     f"Jaccard {settings.min_jaccard}",
          "5-shingles, threshold 0.8"],
         [(name, quality[key], before[key]) for name, key in (
             ("precision", "precision"), ("recall", "recall"), ("true positives", "tp"),
             ("false positives", "fp"), ("false negatives", "fn"))])
    show("Estimated containment (share of the shorter text found in the other) by kind",
         ["kind", "min", "median", "max"],
         [(k, v["min"], v["median"], v["max"]) for k, v in quality["similarity"].items()])
    if scaled:
        show("Dedupe lookup + insert in the database LSH index (SQLite)",
             ["stored articles", "median ms", "p95 ms", "fill s"],
             [(r["stored"], r["median_ms"], r["p95_ms"], r["fill_seconds"]) for r in scaled])
    return result


if __name__ == "__main__":
    main()
