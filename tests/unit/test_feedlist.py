"""Feed lists in bulk (pure): OPML 1/2 or one URL a line in, specs or rejections out; OPML 2
out."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from worker.feedlist import is_opml, opml, parse_feed_list

OPML2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="Korea">
    <outline type="rss" text="Yonhap NK" title="Yonhap NK" xmlUrl="https://en.yna.co.kr/nk.xml"/>
    <outline text="Deeper"><outline type="rss" text="Deep" xmlUrl="https://deep.example/f"/></outline>
  </outline>
  <outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
  <outline type="rss" text="Again" xmlUrl="https://en.yna.co.kr/nk.xml"/>
</body></opml>"""

OPML1 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0"><head><title>old</title></head><body>
<outline title="Le Monde" text="Le Monde" type="rss" xmlUrl="https://www.lemonde.fr/rss.xml"/>
</body></opml>"""


def test_opml2_nested_outlines_once_each_with_reasons_for_the_rest() -> None:
    entries = parse_feed_list(OPML2)
    ok = [(e.spec.url, e.spec.name) for e in entries if e.spec]
    assert ok == [("https://en.yna.co.kr/nk.xml", "Yonhap NK"), ("https://deep.example/f", "Deep")]
    rejected = {e.url: e.reason for e in entries if e.spec is None}
    # the repeated outline is folded into the first by listparser
    assert rejected == {"javascript:alert(1)": "not an http(s) URL"}
    assert all(e.where.startswith("outline ") for e in entries)


def test_opml1_is_read_too() -> None:
    (entry,) = parse_feed_list(OPML1)
    assert entry.spec is not None and entry.spec.name == "Le Monde"


def test_text_list_one_url_a_line_comments_and_blanks_skipped() -> None:
    data = "\ufeff# feeds\n\nhttps://a.example/rss\n  https://b.example/x  \nnot a url\n".encode()
    entries = parse_feed_list(data)
    assert [(e.where, e.url, e.reason) for e in entries] == [
        ("line 3", "https://a.example/rss", None), ("line 4", "https://b.example/x", None),
        ("line 5", "not a url", "not an http(s) URL")]
    assert not is_opml(data)


def test_binary_garbage_is_an_error_not_a_crash() -> None:
    try:
        parse_feed_list(b"\xff\xfe\x00bad")
    except ValueError as exc:
        assert "neither OPML nor UTF-8" in str(exc)
    else:
        raise AssertionError("no error")


names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@given(st.lists(st.tuples(st.integers(0, 10**6), st.one_of(st.none(), names)),
                max_size=20, unique_by=lambda t: t[0]))
def test_export_then_parse_gives_the_same_feeds(feeds: list[tuple[int, str | None]]) -> None:
    rows = [{"url": f"https://f{n}.example/feed?x=1&y=2", "name": name, "language": "ko"}
            for n, name in feeds]
    document = opml(rows)
    ET.fromstring(document.split("\n", 1)[1])  # well-formed
    back = parse_feed_list(document.encode())
    assert [(e.spec.url, e.spec.name) for e in back if e.spec] == [
        (r["url"], (r["name"].strip() or None) if r["name"] else None) for r in rows]
