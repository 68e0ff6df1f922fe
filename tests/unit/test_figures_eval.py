"""Quality targets of the figure extractor on the labelled evaluation set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import figures_eval as scoring

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT / "tests" / "data" / "figures_eval"


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    if not EVAL_DIR.is_dir() or not any(EVAL_DIR.glob("*.jsonl")):
        pytest.skip(f"no labelled data in {EVAL_DIR} (tests/data/figures_eval/*.jsonl)")
    items = scoring.load_items(EVAL_DIR)
    if not items:
        pytest.skip(f"labelled files in {EVAL_DIR} are empty")
    out: dict[str, Any] = scoring.evaluate(items)
    return out


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "ru", "uk", "ko"])
def test_precision_and_recall_per_language(result: dict[str, Any], lang: str) -> None:
    stats = result["languages"].get(lang)
    if stats is None:
        pytest.skip(f"no labelled items for {lang}")
    errors = [e for e in result["errors"] if e["id"].startswith(lang) and e["kind"] != "FIELD"]
    assert stats["precision"] >= 0.95, errors
    assert stats["recall"] >= 0.90, errors


def test_matching_is_one_to_one() -> None:
    from worker.figures import extract_claims

    text = "About 600 soldiers were killed; later 600 more were killed in another attack."
    predicted = extract_claims(text, "en")
    expected = [{"metric": "killed", "value": 600, "number_text": "600"}] * 3
    assert len(scoring.match_item(text, expected, predicted)) == min(3, len(predicted))
