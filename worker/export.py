"""`worker export`: every claim with its provenance, as CSV, JSON or Parquet."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.errors import WorkerError
from worker.store.models import Article, ArticleVersion, FigureClaim

COLUMNS = (
    "claim_id", "metric", "subject", "value", "low", "high", "qualifier", "modality",
    "claimant", "claimant_raw", "scope", "refers_to", "recalled", "part_of", "partial",
    "claimed_at", "sentence", "start", "end",
    "article_id", "version", "fetched_at", "url", "outlet", "title", "language",
    "published_at", "story_id",
)


def claim_rows(session: Session) -> list[dict[str, Any]]:
    q = (select(FigureClaim, ArticleVersion.number, ArticleVersion.fetched_at, Article)
         .join(ArticleVersion, ArticleVersion.id == FigureClaim.version_id)
         .join(Article, Article.id == FigureClaim.article_id)
         .order_by(FigureClaim.claimed_at, FigureClaim.id))
    rows = []
    for c, number, fetched, a in session.execute(q):
        rows.append({
            "claim_id": c.id, "metric": c.metric, "subject": c.subject, "value": c.value,
            "low": c.low, "high": c.high, "qualifier": c.qualifier, "modality": c.modality,
            "claimant": c.claimant, "claimant_raw": c.claimant_raw, "scope": c.scope,
            "refers_to": c.refers_to, "recalled": c.recalled, "part_of": c.part_of,
            "partial": c.partial,
            "claimed_at": c.claimed_at.isoformat(), "sentence": c.sentence, "start": c.start,
            "end": c.end, "article_id": a.id, "version": number,
            "fetched_at": fetched.isoformat(), "url": a.url, "outlet": a.outlet,
            "title": a.title, "language": a.language,
            "published_at": a.published_at.isoformat() if a.published_at else None,
            "story_id": a.story_id,
        })
    return rows


def export_claims(session: Session, fmt: str, out: Path | None) -> int:
    rows = claim_rows(session)
    if fmt == "parquet":
        if out is None:
            raise WorkerError("--format parquet needs --out FILE")
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(rows, schema=pa.schema([
            (name, pa.int64() if name in ("claim_id", "value", "low", "high", "start", "end",
                                          "article_id", "version", "story_id", "part_of")
             else pa.bool_() if name in ("recalled", "partial")
             else pa.string()) for name in COLUMNS]))
        pq.write_table(table, out)
        return len(rows)
    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if fmt == "json":
            json.dump(rows, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        else:
            writer = csv.DictWriter(stream, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
    finally:
        if out:
            stream.close()
    return len(rows)
