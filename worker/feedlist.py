"""The feed list: the `[[feed]]` tables of a feeds file (`[pipeline] feeds_file`, by default
the packaged `worker/data/feeds.toml`) read into `FeedSpec`s, local paths made into file:
URLs; and feed lists in bulk: an OPML 1/2 subscription list (read with listparser) or a text
file of one URL a line, each entry a spec or a rejection with its reason, and an OPML 2 export.
Pure apart from reading the feeds file; storing the specs is `worker.store.feeds`."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from worker import schedule
from worker.errors import ConfigError

FEED_KEYS = {"url", "name", "language", "interval"}
OPTION_TYPES: dict[str, type] = {"fetch_articles": bool, "max_items": int}


@dataclass(frozen=True, kw_only=True)
class FeedSpec:
    url: str
    name: str | None = None
    language: str | None = None
    interval: int | None = None
    options: dict[str, Any] = field(default_factory=dict)


def feed_url(value: str, base_dir: Path) -> str:
    """http(s) URLs as given; a local path (relative to `base_dir`) becomes a file: URL."""
    value = value.strip()
    scheme = urlsplit(value).scheme.lower()
    if scheme in ("http", "https", "file"):
        return value
    if scheme and len(scheme) > 1:
        raise ValueError(f"unsupported URL scheme {scheme!r}: {value}")
    path = Path(value)
    path = path if path.is_absolute() else base_dir / path
    return path.resolve().as_uri()


def load_feed_specs(path: Path, base_dir: Path) -> list[FeedSpec]:
    """The `[[feed]]` tables of a feeds file (a missing file declares no feeds)."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    specs = []
    for n, raw in enumerate(data.get("feed", []), 1):
        where = f"{path}: feed {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
            raise ConfigError(f"{where}: needs a url")
        options = {}
        for key, value in raw.items():
            if key in FEED_KEYS:
                continue
            tp = OPTION_TYPES.get(key)
            if tp is None:
                raise ConfigError(f"{where}: unknown key {key!r} (known: "
                                  f"{', '.join(sorted(FEED_KEYS | set(OPTION_TYPES)))})")
            if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
                raise ConfigError(f"{where}: {key}: expected {tp.__name__}")
            options[key] = value
        try:
            interval = raw.get("interval")
            specs.append(FeedSpec(
                url=feed_url(raw["url"], base_dir), name=raw.get("name"),
                language=raw.get("language"), options=options,
                interval=None if interval is None else schedule.parse_duration(str(interval))))
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return specs


# -- feed lists in bulk: `worker feeds import FILE`, `worker feeds export --opml` -------------

@dataclass(frozen=True, kw_only=True)
class ListEntry:
    """One entry of an imported list: a spec to add, or the reason it cannot be added."""

    where: str  # "line 3" or "outline 3"
    url: str
    spec: FeedSpec | None = None
    reason: str | None = None


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a polled feed, or None when it can."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "no host name"
    if len(url) > 2048:
        return "longer than 2048 characters"
    if any(c.isspace() for c in url):
        return "contains white space"
    return None


def _entries(raw: Iterable[tuple[str, str, str | None]]) -> list[ListEntry]:
    seen: set[str] = set()
    out = []
    for where, url, name in raw:
        reason = url_problem(url)
        if reason is None and url in seen:
            reason = "listed twice"
        seen.add(url)
        out.append(ListEntry(where=where, url=url, reason=reason,
                             spec=None if reason else FeedSpec(
                                 url=url, name=name if name and name != url else None)))
    return out


def is_opml(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    return head.startswith(b"<") and (b"<opml" in head or head.startswith(b"<?xml"))


def parse_feed_list(data: bytes) -> list[ListEntry]:
    """An OPML subscription list (1.0 or 2.0; outlines with an xmlUrl, nested folders too) or
    text with one URL a line (blank lines and lines starting with # skipped)."""
    if is_opml(data):
        import listparser  # only `feeds import` needs it

        result = listparser.parse(data)  # bytes: never taken for a URL to fetch
        if result.get("bozo") and not result.get("feeds"):
            raise ValueError(f"not a readable OPML list: {result.get('bozo_exception')}")
        return _entries((f"outline {n}", str(f.get("url", "")).strip(), f.get("title"))
                        for n, f in enumerate(result.get("feeds", []), 1))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("neither OPML nor UTF-8 text") from None
    return _entries((f"line {n}", line.strip(), None)
                    for n, line in enumerate(text.splitlines(), 1)
                    if line.strip() and not line.lstrip().startswith("#"))


def opml(feeds: Iterable[Mapping[str, Any]], title: str = "dprk-ru-news-worker feeds") -> str:
    """An OPML 2.0 subscription list of `feeds` (dicts with url, name, language)."""
    from xml.etree import ElementTree as ET

    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for f in feeds:
        attrs = {"type": "rss", "text": f.get("name") or f["url"], "xmlUrl": f["url"]}
        if f.get("name"):
            attrs["title"] = f["name"]
        if f.get("language"):
            attrs["language"] = f["language"]
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
