"""`make bench`: every benchmark in turn, each printing its own tables, then one summary of
the headline figures with their targets, written to benchmarks/results.json as well.

Each benchmark runs in a fresh Python process, so one's memory (a million claims) does not
count in the next one's peak RSS and none warms another's caches.

    python benchmarks/run.py                    # everything (several minutes)
    python benchmarks/run.py --quick            # smaller sizes, for a smoke test
    python benchmarks/run.py --only ingest,polling
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `python benchmarks/run.py`
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results.json"
PG_ADMIN_URL = os.environ.get("WORKER_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NAMES = ("startup", "cleaning", "figures", "dedupe", "queries", "ingest", "offtopic", "rechecks",
         "polling", "memory", "adversarial", "reanalyse")

# Targets the issues set (ingest, figures), and ours where they set none (marked "*").
INGEST_1CORE, INGEST_POOL = 0.85, 1.6
FIGURES_P, FIGURES_R = 0.95, 0.90
DEDUPE_P, DEDUPE_R = 0.95, 0.90          # *
DEDUPE_FLAT = 2.0                        # * median at the largest size <= 2x the smallest
OFFTOPIC = {"off-topic corpus": 4.0, "5 % relevant": 3.0}
QUERY_MS = 100                           # `figures`, `figures --as-of`, `changes` (issue 13)
WRITE_GROWTH = 1.2                       # storing one article's claims, 10k -> 1M claims
FIGURES_MB_S = 1.0                       # extraction, MB of text per second on one core
HOSTILE_SECONDS = 0.2                    # per 100 KB of hostile text, each pure stage


# -- one benchmark, in this process ----------------------------------------------------

def _args(name: str, quick: bool, pg_url: str | None) -> list[str]:
    if name == "dedupe":
        return ["--sizes", "1000,10000" if quick else "10000,100000"]
    if name == "queries":
        args = ["--claims", "100000" if quick else "1000000"]
        return args + (["--postgres", pg_url] if pg_url else [])
    if name in ("polling", "memory"):
        return ["--feeds", "200" if quick else "1000"]
    if name == "offtopic":
        return ["--rounds", "1" if quick else "3"]
    if name == "rechecks" and quick:
        return ["--articles", "200", "--full", "20"]
    if name == "adversarial" and quick:
        return ["--size", "20000", "--repeat", "1"]
    if name == "reanalyse" and quick:
        return ["--copies", "3"]
    return []


def _figures(argv: list[str]) -> dict[str, Any]:
    from benchmarks import bench_figures

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        bench_figures.main(["--json", *argv])
    result: dict[str, Any] = json.loads(buf.getvalue())
    bench_figures._print_tables(result, result.get("throughput", {}))
    return result


def _analysed_fill() -> None:
    """After the bulk load of the query benchmark, update PostgreSQL's planner statistics, as
    autovacuum does within a minute in real life: without them it picks nested loops, and
    `worker changes` on 100,000 claims takes minutes instead of a second."""
    from sqlalchemy import text
    from sqlalchemy.engine import Engine

    from benchmarks import bench_queries

    fill = bench_queries.fill

    def fill_then_analyse(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        took = fill(engine, *args, **kwargs)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        return took

    bench_queries.fill = fill_then_analyse


def run_one(name: str, quick: bool, pg_url: str | None) -> Any:
    """Run benchmark `name` here (its tables go to stdout) and return its result."""
    argv = _args(name, quick, pg_url)
    if name == "figures":
        return _figures(argv)
    if name == "queries":
        _analysed_fill()
    module = __import__(f"benchmarks.bench_{name}", fromlist=["main"])
    main: Callable[[list[str]], Any] = module.main
    return main(argv)


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for the query benchmark (None if none is reachable)."""
    from sqlalchemy import create_engine, text

    name = f"worker_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL: SQLite only
        print(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({str(exc).splitlines()[0]}); "
              "queries on SQLite only", file=sys.stderr)
        yield None
        return
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def child(name: str, quick: bool, out: Path) -> int:
    with contextlib.ExitStack() as stack:
        pg_url = stack.enter_context(postgres_database()) if name == "queries" else None
        result = run_one(name, quick, pg_url)
    out.write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


# -- the summary ----------------------------------------------------------------------------

Row = tuple[str, str, str, str, str]  # benchmark, measure, value, target, verdict


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("pass" if ok else "FAIL")


