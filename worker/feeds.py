"""Pure: feed bytes -> items, with feedparser. Entity declarations are refused before parsing
(billion-laughs and external-entity attacks), and a feed feedparser cannot make sense of is a
parse error, not an empty feed.

Two repairs for what the internet sends: a body that is valid UTF-8 but declared (in the HTTP
header or the XML declaration) as a single-byte charset is read as UTF-8; and items that share
one GUID get distinct keys (GUID + link), so none of them is mistaken for another."""

from __future__ import annotations

import calendar
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import feedparser

from worker.charset import codec_name
from worker.errors import FetchError

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
# feedparser flags these on perfectly usable feeds (e.g. an empty feed without a Content-Type)
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_XML_DECL_ENCODING = re.compile(
    rb"""^(\xef\xbb\xbf)?(<\?xml[^>]*?encoding=["'])([A-Za-z0-9._:-]+)(["'])""")
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


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
    link: str | None = None  # the link as written (a fixture feed's "one.txt" is no page URL)


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


def declared_charset(data: bytes, content_type: str | None) -> str | None:
    """The charset the HTTP header or else the XML declaration claims (codec name)."""
    if content_type:
        m = _HTTP_CHARSET.search(content_type)
        if m:
            return codec_name(m.group(1))
    decl = _XML_DECL_ENCODING.match(data[:200])
    return codec_name(decl.group(3).decode("ascii")) if decl else None


def repair_charset(data: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """Valid non-ASCII UTF-8 declared as another charset is UTF-8 (mojibake is worse than a
    wrong declaration: real single-byte text is almost never valid UTF-8)."""
    declared = declared_charset(data, content_type)
    if declared in (None, "utf-8", "utf-8-sig") or data.isascii():
        return data, content_type
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data, content_type
    fixed = _XML_DECL_ENCODING.sub(rb"\1\2utf-8\4", data, count=1)
    mime = (content_type or "application/xml").split(";", 1)[0].strip()
    return fixed, f"{mime}; charset=utf-8"


def item_link(link: str | None) -> str | None:
    """An item's link as a page URL, or None when it cannot be one: http(s) and file URLs
    are pages, and a link relative to the feed is kept for the reader of the feed to resolve
    (feedparser resolves it when the feed has a URL); javascript:, data:, ftp: and mailto:
    are not (the item is then stored under its feed's URL and its text taken from the feed).
    feedparser's URL joining turns `file:///dir/x` into `file://dir/x` (`dir` as a host); a
    file URL is local, so such a host is put back into the path."""
    if not link:
        return None
    parts = urlsplit(link.strip())
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc and parts.netloc.lower() != "localhost":
            return urlunsplit(("file", "", f"/{parts.netloc}{parts.path}", parts.query,
                               parts.fragment))
        return link.strip()
    if scheme in ("http", "https") and parts.netloc:
        return link.strip()
    if not scheme and not parts.netloc:
        return link.strip()  # relative to the feed (a replayed file's items: "one.txt")
    return None


def _unique_keys(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Items sharing a GUID are keyed GUID#link (or GUID#content hash); exact repeats dropped."""
    counts = Counter(e.guid for e in entries)
    out, seen = [], set()
    for e in entries:
        if counts[e.guid] > 1:
            tail = e.url or hashlib.sha1(
                f"{e.title}\n{e.summary}\n{e.content}".encode()).hexdigest()[:16]
            e = replace(e, guid=f"{e.guid}#{tail}")
        if e.guid in seen:
            continue
        seen.add(e.guid)
        out.append(e)
    return out


def parse_feed(data: bytes, base_url: str = "", content_type: str | None = None) -> ParsedFeed:
    """Parse RSS/Atom bytes. Raises FetchError('parse', ...) when it is not a usable feed."""
    if _ENTITY_DECL.search(data):
        raise FetchError("parse", "feed declares XML entities (refused: entity expansion)")
    data, content_type = repair_charset(data, content_type)
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers,
                              sanitize_html=False, resolve_relative_uris=True)
    if parsed.bozo and not parsed.entries and not isinstance(
            parsed.get("bozo_exception"), _BENIGN):
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
        link = e.get("link")
        url = item_link(link)
        content = None
        if e.get("content"):
            content = e["content"][0].get("value")
        guid = e.get("id") or link or e.get("title")
        if not guid:
            continue
        entries.append(FeedEntry(
            guid=str(guid), url=url, title=e.get("title"), summary=e.get("summary"),
            content=content, published=_when(e, "published"), updated=_when(e, "updated"),
            language=e.get("language"), link=link,
        ))
    return ParsedFeed(title=feed.get("title"), language=feed.get("language"), ttl_seconds=ttl,
                      entries=_unique_keys(entries))
