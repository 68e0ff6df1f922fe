"""Pure: the feeds an HTML page names (`<link rel="alternate" type="application/rss+xml"
href="...">` in its head, as browsers and feed readers such as miniflux find them)."""

from __future__ import annotations

from urllib.parse import urljoin

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json", "application/rdf+xml", "text/xml", "application/xml")


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


def feed_links(data: bytes, base_url: str) -> list[str]:
    """The absolute URLs of the feeds a page declares, in page order, without repeats."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        doc = lxml.html.fromstring(data)
    except (ParserError, ValueError):
        return []
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            url = urljoin(base_url, href)
            if url not in found:
                found.append(url)
    return found
