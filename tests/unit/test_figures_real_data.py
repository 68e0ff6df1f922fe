"""The real-text figure sets parse and are self-consistent.

``tests/data/figures_real`` is an evaluation set written for issue 11 (own sentences that
reproduce the structures met in real reporting); ``tests/data/figures_real_manifest`` holds the
gold figures of the real-text development set without its text (URL, query, publication date),
so that a later session can rebuild that set from the pages corpus.  These tests check the data
only (schema, codes, spans); the extractor's scores on them are the benchmark's business.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from worker.data import CLAIMANTS, packaged

ROOT = Path(__file__).resolve().parents[2]
REAL_DIR = ROOT / "tests" / "data" / "figures_real"
MANIFEST_DIR = ROOT / "tests" / "data" / "figures_real_manifest"
LANGS = ("en", "fr", "de", "es", "ru", "uk", "ko")
METRICS = {"killed", "wounded", "casualties", "captured", "missing", "deployed"}
QUALIFIERS = {"exact", "approx", "at_least", "more_than", "at_most", "less_than", "range", "vague"}
MODALITIES = {"asserted", "reported", "possible", "negated"}
SCOPES = {None, "cumulative", "incident", "increment"}
REFERS_TO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
FIGURE_KEYS = {
    "metric",
    "subject",
    "value",
    "low",
    "high",
    "qualifier",
    "modality",
    "claimant",
    "scope",
    "number_text",
    "refers_to",
    "recalled",
    "part_of",
}


def _claimant_codes() -> set[str]:
    data = tomllib.loads(packaged(CLAIMANTS).read_text(encoding="utf-8"))
    return set(data["claimants"])


def _rows(directory: Path, lang: str) -> list[dict[str, Any]]:
    path = directory / f"{lang}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _check_figure(fig: dict[str, Any], codes: set[str], numbers: list[str]) -> list[str]:
    problems = []
    missing = FIGURE_KEYS - set(fig)
    if missing:
        problems.append(f"missing keys {sorted(missing)}")
    if fig.get("metric") not in METRICS:
        problems.append(f"metric {fig.get('metric')!r}")
    if fig.get("qualifier") not in QUALIFIERS:
        problems.append(f"qualifier {fig.get('qualifier')!r}")
    if fig.get("modality") not in MODALITIES:
        problems.append(f"modality {fig.get('modality')!r}")
    if fig.get("scope") not in SCOPES:
        problems.append(f"scope {fig.get('scope')!r}")
    if fig.get("claimant") is not None and fig["claimant"] not in codes:
        problems.append(f"claimant {fig['claimant']!r} is not in worker/data/claimants.toml")
    if not isinstance(fig.get("value"), int) or fig["value"] <= 0:
        problems.append(f"value {fig.get('value')!r}")
    low, high = fig.get("low"), fig.get("high")
    if low is not None and high is not None and low > high:
        problems.append(f"low {low} > high {high}")
    ref = fig.get("refers_to")
    if ref is not None and not REFERS_TO.match(ref):
        problems.append(f"refers_to {ref!r}")
    if not isinstance(fig.get("recalled"), bool):
        problems.append(f"recalled {fig.get('recalled')!r}")
    part = fig.get("part_of")
    if part is not None and part not in numbers:
        problems.append(f"part_of {part!r} names no number_text of the item")
    if not isinstance(fig.get("partial"), bool) or (part is not None and not fig["partial"]):
        problems.append(f"partial {fig.get('partial')!r} (true for a part or a sub-population)")
    return problems


@pytest.mark.parametrize("lang", LANGS)
def test_own_set_parses_and_is_consistent(lang: str) -> None:
    rows = _rows(REAL_DIR, lang)
    codes = _claimant_codes()
    assert len(rows) >= 40
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert len({r["text"] for r in rows}) == len(rows), "a sentence occurs twice"
    problems = []
    for row in rows:
        assert row["lang"] == lang
        assert "source" not in row, "the committed set is own writing, it has no source page"
        dt.date.fromisoformat(row["published"])
        numbers = [f["number_text"] for f in row["expected"]]
        for fig in row["expected"]:
            if fig["number_text"] not in row["text"]:
                problems.append((row["id"], f"number_text {fig['number_text']!r} not in text"))
            problems += [(row["id"], p) for p in _check_figure(fig, codes, numbers)]
        if not row["trap"] and not row["expected"]:
            problems.append((row["id"], "neither a trap nor any figure"))
    assert not problems, problems


@pytest.mark.parametrize("lang", LANGS)
def test_manifest_parses_and_carries_no_text(lang: str) -> None:
    rows = _rows(MANIFEST_DIR, lang)
    codes = _claimant_codes()
    assert rows
    problems = []
    for row in rows:
        assert "text" not in row and "sentence" not in row
        assert row["lang"] == lang and row["url"].startswith("http") and row["query"]
        dt.date.fromisoformat(row["published"])
        numbers = [f["number_text"] for f in row["expected"]]
        for fig in row["expected"]:
            problems += [(row["id"], p) for p in _check_figure(fig, codes, numbers)]
    assert not problems, problems


def test_devset_rebuild_keeps_only_passages_with_every_gold_number(tmp_path: Path) -> None:
    from tests.helpers.real_devset import build

    manifest = tmp_path / "manifest"
    manifest.mkdir()
    fig = {"metric": "killed", "value": 40, "number_text": "40"}
    rows = [
        {"id": "xx-1", "lang": "en", "expected": [fig]},
        {"id": "xx-2", "lang": "en", "expected": [fig]},
        {"id": "xx-3", "lang": "en", "expected": []},
    ]
    (manifest / "en.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    src = tmp_path / "src"
    src.mkdir()
    (src / "en.tsv").write_text("xx-1\tSome 40 were killed.\\nA second line.\nxx-2\tNo number.\n")
    written, total, problems = build(src, tmp_path / "out", manifest)
    assert (written, total) == (1, 3)
    assert [p.split(":")[0] for p in problems] == ["xx-2", "xx-3"]
    (row,) = _rows(tmp_path / "out", "en")
    assert row["text"] == "Some 40 were killed.\nA second line." and row["expected"] == [fig]