def headlines(name: str, r: Any) -> list[Row]:
    rows: list[Row] = []

    def add(measure: str, value: str, target: str = "", ok: bool | None = None) -> None:
        rows.append((name, measure, value, target, _verdict(ok)))

    if name == "cleaning":
        ours, bare = r["ours"]["f1"], r["bare"]["f1"]
        add(f"F1 on {r['pages']} pages (precision {r['ours']['precision']:.3f}, "
            f"recall {r['ours']['recall']:.3f})", f"{ours:.3f}",
            f"≥ bare trafilatura {bare:.3f} + 0.01 (P {r['bare']['precision']:.3f}, "
            f"R {r['bare']['recall']:.3f} not below)",
            ours >= bare + 0.01 and r["ours"]["precision"] >= r["bare"]["precision"]
            and r["ours"]["recall"] >= r["bare"]["recall"])
        add("time per page, cleaning / bare trafilatura", f"{r['time_ratio']:.3f}", "≤ 1.05",
            r["time_ratio"] <= 1.05)
        worst = max(r["hostile"].values(), default=0.0)
        add("boilerplate rules, worst hostile text", f"{worst:.3f} s / 100 KB", "≤ 0.2",
            worst <= 0.2)
    elif name == "figures":
        for lang, s in r["languages"].items():
            if lang == "all":
                continue
            ok = s["precision"] >= FIGURES_P and s["recall"] >= FIGURES_R
            add(f"precision / recall, {lang}", f"{s['precision']:.3f} / {s['recall']:.3f}",
                f"≥ {FIGURES_P} / ≥ {FIGURES_R}", ok)
        sets = {r.get("set", "eval"): r, **r.get("sets", {})}
        for set_name, res in sets.items():
            a, f = res["languages"].get("all"), res["fields"].get("all", {})
            if a is None:
                continue
            acc = ", ".join(f"{k} {f[k]:.3f}" for k in ("claimant_set", "refers_to",
                                                           "recalled", "recalled_set") if k in f)
            add(f"{set_name}: P / R / F1 (all languages); {acc}",
                f"{a['precision']:.3f} / {a['recall']:.3f} / {a['f1']:.3f}")
        for label, s in r.get("throughput", {}).items():
            targeted = label == "corpus pages" or label.startswith("figure-dense")
            add(f"throughput, {label} (1 core, CPU time)", f"{s['mb_per_s']:.2f} MB/s",
                f"≥ {FIGURES_MB_S} MB/s" if targeted else "",
                s["mb_per_s"] >= FIGURES_MB_S if targeted else None)
    elif name == "dedupe":
        q = r["quality"]
        add("near-duplicate precision / recall",
            f"{q['precision']:.3f} / {q['recall']:.3f}", f"≥ {DEDUPE_P} / ≥ {DEDUPE_R} *",
            q["precision"] >= DEDUPE_P and q["recall"] >= DEDUPE_R)
        scale = r["scale"]
        for s in scale:
            add(f"lookup + insert, {s['stored']:,} stored", f"{s['median_ms']:.2f} ms median, "
                f"{s['p95_ms']:.2f} ms p95")
        if len(scale) > 1:
            growth = scale[-1]["median_ms"] / max(scale[0]["median_ms"], 1e-9)
            add(f"growth {scale[0]['stored']:,} → {scale[-1]['stored']:,}", f"{growth:.2f}×",
                f"≤ {DEDUPE_FLAT}× (flat) *", growth <= DEDUPE_FLAT)
    elif name == "queries":
        for engine in ("sqlite", "postgresql"):
            e = r.get(engine)
            if not e:
                continue
            for query, _first, median_ms, _cpu, n in e["queries"]:
                add(f"{query} ({engine}, {e['claims']:,} claims, {n:,} rows, load "
                    f"{e['load']:.1f})", f"{median_ms:.1f} ms median",
                    f"< {QUERY_MS} ms", median_ms < QUERY_MS)
            add(f"storing one article's claims, 10,000 → {e['claims']:,} claims ({engine})",
                f"{e['write_small']['fresh_median_ms']:.2f} → "
                f"{e['write_large']['fresh_median_ms']:.2f} ms ({e['write_growth']:.2f}×)",
                f"< {WRITE_GROWTH}×", e["write_growth"] < WRITE_GROWTH)
    elif name == "ingest":
        add("bare trafilatura.extract, 1 core", f"{r['bare_per_s']:.1f} art/s")
        add(f"bare trafilatura.extract, {r['processes']} processes (ceiling)",
            f"{r['bare_pool_per_s']:.1f} art/s ({r['bare_pool_ratio']:.2f}× bare)")
        for key, label in (("as_fetched", "as fetched"), ("figures_forced", "figures forced"),
                           ("all_kept", "all kept")):
            one, pool = r[f"{key}_1core_ratio"], r[f"{key}_pool_ratio"]
            add(f"pipeline, {label}, 1 core", f"{r[f'{key}_1core_per_s']:.1f} art/s "
                f"({one:.2f}× bare)", f"≥ {INGEST_1CORE}× bare", one >= INGEST_1CORE)
            add(f"pipeline, {label}, pool of {r['processes']}",
                f"{r[f'{key}_pool_per_s']:.1f} art/s ({pool:.2f}× bare)",
                f"≥ {INGEST_POOL}× bare", pool >= INGEST_POOL)
        top = max(r["profile"], key=lambda kv: kv[1])
        add("largest share of pipeline time", f"{top[0]} {top[1]:.0%}")
    elif name == "offtopic":
        for m in r["mixes"]:
            target = OFFTOPIC.get(m["mix"])
            add(f"`worker replay`, {m['mix']} ({m['pages']} pages), process start included",
                f"{m['ratio']:.2f}× bare (CPU {m['cpu_ratio']:.2f}×)",
                f"≥ {target}× bare" if target else "",
                m["ratio"] >= target if target else None)
    elif name == "rechecks":
        for m in r["modes"]:
            add(f"re-check of an unchanged article, {m['mode']} ({m['rechecks']:,} of "
                f"{r['articles']:,})" if m["mode"] != "full" else "full re-check (changed page)",
                f"{m['wall_ms']:.1f} ms wall, {m['cpu_ms']:.1f} ms CPU ({m['vs_full']:.2f}× full)")
    elif name == "startup":
        for label, c in r["commands"].items():
            runs = f"median of {r['runs']} runs" if "import" not in label else "one run"
            add(f"{label} ({runs})", f"{c['median_s']:.3f} s", f"< {c['target_s']} s", c["ok"])
    elif name == "polling":
        for label, key in (("first cycle (all 200)", "first_cycle"),
                           ("second cycle (mostly 304)", "second_cycle")):
            c = r[key]
            add(f"{r['feeds']:,} feeds, {label}",
                f"{c['seconds']:.1f} s ({c['feeds_per_second']:.0f} feeds/s)")
        add("peak RSS of the benchmark process (daemon and local server)",
            f"{r['peak_rss_mb']:.0f} MB")
    elif name == "memory":
        add(f"`worker run --once`, {r['feeds']:,} feeds, {r['pages_fetched']:,} pages: peak PSS "
            f"of the process tree ({r['processes']} processes)", f"{r['peak_tree_pss_mb']:.0f} MB",
            "< 400 MB", r["peak_tree_pss_mb"] < 400)
        add("the same, RSS summed (pages shared with the fork server counted per process)",
            f"{r['peak_tree_rss_mb']:.0f} MB")
    elif name == "reanalyse":
        add(f"`worker reanalyse --force`, {r['versions']} versions, {r['processes']} processes "
            f"(load {r['load_average'][0]:.1f})",
            f"{r['reanalyse']['versions_per_s']:.1f} versions/s")
        add("`worker replay` of the same pages", f"{r['replay']['versions_per_s']:.1f} "
            f"versions/s (reanalyse {r['ratio']:.2f}×, CPU per version {r['cpu_ratio']:.2f}×)")
    elif name == "adversarial":
        for stage, w in r["worst"].items():
            add(f"hostile text, {stage}: worst case ({w['case']}, {w['lang']})",
                f"{w['s_per_100kb']:.3f} s / 100 KB", f"≤ {HOSTILE_SECONDS} s",
                w["s_per_100kb"] <= HOSTILE_SECONDS)
        g = r["worst_growth"]
        add(f"hostile text, figures: cost per byte at 4× the size, largest ({g['case']}, "
            f"{g['lang']}; 1.0 = linear, noisy on a busy machine)", f"{g['ratio']:.2f}×")
    return rows


