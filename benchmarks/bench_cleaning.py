"""Cleaning quality and cost on ../shared/corpus: bare `trafilatura.extract` with its default
options against the worker's cleaning (`worker.clean.extract_html` with the pipeline's options,
then the boilerplate rules), scored as trafilatura's evaluation does: a `with` snippet found is a
true positive, a `without` snippet found a false positive, a missing `with` a false negative.

Targets (issue 17): the worker's F1 at least 0.01 above bare trafilatura's, its precision and
recall both not below; its time per page within 5 % of bare trafilatura's. The two are timed
page by page in alternation, so a load change on the machine hits both alike.

    python benchmarks/bench_cleaning.py              # the table above
    python benchmarks/bench_cleaning.py --options    # trafilatura's options compared, bare
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import trafilatura

from benchmarks.common import CORPUS, emit_json, read_page, show
from worker.clean import TRAFILATURA_OPTIONS, extract_html, load_rules, strip_boilerplate
from worker.data import BOILERPLATE, packaged

F1_MARGIN = 0.01
TIME_RATIO = 1.05
HOSTILE_SECONDS = 0.2  # per 100 KB of hostile text (issue 14)

# Hostile texts for the boilerplate rules: one cue word repeated (as one paragraph, or one per
# line), digit runs, a long sentence without punctuation.
HOSTILE: dict[str, tuple[str, str]] = {
    "'Read more' lines": ("Read more", "\n"),
    "'Фото:' run": ("Фото: ", ""),
    "'관련 키워드' run": ("관련 키워드", ""),
    "'Subscribe!' run": ("Subscribe! ", ""),
    "'Lesen Sie auch' lines": ("Lesen Sie auch", "\n"),
    "one-character lines": ("|", "\n"),
    "digit run '1 '": ("1 ", ""),
    "digit lines": ("1 000", "\n"),
    "'©' run": ("© ", ""),
    "long sentence, no punctuation": ("troops moved towards Kursk ", ""),
}

# The variants `--options` compares (each alone, then the pipeline's choice).
VARIANTS: dict[str, dict[str, object]] = {
    "default": {},
    "include_comments=False": {"include_comments": False},
    "favor_precision": {"favor_precision": True},
    "favor_precision, no comments": {"favor_precision": True, "include_comments": False},
    "favor_recall": {"favor_recall": True},
    "favor_recall, no comments": {"favor_recall": True, "include_comments": False},
    "include_tables=False": {"include_tables": False},
    "deduplicate": {"deduplicate": True},
    "deduplicate, no comments": {"deduplicate": True, "include_comments": False},
    "fast (no fallback)": {"fast": True},
    "fast, no comments": {"fast": True, "include_comments": False},
    "pipeline (TRAFILATURA_OPTIONS)": dict(TRAFILATURA_OPTIONS),
}


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


def _pages(expected: dict[str, Any]) -> dict[str, str]:
    out = {}
    for spec in expected.values():
        path = CORPUS / "pages" / spec["file"]
        if path.exists():
            out[spec["file"]] = read_page(path)
    return out


def compare_options(expected: dict[str, Any], pages: dict[str, str]) -> dict[str, Any]:
    """Bare trafilatura under each variant of its options: quality and seconds."""
    result: dict[str, Any] = {}
    for name, opts in VARIANTS.items():
        t0 = time.perf_counter()
        outputs = {f: trafilatura.extract(h, **opts) or "" for f, h in pages.items()}  # type: ignore[arg-type]
        result[name] = {**score(outputs, expected), "seconds": time.perf_counter() - t0}
    return result


def hostile(rules: Any) -> dict[str, float]:
    """Seconds per 100 KB that the boilerplate rules take on each hostile text."""
    out = {}
    for name, (cue, sep) in HOSTILE.items():
        unit = cue + sep
        text = unit * (100_000 // len(unit.encode("utf-8")))
        t0 = time.perf_counter()
        strip_boilerplate(text, rules)
        out[name] = (time.perf_counter() - t0) * 100_000 / len(text.encode("utf-8"))
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--options", action="store_true", help="compare trafilatura's options")
    ap.add_argument("--rounds", type=int, default=2, help="timed passes over the corpus")
    args = ap.parse_args(argv)
    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    pages = _pages(expected)
    if args.options:
        variants = compare_options(expected, pages)
        if args.json:
            emit_json(variants)
        else:
            show(f"trafilatura's options on {len(pages)} corpus pages (bare, no rules)",
                 ["options", "precision", "recall", "F1", "fp", "fn", "seconds"],
                 [(n, v["precision"], v["recall"], v["f1"], v["fp"], v["fn"], v["seconds"])
                  for n, v in variants.items()])
        return variants
    rules = load_rules(packaged(BOILERPLATE))
    bare: dict[str, str] = {}
    ours: dict[str, str] = {}
    t_bare = t_ours = 0.0
    for _ in range(max(1, args.rounds)):
        for name, html in pages.items():
            t0 = time.perf_counter()
            bare[name] = trafilatura.extract(html) or ""
            t1 = time.perf_counter()
            ours[name] = strip_boilerplate(extract_html(html).text, rules)
            t2 = time.perf_counter()
            t_bare += t1 - t0
            t_ours += t2 - t1
    s_bare, s_ours = score(bare, expected), score(ours, expected)
    ratio = t_ours / t_bare if t_bare else 0.0
    hostile_s = hostile(rules)
    result = {"pages": len(pages), "bare": s_bare, "ours": s_ours, "hostile": hostile_s,
              "bare_seconds": t_bare, "ours_seconds": t_ours, "time_ratio": ratio,
              "f1_gain": s_ours["f1"] - s_bare["f1"],
              "meets": (s_ours["f1"] >= s_bare["f1"] + F1_MARGIN
                        and s_ours["precision"] >= s_bare["precision"]
                        and s_ours["recall"] >= s_bare["recall"] and ratio <= TIME_RATIO)}
    if args.json:
        emit_json(result)
    else:
        per_page = 1000 / (len(pages) * max(1, args.rounds))
        show(f"Cleaning quality on {len(pages)} corpus pages",
             ["extractor", "precision", "recall", "F1", "tp", "fp", "fn", "ms/page"],
             [("bare trafilatura.extract (defaults)",
               *(s_bare[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")),
               t_bare * per_page),
              ("worker.clean (options + rules)",
               *(s_ours[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")),
               t_ours * per_page)])
        print(f"F1 gain {result['f1_gain']:+.4f} (target ≥ +{F1_MARGIN}), time ratio "
              f"{ratio:.3f} (target ≤ {TIME_RATIO})")
        show("Boilerplate rules on hostile text", ["text", "s / 100 KB", "target"],
             [(n, v, f"≤ {HOSTILE_SECONDS}") for n, v in hostile_s.items()])
    return result


if __name__ == "__main__":
    main()
