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
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import trafilatura

from benchmarks.common import corpus_pages, emit_json, read_page, show
from worker.dedupe import (
    band_buckets,
    containment,
    minhash,
    signature_bytes,
    story_match,
    text_signature,
)

_SENT = re.compile(r"(?<=[.!?])\s+")


def corpus_texts(limit: int | None = None, min_words: int = 150) -> list[str]:
    texts = []
    for page in corpus_pages():
        text = trafilatura.extract(read_page(page)) or ""
        if len(text.split()) >= min_words:
            texts.append(text)
        if limit and len(texts) >= limit:
            break
    return texts


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def edited_lede(text: str, rng: random.Random) -> str:
    sentences = _SENT.split(text, maxsplit=2)
    new = rng.choice(["Seoul (AFP) - ", "In a dispatch published on Monday, ",
                      "UPDATED: ", "Moscow, Jan. 13 (Yonhap) -- "])
    return new + "Officials gave a fresh account of the events. " + " ".join(sentences[1:])


def trimmed_tail(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    return " ".join(words[: int(len(words) * rng.uniform(0.82, 0.9))])


def reordered(text: str, rng: random.Random) -> str:
    paras = _paragraphs(text)
    if len(paras) < 3:
        sentences = _SENT.split(text)
        cut = len(sentences) // 2
        return " ".join(sentences[cut:] + sentences[:cut])
    i = rng.randrange(1, len(paras))
    paras.insert(0, paras.pop(i))
    return "\n".join(paras)


def syndicated(text: str, rng: random.Random) -> str:
    return ("Share on Facebook Twitter\n" + trimmed_tail(edited_lede(text, rng), rng)
            + "\nThis story was provided by a wire service.")


# A second desk's habits: tense and register ("said" -> "has said"), its own words for the same
# people, day names dropped. Words not in the table get a generic edit (see _edit_sentence).
_DESK_SWAPS = {
    "said": "has said", "says": "said", "told": "informed", "lawmakers": "legislators",
    "officials": "authorities", "troops": "soldiers", "about": "around", "also": "further",
    "according": "citing", "the": "this", "a": "one", "and": "as well as", "but": "however",
    "monday": "", "tuesday": "", "wednesday": "", "thursday": "", "friday": "",
    "der": "dieser", "die": "jene", "und": "sowie", "le": "ce", "la": "cette", "et": "ainsi que",
    "el": "este", "y": "e",
}
_DESK_FILLER = ("now", "still", "further", "earlier", "meanwhile", "reportedly")


def _edit_sentence(sentence: str, rng: random.Random, edits: int) -> str:
    words = sentence.split(" ")
    if len(words) < 5:
        return sentence
    for _ in range(edits):
        i = rng.randrange(1, len(words))
        key = words[i].lower().strip(",.;:")
        if key in _DESK_SWAPS:
            words[i] = _DESK_SWAPS[key]
        elif rng.random() < 0.4:
            words[i] = rng.choice(_DESK_FILLER)
        elif rng.random() < 0.5 and len(words) > 5:
            del words[i]
        else:
            words.insert(i, rng.choice(_DESK_FILLER))
    names = [j for j, w in enumerate(words[1:], 1) if w[:1].isupper() and w.isalpha()]
    if names and rng.random() < 0.3:  # "the National Intelligence Service (NIS)"
        j = rng.choice(names)
        words.insert(j + 1, f"({words[j][:3].upper()})")
    return " ".join(w for w in words if w)


def wire_reedit(text: str, rng: random.Random) -> str:
    """The same agency story re-edited by another desk: one or two word edits in every
    sentence, abbreviations added, a new headline and a new lede in place of the first
    sentence."""
    lines = []
    for para in _paragraphs(text):
        lines.append(" ".join(_edit_sentence(s, rng, rng.randint(1, 2))
                              for s in _SENT.split(para)))
    body = _SENT.split("\n".join(lines), maxsplit=1)
    rest = body[1] if len(body) > 1 else body[0]
    headline = rng.choice(["Second desk rewrites the agency report",
                           "Report: officials give new account", "WIRE - latest on the story"])
    return (f"{headline}\nAn opening line of the second desk's own sets the scene for "
            f"readers. {rest}")


def shared_lede(text: str, other: str) -> str:
    head = " ".join(_SENT.split(text)[:2])
    return head + "\n" + other


PLANTS = {"edited lede": edited_lede, "trimmed tail": trimmed_tail,
          "reordered paragraphs": reordered, "all three + boilerplate": syndicated,
          "wire re-edit": wire_reedit}


def planted_pairs(texts: list[str], seed: int = 1) -> list[tuple[str, str, bool, str]]:
    """(a, b, is_copy, kind) pairs."""
    rng = random.Random(seed)
    pairs = []
    for i, t in enumerate(texts):
        for kind, fn in PLANTS.items():
            pairs.append((t, fn(t, rng), True, kind))
        other = texts[(i + 1) % len(texts)]
        pairs.append((t, shared_lede(t, other), False, "shared lede, other body"))
        pairs.append((t, texts[(i + 7) % len(texts)], False, "unrelated"))
    return pairs


def evaluate(pairs: list[tuple[str, str, bool, str]], threshold: float, bands: int = 32,
             num_perm: int = 128, shingle: int = 5, min_jaccard: float = 0.0
             ) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    per_kind: dict[str, list[float]] = {}
    for a, b, is_copy, kind in pairs:
        ma, na = text_signature(a, num_perm=num_perm, shingle=shingle)
        mb, nb = text_signature(b, num_perm=num_perm, shingle=shingle)
        sa, sb = signature_bytes(ma), signature_bytes(mb)
        candidate = bool(set(band_buckets(sa, bands)) & set(band_buckets(sb, bands)))
        sim = containment(sa, na, sb, nb)
        per_kind.setdefault(kind, []).append(sim)
        joined = story_match(sa, na, sb, nb, threshold=threshold, min_jaccard=min_jaccard)
        predicted = candidate and joined is not None
        if predicted and is_copy:
            tp += 1
        elif predicted:
            fp += 1
        elif is_copy:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"threshold": threshold, "precision": precision, "recall": recall, "tp": tp,
            "fp": fp, "fn": fn, "tn": tn,
            "similarity": {k: {"min": min(v), "median": statistics.median(v), "max": max(v)}
                           for k, v in per_kind.items()}}


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
