"""Many rows into one table at once, for the writers that fill tables wholesale (the lineage
derived from scratch, the query benchmark's synthetic history): PostgreSQL's `COPY ... FROM
STDIN` (one stream instead of a statement per row batch), SQLite's `executemany` on
prepared tuples. Both skip SQLAlchemy's per-row parameter processing, which costs more than
the database's own work on rows this plain; the values go through each column type's bind
processor, so they are stored exactly as an `insert()` would store them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.types import TypeEngine

from worker.store.models import UTCDateTime


def _sqlite_time(value: datetime) -> str:
    """What `UTCDateTime` and SQLite's DATETIME store ("2025-05-02 15:00:00.000000", UTC
    without its zone), without their two layers of per-value processing."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def _processor(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(type_, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_time
    return type_._cached_bind_processor(dialect)


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]],
                columns: Sequence[str] | None = None, batch_size: int = 10_000) -> int:
    """Insert `rows` (dicts keyed by column name) into `table` in the caller's transaction;
    returns the number of rows. The columns are `columns`, else the first row's keys; a
    column left out gets its Python-side default (evaluated once for all the rows: a bulk
    load's `created_at` is one time) or, without one, its server default. A key missing from
    a later row is NULL. SQLite gets them `batch_size` at a time."""
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    names = list(columns if columns is not None else first.keys())
    fixed: dict[str, Any] = {}
    for c in table.columns:
        if c.key not in names and c.default is not None:
            arg = c.default.arg  # type: ignore[attr-defined]
            fixed[c.key] = arg(None) if callable(arg) else arg
    names += list(fixed)
    dialect = conn.dialect
    procs = [_processor(table.c[n].type, dialect) for n in names]
    defaults = [fixed.get(n) for n in names]
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    target = dialect.identifier_preparer.format_table(table)

    def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple([v if p is None or v is None else p(v)
                      for v, p in zip(map(row.get, names, defaults), procs, strict=True)])

    count = 0
    if dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
            copy.write_row(values(first))
            count = 1
            for row in it:
                copy.write_row(values(row))
                count += 1
        return count
    sql = f"INSERT INTO {target} ({quoted}) VALUES ({', '.join('?' * len(names))})"
    batch = [values(first)]
    for row in it:
        batch.append(values(row))
        if len(batch) >= batch_size:
            conn.exec_driver_sql(sql, batch)
            count += len(batch)
            batch = []
    if batch:  # an empty list would be one execution without parameters
        conn.exec_driver_sql(sql, batch)
    return count + len(batch)
