"""The declarative base of the mapped classes, on the tables' one `MetaData`."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from worker.store.tables import metadata


class Base(DeclarativeBase):
    metadata = metadata
