"""Datasette metadata for the worker's database (`worker datasette-metadata`): a title, the
source, a description of every view and of the main tables and of each of their columns, and
the analysts' canned queries. The text lives in the packaged `worker/data/datasette.toml`; the
columns come from the database itself, so the metadata always describes the schema in use."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from worker.data import packaged

METADATA_FILE = "datasette.toml"


def load(path: Path | None = None) -> dict[str, Any]:
    with (path or packaged(METADATA_FILE)).open("rb") as fh:
        return tomllib.load(fh)


def undescribed(spec: dict[str, Any], relations: dict[str, tuple[str, list[str]]],
                ) -> dict[str, list[str]]:
    """The columns of every view and described table that the file gives no description."""
    missing: dict[str, list[str]] = {}
    for name, (kind, columns) in relations.items():
        if kind != "view" and name not in spec.get("relations", {}):
            continue
        own = spec.get("relations", {}).get(name, {}).get("columns", {})
        gaps = [c for c in columns if c not in own and c not in spec.get("columns", {})]
        if gaps:
            missing[name] = gaps
    return missing


def metadata(spec: dict[str, Any], relations: dict[str, tuple[str, list[str]]], *,
             database: str) -> dict[str, Any]:
    """Datasette's metadata.json for the database named `database` (the file's stem)."""
    shared: dict[str, str] = spec.get("columns", {})
    described: dict[str, Any] = spec.get("relations", {})
    tables: dict[str, Any] = {}
    for name, (kind, columns) in sorted(relations.items()):
        if kind != "view" and name not in described:
            continue
        own = described.get(name, {})
        entry: dict[str, Any] = {"description": " ".join(
            str(own.get("description", f"The {name} {kind}.")).split())}
        entry["columns"] = {c: own.get("columns", {}).get(c, shared.get(c)) for c in columns
                            if c in own.get("columns", {}) or c in shared}
        tables[name] = entry
    queries = {key: {"title": q["title"], "description": " ".join(q["description"].split()),
                     "sql": q["sql"].strip()}
               for key, q in spec.get("queries", {}).items()}
    site = {k: " ".join(str(v).split()) for k, v in spec.get("site", {}).items()}
    return {**site, "databases": {database: {"tables": tables, "queries": queries}}}
