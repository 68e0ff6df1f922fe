"""`iso_utc(column)`: a timestamp column as ISO 8601 text with its zone ("2025-01-13T06:20:00
+00:00"), formatted by the database — the same text on SQLite and PostgreSQL as the views give,
and no parsing of a datetime per row and column in Python."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class iso_utc(FunctionElement[str]):  # noqa: N801 - reads as a SQL function
    type = String()
    inherit_cache = True
    name = "iso_utc"


@compiles(iso_utc)
def _sqlite(element: iso_utc, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {compiler.process(column, **kw)})"


@compiles(iso_utc, "postgresql")
def _postgresql(element: iso_utc, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return (f"to_char({compiler.process(column, **kw)} AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')")
