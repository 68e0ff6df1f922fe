"""`worker changes` and `worker figures` on a large database: N synthetic claims (default 1M)
spread over articles, versions, series and stories, in a fresh SQLite file (and PostgreSQL
with --postgres URL)."""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from benchmarks.common import emit_json, show
from worker.store import queries
from worker.store.db import make_engine, session_factory, upgrade
from worker.store.models import Article, ArticleVersion, FigureClaim, Story

METRICS = ("killed", "wounded", "casualties", "captured", "missing", "deployed")
SUBJECTS = ("KP", "RU", "UA", None)
CLAIMANTS = ("KR-NIS", "UA-GENSTAFF", "UA-PRESIDENT", "US-DOD", "RU-MOD", None)


def fill(engine: Engine, n_claims: int, claims_per_version: int = 8) -> None:
    rng = random.Random(42)
    start = datetime(2024, 10, 1, tzinfo=UTC)
    n_versions = n_claims // claims_per_version
    with engine.begin() as conn:
        stories = [{"id": i} for i in range(1, n_versions // 3 + 2)]
        conn.execute(insert(Story), stories)
        arts, vers, claims = [], [], []
        cid = 0
        for vid in range(1, n_versions + 1):
            aid = vid if vid % 10 else vid - 1  # every tenth version is a revision
            number = 1 if vid % 10 else 2
            when = start + timedelta(minutes=vid)
            if number == 1:
                arts.append({"id": aid, "canonical_url": f"https://x/{aid}", "url": f"u{aid}",
                             "relevant": True, "relevance": 9.0, "status": "active",
                             "needs_retry": False, "published_at": when,
                             "story_id": rng.randrange(1, len(stories) + 1)})
            vers.append({"id": vid, "article_id": aid, "number": number, "fetched_at": when,
                         "text": "t", "fingerprint": f"f{vid}"})
            for k in range(claims_per_version):
                cid += 1
                value = rng.choice((100, 300, 600, 1000, 2000, 4700, 11000))
                claims.append({
                    "id": cid, "version_id": vid, "article_id": aid, "metric": METRICS[k % 6],
                    "subject": rng.choice(SUBJECTS), "value": value, "low": value,
                    "high": value, "qualifier": "approx", "modality": "reported",
                    "claimant": rng.choice(CLAIMANTS), "claimant_raw": None, "scope": None,
                    "sentence": "s", "start": k * 10, "end": k * 10 + 3, "claimed_at": when})
            if len(claims) >= 50_000:
                conn.execute(insert(Article), arts)
                conn.execute(insert(ArticleVersion), vers)
                conn.execute(insert(FigureClaim), claims)
                arts, vers, claims = [], [], []
        if claims:
            conn.execute(insert(Article), arts) if arts else None
            conn.execute(insert(ArticleVersion), vers)
            conn.execute(insert(FigureClaim), claims)


def timed(fn: Any) -> tuple[float, int]:
    t0 = time.perf_counter()
    rows = fn()
    return time.perf_counter() - t0, len(rows)


def run(url: str, n: int) -> list[tuple[str, float, int]]:
    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    fill(engine, n)
    fill_s = time.perf_counter() - t0
    factory = session_factory(engine)
    out = [("fill", fill_s, n)]
    with factory() as s:
        out.append(("changes --subject KP --metric killed",
                    *timed(lambda: queries.changes(s, subject="KP", metric="killed"))))
        out.append(("changes --kind article_revision --limit 1000",
                    *timed(lambda: queries.changes(s, kind="article_revision", limit=1000))))
        out.append(("changes (all)", *timed(lambda: queries.changes(s))))
        out.append(("figures", *timed(lambda: queries.latest_figures(s))))
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--postgres", help="also run on this (empty) PostgreSQL database URL")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result: dict[str, Any] = {"claims": args.claims}
    with tempfile.TemporaryDirectory() as tmp:
        result["sqlite"] = run(f"sqlite:///{Path(tmp) / 'q.db'}", args.claims)
    if args.postgres:
        result["postgresql"] = run(args.postgres, args.claims)
    if args.json:
        emit_json(result)
        return result
    for engine_name in ("sqlite", "postgresql"):
        if engine_name in result:
            show(f"Queries on {args.claims:,} stored claims ({engine_name})",
                 ["query", "seconds", "rows"], result[engine_name])
    return result


if __name__ == "__main__":
    main()
