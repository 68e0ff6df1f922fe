from __future__ import annotations

import pytest

from worker.errors import FetchError
from worker.feeds import declared_charset, item_link, parse_feed, repair_charset


def rss(items: str, declared: str = "utf-8", ttl: str = "") -> str:
    return (f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel>'
            f"<title>T</title><link>http://x.invalid/</link><description>d</description>{ttl}"
            f"{items}</channel></rss>")


def item(guid: str, link: str, title: str = "t") -> str:
    return f"<item><guid>{guid}</guid><link>{link}</link><title>{title}</title></item>"


def test_items_and_ttl_are_read() -> None:
    feed = parse_feed(rss(item("1", "http://x.invalid/a"), ttl="<ttl>60</ttl>").encode())
    assert [e.guid for e in feed.entries] == ["1"]
    assert feed.ttl_seconds == 3600


def test_items_sharing_a_guid_get_distinct_keys() -> None:
    body = rss(item("same", "http://x.invalid/a") + item("same", "http://x.invalid/b")
               + item("same", "http://x.invalid/b")).encode()
    keys = [e.guid for e in parse_feed(body).entries]
    assert keys == ["same#http://x.invalid/a", "same#http://x.invalid/b"]


def test_billion_laughs_is_refused_before_parsing() -> None:
    body = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b"<rss><channel><title>&lol2;</title></channel></rss>")
    with pytest.raises(FetchError) as exc:
        parse_feed(body)
    assert exc.value.error_class == "parse"


def test_malformed_xml_without_items_is_a_parse_error() -> None:
    with pytest.raises(FetchError) as exc:
        parse_feed(b"<rss><channel><title>broken</tit")
    assert exc.value.error_class == "parse"
    with pytest.raises(FetchError):
        parse_feed(b"<html><body>not a feed</body></html>")


@pytest.mark.parametrize("where", ["header", "declaration"])
def test_utf8_declared_as_latin1_is_read_as_utf8(where: str) -> None:
    title = "Северокорейские войска — 북한군"
    declared = "iso-8859-1" if where == "declaration" else "utf-8"
    body = rss(item("1", "http://x.invalid/a", title), declared=declared).encode("utf-8")
    ctype = "application/rss+xml; charset=ISO-8859-1" if where == "header" else None
    assert parse_feed(body, content_type=ctype).entries[0].title == title


def test_real_single_byte_text_keeps_its_declared_charset() -> None:
    body = rss(item("1", "http://x.invalid/a", "Café à Séoul"),
               declared="windows-1252").encode("cp1252")
    assert repair_charset(body, None) == (body, None)
    assert parse_feed(body).entries[0].title == "Café à Séoul"


def test_declared_charset_prefers_the_http_header() -> None:
    body = b'<?xml version="1.0" encoding="koi8-r"?><rss/>'
    assert declared_charset(body, "text/xml; charset=utf-8") == "utf-8"
    assert declared_charset(body, "text/xml") == "koi8-r"


def _one_item_feed(link: str) -> bytes:
    return (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
            b"<guid>g1</guid><link>" + link.encode() + b"</link><title>x</title></item>"
            b"</channel></rss>")


@pytest.mark.parametrize("base", ["http://example.org/feed", "file:///srv/feeds/feed.xml", ""])
def test_file_item_links_keep_their_three_slashes(base: str) -> None:
    (entry,) = parse_feed(_one_item_feed("file:///srv/pages/a%20b.html"), base).entries
    assert entry.url == "file:///srv/pages/a%20b.html"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JavaScript:void(0)",
                                  "data:text/html,<b>x</b>", "ftp://example.org/a.txt",
                                  "mailto:desk@example.org"])
def test_links_that_are_not_pages_are_dropped_but_the_item_is_kept(link: str) -> None:
    (entry,) = parse_feed(_one_item_feed(link), "http://example.org/feed").entries
    assert entry.url is None and entry.guid.endswith("g1") and entry.title == "x"


def test_item_link_keeps_web_and_local_links() -> None:
    assert item_link("https://example.org/a?b=1#c") == "https://example.org/a?b=1#c"
    assert item_link(" http://example.org/a ") == "http://example.org/a"
    assert item_link("file://localhost/srv/a.html") == "file://localhost/srv/a.html"
    assert item_link("file://srv/a.html") == "file:///srv/a.html"
    assert item_link("/relative/without/base") is None
    assert item_link("http:///no-host") is None
    assert item_link(None) is None and item_link("") is None
