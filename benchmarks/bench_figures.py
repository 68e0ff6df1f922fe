"""Benchmark the figure extractor on the labelled sets (quality) and on raw text (throughput).

Usage: ``python benchmarks/bench_figures.py [--set eval|dev2|heldout|real ...] [--real DIR]
[--json] [--check] [--errors] [--no-speed]``

The real-text development set (passages of published articles, kept outside the repository)
is scored as the set ``real`` when ``--real DIR`` or the environment variable
``FIGURES_REAL_DIR`` names its directory of ``<lang>.jsonl`` files.

Labelled sets live in ``tests/data/``: ``figures_eval`` (the development set the lexicons were
written against), ``figures_dev2`` (a second, stylistically different development set) and
``figures_heldout`` (held out; reported when present).  By default every set that exists is
scored, one table each; the top-level ``languages`` / ``metrics`` / ``fields`` of ``--json``
stay those of the first set scored (``eval`` by default), the others go under ``sets``.

Matching: a predicted claim matches an expected one when metric and value are equal and an
occurrence of the expected ``number_text`` overlaps the predicted ``[start, end)``; matching is
greedy and one-to-one within each item.  ``--check`` exits non-zero when a language misses
precision >= 0.95 or recall >= 0.90.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers.figures_eval import EVAL_DIR, evaluate, load_items  # noqa: E402
from tests.helpers.paths import CORPUS  # noqa: E402
from worker.figures import extract_claims, load_lexicons  # noqa: E402

SET_DIRS = {
    "eval": EVAL_DIR,
    "dev2": ROOT / "tests" / "data" / "figures_dev2",
    "heldout": ROOT / "tests" / "data" / "figures_heldout",
    # the committed sentences reproducing real reporting (figdata's set, issue 11)
    "written": ROOT / "tests" / "data" / "figures_real",
}
CORPUS_DIR = CORPUS / "pages"
REAL_ENV = "FIGURES_REAL_DIR"
DENSE = "figure-dense texts (every committed set)"
SPEED_TARGET = 1.0  # MB/s of text on one core (issue 11), on real pages and on figure-dense text
TARGET_P = 0.95
TARGET_R = 0.90


def _corpus_texts() -> list[tuple[str, str]]:
    if not CORPUS_DIR.is_dir():
        return []
    try:
        import trafilatura
    except ImportError:
        return []
    try:
        import py3langid
    except ImportError:
        py3langid = None
    supported = set(load_lexicons().languages)
    out: list[tuple[str, str]] = []
    for path in sorted(CORPUS_DIR.glob("*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        text = trafilatura.extract(html) or ""
        if not text:
            continue
        lang = "en"
        if py3langid is not None:
            guess = py3langid.classify(text[:2000])[0]
            lang = guess if guess in supported else "en"
        out.append((text, lang))
    return out


def throughput(docs: Sequence[tuple[str, str]], min_bytes: int = 5_000_000) -> dict[str, float]:
    """MB/s of UTF-8 text on one core, repeating ``docs`` until ``min_bytes`` are processed."""
    lexicons = load_lexicons()
    size = sum(len(t.encode("utf-8")) for t, _ in docs)
    if not size:
        return {"mb": 0.0, "seconds": 0.0, "mb_per_s": 0.0}
    rounds = max(1, -(-min_bytes // size))
    t0 = time.process_time()
    for _ in range(rounds):
        for text, lang in docs:
            extract_claims(text, lang, lexicons=lexicons)
    secs = time.process_time() - t0
    mb = size * rounds / 1e6
    return {"mb": mb, "seconds": secs, "mb_per_s": mb / secs if secs else float("inf")}


def _print_tables(result: dict[str, Any], speed: dict[str, dict[str, float]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    first = result.get("set", "eval")
    for name, res in [(first, result), *result.get("sets", {}).items()]:
        console.print(_language_table(res, f"Figure extraction by language ({name})"))
    metrics = Table(title=f"By metric ({first})")
    for col in ("metric", "P", "R", "F1", "tp", "fp", "fn"):
        metrics.add_column(col, justify="right")
    for metric, s in result["metrics"].items():
        metrics.add_row(metric, *_prf_cells(s))
    console.print(metrics)
    speed_table = Table(title=f"Throughput (one core; extractor {_extractor_mode()})")
    for col in ("input", "MB", "seconds", "MB/s"):
        speed_table.add_column(col, justify="right")
    for name, s in speed.items():
        speed_table.add_row(name, f"{s['mb']:.2f}", f"{s['seconds']:.2f}", f"{s['mb_per_s']:.2f}")
    console.print(speed_table)


def _extractor_mode() -> str:
    """Compiled or source (worker/figures/native.py): the throughput depends on it."""
    from worker import figures

    return figures.COMPILED_WHY if figures.COMPILED else f"from source: {figures.COMPILED_WHY}"


def _prf_cells(s: dict[str, Any]) -> list[str]:
    """Precision, recall, F1 and the counts behind them, as table cells."""
    return [f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}",
            str(s["tp"]), str(s["fp"]), str(s["fn"])]


TABLE_FIELDS = (
    "subject", "qualifier", "modality", "claimant", "claimant_set", "scope", "refers_to",
    "recalled", "recalled_set", "part_of", "partial",
)


def _cell(fields: dict[str, float], name: str) -> str:
    """Accuracy cell; '-' when no matched figure had the field."""
    return f"{fields[name]:.3f}" if name in fields else "-"


def _language_table(result: dict[str, Any], title: str) -> Any:
    from rich.table import Table

    langs = Table(title=title)
    for col in ("lang", "P", "R", "F1", "tp", "fp", "fn", *TABLE_FIELDS):
        langs.add_column(col, justify="right")
    for lang, s in result["languages"].items():
        f = result["fields"].get(lang, {})
        langs.add_row(lang, *_prf_cells(s), *(_cell(f, k) for k in TABLE_FIELDS))
    return langs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--check", action="store_true", help="exit 1 if a language misses target")
    parser.add_argument("--errors", action="store_true", help="list mismatches")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput runs")
    parser.add_argument(
        "--set",
        action="append",
        choices=sorted([*SET_DIRS, "real"]),
        dest="sets",
        help="labelled set(s) to score (repeatable; default: every set present)",
    )
    parser.add_argument(
        "--real",
        type=Path,
        default=os.environ.get(REAL_ENV) or None,
        help=f"directory of the real-text development set (default: ${REAL_ENV})",
    )
    args = parser.parse_args(argv)
    dirs = dict(SET_DIRS)
    if args.real is not None and Path(args.real).is_dir():
        dirs["real"] = Path(args.real)
    names = args.sets or [n for n, d in dirs.items() if d.is_dir()] or ["eval"]
    missing = [n for n in names if n not in dirs]
    if missing:
        parser.error(f"no directory for set(s) {', '.join(missing)} (--real DIR or ${REAL_ENV})")
    scored = {n: evaluate(load_items(dirs[n])) for n in dict.fromkeys(names)}
    first = next(iter(scored))
    result: dict[str, Any] = dict(scored[first])
    result["set"] = first
    others = {n: r for n, r in scored.items() if n != first}
    if others:
        result["sets"] = others
    items = load_items(dirs[first])
    speed: dict[str, dict[str, float]] = {}
    if not args.no_speed:
        eval_docs = [(it["text"], it["lang"]) for it in items]
        speed[f"{first} texts"] = throughput(eval_docs)
        # figure-dense text: every sentence of every committed set (nearly all carry figures)
        dense = [(it["text"], it["lang"]) for d in SET_DIRS.values() if d.is_dir()
                 for it in load_items(d)]
        if dense:
            speed[DENSE] = throughput(dense)
        corpus = _corpus_texts()
        if corpus:
            speed["corpus pages"] = throughput(corpus)
    if args.json:
        payload = {k: v for k, v in result.items() if k != "errors" or args.errors}
        if not args.errors and "sets" in payload:
            payload["sets"] = {
                n: {k: v for k, v in r.items() if k != "errors"} for n, r in others.items()
            }
        payload["throughput"] = speed
        payload["extractor"] = _extractor_mode()
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_tables(result, speed)
        if args.errors:
            for res in scored.values():
                for err in res["errors"]:
                    print(json.dumps(err, ensure_ascii=False))
    if args.check:
        failing = [
            f"{lang} ({name})"
            for name, res in scored.items()
            for lang, s in res["languages"].items()
            if lang != "all" and (s["precision"] < TARGET_P or s["recall"] < TARGET_R)
        ]
        if failing:
            print(f"targets missed: {', '.join(failing)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
