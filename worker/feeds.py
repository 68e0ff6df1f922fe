"""Pure: feed bytes -> items, with feedparser. Entity declarations are refused before parsing
(billion-laughs and external-entity attacks), and a feed feedparser cannot make sense of is a
parse error, not an empty feed."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from worker.errors import FetchError

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class FeedEntry:
    guid: str
    url: str | None
    title: str | None
    summary: str | None
    content: str | None
    published: datetime | None
    updated: datetime | None
    language: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParsedFeed:
    title: str | None
    language: str | None
    ttl_seconds: int | None
    entries: list[FeedEntry] = field(default_factory=list)


def _when(entry: Any, key: str) -> datetime | None:
    value = entry.get(f"{key}_parsed")
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError):
        return None


def parse_feed(data: bytes, base_url: str = "") -> ParsedFeed:
    """Parse RSS/Atom bytes. Raises FetchError('parse', ...) when it is not a usable feed."""
    if _ENTITY_DECL.search(data[:65536]):
        raise FetchError("parse", "feed declares XML entities (refused: entity expansion)")
    parsed = feedparser.parse(data, response_headers={"content-location": base_url},
                              sanitize_html=False, resolve_relative_uris=True)
    if parsed.bozo and not parsed.entries:
        reason = str(parsed.get("bozo_exception", "unknown error")).splitlines()[0]
        raise FetchError("parse", f"malformed feed: {reason}")
    if not parsed.get("version") and not parsed.entries:
        raise FetchError("parse", "not an RSS or Atom feed")
    feed = parsed.feed
    ttl = None
    if str(feed.get("ttl", "")).strip().isdigit():
        ttl = int(str(feed["ttl"]).strip()) * 60
    entries = []
    for e in parsed.entries:
        url = e.get("link")
        content = None
        if e.get("content"):
            content = e["content"][0].get("value")
        guid = e.get("id") or url or e.get("title")
        if not guid:
            continue
        entries.append(FeedEntry(
            guid=str(guid), url=url, title=e.get("title"), summary=e.get("summary"),
            content=content, published=_when(e, "published"), updated=_when(e, "updated"),
            language=e.get("language"),
        ))
    return ParsedFeed(title=feed.get("title"), language=feed.get("language"), ttl_seconds=ttl,
                      entries=entries)
