"""Cleaning quality on ../shared/corpus: bare trafilatura.extract vs our cleaning (trafilatura
with the same options + boilerplate rules), scored as trafilatura's evaluation does: a `with`
snippet found is a true positive, a `without` snippet found a false positive, a missing `with`
a false negative."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import trafilatura

from benchmarks.common import CORPUS, emit_json, read_page, show
from worker.clean import TRAFILATURA_OPTIONS, extract_html, load_rules, strip_boilerplate
from worker.data import BOILERPLATE, packaged


def score(outputs: dict[str, str], expected: dict[str, Any]) -> dict[str, float]:
    tp = fp = fn = 0
    for spec in expected.values():
        text = outputs.get(spec["file"], "")
        for snippet in spec.get("with", []):
            if snippet in text:
                tp += 1
            else:
                fn += 1
        for snippet in spec.get("without", []):
            if snippet in text:
                fp += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    rules = load_rules(packaged(BOILERPLATE))
    bare: dict[str, str] = {}
    ours: dict[str, str] = {}
    t_bare = t_ours = 0.0
    for spec in expected.values():
        path = CORPUS / "pages" / spec["file"]
        if not path.exists():
            continue
        html = read_page(path)
        t0 = time.perf_counter()
        bare[spec["file"]] = trafilatura.extract(html, **TRAFILATURA_OPTIONS) or ""  # type: ignore[arg-type]
        t1 = time.perf_counter()
        ours[spec["file"]] = strip_boilerplate(extract_html(html).text, rules)
        t2 = time.perf_counter()
        t_bare += t1 - t0
        t_ours += t2 - t1
    result = {"pages": len(bare), "bare": score(bare, expected), "ours": score(ours, expected),
              "bare_seconds": t_bare, "ours_seconds": t_ours}
    if args.json:
        emit_json(result)
    else:
        show(f"Cleaning quality on {len(bare)} corpus pages",
             ["extractor", "precision", "recall", "F1", "tp", "fp", "fn", "seconds"],
             [("bare trafilatura", *(result["bare"][k] for k in
                                              ("precision", "recall", "f1", "tp", "fp", "fn")),
               t_bare),
              ("worker.clean", *(result["ours"][k] for k in
                                                ("precision", "recall", "f1", "tp", "fp", "fn")),
               t_ours)])
    return result


if __name__ == "__main__":
    main()
