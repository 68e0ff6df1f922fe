from __future__ import annotations

import pytest

from worker.errors import FetchError
from worker.feeds import declared_charset, parse_feed, repair_charset


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
