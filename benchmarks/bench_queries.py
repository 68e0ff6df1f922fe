"""`worker figures`, `figures --as-of` and `worker changes` on a large database, and what
storing one more article's claims costs as the database grows.

The synthetic history has a realistic shape: about 50 series (subject, metric, claimant);
most statements repeat their series' current value, a few move it on (and a few restate an
older value: backward changes), some recall an earlier value with its date; 10 % of the
articles are revised once (one figure changed in place); wire stories run in 2-10 copies.
Rows are bulk-inserted (not through the pipeline), then the lineage tables are derived from
scratch (`lineage.rebuild_all`, what the `lineage` migration does on an existing database).

The write cost: one article (article, version, claims, lineage) per transaction through the
writer's incremental path (`lineage.refresh_article`), at the end of the series (fresh news)
and, for one in ten, at a random older date (back-filled), at 10k claims and at the full size.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.engine import Connection, Engine

from benchmarks.common import emit_json, show
from worker.store import lineage, queries
from worker.store.bulk import insert_rows
from worker.store.db import make_engine, session_factory, upgrade
from worker.store.models import Article, ArticleVersion, FigureClaim, Story

METRICS = ("killed", "wounded", "casualties", "captured", "missing", "deployed")
SUBJECTS = ("KP", "RU", "UA", None)
CLAIMANTS = ("KR-NIS", "UA-GENSTAFF", "UA-PRESIDENT", "US-DOD", "RU-MOD", "UA-HUR", None)
START = datetime(2024, 10, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
CLAIMS_PER_VERSION = 8


def _series(rng: random.Random) -> list[tuple[str | None, str, str | None]]:
    keys = [("KP", "killed", "KR-NIS"), ("KP", "wounded", "KR-NIS"),
            ("KP", "deployed", "KR-NIS")]
    while len(keys) < 50:
        k = (rng.choice(SUBJECTS), rng.choice(METRICS), rng.choice(CLAIMANTS))
        if k not in keys:
            keys.append(k)
    return keys


class History:
    """The synthetic history, generated as rows in time order."""

    def __init__(self, total_claims: int, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.keys = _series(self.rng)
        self.current = {k: self.rng.choice((100, 200, 300, 1000)) for k in self.keys}
        self.past: dict[Any, list[tuple[datetime, int]]] = {k: [] for k in self.keys}
        self.ids = {"article": 0, "version": 0, "claim": 0, "story": 0}
        self.step = SPAN / max(1, total_claims // CLAIMS_PER_VERSION)
        self.when = START

    def _next(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def _value(self, key: Any, when: datetime) -> tuple[int, bool, str | None]:
        """(value, recalled, refers_to) of one more statement of `key` at `when`: mostly the
        current value; now and then a new one, a stale one restated, or a dated recall."""
        r = self.rng.random()
        past = self.past[key]
        if not past or r < 0.003:  # the series moves on
            if past:
                now = self.current[key]  # by 5-60 %, at most 10,000: 10M claims fit a BIGINT
                self.current[key] = min(int(now * self.rng.uniform(1.05, 1.6)) + 1,
                                        now + self.rng.randint(1, 10_000))
            past.append((when, self.current[key]))
        elif r < 0.005:  # a stale figure restated as if current: a change backwards
            return self.rng.choice(past)[1], False, None
        elif r < 0.025:  # recalled with its date ("up from 300 in January")
            day, value = self.rng.choice(past)
            return value, True, day.date().isoformat()
        return self.current[key], False, None

    def article(self, when: datetime, n_claims: int, story: int | None,
                template: Any = None) -> tuple[dict[str, Any], list[dict[str, Any]], Any,
                                               list[dict[str, Any]]]:
        """One article (10 % revised once; one revision in five corrects a figure in place)
        and its claims; `template`: the figures of the story's first copy, restated."""
        aid = self._next("article")
        art = {"id": aid, "canonical_url": f"https://x/{aid}", "url": f"https://x/{aid}",
               "title": f"t{aid}", "outlet": f"o{aid % 300}", "language": "en",
               "relevant": True, "relevance": 9.0, "status": "active", "needs_retry": False,
               "published_at": when, "first_seen_at": when, "story_id": story,
               "fingerprint": f"a{aid}"}
        picks = template or [(self.rng.choice(self.keys[:10] if self.rng.random() < 0.5
                                              else self.keys), None) for _ in range(n_claims)]
        figures = [(key, *(fixed or self._value(key, when))) for key, fixed in picks]
        versions = [(1, when, figures)]
        if self.rng.random() < 0.10:
            later = when + timedelta(hours=self.rng.randint(1, 30))
            if self.rng.random() < 0.2:  # a wrong figure, corrected in place
                i = self.rng.randrange(len(figures))
                key, value, _recalled, _ref = figures[i]
                wrong = list(figures)
                wrong[i] = (key, value + self.rng.choice((1, 10, 100)), False, None)
                versions = [(1, when, wrong), (2, later, figures)]
            else:  # edited, figures unchanged
                versions.append((2, later, figures))
        vers, claims = [], []
        for number, fetched, figs in versions:
            vid = self._next("version")
            vers.append({"id": vid, "article_id": aid, "number": number, "fetched_at": fetched,
                         "text": "t", "fingerprint": f"f{vid}"})
            for k, (key, value, recalled, refers) in enumerate(figs):
                claims.append({
                    "id": self._next("claim"), "version_id": vid, "article_id": aid,
                    "subject": key[0], "metric": key[1], "claimant": key[2], "value": value,
                    "low": value, "high": value, "qualifier": "approx", "modality": "reported",
                    "claimant_raw": key[2], "scope": None, "sentence": "s", "start": k * 10,
                    "end": k * 10 + 3, "claimed_at": fetched, "refers_to": refers,
                    "recalled": recalled, "part_of": None, "partial": False})
        return art, vers, [(key, (v, r, ref)) for key, v, r, ref in figures], claims

    def rows(self, n_claims: int) -> Any:
        """Batches of (stories, articles, versions, claims) until `n_claims` more claims,
        going on in time from where the last call stopped."""
        made = 0
        batch: dict[str, list[Any]] = {"stories": [], "articles": [], "versions": [],
                                       "claims": []}
        while made < n_claims:
            copies = self.rng.randint(2, 10) if self.rng.random() < 0.15 else 1
            story = self._next("story")
            batch["stories"].append({"id": story})
            template = None
            for _ in range(copies):
                self.when += self.step
                art, vers, figs, claims = self.article(self.when, CLAIMS_PER_VERSION, story,
                                                       template)
                template = template or list(figs)
                batch["articles"].append(art)
                batch["versions"] += vers
                batch["claims"] += claims
                made += len(claims)
            if len(batch["claims"]) >= 20_000 or made >= n_claims:
                yield batch
                batch = {"stories": [], "articles": [], "versions": [], "claims": []}


