"""Off-topic ingest, as a user runs it: `worker replay` of a directory of pages, as a whole
process (start, migrations of a fresh SQLite file, every page, exit), next to a process that
runs bare `trafilatura.extract` (same options) over the same pages, in the same run.

Mixes: the corpus as it is (almost all off-topic), and the corpus with the fixture feed's
relevant pages mixed in at 5 % and 20 % (copies of `seeds/*.html`, each with a paragraph of its
own so that every copy is a new article). Each mix is timed with the topic pre-filter on and
off; runs alternate (bare, on, off), `--rounds` times, and the medians are reported."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, corpus_pages, emit_json, show

SEEDS = ROOT / "seeds"
BARE = """
import sys, pathlib, trafilatura
from worker.clean import TRAFILATURA_OPTIONS
for p in sorted(pathlib.Path(sys.argv[1]).glob("*.html")):
    trafilatura.extract(p.read_bytes().decode("utf-8", "replace"), **TRAFILATURA_OPTIONS)
"""


def relevant_pages() -> list[Path]:
    """The fixture feed's pages that the worker keeps (the others are off-topic on purpose)."""
    return [p for p in sorted(SEEDS.glob("*.html"))
            if "missile" not in p.name and ".v2." not in p.name]


def build_mix(directory: Path, corpus: list[Path], share: float) -> int:
    """Corpus pages plus `share` of relevant pages (of the total); returns the relevant count."""
    directory.mkdir(parents=True)
    for page in corpus:
        shutil.copy(page, directory / page.name)
    wanted = round(share * len(corpus) / (1 - share)) if share else 0
    seeds = relevant_pages()
    for i in range(wanted):
        html = seeds[i % len(seeds)].read_text(encoding="utf-8")
        own = f"<p>Reader copy number {i} of this report, kept for the benchmark.</p></body>"
        (directory / f"zz_relevant_{i:03d}.html").write_text(html.replace("</body>", own, 1),
                                                             encoding="utf-8")
    return wanted


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the process and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_mix(directory: Path, rounds: int) -> dict[str, tuple[float, float]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_")}
    env["WORKER_LOG_LEVEL"] = "WARNING"
    times: dict[str, list[tuple[float, float]]] = {"bare": [], "on": [], "off": []}
    for r in range(rounds):
        times["bare"].append(timed([sys.executable, "-c", BARE, str(directory)], env))
        for mode in ("on", "off"):
            db = directory.parent / f"{directory.name}-{mode}-{r}.db"
            run_env = {**env, "WORKER_PIPELINE_PREFILTER": "true" if mode == "on" else "false"}
            times[mode].append(timed([sys.executable, "-m", "worker", "--database-url",
                                      f"sqlite:///{db}", "replay", str(directory)], run_env))
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
            for k, v in times.items()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    corpus = corpus_pages()
    result: dict[str, Any] = {"pages": len(corpus), "rounds": args.rounds, "mixes": []}
    with tempfile.TemporaryDirectory() as tmp:
        for label, share in (("off-topic corpus", 0.0), ("5 % relevant", 0.05),
                             ("20 % relevant", 0.20)):
            directory = Path(tmp) / label.replace(" ", "_").replace("%", "pc")
            relevant = build_mix(directory, corpus, share)
            t = run_mix(directory, args.rounds)
            result["mixes"].append({
                "mix": label, "pages": len(corpus) + relevant, "relevant": relevant,
                "bare_s": t["bare"][0], "prefilter_s": t["on"][0], "full_s": t["off"][0],
                "ratio": t["bare"][0] / t["on"][0], "ratio_without": t["bare"][0] / t["off"][0],
                "bare_cpu_s": t["bare"][1], "prefilter_cpu_s": t["on"][1],
                "cpu_ratio": t["bare"][1] / t["on"][1]})
    if args.json:
        emit_json(result)
    else:
        show("Off-topic ingest: whole `worker replay` process vs bare trafilatura process "
             f"(median of {args.rounds})",
             ("mix", "pages", "bare s", "replay s", "× bare", "CPU × bare", "no pre-filter s",
              "× bare"),
             [(m["mix"], m["pages"], m["bare_s"], m["prefilter_s"], f"{m['ratio']:.2f}×",
               f"{m['cpu_ratio']:.2f}×", m["full_s"], f"{m['ratio_without']:.2f}×")
              for m in result["mixes"]])
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
