"""`worker export` on SQLite and PostgreSQL: the same columns, names and values in CSV, JSON and
Parquet; Parquet with UTC timestamp and integer columns; the series filters and --since."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.cli import run_worker
from worker.export import COLUMNS
from worker.store import reviews


def _export(db_url: str, tmp_path: Path, fmt: str, *args: str) -> Path:
    out = tmp_path / f"claims.{fmt}"
    res = run_worker(["export", "--format", fmt, "--out", str(out), *args], db_url)
    assert res.returncode == 0, res.stderr
    return out


def test_the_three_formats_have_the_same_names_types_and_values(
        ids: dict[str, int], db_url: str, tmp_path: Path) -> None:
    as_json = json.loads(_export(db_url, tmp_path, "json").read_text(encoding="utf-8"))
    with _export(db_url, tmp_path, "csv").open(encoding="utf-8", newline="") as fh:
        as_csv = list(csv.DictReader(fh))
    table = pq.read_table(_export(db_url, tmp_path, "parquet"))
    assert tuple(as_json[0]) == tuple(as_csv[0]) == tuple(table.column_names) == COLUMNS
    assert len(as_json) == len(as_csv) == table.num_rows == 5
    schema = table.schema
    for name in ("claimed_at", "published_at", "fetched_at"):
        assert schema.field(name).type == pa.timestamp("us", tz="UTC"), name
    for name in ("claim_id", "article_id", "version_id", "version_number", "value", "low",
                 "high", "start", "story_id"):
        assert schema.field(name).type == pa.int64(), name
    assert schema.field("recalled").type == pa.bool_()
    parquet_rows = table.to_pylist()
    for j, c, p in zip(as_json, as_csv, parquet_rows, strict=True):
        assert j["claim_id"] == int(c["claim_id"]) == p["claim_id"]
        assert j["value"] == int(c["value"]) == p["value"]
        when = datetime.fromisoformat(j["claimed_at"])
        assert when.tzinfo is not None and when.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert j["claimed_at"] == c["claimed_at"] and j["claimed_at"].endswith("+00:00")
        assert p["claimed_at"] == when and p["claimed_at"].tzinfo is not None
        assert c["recalled"] == "false" and j["recalled"] is False and p["recalled"] is False
        assert c["story_id"] == "" and j["story_id"] is None and p["story_id"] is None


def test_series_filters_and_since(ids: dict[str, int], db_url: str,
                                  tmp_path: Path) -> None:
    def claims(*args: str) -> list[int]:
        out = _export(db_url, tmp_path, "json", *args)
        return [r["claim_id"] for r in json.loads(out.read_text(encoding="utf-8"))]

    assert claims("--metric", "deployed") == [ids["c1"]]
    assert claims("--subject", "kp", "--claimant", "kr-nis", "--metric", "killed") == [
        ids["a0"], ids["b0"], ids["b1"], ids["c0"]]
    assert claims("--since", "2025-01-15") == [ids["b0"], ids["b1"], ids["c0"], ids["c1"]]
    assert claims("--since", "2025-01-19") == [ids["c0"], ids["c1"]]
    assert claims("--since", "2025-01-20") == []
    assert claims("--claimant", "US-DOD") == []


def test_a_claim_marked_wrong_is_left_out_unless_asked_for(
        ids: dict[str, int], db_url: str, tmp_path: Path,
        factory: sessionmaker[Session]) -> None:
    with factory() as s, s.begin():
        reviews.mark(s, ids["c0"], "wrong", reviewer="analyst", note="another war")
        reviews.mark(s, ids["c1"], "claimant", "US-DOD", reviewer="analyst", note="DoD")
    rows = pq.read_table(_export(db_url, tmp_path, "parquet")).to_pylist()
    assert ids["c0"] not in [r["claim_id"] for r in rows]
    assert {r["claim_id"]: (r["claimant"], r["reviewed"]) for r in rows}[ids["c1"]] == (
        "US-DOD", True)
    rows = pq.read_table(_export(db_url, tmp_path, "parquet", "--include-excluded")).to_pylist()
    assert {r["claim_id"]: r["excluded"] for r in rows}[ids["c0"]] is True


def test_an_output_path_that_cannot_be_written_is_one_line(
        ids: dict[str, int], db_url: str, tmp_path: Path) -> None:
    for fmt in ("csv", "parquet"):
        res = run_worker(["export", "--format", fmt, "--out", "/nonexistent/dir/x"], db_url)
        assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
        assert res.stderr.strip().startswith("worker: error: cannot write /nonexistent/dir/x")


def test_stdout_csv_reads_back(ids: dict[str, int], db_url: str) -> None:
    res = run_worker(["export"], db_url)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 5 and datetime.fromisoformat(rows[0]["claimed_at"]).tzinfo == UTC