def fill(engine: Engine, history: History, n_claims: int) -> float:
    """Bulk-insert the history, then derive the lineage; returns the derivation's seconds."""
    tables = [(name, cast(Table, model.__table__)) for name, model in (
        ("stories", Story), ("articles", Article), ("versions", ArticleVersion),
        ("claims", FigureClaim))]
    with engine.begin() as conn:
        for batch in history.rows(n_claims):
            for name, table in tables:  # COPY on PostgreSQL: 10M claims in minutes
                insert_rows(conn, table, batch[name])
    t0 = time.perf_counter()
    with engine.begin() as conn:
        lineage.rebuild_all(conn)
    took = time.perf_counter() - t0
    # planner statistics (and PostgreSQL's visibility map), as autovacuum keeps them
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                          else "ANALYZE"))
    return took


def _store_one(conn: Connection, history: History, when: datetime) -> None:
    art, vers, _figs, claims = history.article(when, CLAIMS_PER_VERSION, None)
    art["story_id"] = None
    conn.execute(insert(Article), [art])
    conn.execute(insert(ArticleVersion), vers)
    conn.execute(insert(FigureClaim), claims)
    lineage.refresh_article(conn, art["id"])


def write_cost(engine: Engine, history: History, n: int = 200) -> dict[str, float]:
    """Milliseconds of one article's transaction (claims + lineage): median wall and CPU
    time of this process (all of SQLite's work; PostgreSQL's server time is in wall only)
    for fresh articles, median wall for back-filled ones."""
    fresh, cpu, older = [], [], []
    base = history.when
    for i in range(n):
        backfill = i % 10 == 9
        when = (START + (base - START) * history.rng.random()) if backfill else (
            base + timedelta(minutes=i + 1))
        t0, c0 = time.perf_counter(), time.process_time()
        with engine.begin() as conn:
            _store_one(conn, history, when)
        wall, used = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
        if backfill:
            older.append(wall)
        else:
            fresh.append(wall)
            cpu.append(used)
    return {"fresh_median_ms": statistics.median(fresh),
            "fresh_cpu_median_ms": statistics.median(cpu),
            "fresh_p90_ms": statistics.quantiles(fresh, n=10)[-1],
            "backfill_median_ms": statistics.median(older)}


