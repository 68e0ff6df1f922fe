"""Hostile text against the pure core: figure extraction, the cleaner's rules (`clean_text`:
paragraphs, `line`/`tail`/`teaser` rules) and the topic rule, each fed about 100 KB of digit
runs, separators, invisible characters, sentences without an end and repeated cue words, in
every language. The target (issue 14) is at most 0.2 s per 100 KB for each, whatever the
text: the work must grow linearly with it, and one hostile page must not stall a process.

Each timing is the best of `--repeat` runs in CPU time of this process (the machine is
shared: wall time would count the waits for a core) scaled to 100 KB of UTF-8.

    python benchmarks/run.py --only adversarial
    python -m benchmarks.bench_adversarial --size 100000 --json
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import emit_json, show
from worker import clean, figures, topic
from worker.data import BOILERPLATE, TOPICS, packaged
from worker.figures import extract_claims, load_lexicons

TARGET = 0.2  # seconds per 100 KB
LANGS = ("en", "fr", "de", "es", "ru", "uk", "ko")

# Words of our own per language: a casualty word, the troops, a source, a filler clause.
WORDS: dict[str, tuple[str, str, str, str]] = {
    "en": ("killed", "North Korean soldiers", "the spy agency said",
           "and the shelling went on along the front"),
    "fr": ("tués", "soldats nord-coréens", "selon le renseignement",
           "et les bombardements se poursuivaient sur le front"),
    "de": ("getötet", "nordkoreanische Soldaten", "laut dem Geheimdienst",
           "und der Beschuss ging an der Front weiter"),
    "es": ("muertos", "soldados norcoreanos", "según la inteligencia",
           "y los bombardeos seguían en el frente"),
    "ru": ("погибли", "северокорейских военных", "по данным разведки",
           "и обстрелы продолжались на фронте"),
    "uk": ("загинули", "північнокорейських військових", "за даними розвідки",
           "і обстріли тривали на фронті"),
    "ko": ("사망", "북한군", "국정원에 따르면", "그리고 전선에서 포격이 계속됐다"),
}


def _fill(unit: str, size: int, prefix: str = "") -> str:
    """`prefix` then `unit` repeated to about `size` bytes of UTF-8."""
    per = max(1, len(unit.encode()))
    return prefix + unit * max(1, (size - len(prefix.encode())) // per)


def cases(lang: str, size: int) -> dict[str, str]:
    """The hostile texts for one language, each about `size` bytes."""
    cue, troops, source, filler = WORDS[lang]
    lead = f"{troops} {cue} "
    return {
        "digit run": _fill("1", size, lead),
        "digits and spaces": _fill("1 ", size, lead),
        "thousands groups": _fill("1 000 ", size, lead),
        "separators": _fill("1,000.", size, lead),
        "numbers between dashes": _fill("600 - ", size, lead),
        "invisible in numbers": _fill("6\u200b000 \u202e1200 ", size, lead),
        "sentence without end": _fill(f"600 {troops} {cue} {source} {filler} ", size),
        "repeated cue words": _fill(f"{cue} ", size, "600 "),
        "cue and number, commas": _fill(f"{cue} 600, ", size, f"{troops} "),
        "short sentences": _fill(f"{source}, 600 {troops} {cue}. ", size),
        "one word": _fill("a", size),
        "blank lines": _fill(" \n", size, lead),
    }


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000, help="bytes of each hostile text")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    lexicons = load_lexicons()
    rules = clean.load_rules(packaged(BOILERPLATE))
    rule = topic.load_topic(packaged(TOPICS))
    extract_claims("warm-up: 600 soldiers were killed.", "en", lexicons=lexicons)
    stages: dict[str, Callable[[str, str], Any]] = {
        "figures": lambda text, lang: extract_claims(text, lang, lexicons=lexicons),
        "cleaner": lambda text, lang: clean.clean_text(text, rules),
        "topic": lambda text, lang: topic.relevance(text, rule),
    }
    rows: list[dict[str, Any]] = []
    for lang in LANGS:
        quarter = cases(lang, args.size // 4)
        for name, text in cases(lang, args.size).items():
            kb = len(text.encode()) / 100_000
            row: dict[str, Any] = {"case": name, "lang": lang, "bytes": len(text.encode())}
            for stage, fn in stages.items():
                row[stage] = best_of(lambda fn=fn, text=text, lang=lang: fn(text, lang),
                                     args.repeat) / kb
            # linear time: the full size costs about four times the quarter size
            small = quarter[name]
            t_small = best_of(lambda small=small, lang=lang: stages["figures"](small, lang),
                              args.repeat) / (len(small.encode()) / 100_000)
            row["figures_growth"] = row["figures"] / max(t_small, 1e-9)
            rows.append(row)
    worst = {stage: max(rows, key=lambda r, s=stage: r[s]) for stage in stages}
    # growth is noise where the cost is tiny (a few milliseconds per 100 KB)
    growth = max(rows, key=lambda r: r["figures_growth"] if r["figures"] > 0.05 else 0)
    result = {
        "size": args.size, "repeat": args.repeat, "target_s_per_100kb": TARGET, "rows": rows,
        "worst": {stage: {"case": r["case"], "lang": r["lang"], "s_per_100kb": r[stage]}
                  for stage, r in worst.items()},
        "worst_growth": {"case": growth["case"], "lang": growth["lang"],
                         "ratio": growth["figures_growth"]},
        # compiled or source (worker/figures/native.py): the figures' timings depend on it
        "extractor": figures.COMPILED_WHY if figures.COMPILED else
        f"from source: {figures.COMPILED_WHY}",
    }
    if args.json:
        emit_json(result)
    else:
        print_tables(result)
    return result


def print_tables(result: dict[str, Any]) -> None:
    by_case: dict[str, dict[str, float]] = {}
    for r in result["rows"]:
        agg = by_case.setdefault(r["case"], {"figures": 0.0, "cleaner": 0.0, "topic": 0.0,
                                             "figures_growth": 0.0})
        for stage in agg:
            agg[stage] = max(agg[stage], r[stage])
    show(f"Hostile text, seconds per 100 KB (worst of {len(LANGS)} languages, best of "
         f"{result['repeat']} runs); growth = figures' cost per byte at full size / at a "
         "quarter (1.0 = linear)", ["case", "figures", "cleaner", "topic", "figures growth"],
         [(case, v["figures"], v["cleaner"], v["topic"], v["figures_growth"])
          for case, v in by_case.items()])
    show(f"Worst case per stage (target ≤ {TARGET} s per 100 KB; extractor {result['extractor']})",
         ["stage", "case", "language", "s per 100 KB", "result"],
         [(stage, w["case"], w["lang"], w["s_per_100kb"],
           "pass" if w["s_per_100kb"] <= TARGET else "FAIL")
          for stage, w in result["worst"].items()])


if __name__ == "__main__":
    main()
