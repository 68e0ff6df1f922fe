"""Near-duplicate detection on a planted set built from real pages of ../shared/corpus: copies
with edited ledes, trimmed tails, reordered paragraphs, all three plus boilerplate, and wire
copies re-edited by another desk (a word edit in every sentence, abbreviations, new headline
and lede) must join their original's story; texts sharing only an opening quote, and unrelated
texts, must not. Targets: precision >= 0.99, recall >= 0.95, on the re-edited copies too."""

from __future__ import annotations

import pytest

from tests.helpers.dedupe_eval import corpus_texts, evaluate, planted_pairs
from tests.helpers.paths import CORPUS
from worker.config import load_settings


@pytest.mark.slow
def test_planted_near_duplicates_reach_the_targets() -> None:
    if not (CORPUS / "pages").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    dd = load_settings(env={}).dedupe
    texts = corpus_texts(limit=80)
    assert len(texts) >= 60
    pairs = planted_pairs(texts, seed=3)
    result = evaluate(pairs, dd.threshold, bands=dd.bands, num_perm=dd.num_perm,
                      shingle=dd.shingle, min_jaccard=dd.min_jaccard)
    assert result["precision"] >= 0.99, result
    assert result["recall"] >= 0.95, result
    assert result["similarity"]["unrelated"]["max"] < 0.2
    reedited = [p for p in pairs if p[3] == "wire re-edit"]
    assert len(reedited) == len(texts)
    alone = evaluate(reedited, dd.threshold, bands=dd.bands, num_perm=dd.num_perm,
                     shingle=dd.shingle, min_jaccard=dd.min_jaccard)
    assert alone["recall"] >= 0.95, alone
    # the planted edits are real edits: the former 5-shingle scheme loses most of these copies
    former = evaluate(reedited, 0.8, bands=dd.bands, num_perm=dd.num_perm, shingle=5)
    assert former["recall"] < 0.5, former
