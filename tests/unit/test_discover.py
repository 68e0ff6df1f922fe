from __future__ import annotations

from worker.discover import feed_links, looks_like_html


def test_feed_links_are_the_alternate_feeds_made_absolute() -> None:
    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="/rss.xml">
    <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="atom.xml">
    <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
    <link rel="stylesheet" type="text/css" href="/s.css">
    <link rel="alternate" type="application/rss+xml" href="/rss.xml">
    </head><body></body></html>"""
    assert feed_links(page, "https://example.org/news/") == [
        "https://example.org/rss.xml", "https://example.org/news/atom.xml"]
    assert feed_links(b"<html><body>none</body></html>", "https://example.org/") == []
    assert feed_links(b"", "https://example.org/") == []


def test_looks_like_html() -> None:
    assert looks_like_html(b"  <!DOCTYPE html><html>")
    assert not looks_like_html(b'<?xml version="1.0"?><rss version="2.0">')
