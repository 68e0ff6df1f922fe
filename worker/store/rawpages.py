"""Raw pages ([store] keep_raw): each version's page as fetched, zlib-compressed, with its
SHA-256, kept so that a re-analysis can clean it again with the current rules."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select

from worker.store.models import RawPage

_INSERT = insert(cast(Table, RawPage.__table__))
_SELECT = select(RawPage.data, RawPage.is_text, RawPage.sha256, RawPage.compression).where(
    RawPage.version_id == bindparam("id"))


def pack(page: str | bytes) -> dict[str, Any]:
    """Pure: the row values of a page (without its version id)."""
    is_text = isinstance(page, str)
    data = page.encode("utf-8", "surrogatepass") if isinstance(page, str) else page
    return {"sha256": hashlib.sha256(data).hexdigest(), "compression": "zlib",
            "size": len(data), "is_text": is_text, "data": zlib.compress(data, 6)}


def unpack(data: bytes, is_text: bool, sha256: str, compression: str) -> str | bytes:
    """Pure: the page as it arrived; a ValueError when it does not match its SHA-256."""
    if compression != "zlib":
        raise ValueError(f"unknown compression {compression!r}")
    raw = zlib.decompress(data)
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise ValueError("the stored page does not match its SHA-256")
    return raw.decode("utf-8", "surrogatepass") if is_text else raw


def store(conn: Connection, version_id: int, page: str | bytes) -> None:
    conn.execute(_INSERT, {"version_id": version_id, **pack(page)})


def load(conn: Connection, version_id: int) -> str | bytes | None:
    """The version's raw page, None when none was kept."""
    row = conn.execute(_SELECT, {"id": version_id}).first()
    return None if row is None else unpack(row[0], row[1], row[2], row[3])