def summary_table(rows: list[Row], failed: dict[str, str]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Benchmark summary (* = target of ours, none in the issue)",
              header_style="bold")
    for col in ("benchmark", "measure", "value", "target", "result"):
        t.add_column(col, justify="right" if col == "value" else "left")
    for row in rows:
        t.add_row(*row, style="red" if row[-1] == "FAIL" else None)
    for name, why in failed.items():
        t.add_row(name, "did not run to the end", why, "", "ERROR", style="red")
    Console(width=160).print(t)


# -- the runner ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke test)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help=f"run only these (comma-separated or repeated): {', '.join(NAMES)}")
    ap.add_argument("--out", type=Path, default=RESULTS, help="where to write the results")
    ap.add_argument("--child", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child[0], args.quick, Path(args.child[1]))
    only = [n.strip() for group in args.only for n in group.split(",") if n.strip()]
    unknown = sorted(set(only) - set(NAMES))
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(unknown)} (known: {', '.join(NAMES)})")
    names = [n for n in NAMES if not only or n in only]

    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            print(f"\n== {name} " + "=" * (70 - len(name)), flush=True)
            out = Path(tmp) / f"{name}.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, str(out)]
            started = time.perf_counter()
            code = subprocess.call(cmd + (["--quick"] if args.quick else []), cwd=ROOT)
            seconds[name] = round(time.perf_counter() - started, 1)
            if code != 0 or not out.exists():
                failed[name] = f"exit code {code}"
                continue
            results[name] = json.loads(out.read_text(encoding="utf-8"))
    rows = [row for name in names if name in results for row in headlines(name, results[name])]
    print()
    summary_table(rows, failed)
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "load_average": os.getloadavg()},
        "seconds": seconds,
        "summary": [dict(zip(("benchmark", "measure", "value", "target", "result"), r,
                             strict=True)) for r in rows],
        "failed": failed,
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results written to {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
