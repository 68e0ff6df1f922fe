"""Near-duplicate detection on a planted set built from real pages of ../shared/corpus: copies
with edited ledes, trimmed tails, reordered paragraphs and all three plus boilerplate must join
their original's story; texts sharing only an opening quote, and unrelated texts, must not.
Targets: precision >= 0.99, recall >= 0.95."""

from __future__ import annotations

import pytest

from benchmarks.bench_dedupe import corpus_texts, evaluate, planted_pairs
from worker.config import load_settings

from ..conftest import CORPUS


@pytest.mark.slow
def test_planted_near_duplicates_reach_the_targets() -> None:
    if not (CORPUS / "pages").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    dd = load_settings(env={}).dedupe
    texts = corpus_texts(limit=80)
    assert len(texts) >= 60
    result = evaluate(planted_pairs(texts, seed=3), dd.threshold, bands=dd.bands,
                      num_perm=dd.num_perm, shingle=dd.shingle)
    assert result["precision"] >= 0.99, result
    assert result["recall"] >= 0.95, result
    assert result["similarity"]["unrelated"]["max"] < 0.2
