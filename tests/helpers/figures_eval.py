"""Scoring of the figure extractor on the labelled sets (`tests/data/figures_*`): precision,
recall and F1 per language and per metric, and the accuracy of each field over the matched
figures. The quality tests assert on it; `benchmarks/bench_figures.py` prints it.

Matching: a predicted claim matches an expected one when metric and value are equal and an
occurrence of the expected ``number_text`` overlaps the predicted ``[start, end)``; matching is
greedy and one-to-one within each item.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tests.helpers.paths import ROOT
from worker.figures import Claim, extract_claims, load_lexicons

EVAL_DIR = ROOT / "tests" / "data" / "figures_eval"
FIELDS = ("subject", "qualifier", "modality", "claimant", "scope", "refers_to", "recalled")
# accuracy over the matched figures whose expected value is set (claimant: the figures that
# have one; recalled: the recalled figures), beside the plain accuracy of FIELDS
CONDITIONAL = ("claimant", "recalled")


def load_items(eval_dir: Path = EVAL_DIR) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in sorted(eval_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                items.append(json.loads(line))
    return items


def _published(item: dict[str, Any]) -> dt.date | None:
    raw = item.get("published")
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if not needle:
        return out
    pos = text.find(needle)
    while pos >= 0:
        out.append((pos, pos + len(needle)))
        pos = text.find(needle, pos + 1)
    return out


def match_item(
    text: str, expected: Sequence[dict[str, Any]], predicted: Sequence[Claim]
) -> list[tuple[int, int]]:
    """Greedy one-to-one matches as (expected index, predicted index)."""
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for ei, exp in enumerate(expected):
        spans = _occurrences(text, str(exp.get("number_text", "")))
        for pi, pred in enumerate(predicted):
            if pi in used or pred.metric != exp["metric"] or pred.value != exp["value"]:
                continue
            if any(s < pred.end and pred.start < e for s, e in spans):
                used.add(pi)
                pairs.append((ei, pi))
                break
    return pairs


def _field(text: str, predicted: Sequence[Claim], pi: int, name: str, want: Any) -> Any:
    """A predicted field as the gold format writes it: ``part_of`` as the printed number of
    the total (the expected one when the predicted total's span overlaps it)."""
    pred = predicted[pi]
    if name != "part_of":
        return getattr(pred, name)
    idx = pred.part_of
    if idx is None or not 0 <= idx < len(predicted):
        return None
    total = predicted[idx]
    if want and any(a < total.end and total.start < b for a, b in _occurrences(text, want)):
        return want
    return text[total.start : total.end]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def evaluate(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Precision/recall/F1 per language and per metric, plus field accuracy over matches."""
    lexicons = load_lexicons()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    mcounts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    field_ok: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    errors: list[dict[str, Any]] = []
    for item in items:
        lang = item["lang"]
        text = item["text"]
        expected = item.get("expected", [])
        predicted = extract_claims(text, lang, _published(item), lexicons=lexicons)
        pairs = match_item(text, expected, predicted)
        matched_e = {e for e, _ in pairs}
        matched_p = {p for _, p in pairs}
        for key, table in ((lang, counts), ("all", counts)):
            table[key][0] += len(pairs)
            table[key][1] += len(predicted) - len(pairs)
            table[key][2] += len(expected) - len(pairs)
        for _, pi in pairs:
            mcounts[predicted[pi].metric][0] += 1
        for pi, pred in enumerate(predicted):
            if pi not in matched_p:
                mcounts[pred.metric][1] += 1
                errors.append(
                    {"id": item["id"], "kind": "FP", "claim": pred.to_dict(), "text": text}
                )
        for ei, exp in enumerate(expected):
            if ei not in matched_e:
                mcounts[exp["metric"]][2] += 1
                errors.append({"id": item["id"], "kind": "FN", "expected": exp, "text": text})
        for ei, pi in pairs:
            exp, pred = expected[ei], predicted[pi]
            wrong = {}
            for f in FIELDS + ("low", "high", "part_of", "partial"):
                if f not in exp and f in ("refers_to", "recalled", "part_of", "partial"):
                    continue  # an older set without the field
                want = exp.get(f, False if f in ("recalled", "partial") else None)
                got = _field(text, predicted, pi, f, want)
                ok = want == got
                names = [f]
                if f in CONDITIONAL and want:
                    names.append(f + "_set")  # claimant right where one is expected, etc.
                for key in (lang, "all"):
                    for name in names:
                        field_ok[key][name][0] += int(ok)
                        field_ok[key][name][1] += 1
                if not ok:
                    wrong[f] = (want, got)
            if wrong:
                errors.append(
                    {
                        "id": item["id"],
                        "kind": "FIELD",
                        "number": exp["number_text"],
                        "metric": exp["metric"],
                        "wrong": wrong,
                    }
                )
    return {
        "languages": {k: _prf(*v) for k, v in sorted(counts.items())},
        "metrics": {k: _prf(*v) for k, v in sorted(mcounts.items())},
        "fields": {
            k: {f: ok / n if n else 1.0 for f, (ok, n) in v.items()}
            for k, v in sorted(field_ok.items())
        },
        "errors": errors,
    }