def timed(fn: Any, repeat: int = 5) -> tuple[float, float, float, int]:
    """(first run, median of `repeat` runs, median CPU time of this process) in
    milliseconds, and the rows returned."""
    times, cpu, rows = [], [], 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        rows = len(fn())
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return times[0], statistics.median(times), statistics.median(cpu), rows


def _queries(engine: Engine) -> list[tuple[str, float, float, float, int]]:
    factory = session_factory(engine)
    as_of = date(2025, 10, 1)
    out = []
    with factory() as s:
        for name, fn in (
                ("figures", lambda: queries.latest_figures(s)),
                ("figures --as-of 2025-10-01", lambda: queries.latest_figures(s, as_of=as_of)),
                ("changes --subject KP --metric killed",
                 lambda: queries.changes(s, subject="KP", metric="killed")),
                ("changes --kind article_revision --limit 1000",
                 lambda: queries.changes(s, kind="article_revision", limit=1000)),
                ("changes, first page (--limit 50)", lambda: queries.changes(s, limit=50))):
            out.append((name, *timed(fn)))
    return out


def run(url: str, n: int, small: int = 10_000) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    history = History(n)
    result: dict[str, Any] = {}
    t0 = time.perf_counter()
    result["derive_small_s"] = fill(engine, history, small)
    result["write_small"] = write_cost(engine, history)
    t1 = time.perf_counter()
    result["derive_s"] = fill(engine, history, n - small)
    result["fill_s"] = time.perf_counter() - t1 + (t1 - t0)
    with engine.connect() as conn:
        result["claims"] = conn.scalar(select(text("COUNT(*)")).select_from(text(
            "figure_claims")))
        result["statements"] = conn.scalar(text("SELECT COUNT(*) FROM figure_statements"))
        result["changes"] = conn.scalar(text(
            "SELECT COUNT(*) FROM figure_statements WHERE kind IS NOT NULL"))
    result["write_large"] = write_cost(engine, history)
    result["load"] = os.getloadavg()[0]  # when the queries run
    result["queries"] = _queries(engine)
    result["write_growth"] = (result["write_large"]["fresh_median_ms"]
                              / result["write_small"]["fresh_median_ms"])
    result["write_cpu_growth"] = (result["write_large"]["fresh_cpu_median_ms"]
                                  / result["write_small"]["fresh_cpu_median_ms"])
    engine.dispose()
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--postgres", help="also run on this (empty) PostgreSQL database URL")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--postgres-only", action="store_true",
                    help="only the PostgreSQL run (e.g. --claims 10000000 --postgres-only "
                         "--postgres URL: about half an hour on 2 shared cores)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.postgres_only:
        if not args.postgres:
            ap.error("--postgres-only needs --postgres URL")
        args.no_sqlite = True
    result: dict[str, Any] = {"claims": args.claims}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            result["sqlite"] = run(f"sqlite:///{Path(tmp) / 'q.db'}", args.claims)
    if args.postgres:
        result["postgresql"] = run(args.postgres, args.claims)
    if args.json:
        emit_json(result)
        return result
    for engine_name in ("sqlite", "postgresql"):
        if engine_name not in result:
            continue
        r = result[engine_name]
        show(f"Queries on {r['claims']:,} claims, {r['statements']:,} statements, "
             f"{r['changes']:,} changes ({engine_name}, load {r['load']:.1f})",
             ["query", "first ms", "median ms", "CPU ms (median)", "rows"], r["queries"])
        show(f"Storing one article of {CLAIMS_PER_VERSION} claims ({engine_name})",
             ["database", "median ms (fresh)", "CPU ms (fresh)", "p90 ms (fresh)",
              "median ms (back-filled)"],
             [(f"{10_000:,} claims", *r["write_small"].values()),
              (f"{r['claims']:,} claims", *r["write_large"].values()),
              ("growth", f"{r['write_growth']:.2f}×", f"{r['write_cpu_growth']:.2f}×", "", "")])
        show(f"Building ({engine_name})", ["step", "seconds"],
             [("bulk insert + lineage", r["fill_s"]), ("lineage from scratch", r["derive_s"])])
    return result


if __name__ == "__main__":
    main()
