"""Start-up time of the `worker` command: the median wall time (and CPU time, user + system of
the child, which a shared machine inflates less) of 10 process runs each of
`worker --help`, and of `worker figures`, `feeds list` and `feeds add URL` on a small database
(the seeds replayed, 20 feeds). Every run is a new process, as when a script calls the command
in a loop; the first run of each is a warm-up (file cache) and not counted. Then bulk import:
`worker feeds import` of an OPML list of 1,000 feeds into that database, in one process.

The package's bytecode is compiled first, as a regular install has it (pip compiles it): where
PYTHONDONTWRITEBYTECODE is set, an editable checkout would otherwise compile every module of
`worker` from source at each start, about 0.04 s that no user of an install pays.

    python benchmarks/bench_startup.py [--runs 10] [--json]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import emit_json, show  # noqa: E402

HELP_SECONDS, COMMAND_SECONDS = 0.15, 0.4  # the targets
IMPORT_FEEDS, IMPORT_SECONDS = 1000, 10.0


def worker_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m worker`."""
    script = Path(sys.executable).parent / "worker"
    return [str(script)] if script.exists() else [sys.executable, "-m", "worker"]


def _env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKER_")}
    env.update(WORKER_DATABASE_URL=db_url, WORKER_LOG_FORMAT="json", COLUMNS="160")
    return env


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `worker` process."""
    cpu = _child_cpu()
    started = time.perf_counter()
    res = subprocess.run([*worker_command(), *args], env=env, cwd=cwd, capture_output=True,
                         text=True, check=False)
    seconds = time.perf_counter() - started
    if res.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed: {res.stderr.strip()[-500:]}")
    return seconds, _child_cpu() - cpu


def timed(args: list[str], env: dict[str, str], cwd: Path) -> float:
    return timed_cpu(args, env, cwd)[0]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    compileall.compile_dir(ROOT / "worker", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        env = _env(f"sqlite:///{cwd / 'small.db'}")
        subprocess.run([*worker_command(), "replay", str(ROOT / "seeds")], env=env, cwd=cwd,
                       capture_output=True, check=True)
        for n in range(20):
            timed(["feeds", "add", f"https://feeds.example.org/seed/{n}.xml"], env, cwd)
        commands: dict[str, list[list[str]]] = {
            "worker --help": [["--help"]] * (args.runs + 1),
            "worker figures": [["figures"]] * (args.runs + 1),
            "worker feeds list": [["feeds", "list"]] * (args.runs + 1),
            "worker feeds add URL": [["feeds", "add", f"https://feeds.example.org/new/{n}.xml"]
                                     for n in range(args.runs + 1)],
        }
        results: dict[str, Any] = {}
        for label, runs in commands.items():
            measured = [timed_cpu(a, env, cwd) for a in runs][1:]
            times = [wall for wall, _ in measured]
            target = HELP_SECONDS if label == "worker --help" else COMMAND_SECONDS
            results[label] = {"median_s": round(statistics.median(times), 4),
                              "min_s": round(min(times), 4), "max_s": round(max(times), 4),
                              "median_cpu_s": round(statistics.median(c for _, c in measured),
                                                    4),
                              "target_s": target,
                              "ok": statistics.median(times) < target}
        listing = cwd / "feeds.opml"
        listing.write_text(
            '<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>'
            + "".join(f'<outline type="rss" text="Feed {n}" '
                      f'xmlUrl="https://host{n % 97}.example.org/feed/{n}.xml"/>'
                      for n in range(IMPORT_FEEDS)) + "</body></opml>", encoding="utf-8")
        seconds, cpu = timed_cpu(["feeds", "import", str(listing)], env, cwd)
        label = f"worker feeds import ({IMPORT_FEEDS:,} feeds, OPML, one process)"
        results[label] = {"median_s": round(seconds, 4), "min_s": round(seconds, 4),
                          "max_s": round(seconds, 4), "median_cpu_s": round(cpu, 4),
                          "target_s": IMPORT_SECONDS,
                          "ok": seconds < IMPORT_SECONDS}
    report = {"runs": args.runs, "commands": results, "load_average": os.getloadavg()}
    if not args.json:
        print(f"load average {' '.join(f'{x:.1f}' for x in report['load_average'])}")
    if args.json:
        emit_json(report)
    else:
        show(f"Start-up, median of {args.runs} process runs",
             ["command", "median s", "min s", "max s", "median CPU s", "target s", "result"],
             [(k, f"{v['median_s']:.3f}", f"{v['min_s']:.3f}", f"{v['max_s']:.3f}",
               f"{v['median_cpu_s']:.3f}", f"< {v['target_s']}", "pass" if v["ok"] else "FAIL")
              for k, v in results.items()])
    return report


if __name__ == "__main__":
    main()
