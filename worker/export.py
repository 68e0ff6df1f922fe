"""`worker export`: every claim with its provenance (`store.queries.claim_rows`), as CSV, JSON
or Parquet."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from worker.errors import WorkerError
from worker.store.queries import claim_rows

COLUMNS = (
    "claim_id", "metric", "subject", "value", "low", "high", "qualifier", "modality",
    "claimant", "claimant_raw", "scope", "refers_to", "recalled", "part_of", "partial",
    "claimed_at", "sentence", "start", "end",
    "article_id", "version", "fetched_at", "url", "outlet", "title", "language",
    "published_at", "story_id",
)


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
