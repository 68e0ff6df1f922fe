"""Feed items whose links are not pages: refused schemes and local file links, through a real
poll cycle on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.helpers.server import rss
from tests.helpers.world import PAGES, World
from worker.feedlist import FeedSpec
from worker.store.feeds import upsert_feeds
from worker.store.models import Article, ArticleVersion, FeedItem, IngestEvent, utcnow


def test_javascript_data_and_ftp_links_are_never_article_urls(world: World) -> None:
    srv = world.srv
    links = {"js": "javascript:alert(document.cookie)", "data": "data:text/html,<b>hi</b>",
             "ftp": "ftp://example.org/pub/report.txt"}
    texts = {"js": "A weather report: rain over the coast on Monday.",
             "data": "Football: the cup final ended in a draw after extra time.",
             "ftp": "Markets: the central bank left its rate unchanged this week."}
    srv.route("/feed", body=rss([{"guid": f"urn:item:{g}", "link": link, "title": f"Item {g}",
                                  "description": texts[g]} for g, link in links.items()]))
    url = world.add("/feed")
    world.cycle()
    stored = {u for (u,) in world.rows(select(Article.url))}
    assert stored and all(u.startswith(f"{url}#urn:item:") for u in stored)  # feed URL#GUID
    remembered = world.rows(select(FeedItem.guid, FeedItem.url))
    assert sorted(g for g, _ in remembered) == sorted(f"urn:item:{g}" for g in links)
    assert all(u is None for _, u in remembered)
    assert srv.count("/feed") == 1 and len(srv.requests) == 1  # nothing else was fetched


def test_file_item_links_of_a_local_feed_are_read(world: World, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "one.html").write_bytes(PAGES[0].read_bytes())
    feed = pages / "feed.xml"
    feed.write_bytes(rss([{"guid": "one", "link": (pages / "one.html").as_uri(),
                           "title": "Item one", "description": "short"}]))
    upsert_feeds(world.factory, [FeedSpec(url=feed.as_uri())])
    world.cycle(WORKER_FETCH_FIXTURE_PATHS=str(tmp_path))
    (art,) = world.rows(select(Article.url, ArticleVersion.text).join(ArticleVersion))
    assert art.url == (pages / "one.html").as_uri()
    assert len(art.text) > 500  # the page's text, not the feed's one-word summary


RU = ("Около 600 северокорейских военных погибли в Курской области, сообщила разведка "
      "Южной Кореи. По её оценке, ещё 4 100 северокорейских солдат были ранены. ")


def _ru_page(title: str = "Потери КНДР в Курской области") -> bytes:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><article>'
            f"<h1>{title}</h1><p>{RU * 3}</p><p>{RU * 2}</p></article></body></html>"
            ).encode("cp1251")


def test_a_windows_1251_page_declared_as_utf8_is_read_and_kept(world: World) -> None:
    srv = world.srv
    srv.route("/ru", body=_ru_page(), headers={"Content-Type": "text/html; charset=utf-8"})
    srv.route("/feed", body=rss([{"guid": "ru", "link": srv.url("/ru"), "description": "…"}]))
    world.add("/feed")
    world.cycle()
    (art,) = world.rows(select(Article.title, Article.relevant, ArticleVersion.text)
                        .join(ArticleVersion))
    assert art.title == "Потери КНДР в Курской области"
    assert art.relevant and "северокорейских военных погибли" in art.text


DEEP = ("<html><body>" + "<div>" * 100_000 + "<p>North Korean troops were killed near Kursk."
        "</p>" + "</div>" * 100_000 + "</body></html>").encode()
ONE_LINE = ("<html><body><article><p>" + "North Korean troops fought near Kursk. " * 520_000
            + "</p></article></body></html>").encode()  # 20 MB: trafilatura gives up


@pytest.mark.parametrize("body", [DEEP, ONE_LINE], ids=["nested-100000-deep", "20MB-one-line"])
def test_an_unreadable_page_is_recorded_and_retried_never_kept_as_irrelevant(
        world: World, body: bytes) -> None:
    srv = world.srv
    srv.route("/page", body=body)
    srv.route("/feed", body=rss([{"guid": "p", "link": srv.url("/page"), "title": "Kursk",
                                  "description": "A short teaser."}]))
    world.add("/feed")
    world.env["WORKER_FETCH_MAX_ARTICLE_BYTES"] = str(len(body) + 1)
    world.cycle()
    (event,) = world.rows(select(IngestEvent.outcome, IngestEvent.detail)
                          .where(IngestEvent.outcome == "unreadable"))
    assert "no text extracted" in event.detail or "extraction failed" in event.detail
    with world.factory() as s:  # the feed's text stands in, marked for a retry of the page
        art = s.scalars(select(Article)).one()
        assert art.needs_retry and art.next_recheck_at is not None
    # still unreadable at the re-check: the article is left as it was and tried again
    with world.factory() as s, s.begin():
        s.execute(update(Article).values(next_recheck_at=utcnow() - timedelta(seconds=1)))
    world.cycle(due=False)
    with world.factory() as s:
        art = s.scalars(select(Article)).one()
        assert art.needs_retry and art.next_recheck_at > utcnow()
    assert world.count(IngestEvent, IngestEvent.outcome == "unreadable") == 2
    # readable at last: the page's text is analysed and the article becomes relevant
    srv.route("/page", body=_ru_page())
    with world.factory() as s, s.begin():
        s.execute(update(Article).values(next_recheck_at=utcnow() - timedelta(seconds=1)))
    world.cycle(due=False)
    with world.factory() as s:
        art = s.scalars(select(Article)).one()
        assert art.relevant and not art.needs_retry
