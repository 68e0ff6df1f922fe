"""`worker export`: every claim with its provenance (`store.exports.claim_rows`), as CSV, JSON
or Parquet, with the same column names and the same meaning in each.

Types: identifiers and figures are 64-bit integers, flags booleans, timestamps UTC — Parquet
`timestamp[us, tz=UTC]` columns, ISO 8601 with `+00:00` in JSON and CSV (booleans `true` /
`false` in CSV, an empty field for a missing value)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from worker.errors import UsageError
from worker.store.exports import claim_rows

INTEGER = ("claim_id", "article_id", "version_id", "version_number", "story_id", "value",
           "low", "high", "part_of", "start", "end")
BOOLEAN = ("recalled", "partial", "excluded", "reviewed", "claimant_inferred")
TIMESTAMP = ("claimed_at", "published_at", "fetched_at")
COLUMNS = (
    "claim_id", "article_id", "version_id", "version_number", "story_id",
    "subject", "metric", "claimant", "value", "low", "high", "qualifier", "modality", "scope",
    "refers_to", "recalled", "part_of", "partial", "excluded", "reviewed", "claimant_raw",
    "claimant_inferred", "claimed_at", "published_at", "fetched_at", "sentence", "start", "end",
    "url", "outlet", "title", "language", "extractor_version",
)
"""Every column, in the order written. The names are those of the views and `--json`."""


def column_type(name: str) -> str:
    """The column's type in words (for the README and the Datasette metadata)."""
    return ("integer" if name in INTEGER else "boolean" if name in BOOLEAN
            else "timestamp (UTC)" if name in TIMESTAMP else "text")


def parquet_schema() -> Any:
    import pyarrow as pa

    def kind(name: str) -> Any:
        if name in INTEGER:
            return pa.int64()
        if name in BOOLEAN:
            return pa.bool_()
        if name in TIMESTAMP:
            return pa.timestamp("us", tz="UTC")
        return pa.string()

    return pa.schema([(name, kind(name)) for name in COLUMNS])


def _text(value: Any) -> Any:
    """A value as JSON holds it: timestamps in ISO 8601 (UTC, +00:00), the rest as is."""
    return value.isoformat() if isinstance(value, datetime | date) else value


def _csv(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value)


@contextmanager
def _opened(out: Path | None) -> Iterator[IO[str]]:
    if out is None:
        yield sys.stdout
        return
    try:
        stream = out.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    with stream:
        yield stream


def export_claims(session: Session, fmt: str, out: Path | None, *,
                  subject: str | None = None, metric: str | None = None,
                  claimant: str | None = None, since: date | None = None,
                  include_excluded: bool = False) -> int:
    """Write the claims (series-filtered, claimed on or after `since`) in `fmt`; the count."""
    rows = claim_rows(session, subject=subject, metric=metric, claimant=claimant, since=since,
                      include_excluded=include_excluded)
    if fmt == "parquet":
        if out is None:
            raise UsageError("--format parquet needs --out FILE")
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist([{k: r[k] for k in COLUMNS} for r in rows],
                                     schema=parquet_schema())
        try:
            pq.write_table(table, out)
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc}") from None
        return len(rows)
    with _opened(out) as stream:
        if fmt == "json":
            json.dump([{k: _text(r[k]) for k in COLUMNS} for r in rows], stream,
                      ensure_ascii=False, indent=2)
            stream.write("\n")
        else:
            writer = csv.writer(stream)
            writer.writerow(COLUMNS)
            writer.writerows([_csv(r[k]) for k in COLUMNS] for r in rows)
    return len(rows)
